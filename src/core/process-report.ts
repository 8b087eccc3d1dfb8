/**
 * How well the support process runs, period by period (issue 14): bugs in and out by source, the
 * times the seed cares about (triage, the developer's feedback, the "investigating" answer,
 * resolution) as median and 90th percentile, the share of deadlines met, the bugs waiting longest,
 * and the series the report's chart draws. Pure: the input is each bug's path through the stages
 * with times (src/process/report-input.ts reads it from the journal and the mirror); every time is
 * working time in the company calendar.
 *
 * Decisions:
 * - A time is counted in the period in which it ends (a bug triaged on Monday counts in Monday's
 *   week, however old it was).
 * - Time to triage runs from filing until the bug first leaves the triage stage; time to feedback
 *   from its first entry into feedback until the developer's feedback (it enters `timeline`), per
 *   developer by who gave it; NEW → confirmed until the `confirm` that tells the reporter "we are
 *   investigating"; resolution until it is first RESOLVED or CLOSED. A bug reopened later keeps its
 *   first times.
 * - A deadline is judged in the period its date falls in: met when the bug was resolved by the close
 *   of that day's working window, missed otherwise (also when it is still open).
 * - Median and percentiles interpolate linearly between the two nearest values (numpy's and R's
 *   default), so the median of an even count is the mean of the middle two.
 * - Periods are whole calendar weeks (Monday to Sunday) or months in the company's time zone: the
 *   report covers the last complete one and compares it with the one before.
 */
import { addIsoDays, deadlineEnd, toLocalDateTime, WEEKDAYS, workingMinutesBetween, zonedInstant, type WorkingCalendar } from "./calendar.js";
import { formatDate, isoWeekday, type IsoDate } from "./dates.js";
import { formatDuration } from "./duration.js";
import { formatWeekdays } from "./people-settings.js";
import { STAGE_INFO, type Stage } from "./stages.js";
import { bugLink, cleanText } from "./summary.js";

/** Where bugs come from, as the report groups them. */
export const REPORT_SOURCES = ["call", "email", "tracker", "team"] as const;
/** A source of bugs: a phone call, an e-mail (`file`), the tracker itself, or the team (docs, sales, sub-bugs). */
export type ReportSource = (typeof REPORT_SOURCES)[number];

/** How each source is named in the report. */
export const SOURCE_LABELS: Readonly<Record<ReportSource, string>> = {
  call: "call",
  email: "e-mail",
  tracker: "tracker",
  team: "team",
};

/** The stages of an open bug, in process order (what the queue chart stacks). */
export const OPEN_STAGES = ["triage", "feedback", "timeline", "confirmed", "in-work", "review", "resolution"] as const satisfies readonly Stage[];
/** A stage in which a bug is still open. */
export type OpenStage = (typeof OPEN_STAGES)[number];

/** A bug entered `stage` at `at`; `actor` is the staff member who moved it, when the bot did. */
export interface StageEvent {
  at: Date;
  stage: Stage;
  actor?: string;
}

/** One bug as the report reads it: where it came from, when it was filed, and its way through the stages. */
export interface ReportBug {
  id: number;
  summary: string;
  source: ReportSource;
  /** When it was filed: it entered `triage` then. */
  createdAt: Date;
  /** Every later change of stage, in any order (they are sorted by time). */
  events: readonly StageEvent[];
  /** The deadline the bug is judged by, ISO date. */
  deadline?: IsoDate;
}

/** The length of a report's period. */
export type PeriodKind = "week" | "month";

/** A period of whole local days: `start` is the first day's midnight, `end` the midnight after the last. */
export interface ReportPeriod {
  kind: PeriodKind;
  firstDate: IsoDate;
  lastDate: IsoDate;
  start: Date;
  end: Date;
}

/** Count, median and 90th percentile of some working times, in minutes (no median without values). */
export interface TimeStats {
  count: number;
  median?: number;
  p90?: number;
}

/** A developer's time to feedback. */
export interface DeveloperStats {
  developer: string;
  stats: TimeStats;
}

/** What one period shows. */
export interface PeriodFigures {
  period: ReportPeriod;
  /** Bugs filed, by source. */
  filed: Readonly<Record<ReportSource, number>>;
  /** Bugs resolved or closed for the first time, by source. */
  resolved: Readonly<Record<ReportSource, number>>;
  triage: TimeStats;
  feedback: TimeStats;
  /** Time to feedback per developer who gave it, by name. */
  feedbackByDeveloper: DeveloperStats[];
  /** NEW → confirmed: until the reporter was told "we are investigating". */
  confirm: TimeStats;
  resolution: TimeStats;
  /** Deadlines falling due in the period, and how many of them held. */
  deadlines: { due: number; met: number };
}

/** An open bug and how long it has waited in its stage at the end of the period. */
export interface WaitingBug {
  id: number;
  summary: string;
  stage: OpenStage;
  since: Date;
  waitedMinutes: number;
}

/** Open bugs by stage at the end of one local day. */
export interface QueueDay {
  date: IsoDate;
  counts: Readonly<Record<OpenStage, number>>;
}

/** Time to first answer ("investigating" sent) of the bugs confirmed in one week (Monday `weekStart`). */
export interface FirstAnswerWeek {
  weekStart: IsoDate;
  stats: TimeStats;
}

/** The whole report: this period, the one before, who waits, and the chart's series. */
export interface ProcessReport {
  current: PeriodFigures;
  previous: PeriodFigures;
  /** Open bugs at the end of the period, longest waiting first. */
  longestWaiting: WaitingBug[];
  /** One entry per day of the current period. */
  queueByDay: QueueDay[];
  /** The weeks up to the end of the current period, oldest first. */
  firstAnswerByWeek: FirstAnswerWeek[];
  /** The calendar all times are counted in. */
  calendar: WorkingCalendar;
}

/** What `buildProcessReport` needs. */
export interface ProcessReportInput {
  bugs: readonly ReportBug[];
  /** The company calendar (WORK_DAYS, WORK_HOURS, HOLIDAYS, TIMEZONE). */
  calendar: WorkingCalendar;
  kind: PeriodKind;
  now: Date;
  /** How many waiting bugs to list; default 5. */
  waitingLimit?: number;
  /** How many weeks the first-answer series covers; default 8. */
  weeks?: number;
}

const DEFAULT_WAITING_LIMIT = 5;
const DEFAULT_WEEKS = 8;

/** The last complete period before `now` and the one before it, in the time zone. */
export function reportPeriods(kind: PeriodKind, now: Date, timeZone: string): { current: ReportPeriod; previous: ReportPeriod } {
  const today = toLocalDateTime(now, timeZone).date;
  if (kind === "week") {
    const monday = addIsoDays(today, 1 - isoWeekday(today));
    return { current: period(kind, addIsoDays(monday, -7), addIsoDays(monday, -1), timeZone), previous: period(kind, addIsoDays(monday, -14), addIsoDays(monday, -8), timeZone) };
  }
  const firstOfMonth = `${today.slice(0, 8)}01`;
  const lastOfPrevious = addIsoDays(firstOfMonth, -1);
  const firstOfPrevious = `${lastOfPrevious.slice(0, 8)}01`;
  const lastOfTwoBack = addIsoDays(firstOfPrevious, -1);
  return {
    current: period(kind, firstOfPrevious, lastOfPrevious, timeZone),
    previous: period(kind, `${lastOfTwoBack.slice(0, 8)}01`, lastOfTwoBack, timeZone),
  };
}

function period(kind: PeriodKind, firstDate: IsoDate, lastDate: IsoDate, timeZone: string): ReportPeriod {
  return { kind, firstDate, lastDate, start: zonedInstant(timeZone, firstDate, 0), end: zonedInstant(timeZone, addIsoDays(lastDate, 1), 0) };
}

/**
 * The `p`-th percentile (0-100) of the values, interpolating linearly between the two nearest ranks;
 * undefined for no values.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`a percentile is between 0 and 100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = ((sorted.length - 1) * p) / 100;
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (rank - lower);
}

/** Count, median and 90th percentile of working times in minutes. */
export function timeStats(values: readonly number[]): TimeStats {
  return values.length === 0 ? { count: 0 } : { count: values.length, median: percentile(values, 50), p90: percentile(values, 90) };
}

/** The moments of a bug's way the report measures. */
interface Milestones {
  triaged?: Date;
  feedbackAsked?: Date;
  feedbackGiven?: { at: Date; actor?: string };
  confirmed?: Date;
  resolved?: Date;
}

const isDone = (stage: Stage): boolean => stage === "resolved" || stage === "closed";

function sortedEvents(bug: ReportBug): StageEvent[] {
  return [...bug.events].sort((a, b) => a.at.getTime() - b.at.getTime());
}

function milestones(bug: ReportBug): Milestones {
  const found: Milestones = {};
  for (const event of sortedEvents(bug)) {
    if (!found.triaged && event.stage !== "triage") found.triaged = event.at;
    if (!found.feedbackAsked && event.stage === "feedback") found.feedbackAsked = event.at;
    if (found.feedbackAsked && !found.feedbackGiven && event.stage === "timeline") {
      found.feedbackGiven = { at: event.at, ...(event.actor !== undefined ? { actor: event.actor } : {}) };
    }
    if (!found.confirmed && event.stage === "confirmed") found.confirmed = event.at;
    if (!found.resolved && isDone(event.stage)) found.resolved = event.at;
  }
  return found;
}

/** The bug's stage at an instant (undefined before it was filed). */
function stageAt(bug: ReportBug, events: readonly StageEvent[], at: Date): Stage | undefined {
  if (bug.createdAt.getTime() >= at.getTime()) return undefined;
  let stage: Stage = "triage";
  for (const event of events) {
    if (event.at.getTime() >= at.getTime()) break;
    stage = event.stage;
  }
  return stage;
}

const within = (at: Date | undefined, range: { start: Date; end: Date }): at is Date =>
  at !== undefined && at.getTime() >= range.start.getTime() && at.getTime() < range.end.getTime();

const bySource = (): Record<ReportSource, number> => ({ call: 0, email: 0, tracker: 0, team: 0 });

/** The figures of one period. */
export function periodFigures(bugs: readonly ReportBug[], calendar: WorkingCalendar, range: ReportPeriod): PeriodFigures {
  const filed = bySource();
  const resolved = bySource();
  const times = { triage: [] as number[], feedback: [] as number[], confirm: [] as number[], resolution: [] as number[] };
  const byDeveloper = new Map<string, number[]>();
  const deadlines = { due: 0, met: 0 };
  const minutes = (from: Date, to: Date): number => workingMinutesBetween(calendar, from, to);

  for (const bug of bugs) {
    const moments = milestones(bug);
    if (within(bug.createdAt, range)) filed[bug.source]++;
    if (within(moments.resolved, range)) {
      resolved[bug.source]++;
      times.resolution.push(minutes(bug.createdAt, moments.resolved));
    }
    if (within(moments.triaged, range)) times.triage.push(minutes(bug.createdAt, moments.triaged));
    if (moments.feedbackAsked && within(moments.feedbackGiven?.at, range)) {
      const took = minutes(moments.feedbackAsked, moments.feedbackGiven.at);
      times.feedback.push(took);
      const developer = moments.feedbackGiven.actor;
      if (developer !== undefined) byDeveloper.set(developer, [...(byDeveloper.get(developer) ?? []), took]);
    }
    if (within(moments.confirmed, range)) times.confirm.push(minutes(bug.createdAt, moments.confirmed));
    if (bug.deadline !== undefined && bug.deadline >= range.firstDate && bug.deadline <= range.lastDate) {
      deadlines.due++;
      if (moments.resolved && moments.resolved.getTime() <= deadlineEnd(calendar, bug.deadline).getTime()) deadlines.met++;
    }
  }
  return {
    period: range,
    filed,
    resolved,
    triage: timeStats(times.triage),
    feedback: timeStats(times.feedback),
    feedbackByDeveloper: [...byDeveloper.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([developer, values]) => ({ developer, stats: timeStats(values) })),
    confirm: timeStats(times.confirm),
    resolution: timeStats(times.resolution),
    deadlines,
  };
}

/** Open bugs at `at`, longest waiting in their stage first (ties: lower id first). */
export function longestWaiting(bugs: readonly ReportBug[], calendar: WorkingCalendar, at: Date, limit = DEFAULT_WAITING_LIMIT): WaitingBug[] {
  const waiting: WaitingBug[] = [];
  for (const bug of bugs) {
    const events = sortedEvents(bug).filter((event) => event.at.getTime() < at.getTime());
    const stage = stageAt(bug, events, at);
    if (stage === undefined || isDone(stage)) continue;
    const since = events.at(-1)?.at ?? bug.createdAt;
    waiting.push({ id: bug.id, summary: bug.summary, stage: stage as OpenStage, since, waitedMinutes: workingMinutesBetween(calendar, since, at) });
  }
  return waiting.sort((a, b) => b.waitedMinutes - a.waitedMinutes || a.id - b.id).slice(0, limit);
}

/** Open bugs by stage at the end of each day of the period (or at `now`, for a day not over yet). */
export function queueByDay(bugs: readonly ReportBug[], range: ReportPeriod, timeZone: string, now: Date): QueueDay[] {
  const prepared = bugs.map((bug) => ({ bug, events: sortedEvents(bug) }));
  const days: QueueDay[] = [];
  for (let date = range.firstDate; date <= range.lastDate; date = addIsoDays(date, 1)) {
    const endOfDay = zonedInstant(timeZone, addIsoDays(date, 1), 0);
    const at = endOfDay.getTime() > now.getTime() ? now : endOfDay;
    const counts = Object.fromEntries(OPEN_STAGES.map((stage) => [stage, 0])) as Record<OpenStage, number>;
    for (const { bug, events } of prepared) {
      const stage = stageAt(bug, events, at);
      if (stage !== undefined && !isDone(stage)) counts[stage as OpenStage]++;
    }
    days.push({ date, counts });
  }
  return days;
}

/** Time to first answer (filing → "investigating" sent) of the bugs confirmed in each of `weeks` weeks ending with `lastDate`'s. */
export function firstAnswerByWeek(bugs: readonly ReportBug[], calendar: WorkingCalendar, lastDate: IsoDate, weeks = DEFAULT_WEEKS): FirstAnswerWeek[] {
  const lastMonday = addIsoDays(lastDate, 1 - isoWeekday(lastDate));
  const confirmed = bugs.flatMap((bug) => {
    const at = milestones(bug).confirmed;
    return at ? [{ at, took: workingMinutesBetween(calendar, bug.createdAt, at) }] : [];
  });
  const series: FirstAnswerWeek[] = [];
  for (let index = weeks - 1; index >= 0; index--) {
    const weekStart = addIsoDays(lastMonday, -7 * index);
    const range = { start: zonedInstant(calendar.timeZone, weekStart, 0), end: zonedInstant(calendar.timeZone, addIsoDays(weekStart, 7), 0) };
    series.push({ weekStart, stats: timeStats(confirmed.filter((entry) => within(entry.at, range)).map((entry) => entry.took)) });
  }
  return series;
}

/** The report for the last complete period before `now`, compared with the one before. */
export function buildProcessReport(input: ProcessReportInput): ProcessReport {
  const { bugs, calendar, now } = input;
  const periods = reportPeriods(input.kind, now, calendar.timeZone);
  const end = periods.current.end.getTime() > now.getTime() ? now : periods.current.end;
  return {
    current: periodFigures(bugs, calendar, periods.current),
    previous: periodFigures(bugs, calendar, periods.previous),
    longestWaiting: longestWaiting(bugs, calendar, end, input.waitingLimit),
    queueByDay: queueByDay(bugs, periods.current, calendar.timeZone, now),
    firstAnswerByWeek: firstAnswerByWeek(bugs, calendar, periods.current.lastDate, input.weeks),
    calendar,
  };
}

// --- the report as Markdown ----------------------------------------------------------------------

/** How the report names its periods and stages. */
const STAGE_NAMES: Readonly<Record<OpenStage, string>> = {
  triage: "triage",
  feedback: "feedback",
  timeline: "timeline",
  confirmed: "confirmed",
  "in-work": "in work",
  review: "review",
  resolution: "resolution",
};

/** A stage as the report and its chart name it. */
export function stageName(stage: OpenStage): string {
  return STAGE_NAMES[stage];
}

/** Options of `formatProcessReport`. */
export interface FormatReportOptions {
  bugUrl: (id: number) => string;
}

/** The period as people read it: `week 30.11.–6.12.2026` or `November 2026`. */
export function describePeriod(range: ReportPeriod): string {
  if (range.kind === "month") {
    const [year, month] = range.firstDate.split("-").map(Number);
    return `${MONTH_NAMES[month! - 1]} ${year}`;
  }
  const [, firstMonth, firstDay] = range.firstDate.split("-").map(Number);
  return `week ${firstDay}.${firstMonth}.–${formatDate(range.lastDate)}`;
}

const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** The report as Markdown for a chat channel (bug subjects escaped and defused). */
export function formatProcessReport(report: ProcessReport, options: FormatReportOptions): string {
  const { current, previous, calendar } = report;
  const time = (minutes: number | undefined): string => (minutes === undefined ? "–" : formatDuration(minutes, { workdayHours: calendar.minutesPerDay / 60 }));
  const change = (now: number | undefined, before: number | undefined, format: (value: number) => string): string => {
    if (now === undefined || before === undefined) return "–";
    const difference = Math.round(now - before);
    if (difference === 0) return "±0";
    return `${difference > 0 ? "+" : "−"}${format(Math.abs(difference))}`;
  };
  const previousName = current.period.kind === "week" ? "the week before" : "the month before";
  const blocks: string[] = [];
  blocks.push(
    `#### Support report, ${describePeriod(current.period)}\n` +
      `_Compared with ${describePeriod(previous.period)}. Times are working time (${describeCalendar(calendar)}): median and 90th percentile._`,
  );

  const flow = (label: string, now: Readonly<Record<ReportSource, number>>, before: Readonly<Record<ReportSource, number>>): string => {
    const total = sum(now);
    const parts = REPORT_SOURCES.filter((source) => now[source] > 0).map((source) => `${SOURCE_LABELS[source]} ${now[source]}`);
    return `**${label}: ${total}** (${previousName} ${sum(before)}, ${change(total, sum(before), String)})${parts.length > 0 ? ` · ${parts.join(" · ")}` : ""}`;
  };
  blocks.push([flow("Bugs in", current.filed, previous.filed), flow("Bugs out", current.resolved, previous.resolved)].join("\n"));

  const row = (label: string, now: TimeStats, before: TimeStats): string =>
    `| ${label} | ${now.count} | ${time(now.median)} | ${time(now.p90)} | ${time(before.median)} | ${change(now.median, before.median, time)} |`;
  blocks.push(
    [
      `| time | bugs | median | 90th pct. | median before | change |`,
      `| --- | ---: | ---: | ---: | ---: | ---: |`,
      row("to triage (filed → developer set)", current.triage, previous.triage),
      row("to feedback (developer's analysis)", current.feedback, previous.feedback),
      row('to confirmed ("investigating" sent)', current.confirm, previous.confirm),
      row("to resolution", current.resolution, previous.resolution),
    ].join("\n"),
  );

  if (current.feedbackByDeveloper.length > 0) {
    const before = new Map(previous.feedbackByDeveloper.map((entry) => [entry.developer, entry.stats]));
    blocks.push(
      [
        "**Time to feedback per developer**",
        "| developer | bugs | median | 90th pct. | median before |",
        "| --- | ---: | ---: | ---: | ---: |",
        ...current.feedbackByDeveloper.map(
          ({ developer, stats }) => `| ${cleanText(developer, 60)} | ${stats.count} | ${time(stats.median)} | ${time(stats.p90)} | ${time(before.get(developer)?.median)} |`,
        ),
      ].join("\n"),
    );
  }

  const share = (deadlines: { due: number; met: number }): string =>
    deadlines.due === 0 ? "none due" : `${deadlines.met} of ${deadlines.due} (${Math.round((100 * deadlines.met) / deadlines.due)}%)`;
  blocks.push(`**Deadlines met: ${share(current.deadlines)}** (${previousName}: ${share(previous.deadlines)})`);

  if (report.longestWaiting.length > 0) {
    const when = current.period.kind === "week" ? "the week" : "the month";
    blocks.push(
      [
        `**Waiting longest at the end of ${when}**`,
        ...report.longestWaiting.map(
          (bug) =>
            `- ${[bugLink(bug.id, options.bugUrl), cleanText(bug.summary, 120)].filter(Boolean).join(" ")} · ${STAGE_INFO[bug.stage].waitsFor} · ${time(bug.waitedMinutes)}`,
        ),
      ].join("\n"),
    );
  } else {
    blocks.push("No bug was waiting at the end of the period.");
  }
  return blocks.join("\n\n");
}

function sum(counts: Readonly<Record<ReportSource, number>>): number {
  return REPORT_SOURCES.reduce((total, source) => total + counts[source], 0);
}

function describeCalendar(calendar: WorkingCalendar): string {
  const clock = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
  const days = WEEKDAYS.filter((day) => calendar.workingWeekdays.has(day));
  return `${formatWeekdays(days)} ${clock(calendar.dayStartMinute)}-${clock(calendar.dayEndMinute)}, ${calendar.timeZone}`;
}
