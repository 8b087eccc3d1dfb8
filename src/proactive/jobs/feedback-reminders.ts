/**
 * A bug in FEEDBACK owes its handler's answer urgently (seed: Analysis). The handler gets a DM after
 * FEEDBACK_REMIND_AFTER working hours and again every FEEDBACK_REMIND_EVERY; management hears after
 * FEEDBACK_ESCALATE_AFTER. Everything stops once the feedback is given: the status leaves FEEDBACK or
 * the handler writes a note. Reviews (FEEDBACK in the review stage) are not chased here; the digest
 * and the summary list them. The cadence itself is src/core/reminder-policy.ts.
 */
import { workingMinutesBetween } from "../../core/calendar.js";
import { feedbackReminderKey, planFeedbackReminders, type SentReminder } from "../../core/reminder-policy.js";

import type { ProactiveJob } from "../job.js";
import { feedbackEscalationMessage, feedbackReminderMessage } from "../messages.js";
import { channelRecipient } from "../outbox.js";
import { reminderSettingsFor } from "../settings.js";
import { reminderDueAt } from "./dm-digest.js";
import { FEEDBACK_REMINDER_KINDS, MANAGEMENT_CHANNEL, messageBug } from "./watch-tracker.js";

/** Reminds handlers who owe feedback and escalates to management. */
export const feedbackRemindersJob: ProactiveJob = {
  name: "feedback-reminders",
  schedules: (config) => [{ every: config.checkIntervalMs }],
  async run(ctx) {
    const now = ctx.now();
    for (const row of await ctx.store.mirror.list({ statuses: ["feedback"] })) {
      if (row.status !== "feedback" || !row.handler) continue;
      if ((await ctx.processFacts(row.id))?.stage === "review") continue;
      const feedbackSince = row.feedbackSince ?? row.statusSince;
      const feedbackGiven = row.handlerNoteAt !== undefined && row.handlerNoteAt.getTime() > feedbackSince.getTime();
      if (feedbackGiven) {
        await ctx.store.outbox.cancelPending({ kinds: FEEDBACK_REMINDER_KINDS, bugId: row.id }, now);
        continue;
      }
      const member = ctx.staffByTrackerUser(row.handler);
      const settings = await ctx.settingsFor(member);
      const calendar = settings.calendar;
      const round = await ctx.store.outbox.list({ bugId: row.id, periodPrefix: `${feedbackSince.toISOString()}#` });
      const sent: SentReminder[] = round
        // Sent once any platform delivered it (sentAt): the person was reached, even if another platform is retried.
        .filter((item) => item.sentAt && (FEEDBACK_REMINDER_KINDS as readonly string[]).includes(item.kind))
        .map((item) => ({ kind: item.kind === "feedback-remind" ? "remind" : "escalate", at: item.sentAt! }));
      const plan = planFeedbackReminders({
        feedbackSince,
        feedbackGiven,
        sent,
        settings: reminderSettingsFor(ctx.config, settings),
        calendar,
        snoozedUntil: member ? await ctx.store.snoozes.get(row.id, member.name, now) : undefined,
        now,
      });
      const workingHours = workingMinutesBetween(calendar, feedbackSince, now) / 60;
      const bug = messageBug(ctx, row);
      for (const item of plan.due) {
        if (item.kind === "remind") {
          if (!member || settings.mode.kind === "off") continue;
          // The plan's own time, not now: after downtime the outbox sees the reminder is late and merges it.
          const dueAt = settings.mode.kind === "daily" ? await reminderDueAt(ctx, member, settings, now) : item.at;
          await ctx.outbox.enqueue({
            key: feedbackReminderKey({ bugId: row.id, recipient: member.name, feedbackSince, item }),
            target: "direct",
            message: feedbackReminderMessage(bug, { ordinal: item.ordinal, workingHours }),
            dueAt,
          });
        } else {
          await ctx.outbox.enqueue({
            key: feedbackReminderKey({ bugId: row.id, recipient: channelRecipient(MANAGEMENT_CHANNEL), feedbackSince, item }),
            target: "channel",
            dueAt: item.at,
            message: feedbackEscalationMessage(bug, {
              handler: member?.name ?? row.handler,
              workingHours,
              since: feedbackSince,
              timeZone: calendar.timeZone,
              reminders: sent.filter((entry) => entry.kind === "remind").length,
            }),
          });
        }
      }
    }
  },
};
