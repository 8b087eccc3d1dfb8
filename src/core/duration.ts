/**
 * Work estimates as the seed writes them in bug subjects (`[4h, 14.3.2034]`): the working time
 * still needed to fix an issue. Days are working days (WORKDAY_HOURS, default 8 h) and weeks are
 * 5 working days, so `1w` is 40 h of work, not 7 calendar days.
 *
 * Parsing is split in two: `parseDuration` checks the syntax and needs no settings (so a zod
 * schema can run it when a command is defined), `durationToMinutes` applies the length of a
 * working day from the settings.
 */
import { parsedSetting, parseFailure, parsedValue, type Parsed } from "./parse-result.js";
import { quoteInput } from "./text.js";

/** Hours in a working day unless the settings say otherwise (config WORKDAY_HOURS). */
export const DEFAULT_WORKDAY_HOURS = 8;
/** Working days in a working week. */
export const WORKDAYS_PER_WEEK = 5;

export const DURATION_UNITS = ["w", "d", "h", "m"] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

/** An estimate as written, unit by unit; values may be fractional (`1.5h`). */
export interface Duration {
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
}

export interface WorkdayOptions {
  /** Hours in a working day; default 8. */
  workdayHours?: number;
}

/** Spellings accepted for each unit, lower-case; the first is the one we write. */
const UNIT_SPELLINGS: Readonly<Record<DurationUnit, readonly string[]>> = {
  w: ["w", "wk", "wks", "week", "weeks"],
  d: ["d", "day", "days"],
  h: ["h", "hr", "hrs", "hour", "hours"],
  m: ["m", "min", "mins", "minute", "minutes"],
};

const UNIT_BY_SPELLING = new Map<string, DurationUnit>(
  DURATION_UNITS.flatMap((unit) => UNIT_SPELLINGS[unit].map((spelling) => [spelling, unit] as const)),
);

const FIELD_BY_UNIT: Readonly<Record<DurationUnit, keyof Duration>> = { w: "weeks", d: "days", h: "hours", m: "minutes" };

/** Longer input is not an estimate anyone typed; refusing it early keeps error messages short. */
const MAX_INPUT_LENGTH = 40;

/**
 * One component: a number (up to 4 digits, up to 3 decimals) and a unit word, spaces allowed
 * between and around. Sticky, so components must follow each other with nothing in between.
 */
const COMPONENT = /\s*(\d{1,4}(?:\.\d{1,3})?)\s*([a-z]+)\s*/y;

/** The one-line reminder of the syntax that every error message ends with. */
export const DURATION_HELP =
  "Write a number and a unit: m (minutes), h (hours), d (working days), w (working weeks), " +
  "e.g. 30m, 4h, 1.5h, 2d or 1d4h.";

const fail = (input: string, problem: string): Parsed<Duration> =>
  parseFailure(`${quoteInput(input)} is not a work estimate: ${problem}. ${DURATION_HELP}`);

/**
 * Parses an estimate such as `30m`, `4h`, `1.5h`, `2d`, `1w` or `1d4h` (units case-insensitive,
 * each unit at most once, any order, spaces tolerated). A bare `0` means no work left.
 */
export function parseDuration(text: string): Parsed<Duration> {
  const input = text.trim();
  if (input === "") return parseFailure(`The work estimate is empty. ${DURATION_HELP}`);
  if (input.length > MAX_INPUT_LENGTH) return fail(input, `it is longer than ${MAX_INPUT_LENGTH} characters`);
  const duration: Duration = { weeks: 0, days: 0, hours: 0, minutes: 0 };
  if (input === "0") return parsedValue(duration);
  if (/^-/.test(input)) return fail(input, "it is negative; an estimate is the work still left, 0 or more");
  if (/^\d+(?:[.,]\d+)?$/.test(input)) return fail(input, `the unit is missing (did you mean ${input}h?)`);
  if (/\d,\d/.test(input)) return fail(input, `use a dot for decimals (${input.replace(/(\d),(\d)/g, "$1.$2")})`);

  // Only ASCII is lower-cased so positions in `lower` stay valid in `input` for error messages.
  const lower = input.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
  const seen = new Set<DurationUnit>();
  COMPONENT.lastIndex = 0;
  let position = 0;
  while (position < lower.length) {
    COMPONENT.lastIndex = position;
    const match = COMPONENT.exec(lower);
    if (!match) {
      const rest = input.slice(position).trim();
      if (/^\d{5,}/.test(rest)) return fail(input, "numbers may have at most 4 digits");
      if (/^\d+\.\d{4,}/.test(rest)) return fail(input, "numbers may have at most 3 decimals");
      if (/^\d+(?:\.\d+)?$/.test(rest)) return fail(input, `the last number ${quoteInput(rest)} has no unit`);
      const foreignUnit = /^\d+(?:\.\d+)?\s*(\p{L}+)/u.exec(rest);
      if (foreignUnit) return fail(input, `unknown unit ${quoteInput(foreignUnit[1]!)}`);
      return fail(input, `cannot read ${quoteInput(rest)}`);
    }
    const [, amount = "", word = ""] = match;
    const unit = UNIT_BY_SPELLING.get(word);
    if (!unit) return fail(input, `unknown unit ${quoteInput(word)}`);
    if (seen.has(unit)) return fail(input, `the unit ${unit} appears twice`);
    seen.add(unit);
    duration[FIELD_BY_UNIT[unit]] = Number(amount);
    position = COMPONENT.lastIndex;
  }
  return parsedValue(duration);
}

function workdayMinutes(options: WorkdayOptions): number {
  const hours = options.workdayHours ?? DEFAULT_WORKDAY_HOURS;
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24) throw new RangeError(`workdayHours must be in (0, 24], got ${hours}`);
  return hours * 60;
}

/** Total working minutes of an estimate, rounded to the nearest whole minute. */
export function durationToMinutes(duration: Duration, options: WorkdayOptions = {}): number {
  const day = workdayMinutes(options);
  const total = duration.weeks * WORKDAYS_PER_WEEK * day + duration.days * day + duration.hours * 60 + duration.minutes;
  return Math.round(total);
}

/** Parses an estimate straight into working minutes (see parseDuration for the syntax). */
export function parseDurationMinutes(text: string, options: WorkdayOptions = {}): Parsed<number> {
  const parsed = parseDuration(text);
  return parsed.ok ? parsedValue(durationToMinutes(parsed.value, options)) : parsed;
}

/**
 * Writes working minutes in the shortest readable form, largest units first: `30m`, `4h`, `1d2h`,
 * `1w`. Zero is `0h`; a negative amount (an overrun) gets a leading `-`. Fractions of a minute are
 * rounded; a working day of 7.5 h makes 450 minutes `1d`.
 */
/** Working minutes in hours, never days: `12h`, `1h 30m` or `45m` (for "work left" in risks and summaries). */
export function formatWorkHours(minutes: number): string {
  const rounded = Math.round(minutes);
  const hours = Math.floor(rounded / 60);
  const rest = rounded % 60;
  if (hours === 0) return `${rest}m`;
  return rest === 0 ? `${hours}h` : `${hours}h ${rest}m`;
}

export function formatDuration(minutes: number, options: WorkdayOptions = {}): string {
  if (!Number.isFinite(minutes)) throw new RangeError(`cannot format ${minutes} minutes`);
  const day = workdayMinutes(options);
  let left = Math.round(Math.abs(minutes));
  if (left === 0) return "0h";
  const sizes: ReadonlyArray<readonly [DurationUnit, number]> = [
    ["w", WORKDAYS_PER_WEEK * day],
    ["d", day],
    ["h", 60],
    ["m", 1],
  ];
  let text = "";
  for (const [unit, size] of sizes) {
    const count = Math.floor(left / size);
    if (count > 0) {
      text += `${count}${unit}`;
      left -= count * size;
    }
  }
  return minutes < 0 ? `-${text}` : text;
}

/** Zod schema for an estimate argument: a string in, a Duration out, a usage message on bad input. */
export const durationSchema = parsedSetting(parseDuration);
