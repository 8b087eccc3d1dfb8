/**
 * Settings of the proactive engine: the company defaults from configuration (working calendar, quiet
 * hours, reminder thresholds, summary channels) and each person's overrides from `settings`. Parsing
 * is pure and shared by config.ts (environment) and commands/settings.ts (chat), so both accept and
 * refuse exactly the same text.
 */
import { z } from "zod";
import { createWorkingCalendar, isTimeZone, parseTimeOfDay, WEEKDAYS, type Weekday, type WorkingCalendar } from "../core/calendar.js";
import { parseDate } from "../core/dates.js";
import { parseFailure, parsedValue, type Parsed } from "../core/parse-result.js";
import type { ReminderSettings } from "../core/reminder-policy.js";
import type { StaffMember } from "../identity.js";
import type { UserPreferences } from "../core/user-preferences.js";

export { userPreferencesSchema, type UserPreferences } from "../core/user-preferences.js";

/** How a person wants reminders: each as it comes due, bundled into one daily digest, or not at all. */
export type RemindersMode = { kind: "on-change" } | { kind: "off" } | { kind: "daily"; time: string };

/** A local time window `HH:MM-HH:MM`; for quiet hours `start` after `end` spans midnight. */
export interface TimeRange {
  start: string;
  end: string;
}

/** One channel that gets the daily summary, at a local time in a time zone. */
export interface SummaryChannel {
  channel: string;
  time: string;
  timeZone: string;
}

/** Everything the proactive engine reads from configuration; built by config.ts from the environment. */
export interface ProactiveConfig {
  /** `auto`: on when running live and in an interactive sandbox, off in a piped sandbox. */
  enabled: "on" | "off" | "auto";
  /** POLL_INTERVAL: how often the watcher reads MantisBT. */
  pollIntervalMs: number;
  /** CHECK_INTERVAL: how often reminders, risks, digests and missed summaries are checked (store only). */
  checkIntervalMs: number;
  /** WATCH_PAGE_SIZE: bugs per MantisBT page while watching. */
  watchPageSize: number;
  newRemindAfterHours: number;
  feedbackRemindAfterHours: number;
  feedbackRemindEveryHours: number;
  feedbackEscalateAfterHours: number;
  staleAfterDays: number;
  timeZone: string;
  workDays: Weekday[];
  workHours: TimeRange;
  holidays: string[];
  /** Default quiet hours for DMs; undefined: none (days off stay quiet). */
  quietHours: TimeRange | undefined;
  summaryChannels: SummaryChannel[];
  remindersDefault: RemindersMode;
  /** NOTIFY_MAX_ATTEMPTS: tries per notification before it is given up (logged as an error). */
  notifyMaxAttempts: number;
}

/** The defaults of every setting, as documented in docs/proactive.md. */
export const DEFAULT_PROACTIVE_CONFIG: Readonly<ProactiveConfig> = Object.freeze({
  enabled: "auto",
  pollIntervalMs: 60_000,
  checkIntervalMs: 60_000,
  watchPageSize: 50,
  newRemindAfterHours: 4,
  feedbackRemindAfterHours: 4,
  feedbackRemindEveryHours: 4,
  feedbackEscalateAfterHours: 16,
  staleAfterDays: 3,
  timeZone: "UTC",
  workDays: ["mon", "tue", "wed", "thu", "fri"],
  workHours: { start: "09:00", end: "17:00" },
  holidays: [],
  quietHours: { start: "18:00", end: "08:00" },
  summaryChannels: [{ channel: "management", time: "09:00", timeZone: "UTC" }],
  remindersDefault: { kind: "on-change" },
  notifyMaxAttempts: 5,
} satisfies ProactiveConfig);

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const OFF_WORDS = new Set(["off", "none", "no"]);

/** `HH:MM` with a leading zero added for `9:00`; undefined when it is no time of day. */
function normalizeTime(text: string): string | undefined {
  const padded = /^\d:\d\d$/.test(text.trim()) ? `0${text.trim()}` : text.trim();
  return TIME.test(padded) ? padded : undefined;
}

/** `on-change`, `off` or `daily@09:00` (also `daily` alone, meaning 09:00). */
export function parseRemindersMode(text: string): Parsed<RemindersMode> {
  const value = text.trim().toLowerCase();
  if (value === "on-change" || value === "on" || value === "onchange") return parsedValue({ kind: "on-change" });
  if (OFF_WORDS.has(value)) return parsedValue({ kind: "off" });
  const daily = /^daily(?:@(.+))?$/.exec(value);
  if (daily) {
    const time = normalizeTime(daily[1] ?? "09:00");
    if (time) return parsedValue({ kind: "daily", time });
    return parseFailure(`"${daily[1]}" is not a time of day; write daily@09:00.`);
  }
  return parseFailure(`"${text.trim()}" is not a reminder mode; write on-change, daily@09:00 or off.`);
}

/** The canonical text of a reminders mode (what `settings` shows and stores). */
export function formatRemindersMode(mode: RemindersMode): string {
  return mode.kind === "daily" ? `daily@${mode.time}` : mode.kind;
}

/**
 * `18:00-08:00`. Quiet hours may span midnight; working hours (`spanMidnight: false`) must end after
 * they start (`24:00` allowed as the end).
 */
export function parseTimeRange(text: string, options: { spanMidnight: boolean }): Parsed<TimeRange> {
  const match = /^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$/.exec(text);
  const start = match ? normalizeTime(match[1]!) : undefined;
  const end = match ? (match[2] === "24:00" && !options.spanMidnight ? "24:00" : normalizeTime(match[2]!)) : undefined;
  if (!start || !end) return parseFailure(`"${text.trim()}" is not a time range; write it like 18:00-08:00.`);
  if (start === end) return parseFailure(`"${text.trim()}": start and end must differ.`);
  if (!options.spanMidnight && parseTimeOfDay(end) <= parseTimeOfDay(start)) {
    return parseFailure(`"${text.trim()}": working hours must end after they start (09:00-17:00).`);
  }
  return parsedValue({ start, end });
}

/** `mon-fri`, `mon,tue,thu`, `sun-thu` (a range may wrap past Sunday). Order follows the week. */
export function parseWeekdays(text: string): Parsed<Weekday[]> {
  const chosen = new Set<Weekday>();
  const parts = text.toLowerCase().split(",").map((part) => part.trim()).filter(Boolean);
  if (parts.length === 0) return parseFailure("name at least one working day, e.g. mon-fri.");
  for (const part of parts) {
    const [from, to, extra] = part.split("-").map((day) => day.trim().slice(0, 3));
    const start = WEEKDAYS.indexOf(from as Weekday);
    const end = to === undefined ? start : WEEKDAYS.indexOf(to as Weekday);
    if (extra !== undefined || start < 0 || end < 0) {
      return parseFailure(`"${part}" is not a weekday or range; write days like mon-fri or mon,tue,thu.`);
    }
    for (let day = start; ; day = (day + 1) % 7) {
      chosen.add(WEEKDAYS[day]!);
      if (day === end) break;
    }
  }
  return parsedValue(WEEKDAYS.filter((day) => chosen.has(day)));
}

/** Weekdays written compactly: `mon-fri`, `mon,wed,fri`. */
export function formatWeekdays(days: readonly Weekday[]): string {
  const indexes = WEEKDAYS.map((day, index) => (days.includes(day) ? index : -1)).filter((index) => index >= 0);
  const runs: string[] = [];
  let runStart = 0;
  for (let i = 1; i <= indexes.length; i++) {
    if (i < indexes.length && indexes[i] === indexes[i - 1]! + 1) continue;
    const first = WEEKDAYS[indexes[runStart]!]!;
    const last = WEEKDAYS[indexes[i - 1]!]!;
    runs.push(i - runStart >= 3 ? `${first}-${last}` : WEEKDAYS.slice(indexes[runStart]!, indexes[i - 1]! + 1).join(","));
    runStart = i;
  }
  return runs.join(",");
}

/** Comma-separated dates (`2026-12-24,31.12.2026`), or `none` for an empty list. */
export function parseHolidays(text: string): Parsed<string[]> {
  if (OFF_WORDS.has(text.trim().toLowerCase())) return parsedValue([]);
  const dates: string[] = [];
  for (const part of text.split(",").map((item) => item.trim()).filter(Boolean)) {
    const parsed = parseDate(part);
    if (!parsed.ok) return parsed;
    dates.push(parsed.value);
  }
  return parsedValue([...new Set(dates)].sort());
}

/** `management@09:00,support@09:30/America/New_York`; `none` for no summaries. */
export function parseSummaryChannels(text: string, defaultTimeZone: string): Parsed<SummaryChannel[]> {
  if (OFF_WORDS.has(text.trim().toLowerCase())) return parsedValue([]);
  const channels: SummaryChannel[] = [];
  for (const part of text.split(",").map((item) => item.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9._-]+)@(\d{1,2}:\d{2})(?:\/(.+))?$/.exec(part);
    const time = match ? normalizeTime(match[2]!) : undefined;
    if (!match || !time) return parseFailure(`"${part}" is not channel@HH:MM (e.g. management@09:00 or support@09:30/Europe/Zurich).`);
    const timeZone = match[3] ?? defaultTimeZone;
    if (!isTimeZone(timeZone)) return parseFailure(`"${part}": ${timeZone} is not an IANA time zone such as Europe/Zurich.`);
    if (channels.some((channel) => channel.channel === match[1])) return parseFailure(`"${match[1]}" is listed twice.`);
    channels.push({ channel: match[1]!, time, timeZone });
  }
  return parsedValue(channels);
}

/** Turns a `Parsed` into a zod transform, so env and argument schemas report the same text. */
export function parsedSetting<T>(parse: (text: string) => Parsed<T>) {
  return z.string().transform((text, ctx): T => {
    const parsed = parse(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.error, input: text });
      return z.NEVER;
    }
    return parsed.value;
  });
}

/** A person's effective settings: their overrides over the company defaults, ready for the rules. */
export interface UserSettings {
  timeZone: string;
  calendar: WorkingCalendar;
  reminders: ReminderSettings;
  mode: RemindersMode;
  /** Where each value came from, for `settings` to show. */
  sources: Record<"reminders" | "quiet" | "tz" | "days" | "hours" | "holidays", "default" | "yours" | "staff file">;
}

// Calendars cache their working intervals per object; building one per person per run would throw
// that cache away, so equal settings share one calendar.
const calendarCache = new Map<string, WorkingCalendar>();

/** The working calendar for a time zone, weekdays, window and holidays (cached by value). */
export function calendarFor(timeZone: string, days: readonly Weekday[], hours: TimeRange, holidays: readonly string[]): WorkingCalendar {
  const key = JSON.stringify([timeZone, days, hours, holidays]);
  let calendar = calendarCache.get(key);
  if (!calendar) {
    calendar = createWorkingCalendar({ timeZone, workingWeekdays: [...days], dayStart: hours.start, dayEnd: hours.end, holidays: [...holidays] });
    if (calendarCache.size > 500) calendarCache.clear();
    calendarCache.set(key, calendar);
  }
  return calendar;
}

/** The company calendar (TIMEZONE, WORK_DAYS, WORK_HOURS, HOLIDAYS): management's and the channels'. */
export function defaultCalendar(config: ProactiveConfig): WorkingCalendar {
  return calendarFor(config.timeZone, config.workDays, config.workHours, config.holidays);
}

/**
 * Merges a person's stored overrides over the defaults. Stored values that no longer parse (a time
 * zone removed from the runtime, say) fall back to the default rather than stopping the engine.
 */
export function resolveUserSettings(member: Pick<StaffMember, "timezone">, preferences: UserPreferences, config: ProactiveConfig): UserSettings {
  const pick = <T>(stored: string | undefined, parse: (text: string) => Parsed<T>): T | undefined => {
    if (stored === undefined) return undefined;
    const parsed = parse(stored);
    return parsed.ok ? parsed.value : undefined;
  };
  const mode = pick(preferences.reminders, parseRemindersMode);
  const quiet = preferences.quiet !== undefined && OFF_WORDS.has(preferences.quiet) ? null : pick(preferences.quiet, (text) => parseTimeRange(text, { spanMidnight: true }));
  const tz = preferences.tz !== undefined && isTimeZone(preferences.tz) ? preferences.tz : undefined;
  const days = pick(preferences.days, parseWeekdays);
  const hours = pick(preferences.hours, (text) => parseTimeRange(text, { spanMidnight: false }));
  const timeZone = tz ?? (member.timezone && isTimeZone(member.timezone) ? member.timezone : config.timeZone);
  const holidays = [...new Set([...config.holidays, ...(preferences.holidays ?? [])])].sort();
  const calendar = calendarFor(timeZone, days ?? config.workDays, hours ?? config.workHours, holidays);
  const quietHours = quiet === null ? undefined : (quiet ?? config.quietHours);
  return {
    timeZone,
    calendar,
    mode: mode ?? config.remindersDefault,
    reminders: {
      remindAfterHours: config.feedbackRemindAfterHours,
      repeatEveryHours: config.feedbackRemindEveryHours,
      escalateAfterHours: config.feedbackEscalateAfterHours,
      quietHours,
      quietOnDaysOff: true,
    },
    sources: {
      reminders: mode ? "yours" : "default",
      quiet: quiet !== undefined ? "yours" : "default",
      tz: tz ? "yours" : member.timezone && isTimeZone(member.timezone) ? "staff file" : "default",
      days: days ? "yours" : "default",
      hours: hours ? "yours" : "default",
      holidays: preferences.holidays?.length ? "yours" : "default",
    },
  };
}

/** The environment variables the engine reads, as config.ts's schema has already typed them. */
export interface ProactiveEnv {
  PROACTIVE: ProactiveConfig["enabled"];
  POLL_INTERVAL: number;
  CHECK_INTERVAL: number;
  WATCH_PAGE_SIZE: number;
  NEW_REMIND_AFTER: number;
  FEEDBACK_REMIND_AFTER: number;
  FEEDBACK_REMIND_EVERY: number;
  FEEDBACK_ESCALATE_AFTER: number;
  STALE_AFTER_DAYS: number;
  TIMEZONE: string;
  WORK_DAYS?: Weekday[];
  WORK_HOURS?: TimeRange;
  HOLIDAYS?: string[];
  QUIET_HOURS?: string;
  SUMMARY_CHANNELS?: string;
  REMINDERS_DEFAULT?: RemindersMode;
  NOTIFY_MAX_ATTEMPTS: number;
}

/** Builds the engine's settings; settings that depend on others (TIMEZONE) are checked here, one problem line each. */
export function buildProactiveConfig(env: ProactiveEnv): { config: ProactiveConfig; problems: string[] } {
  const problems: string[] = [];
  const defaults = DEFAULT_PROACTIVE_CONFIG;
  let quietHours = defaults.quietHours;
  if (env.QUIET_HOURS !== undefined) {
    if (OFF_WORDS.has(env.QUIET_HOURS.trim().toLowerCase())) quietHours = undefined;
    else {
      const parsed = parseTimeRange(env.QUIET_HOURS, { spanMidnight: true });
      if (parsed.ok) quietHours = parsed.value;
      else problems.push(`QUIET_HOURS: ${parsed.error} Use off for none.`);
    }
  }
  let summaryChannels = defaults.summaryChannels.map((channel) => ({ ...channel, timeZone: env.TIMEZONE }));
  if (env.SUMMARY_CHANNELS !== undefined) {
    const parsed = parseSummaryChannels(env.SUMMARY_CHANNELS, env.TIMEZONE);
    if (parsed.ok) summaryChannels = parsed.value;
    else problems.push(`SUMMARY_CHANNELS: ${parsed.error}`);
  }
  const config: ProactiveConfig = {
    enabled: env.PROACTIVE,
    pollIntervalMs: Math.round(env.POLL_INTERVAL * 1000),
    checkIntervalMs: Math.round(env.CHECK_INTERVAL * 1000),
    watchPageSize: env.WATCH_PAGE_SIZE,
    newRemindAfterHours: env.NEW_REMIND_AFTER,
    feedbackRemindAfterHours: env.FEEDBACK_REMIND_AFTER,
    feedbackRemindEveryHours: env.FEEDBACK_REMIND_EVERY,
    feedbackEscalateAfterHours: env.FEEDBACK_ESCALATE_AFTER,
    staleAfterDays: env.STALE_AFTER_DAYS,
    timeZone: env.TIMEZONE,
    workDays: env.WORK_DAYS ?? [...defaults.workDays],
    workHours: env.WORK_HOURS ?? defaults.workHours,
    holidays: env.HOLIDAYS ?? [],
    quietHours,
    summaryChannels,
    remindersDefault: env.REMINDERS_DEFAULT ?? defaults.remindersDefault,
    notifyMaxAttempts: env.NOTIFY_MAX_ATTEMPTS,
  };
  if (config.feedbackEscalateAfterHours < config.feedbackRemindAfterHours) {
    problems.push("FEEDBACK_ESCALATE_AFTER: must not be less than FEEDBACK_REMIND_AFTER (management would hear before the developer)");
  }
  return { config, problems };
}
