/**
 * The daily DM digest for people with `reminders=daily@HH:MM`: the feedback they owe, their deadlines
 * (with risk), their reviews and the customers they are to notify, once per working day at their time
 * in their time zone (sent late after downtime, never twice). Reminders that came due since the last
 * digest waited for it and are delivered inside it.
 */
import { isWorkingDay, parseTimeOfDay, toLocalDateTime, workingMinutesBetween, zonedInstant } from "../../core/calendar.js";
import { formatDate } from "../../core/dates.js";
import { formatDuration } from "../../core/duration.js";
import type { PersonSettings } from "../../core/people-settings.js";
import { buildNotificationKey, type NotificationKey } from "../../core/reminder-policy.js";
import type { StaffMember } from "../../identity.js";
import type { EngineContext } from "../context.js";
import { nextDailyTime } from "../daily-time.js";
import type { ProactiveJob } from "../job.js";
import { bugTitle, digestMessage } from "../messages.js";
import { assessTeamRisk, isInAction, workFacts } from "../team-risk.js";
import { messageBug } from "./watch-tracker.js";

/** The key of a person's digest for a local date. */
export function digestKey(member: Pick<StaffMember, "name">, date: string): NotificationKey {
  return buildNotificationKey({ kind: "digest", recipient: member.name, period: date });
}

/** When a reminder DM to this person may go out: now, or (daily mode) with their next digest. */
export async function reminderDueAt(ctx: Pick<EngineContext, "store">, member: StaffMember, settings: PersonSettings, now: Date): Promise<Date> {
  const mode = settings.mode;
  if (mode.kind !== "daily") return now;
  const today = toLocalDateTime(now, settings.timeZone).date;
  const todaysSlot = zonedInstant(settings.timeZone, today, parseTimeOfDay(mode.time));
  const todayStillDue =
    isWorkingDay(settings.calendar, today) &&
    todaysSlot.getTime() >= ((await ctx.store.mirror.installedAt())?.getTime() ?? 0) &&
    (await ctx.store.outbox.get(digestKey(member, today).key)) === undefined;
  return nextDailyTime({ calendar: settings.calendar, time: mode.time, now, todayStillDue });
}

/** Sends the daily digests of people who chose one. */
export const dmDigestJob: ProactiveJob = {
  name: "dm-digest",
  schedules: (config) => [{ every: config.checkIntervalMs }],
  async run(ctx) {
    const now = ctx.now();
    if (!(await ctx.store.mirror.lastPoll())) return;
    for (const member of ctx.staff.all()) {
      const settings = await ctx.settingsFor(member);
      if (settings.mode.kind !== "daily") continue;
      const local = toLocalDateTime(now, settings.timeZone);
      if (!isWorkingDay(settings.calendar, local.date) || local.time < settings.mode.time) continue;
      if (zonedInstant(settings.timeZone, local.date, parseTimeOfDay(settings.mode.time)).getTime() < ((await ctx.store.mirror.installedAt())?.getTime() ?? 0)) continue;
      const key = digestKey(member, local.date);
      if (await ctx.store.outbox.get(key.key)) continue;
      const sections = await composeDigest(ctx, member, settings, now);
      await ctx.store.transaction(async () => {
        const absorbed = await ctx.store.outbox.absorbIntoDigest(member.name, now, now);
        if (sections.every((section) => section.lines.length === 0)) {
          // Nothing to say: record the day as done so the digest is not reconsidered every minute.
          await ctx.outbox.recordWithoutSending(key, absorbed.length > 0 ? "nothing open; reminders were moot" : "nothing to report");
          return;
        }
        await ctx.outbox.enqueue({ key, target: "direct", message: digestMessage({ date: local.date, sections }), combinable: false });
      });
    }
  },
};

async function composeDigest(ctx: EngineContext, member: StaffMember, settings: PersonSettings, now: Date): Promise<{ title: string; lines: string[] }[]> {
  const mine = (await ctx.store.mirror.list({ openOnly: true })).filter((row) => row.handler && ctx.staffByTrackerUser(row.handler)?.name === member.name);
  const stageOf = async (id: number): Promise<string | undefined> => (await ctx.processFacts(id))?.stage;
  const feedback: string[] = [];
  const reviews: string[] = [];
  const notify: string[] = [];
  for (const row of mine) {
    const since = row.feedbackSince ?? row.statusSince;
    const waited = `${Math.round(workingMinutesBetween(settings.calendar, since, now) / 6) / 10} working hours`;
    if (row.status === "feedback" && (await stageOf(row.id)) === "review") reviews.push(`${bugTitle(messageBug(ctx, row))} · for ${waited} → \`verdict ${row.id} pass\` or \`verdict ${row.id} fail\``);
    else if (row.status === "feedback") feedback.push(`${bugTitle(messageBug(ctx, row))} · for ${waited} → \`feedback ${row.id} <estimate> <deadline> "path"\``);
    else if (row.status === "assigned" && (await stageOf(row.id)) === "resolution") notify.push(`${bugTitle(messageBug(ctx, row))} → \`notify ${row.id}\``);
  }
  const risks = await assessTeamRisk(ctx, mine, now);
  const inAction = [];
  for (const row of mine) {
    if (await isInAction(ctx, row)) inAction.push({ row, facts: await workFacts(ctx, row), risk: risks.get(row.id)?.risk });
  }
  const deadlines = inAction
    .sort((a, b) => (a.facts.deadline ?? "9999").localeCompare(b.facts.deadline ?? "9999") || a.row.id - b.row.id)
    .map(({ row, facts, risk }) => {
      const parts = [bugTitle(messageBug(ctx, row))];
      if (facts.workLeftMinutes !== undefined) parts.push(`${formatDuration(facts.workLeftMinutes, { workdayHours: ctx.settings.workdayHours })} left`);
      if (facts.deadline !== undefined) parts.push(`due ${formatDate(facts.deadline)}`);
      if (facts.workLeftMinutes === undefined || facts.deadline === undefined) parts.push(`no estimate or deadline: \`eta ${row.id} <work left> <deadline>\``);
      if (risk && risk.state !== "ok") parts.push(risk.state === "overdue" ? "**OVERDUE**" : risk.state === "at-risk" ? "**at risk**" : "estimate not updated");
      return parts.join(" · ");
    });
  return [
    { title: "Feedback you owe", lines: feedback },
    { title: "Deadlines", lines: deadlines },
    { title: "Reviews", lines: reviews },
    { title: "Customers to notify", lines: notify },
  ];
}
