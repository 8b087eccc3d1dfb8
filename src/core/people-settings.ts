/**
 * People's working time and how they want to be reached: the company's defaults (TIMEZONE,
 * WORK_DAYS, WORK_HOURS, HOLIDAYS, QUIET_HOURS, REMINDERS_DEFAULT), each person's overrides (the
 * `settings` command), and the one rule that merges them into the working calendar by which every
 * deadline, reminder and digest is judged. Pure: src/process/settings-for.ts reads a person's
 * overrides from the store and hands them to `resolvePersonSettings`.
 *
 * The parsers are shared by the environment (config.ts composes `peopleEnvSchema`) and the chat
 * (`settings`), so both accept and refuse exactly the same text.
 */
import { z } from "zod";
import { createWorkingCalendar, isIsoDate, isTimeZone, parseTimeOfDay, WEEKDAYS, type Weekday, type WorkingCalendar } from "./calendar.js";
import { parseDate } from "./dates.js";
import { parsedSetting, parseFailure, parsedValue, type Parsed } from "./parse-result.js";

/** How a person wants reminders: each as it comes due, bundled into one daily digest, or not at all. */
export type RemindersMode = { kind: "on-change" } | { kind: "off" } | { kind: "daily"; time: string };

/** A local time window `HH:MM-HH:MM`; for quiet hours `start` after `end` spans midnight. */
export interface TimeRange {
  start: string;
  end: string;
}

/** What applies to everyone who has not set their own: the company's calendar and reminder defaults. */
export interface PeopleDefaults {
  /** TIMEZONE: the company's time zone, and everyone's unless the staff file or `settings` says otherwise. */
  timeZone: string;
  workDays: Weekday[];
  /** WORK_HOURS: the daily window in which working time counts (deadlines, reminders, risk). */
  workHours: TimeRange;
  /** Days off for everyone, ISO dates. */
  holidays: string[];
  /** Quiet hours for DMs; undefined: none (days off stay quiet). */
  quietHours: TimeRange | undefined;
  remindersDefault: RemindersMode;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const OFF_WORDS = new Set(["off", "none", "no"]);

/** `HH:MM` with a leading zero added for `9:00`; undefined when it is no time of day. */
export function normalizeTime(text: string): string | undefined {
  const padded = /^\d:\d\d$/.test(text.trim()) ? `0${text.trim()}` : text.trim();
  return TIME.test(padded) ? padded : undefined;
}

/** An IANA time zone the runtime knows (`Europe/Zurich`). */
export function parseTimeZone(text: string): Parsed<string> {
  const zone = text.trim();
  return isTimeZone(zone) ? parsedValue(zone) : parseFailure(`"${zone}" is not an IANA time zone such as Europe/Zurich or America/New_York.`);
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

/** A daily working window, `09:00-17:00` (it cannot span midnight). */
export function parseWorkHours(text: string): Parsed<TimeRange> {
  return parseTimeRange(text, { spanMidnight: false });
}

/** Quiet hours, `18:00-08:00` (may span midnight), or `off` (null) for none. */
export function parseQuietHours(text: string): Parsed<TimeRange | null> {
  if (OFF_WORDS.has(text.trim().toLowerCase())) return parsedValue(null);
  const parsed = parseTimeRange(text, { spanMidnight: true });
  return parsed.ok ? parsed : parseFailure(`${parsed.error} Or write off for none.`);
}

/** `09:00-17:00`, or `off` for no range (what `settings` shows and stores). */
export function formatTimeRange(range: TimeRange | null | undefined): string {
  return range ? `${range.start}-${range.end}` : "off";
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

/** The environment variables of the defaults, each with its documented default; config.ts composes it. */
export const peopleEnvSchema = z.object({
  TIMEZONE: parsedSetting(parseTimeZone).default("UTC"),
  WORK_DAYS: parsedSetting(parseWeekdays).default(["mon", "tue", "wed", "thu", "fri"]),
  WORK_HOURS: parsedSetting(parseWorkHours).default({ start: "09:00", end: "17:00" }),
  HOLIDAYS: parsedSetting(parseHolidays).default([]),
  QUIET_HOURS: parsedSetting(parseQuietHours).default({ start: "18:00", end: "08:00" }),
  REMINDERS_DEFAULT: parsedSetting(parseRemindersMode).default({ kind: "on-change" }),
});

/** The defaults from the parsed environment. */
export function peopleDefaultsFromEnv(env: z.output<typeof peopleEnvSchema>): PeopleDefaults {
  return {
    timeZone: env.TIMEZONE,
    workDays: env.WORK_DAYS,
    workHours: env.WORK_HOURS,
    holidays: env.HOLIDAYS,
    quietHours: env.QUIET_HOURS ?? undefined,
    remindersDefault: env.REMINDERS_DEFAULT,
  };
}

/** One person's overrides as stored (canonical text); absent fields follow the company defaults. */
export const userPreferencesSchema = z.object({
  reminders: z.string().optional(),
  /** `off` or a range. */
  quiet: z.string().optional(),
  tz: z.string().optional(),
  days: z.string().optional(),
  hours: z.string().optional(),
  /** Personal days off, added to HOLIDAYS. */
  holidays: z.array(z.string().refine(isIsoDate)).optional(),
});
/** A person's stored overrides. */
export type UserPreferences = z.infer<typeof userPreferencesSchema>;

/** Where a person's effective value came from, for `settings` to show. */
export type SettingSource = "default" | "yours" | "staff file";

/** A person's effective settings: their overrides over the company defaults, ready for the rules. */
export interface PersonSettings {
  timeZone: string;
  /** The working calendar their deadlines, reminders and digests are judged in. */
  calendar: WorkingCalendar;
  mode: RemindersMode;
  /** Quiet hours for DMs to them; undefined: none. */
  quietHours: TimeRange | undefined;
  sources: Record<"reminders" | "quiet" | "tz" | "days" | "hours" | "holidays", SettingSource>;
}

/** What the rules need of a person: the time zone from the staff file, if any. */
export interface PersonTimeZone {
  timeZone?: string;
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

/** The company calendar (WORK_DAYS, WORK_HOURS, HOLIDAYS) in its time zone, or in another (a channel's). */
export function companyCalendar(defaults: PeopleDefaults, timeZone = defaults.timeZone): WorkingCalendar {
  return calendarFor(timeZone, defaults.workDays, defaults.workHours, defaults.holidays);
}

/**
 * A person's effective settings: their stored overrides, then the staff file's time zone, then the
 * company defaults; `undefined` (someone the bot does not know, such as a tracker-only handler)
 * gets the defaults. Stored values that no longer parse (a time zone removed from the runtime, say)
 * fall back to the default rather than stopping the engine.
 */
export function resolvePersonSettings(person: PersonTimeZone | undefined, preferences: UserPreferences, defaults: PeopleDefaults): PersonSettings {
  const pick = <T>(stored: string | undefined, parse: (text: string) => Parsed<T>): T | undefined => {
    if (stored === undefined) return undefined;
    const parsed = parse(stored);
    return parsed.ok ? parsed.value : undefined;
  };
  const mode = pick(preferences.reminders, parseRemindersMode);
  const quiet = pick(preferences.quiet, parseQuietHours);
  const tz = pick(preferences.tz, parseTimeZone);
  const days = pick(preferences.days, parseWeekdays);
  const hours = pick(preferences.hours, parseWorkHours);
  const staffFileZone = person?.timeZone !== undefined && isTimeZone(person.timeZone) ? person.timeZone : undefined;
  const timeZone = tz ?? staffFileZone ?? defaults.timeZone;
  const holidays = [...new Set([...defaults.holidays, ...(preferences.holidays ?? [])])].sort();
  return {
    timeZone,
    calendar: calendarFor(timeZone, days ?? defaults.workDays, hours ?? defaults.workHours, holidays),
    mode: mode ?? defaults.remindersDefault,
    quietHours: quiet === undefined ? defaults.quietHours : (quiet ?? undefined),
    sources: {
      reminders: mode ? "yours" : "default",
      quiet: quiet !== undefined ? "yours" : "default",
      tz: tz ? "yours" : staffFileZone ? "staff file" : "default",
      days: days ? "yours" : "default",
      hours: hours ? "yours" : "default",
      holidays: preferences.holidays?.length ? "yours" : "default",
    },
  };
}
