/**
 * Reading the estimates and deadlines people type into `feedback`, `confirm` and `eta`: the work
 * left (`4h`, `2d`) and a deadline (`14.3.2034`, `2034-03-14`, `tomorrow`) that is not in the past,
 * both in the person's own time zone and working calendar (src/process/settings-for.ts), the one
 * the deadline-risk job judges the bug in later.
 */
import { compareDates, formatDate, parseDate, todayIn, type IsoDate } from "../core/dates.js";
import { formatDuration, parseDurationMinutes } from "../core/duration.js";
import { unwrapParsed } from "../core/parse-result.js";
import { UsageError } from "../errors.js";
import type { ProcessContext } from "./context.js";
import { assessDeveloperRisk } from "./developer-risk.js";
import { settingsFor, type SettingsPerson } from "./settings-for.js";

type TimelineContext = Pick<ProcessContext, "caller" | "settings" | "store" | "now">;

/** The caller's own time zone: their `settings tz=`, the staff file's, or TIMEZONE. */
export async function callerTimeZone(ctx: TimelineContext): Promise<string> {
  return (await settingsFor(ctx, ctx.caller)).timeZone;
}

/** Today in the caller's own time zone. */
export async function callerToday(ctx: TimelineContext): Promise<IsoDate> {
  return todayIn(await callerTimeZone(ctx), ctx.now());
}

/** Working minutes from an estimate such as `4h`; a usage error naming `label` otherwise. */
export function readEstimate(ctx: Pick<ProcessContext, "settings">, text: string, label = "estimate"): number {
  const parsed = parseDurationMinutes(text, { workdayHours: ctx.settings.workdayHours });
  return unwrapParsed(parsed.ok ? parsed : { ok: false, error: `${label}: ${parsed.error}` });
}

/** An ISO deadline that is today or later for the caller; a usage error naming `label` otherwise. */
export async function readDeadline(ctx: TimelineContext, text: string, label = "deadline"): Promise<IsoDate> {
  const today = await callerToday(ctx);
  const parsed = parseDate(text, { today });
  const deadline = unwrapParsed(parsed.ok ? parsed : { ok: false, error: `${label}: ${parsed.error}` });
  if (compareDates(deadline, today) < 0) {
    throw new UsageError(`${label}: ${formatDate(deadline)} is in the past (today is ${formatDate(today)}); give the date by which it can really be done.`);
  }
  return deadline;
}

/**
 * A reminder when the estimate does not fit into the working time the developer has left before the
 * deadline, judged as the deadline-risk job judges it (their working calendar, the deadline running
 * out at the close of that day's working window); undefined when it fits. The seed asks for a
 * realistic and conservative timeline, so this warns and does not refuse.
 */
export async function timelineWarning(ctx: TimelineContext, work: { developer: SettingsPerson; estimateMinutes: number; deadline: IsoDate }): Promise<string | undefined> {
  const now = ctx.now();
  const [risk] = assessDeveloperRisk({
    settings: ctx.settings,
    developer: await settingsFor(ctx, work.developer),
    bugs: [{ bugId: 0, workLeftMinutes: work.estimateMinutes, deadline: work.deadline, lastEstimateUpdate: now }],
    now,
  });
  if (!risk || risk.shortfallMinutes <= 0) return undefined;
  const options = { workdayHours: ctx.settings.workdayHours };
  const whose = work.developer.name === ctx.caller.name ? "the" : `@${work.developer.name}'s`;
  return (
    `Note: ${formatDuration(work.estimateMinutes, options)} of work does not fit into ${whose} working time left before ${formatDate(work.deadline)} ` +
    `(about ${formatDuration(Math.floor(risk.workingMinutesLeft), options)}); the seed asks for a realistic, conservative timeline.`
  );
}
