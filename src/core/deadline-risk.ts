/**
 * Deadline risk of one developer's open bugs. The seed asks staff to say so in writing "if it becomes
 * likely (!) that deadlines cannot be met"; this decides when that is likely, from the work left and the
 * deadline in each bug's subject tag (`[4h, 14.3.2034]`), the developer's working calendar and now.
 *
 * The test is earliest-deadline-first over all of the developer's bugs: a bug is at risk when the work
 * left on it plus the work left on every bug due no later than it exceeds the working time left before
 * its deadline. EDF is the best order a single developer can pick, so a bug failing this test fails
 * under every order.
 */
import { formatDate } from "./dates.js";
import { formatWorkHours } from "./duration.js";
import { deadlineEnd, isIsoDate, workingMinutesBetween, type WorkingCalendar } from "./calendar.js";

/** Risk states, from harmless to worst. */
export const RISK_STATES = ["ok", "stale", "at-risk", "overdue"] as const;
export type RiskState = (typeof RISK_STATES)[number];

/** Severity rank of each state: ok < stale < at-risk < overdue. */
export const RISK_SEVERITY: Readonly<Record<RiskState, number>> = Object.freeze({ ok: 0, stale: 1, "at-risk": 2, overdue: 3 });

/** Orders states by severity (negative when `a` is less severe), for sorting worst-last. */
export function compareRiskSeverity(a: RiskState, b: RiskState): number {
  return RISK_SEVERITY[a] - RISK_SEVERITY[b];
}

/** Whether the state got more severe; a bug seen for the first time has worsened unless it is ok. */
export function hasRiskWorsened(previous: RiskState | undefined, current: RiskState): boolean {
  return RISK_SEVERITY[current] > (previous === undefined ? RISK_SEVERITY.ok : RISK_SEVERITY[previous]);
}

/** One open bug of the developer, as read from its subject tag and history. */
export interface OpenBugWork {
  bugId: number;
  /** Work left, in working minutes (`4h` in the tag is 240). */
  workLeftMinutes: number;
  /** Deadline date, ISO `yyyy-mm-dd` (`14.3.2034` in the tag is `2034-03-14`). */
  deadline: string;
  /** When the estimate in the subject was last changed. */
  lastEstimateUpdate: Date;
}

export interface AssessDeadlineRiskOptions {
  /** All open bugs of one developer; the EDF test needs all of them together. */
  bugs: readonly OpenBugWork[];
  calendar: WorkingCalendar;
  now: Date;
  /** An estimate untouched for this many working days (of `calendar.minutesPerDay`) is stale. Default 3. */
  staleAfterWorkingDays?: number;
}

export interface BugRisk {
  bugId: number;
  /** The most severe state that applies. */
  state: RiskState;
  /** Also true when a more severe state hides it, so a message can mention both. */
  stale: boolean;
  deadline: string;
  /** The instant the deadline runs out (close of that day's working window). */
  deadlineAt: Date;
  workLeftMinutes: number;
  /** Working minutes from now until the deadline runs out; 0 once passed. */
  workingMinutesLeft: number;
  /** Work left on this bug and on every other bug due no later. */
  cumulativeDemandMinutes: number;
  /** How much of the demand does not fit: `max(0, demand - working time left)`. */
  shortfallMinutes: number;
  /** The other bugs counted in the demand: due earlier, or on the same day. */
  dueEarlier: number[];
  dueSameDay: number[];
  /** One sentence for people, e.g. "needs 12h by 14.3.2034 counting #12 and #15 due earlier, but only 8h ...". */
  reason: string;
}

/** Classifies each bug; the result is in EDF order (deadline, then bug id). */
export function assessDeadlineRisk(options: AssessDeadlineRiskOptions): BugRisk[] {
  const { calendar, now } = options;
  const staleAfterWorkingDays = options.staleAfterWorkingDays ?? 3;
  if (!(staleAfterWorkingDays > 0)) throw new RangeError(`staleAfterWorkingDays must be more than 0, got ${staleAfterWorkingDays}`);
  for (const bug of options.bugs) {
    if (!isIsoDate(bug.deadline)) throw new RangeError(`bug #${bug.bugId}: deadline "${bug.deadline}" is not a date such as 2034-03-14`);
    if (!Number.isFinite(bug.workLeftMinutes) || bug.workLeftMinutes < 0) {
      throw new RangeError(`bug #${bug.bugId}: work left must be 0 or more minutes, got ${bug.workLeftMinutes}`);
    }
  }
  const ordered = [...options.bugs].sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : a.bugId - b.bugId));

  return ordered.map((bug) => {
    // ISO dates compare correctly as strings.
    const dueEarlier = ordered.filter((other) => other.deadline < bug.deadline).map((other) => other.bugId);
    const dueSameDay = ordered.filter((other) => other.deadline === bug.deadline && other.bugId !== bug.bugId).map((other) => other.bugId);
    const cumulativeDemandMinutes = ordered
      .filter((other) => other.deadline <= bug.deadline)
      .reduce((sum, other) => sum + other.workLeftMinutes, 0);
    const deadlineAt = deadlineEnd(calendar, bug.deadline);
    const workingMinutesLeft = Math.max(0, workingMinutesBetween(calendar, now, deadlineAt));
    const shortfallMinutes = Math.max(0, cumulativeDemandMinutes - workingMinutesLeft);
    const untouchedMinutes = workingMinutesBetween(calendar, bug.lastEstimateUpdate, now);
    const stale = untouchedMinutes >= staleAfterWorkingDays * calendar.minutesPerDay;

    const overdue = now.getTime() >= deadlineAt.getTime();
    const atRisk = cumulativeDemandMinutes > workingMinutesLeft;
    const state: RiskState = overdue ? "overdue" : atRisk ? "at-risk" : stale ? "stale" : "ok";

    const facts: ReasonFacts = {
      deadline: formatDate(bug.deadline),
      workLeftMinutes: bug.workLeftMinutes,
      cumulativeDemandMinutes,
      workingMinutesLeft,
      dueEarlier,
      dueSameDay,
    };
    let reason = overdue ? overdueReason(facts) : fitReason(facts, atRisk);
    if (stale) {
      const days = Math.floor(untouchedMinutes / calendar.minutesPerDay);
      reason += `; the estimate was not updated for ${days} working day${days === 1 ? "" : "s"}`;
    }

    return {
      bugId: bug.bugId,
      state,
      stale,
      deadline: bug.deadline,
      deadlineAt,
      workLeftMinutes: bug.workLeftMinutes,
      workingMinutesLeft,
      cumulativeDemandMinutes,
      shortfallMinutes,
      dueEarlier,
      dueSameDay,
      reason,
    };
  });
}

interface ReasonFacts {
  deadline: string;
  workLeftMinutes: number;
  cumulativeDemandMinutes: number;
  workingMinutesLeft: number;
  dueEarlier: number[];
  dueSameDay: number[];
}

function overdueReason(facts: ReasonFacts): string {
  const left = facts.workLeftMinutes > 0 ? ` with ${formatWorkHours(facts.workLeftMinutes)} of work left` : "";
  return `the deadline ${facts.deadline} has passed${left}`;
}

function fitReason(facts: ReasonFacts, atRisk: boolean): string {
  const others = [
    facts.dueEarlier.length > 0 ? `${listBugs(facts.dueEarlier)} due earlier` : undefined,
    facts.dueSameDay.length > 0 ? `${listBugs(facts.dueSameDay)} due the same day` : undefined,
  ].filter((part): part is string => part !== undefined);
  const counting = others.length > 0 ? ` counting ${others.join(" and ")}` : "";
  const needs = `needs ${formatWorkHours(facts.cumulativeDemandMinutes)} by ${facts.deadline}${counting}`;
  if (atRisk) {
    return facts.workingMinutesLeft === 0
      ? `${needs}, but no working time is left`
      : `${needs}, but only ${formatWorkHours(facts.workingMinutesLeft)} of working time ${facts.workingMinutesLeft === 60 ? "is" : "are"} left`;
  }
  return `${needs}, and ${formatWorkHours(facts.workingMinutesLeft)} of working time ${facts.workingMinutesLeft === 60 ? "is" : "are"} left`;
}

function listBugs(ids: number[]): string {
  const refs = ids.map((id) => `#${id}`);
  return refs.length === 1 ? refs[0]! : `${refs.slice(0, -1).join(", ")} and ${refs.at(-1)!}`;
}


