/**
 * Deadline risk as the process judges it, wherever it is judged (the `eta` and `feedback` replies,
 * `summary`, the engine's reports and digests): a developer's bugs in action, earliest deadline
 * first, in that developer's own working calendar (src/process/settings-for.ts), with the process's
 * STALE_AFTER_DAYS. src/core/deadline-risk.ts does the deciding.
 */
import { assessDeadlineRisk, type BugRisk, type OpenBugWork } from "../core/deadline-risk.js";
import type { PersonSettings } from "../core/people-settings.js";
import type { ProcessSettings } from "../core/process-settings.js";
import type { StatusName } from "../tracker/tracker.js";

/** Stages whose work is done: their handler reviews or tells the customer, no deadline to meet. */
const DONE_STAGES = new Set(["review", "resolution"]);

/** Whether a bug is in the action phase, where deadlines are kept: CONFIRMED or ASSIGNED, and not in review or resolution. */
export function isActionPhase(status: StatusName, stage: string | undefined): boolean {
  if (status !== "confirmed" && status !== "assigned") return false;
  return stage === undefined || !DONE_STAGES.has(stage);
}

/** Assesses one developer's bugs together in their working calendar; the result is in EDF order. */
export function assessDeveloperRisk(settings: Pick<ProcessSettings, "staleAfterDays">, developer: Pick<PersonSettings, "calendar">, bugs: readonly OpenBugWork[], now: Date): BugRisk[] {
  return assessDeadlineRisk({ bugs, calendar: developer.calendar, now, staleAfterWorkingDays: settings.staleAfterDays });
}
