/**
 * Reading the estimates and deadlines people type into `feedback`, `confirm` and `eta`: the work
 * left (`4h`, `2d`) and a deadline (`14.3.2034`, `2034-03-14`, `tomorrow`) that is not in the past.
 */
import { createWorkingCalendar, deadlineEnd, workingMinutesBetween } from "../core/calendar.js";
import { compareDates, formatDate, parseDate, todayIn, type IsoDate } from "../core/dates.js";
import { formatDuration, parseDurationMinutes } from "../core/duration.js";
import { unwrapParsed } from "../core/parse-result.js";
import { UsageError } from "../errors.js";
import type { CommandContext } from "../framework/command.js";

type TimelineContext = Pick<CommandContext, "caller" | "settings" | "now">;

/** Today in the caller's time zone (the process time zone when they have none). */
export function callerToday(ctx: TimelineContext): IsoDate {
  return todayIn(ctx.caller.timezone ?? ctx.settings.timezone, ctx.now());
}

/** Working minutes from an estimate such as `4h`; a usage error naming `label` otherwise. */
export function readEstimate(ctx: Pick<CommandContext, "settings">, text: string, label = "estimate"): number {
  const parsed = parseDurationMinutes(text, { workdayHours: ctx.settings.workdayHours });
  return unwrapParsed(parsed.ok ? parsed : { ok: false, error: `${label}: ${parsed.error}` });
}

/** An ISO deadline that is today or later; a usage error naming `label` otherwise. */
export function readDeadline(ctx: TimelineContext, text: string, label = "deadline"): IsoDate {
  const today = callerToday(ctx);
  const parsed = parseDate(text, { today });
  const deadline = unwrapParsed(parsed.ok ? parsed : { ok: false, error: `${label}: ${parsed.error}` });
  if (compareDates(deadline, today) < 0) {
    throw new UsageError(`${label}: ${formatDate(deadline)} is in the past (today is ${formatDate(today)}); give the date by which it can really be done.`);
  }
  return deadline;
}

/**
 * A reminder when the estimate does not fit into the working time left before the deadline (a
 * standard working week in the caller's time zone); undefined when it fits. The seed asks for a
 * realistic and conservative timeline, so this warns and does not refuse.
 */
export function timelineWarning(ctx: TimelineContext, estimateMinutes: number, deadline: IsoDate): string | undefined {
  const calendar = createWorkingCalendar({ timeZone: ctx.caller.timezone ?? ctx.settings.timezone, hoursPerDay: ctx.settings.workdayHours });
  const available = Math.max(0, Math.floor(workingMinutesBetween(calendar, ctx.now(), deadlineEnd(calendar, deadline))));
  if (estimateMinutes <= available) return undefined;
  const options = { workdayHours: ctx.settings.workdayHours };
  return (
    `Note: ${formatDuration(estimateMinutes, options)} of work does not fit into the working time left before ${formatDate(deadline)} ` +
    `(about ${formatDuration(available, options)}); the seed asks for a realistic, conservative timeline.`
  );
}
