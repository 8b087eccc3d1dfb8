/**
 * Raises a NEW bug once more in the management channel when it is still untriaged NEW_REMIND_AFTER
 * working hours (company calendar) after it was announced. After that the daily summary carries it.
 * Bugs the first run found were not announced one by one, so they are not raised again either.
 */
import { addWorkingMinutes } from "../../core/calendar.js";
import { companyCalendar } from "../../core/people-settings.js";
import { buildNotificationKey } from "../../core/reminder-policy.js";

import type { ProactiveJob } from "../job.js";
import { newBugReminderMessage } from "../messages.js";
import { channelRecipient } from "../outbox.js";
import { feedbackRecorded, MANAGEMENT_CHANNEL, messageBug } from "./watch-tracker.js";

/** Raises untriaged NEW bugs once more. */
export const newBugRemindersJob: ProactiveJob = {
  name: "new-bug-reminders",
  schedules: (config) => [{ every: config.checkIntervalMs }],
  async run(ctx) {
    const now = ctx.now();
    const calendar = companyCalendar(ctx.settings);
    for (const row of await ctx.store.mirror.list({ statuses: ["new"] })) {
      if (row.status !== "new" || row.handler || !row.announced) continue;
      const dueAt = addWorkingMinutes(calendar, row.statusSince, ctx.config.newRemindAfterHours * 60);
      if (dueAt.getTime() > now.getTime() || (await feedbackRecorded(ctx, row.id, row.statusSince))) continue;
      await ctx.outbox.enqueue({
        key: buildNotificationKey({ kind: "new-bug-remind", bugId: row.id, recipient: channelRecipient(MANAGEMENT_CHANNEL), period: row.statusSince.toISOString() }),
        target: "channel",
        dueAt,
        message: newBugReminderMessage(messageBug(ctx, row), { afterHours: ctx.config.newRemindAfterHours, since: row.statusSince, timeZone: calendar.timeZone }),
      });
    }
  },
};
