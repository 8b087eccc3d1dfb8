/**
 * A developer's working calendar: which weekdays they work, their daily working window in their own
 * time zone, and their holidays. Pure functions over instants; the clock is always passed in.
 *
 * Time zones are handled with `Intl.DateTimeFormat` only. Every working interval is computed per local
 * calendar date, so a day on which the clocks change has its real length (23 or 25 hours), and a
 * window that contains the change counts the real minutes worked.
 */
import { z } from "zod";
import { ConfigError } from "../errors.js";

/** Weekday names in ISO order (Monday first). */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
/** Upper bound for day-by-day walks, so a calendar with (almost) no working days cannot spin forever. */
const MAX_DAYS_WALKED = 366 * 30;

const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "must be a time of day such as 09:00")
  .transform(parseTimeOfDay);

const isoDate = z.string().refine(isIsoDate, "must be a date such as 2034-03-14");

/** Settings of a working calendar, as they come from configuration or the staff file. */
export const workingCalendarSchema = z
  .object({
    timeZone: z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Zurich").default("UTC"),
    workingWeekdays: z
      .array(z.enum(WEEKDAYS))
      .min(1, "must name at least one working weekday")
      .default(["mon", "tue", "wed", "thu", "fri"]),
    /** Local time the working window opens. */
    dayStart: timeOfDay.default(9 * 60),
    /** Working hours per day; the window is `dayStart` to `dayStart + hoursPerDay`. */
    hoursPerDay: z.number().positive("must be more than 0").max(24, "must be at most 24").optional(),
    /** Alternative to `hoursPerDay`: the local time the working window closes. */
    dayEnd: timeOfDay.optional(),
    holidays: z.array(isoDate).default([]),
  })
  .superRefine((input, context) => {
    // Refinements run even after a field failed; the window checks only make sense on valid times.
    if (!Number.isFinite(input.dayStart) || (input.dayEnd !== undefined && !Number.isFinite(input.dayEnd))) return;
    const end = windowEnd(input.dayStart, input.hoursPerDay, input.dayEnd);
    if (input.dayEnd !== undefined && input.hoursPerDay !== undefined && input.dayEnd - input.dayStart !== input.hoursPerDay * 60) {
      context.addIssue({ code: "custom", path: ["dayEnd"], message: "disagrees with hoursPerDay; give one of them" });
    } else if (end <= input.dayStart) {
      context.addIssue({ code: "custom", path: ["dayEnd"], message: "must be after dayStart" });
    } else if (end > 24 * 60) {
      context.addIssue({ code: "custom", path: ["hoursPerDay"], message: "the working window must end by 24:00" });
    }
  });
export type WorkingCalendarInput = z.input<typeof workingCalendarSchema>;

/** A validated working calendar; build one with `createWorkingCalendar`. */
export interface WorkingCalendar {
  readonly timeZone: string;
  readonly workingWeekdays: ReadonlySet<Weekday>;
  /** Minutes after local midnight at which the working window opens. */
  readonly dayStartMinute: number;
  /** Minutes after local midnight at which it closes (at most 1440). */
  readonly dayEndMinute: number;
  readonly holidays: ReadonlySet<string>;
  /** Nominal working minutes per working day (the window length). */
  readonly minutesPerDay: number;
}

/** Validates calendar settings; throws ConfigError with one line per problem. */
export function createWorkingCalendar(input: WorkingCalendarInput = {}): WorkingCalendar {
  const parsed = workingCalendarSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `calendar.${issue.path.join(".")}: ${issue.message}`));
  }
  const settings = parsed.data;
  const end = windowEnd(settings.dayStart, settings.hoursPerDay, settings.dayEnd);
  return Object.freeze({
    timeZone: settings.timeZone,
    workingWeekdays: new Set(settings.workingWeekdays),
    dayStartMinute: settings.dayStart,
    dayEndMinute: end,
    holidays: new Set(settings.holidays),
    minutesPerDay: end - settings.dayStart,
  });
}

function windowEnd(start: number, hoursPerDay: number | undefined, end: number | undefined): number {
  return end ?? start + Math.round((hoursPerDay ?? 8) * 60);
}

/** Working minutes between two instants; negative when `to` is before `from`. Fractional for sub-minute instants. */
export function workingMinutesBetween(calendar: WorkingCalendar, from: Date, to: Date): number {
  const start = from.getTime();
  const end = to.getTime();
  if (end < start) return -workingMinutesBetween(calendar, to, from);
  let total = 0;
  const lastDay = localDayNumber(calendar.timeZone, end);
  for (let day = localDayNumber(calendar.timeZone, start); day <= lastDay; day++) {
    const interval = workingInterval(calendar, day);
    if (interval) total += Math.max(0, Math.min(interval.end, end) - Math.max(interval.start, start));
  }
  return total / MS_PER_MINUTE;
}

/** The earliest instant at which `minutes` working minutes have passed since `from`. */
export function addWorkingMinutes(calendar: WorkingCalendar, from: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`working minutes to add must be 0 or more, got ${minutes}`);
  const start = from.getTime();
  let remaining = minutes * MS_PER_MINUTE;
  if (remaining === 0) return new Date(start);
  const firstDay = localDayNumber(calendar.timeZone, start);
  for (let day = firstDay; day < firstDay + MAX_DAYS_WALKED; day++) {
    const interval = workingInterval(calendar, day);
    if (!interval) continue;
    const begin = Math.max(interval.start, start);
    const available = Math.max(0, interval.end - begin);
    if (available >= remaining) return new Date(begin + remaining);
    remaining -= available;
  }
  throw new RangeError("the calendar has no working time left within 30 years");
}

/** Whether the instant lies inside a working window (start inclusive, end exclusive). */
export function isWorkingTime(calendar: WorkingCalendar, at: Date): boolean {
  const time = at.getTime();
  const interval = workingInterval(calendar, localDayNumber(calendar.timeZone, time));
  return interval !== undefined && interval.start <= time && time < interval.end;
}

/** The earliest instant at or after `at` that is working time: `at` itself when work is under way. */
export function nextWorkingStart(calendar: WorkingCalendar, at: Date): Date {
  const time = at.getTime();
  const firstDay = localDayNumber(calendar.timeZone, time);
  for (let day = firstDay; day < firstDay + MAX_DAYS_WALKED; day++) {
    const interval = workingInterval(calendar, day);
    if (interval && time < interval.end) return new Date(Math.max(interval.start, time));
  }
  throw new RangeError("the calendar has no working time left within 30 years");
}

/**
 * How many working days later the local date of `to` is than that of `from`: the working days after
 * `from`'s date up to and including `to`'s date (Friday to Monday is 1). Negative when `to` is earlier.
 */
export function workingDaysBetween(calendar: WorkingCalendar, from: Date, to: Date): number {
  if (to.getTime() < from.getTime()) return -workingDaysBetween(calendar, to, from);
  const lastDay = localDayNumber(calendar.timeZone, to.getTime());
  let count = 0;
  for (let day = localDayNumber(calendar.timeZone, from.getTime()) + 1; day <= lastDay; day++) {
    if (isWorkingDayNumber(calendar, day)) count++;
  }
  return count;
}

/**
 * When a deadline date runs out: the close of that date's working window in the developer's time zone.
 * For a weekend or holiday date this is still that date's window close, which leaves the same working
 * time as the previous working day's close.
 */
export function deadlineEnd(calendar: WorkingCalendar, isoDate: string): Date {
  return new Date(instantAt(calendar.timeZone, toDayNumber(isoDate), calendar.dayEndMinute * MS_PER_MINUTE));
}

/** Whether the date (ISO `yyyy-mm-dd`) is a working weekday and not a holiday. */
export function isWorkingDay(calendar: WorkingCalendar, isoDate: string): boolean {
  return isWorkingDayNumber(calendar, toDayNumber(isoDate));
}

/** Local wall-clock reading of an instant in a time zone. */
export interface LocalDateTime {
  /** ISO `yyyy-mm-dd`. */
  date: string;
  /** `HH:MM`, 24-hour. */
  time: string;
  weekday: Weekday;
  /** Milliseconds since local midnight. */
  msOfDay: number;
}

/** Reads the local date and time of an instant in a time zone. */
export function toLocalDateTime(at: Date, timeZone: string): LocalDateTime {
  const wall = wallClockMs(timeZone, at.getTime());
  const day = Math.floor(wall / MS_PER_DAY);
  const msOfDay = wall - day * MS_PER_DAY;
  const minutes = Math.floor(msOfDay / MS_PER_MINUTE);
  return {
    date: fromDayNumber(day),
    time: `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`,
    weekday: weekdayOf(day),
    msOfDay,
  };
}

const WEEKDAY_NAMES: Readonly<Record<Weekday, string>> = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" };

/** An instant as people read it in a time zone: `Thu 26.11. 10:00`. */
export function formatLocalTime(at: Date, timeZone: string): string {
  const local = toLocalDateTime(at, timeZone);
  const [, month, day] = local.date.split("-");
  return `${WEEKDAY_NAMES[local.weekday]} ${Number(day)}.${Number(month)}. ${local.time}`;
}

/**
 * The first instant at which the local clock in `timeZone` shows at least `minuteOfDay` on `isoDate`:
 * a time skipped by a spring-forward change maps to the change itself, a repeated one to its first pass.
 */
export function zonedInstant(timeZone: string, isoDate: string, minuteOfDay: number): Date {
  return new Date(instantAt(timeZone, toDayNumber(isoDate), minuteOfDay * MS_PER_MINUTE));
}

/** The ISO date `days` calendar days after `isoDate` (negative goes back). */
export function addIsoDays(isoDate: string, days: number): string {
  return fromDayNumber(toDayNumber(isoDate) + days);
}

/** Parses `HH:MM` (or `24:00`) into minutes after midnight; throws RangeError otherwise. */
export function parseTimeOfDay(text: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || minutes > 59 || hours * 60 + minutes > 24 * 60) throw new RangeError(`"${text}" is not a time of day such as 09:00`);
  return hours * 60 + minutes;
}

/** Whether the text is a real calendar date written `yyyy-mm-dd`. */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(time) && fromDayNumber(time / MS_PER_DAY) === text;
}

// --- internals ----------------------------------------------------------------------------------

interface Interval {
  start: number;
  end: number;
}

/** Whether the text names an IANA time zone this runtime knows (`Europe/Zurich`). */
export function isTimeZone(zone: string): boolean {
  if (zone.trim() === "") return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

function toDayNumber(isoDate: string): number {
  if (!isIsoDate(isoDate)) throw new RangeError(`"${isoDate}" is not a date such as 2034-03-14`);
  return Date.parse(`${isoDate}T00:00:00Z`) / MS_PER_DAY;
}

function fromDayNumber(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

function weekdayOf(day: number): Weekday {
  // Day 0 (1970-01-01) was a Thursday; index 3 in Monday-first order.
  return WEEKDAYS[(((day + 3) % 7) + 7) % 7]!;
}

function isWorkingDayNumber(calendar: WorkingCalendar, day: number): boolean {
  return calendar.workingWeekdays.has(weekdayOf(day)) && !calendar.holidays.has(fromDayNumber(day));
}

// Working intervals are asked for again and again by the policy jobs; calendars are immutable, so the
// intervals can be remembered per calendar object.
const intervalCache = new WeakMap<WorkingCalendar, Map<number, Interval | null>>();

function workingInterval(calendar: WorkingCalendar, day: number): Interval | undefined {
  let cache = intervalCache.get(calendar);
  if (!cache) {
    cache = new Map();
    intervalCache.set(calendar, cache);
  }
  const known = cache.get(day);
  if (known !== undefined) return known ?? undefined;
  const interval = isWorkingDayNumber(calendar, day)
    ? {
        start: instantAt(calendar.timeZone, day, calendar.dayStartMinute * MS_PER_MINUTE),
        end: instantAt(calendar.timeZone, day, calendar.dayEndMinute * MS_PER_MINUTE),
      }
    : null;
  if (cache.size > 20_000) cache.clear();
  cache.set(day, interval);
  return interval ?? undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local wall-clock reading of an instant, encoded as if it were a UTC timestamp. */
function wallClockMs(timeZone: string, instant: number): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const ms = ((instant % 1000) + 1000) % 1000;
  return Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!, ms);
}

function offsetAt(timeZone: string, instant: number): number {
  return wallClockMs(timeZone, instant) - instant;
}

function localDayNumber(timeZone: string, instant: number): number {
  return Math.floor(wallClockMs(timeZone, instant) / MS_PER_DAY);
}

/** First instant whose local wall clock reads at least `msOfDay` on local day `day`. */
function instantAt(timeZone: string, day: number, msOfDay: number): number {
  const target = day * MS_PER_DAY + msOfDay;
  // Any offset in force near the target; a clock change within a day of it shows up among these.
  const offsets = new Set([
    offsetAt(timeZone, target - MS_PER_DAY),
    offsetAt(timeZone, target),
    offsetAt(timeZone, target + MS_PER_DAY),
  ]);
  let best: number | undefined;
  for (const offset of offsets) {
    const candidate = target - offset;
    if (wallClockMs(timeZone, candidate) === target && (best === undefined || candidate < best)) best = candidate;
  }
  if (best !== undefined) return best;
  // The wall time was skipped (spring forward): find the change, the first instant reading later than it.
  let low = target - Math.max(...offsets);
  let high = target - Math.min(...offsets);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (wallClockMs(timeZone, middle) >= target) high = middle;
    else low = middle;
  }
  return high;
}
