/**
 * Deadline risk as the process judges it, wherever it is judged (the `eta` and `feedback` replies,
 * `summary`, the engine's reports and digests): a developer's bugs in action, earliest deadline
 * first, in that developer's own working calendar (src/process/settings-for.ts), with the process's
 * STALE_AFTER_DAYS. src/core/deadline-risk.ts does the deciding.
 */
import { assessDeadlineRisk, type BugRisk, type OpenBugWork } from "../core/deadline-risk.js";
import type { PersonSettings } from "../core/people-settings.js";
import type { ProcessSettings } from "../core/process-settings.js";

/** Stages whose work is done: their handler reviews or tells the customer, no deadline to meet. */
const DONE_STAGES = new Set(["review", "resolution"]);

/**
 * Whether a mirrored bug is in the action phase, where deadlines are kept: CONFIRMED or ASSIGNED, and
 * not in review or resolution. `status` is the tracker's state key as the watcher's mirror keeps it
 * (`TicketState.key`); commands judge by the bug's resolved stage instead.
 */
export function isActionPhase(status: string, stage: string | undefined): boolean {
  if (status !== "confirmed" && status !== "assigned") return false;
  return stage === undefined || !DONE_STAGES.has(stage);
}

/** What judging a developer's deadlines needs. */
export interface DeveloperWork {
  settings: Pick<ProcessSettings, "staleAfterDays">;
  /** The developer's effective settings (`settingsFor`): their working calendar. */
  developer: Pick<PersonSettings, "calendar">;
  /** All of the developer's open bugs with work left and a deadline: the EDF test needs them together. */
  bugs: readonly OpenBugWork[];
  now: Date;
}

/** Assesses one developer's bugs together in their working calendar; the result is in EDF order. */
export function assessDeveloperRisk(work: DeveloperWork): BugRisk[] {
  return assessDeadlineRisk({ bugs: work.bugs, calendar: work.developer.calendar, now: work.now, staleAfterWorkingDays: work.settings.staleAfterDays });
}
