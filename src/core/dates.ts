/**
 * Calendar dates as people type them for deadlines and call dates: `14.3.2034` as in the seed,
 * `14.03.2034`, ISO `2034-03-14`, and `today`/`tomorrow`/`yesterday`. Inside the bot a date is
 * an ISO string (`yyyy-mm-dd`): it sorts and compares as text and is what the store keeps.
 * Dates have no time zone; `todayIn` turns "now" into a date in a given zone.
 */
import { parsedSetting, parseFailure, parsedValue, type Parsed } from "./parse-result.js";
import { quoteInput } from "./text.js";

/** A valid calendar date written `yyyy-mm-dd`. */
export type IsoDate = string;

/** A date as typed: a fixed day, or a number of days from today that is resolved later. */
export type DateInput = { kind: "absolute"; date: IsoDate } | { kind: "relative"; offsetDays: number; word: RelativeDateWord };

/** Words accepted for dates relative to today, with their offset in days. */
export const RELATIVE_DATE_WORDS = { yesterday: -1, today: 0, tomorrow: 1 } as const;
export type RelativeDateWord = keyof typeof RELATIVE_DATE_WORDS;

/** Years outside this range are typos (`14.3.0234`), not deadlines or call dates. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;

const MONTH_NAMES = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
] as const;

/** The reminder of the accepted forms that every error message ends with. */
export const DATE_HELP = "Write dates as d.m.yyyy (14.3.2034) or yyyy-mm-dd (2034-03-14).";

/** `14.3.2034`, `14.03.2034`, and `14. 3. 2034` as German typography writes it. */
const DOTTED = /^(\d{1,2})\. ?(\d{1,2})\. ?(\d{4})$/;
/** Typed ISO dates may drop the zero padding (`2034-3-14`); stored ones never do. */
const ISO_TYPED = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const TWO_DIGIT_YEAR = /^(\d{1,2})\.(\d{1,2})\.(\d{2})$/;
const OTHER_SEPARATORS = /^\d{1,4}[/\-. ]\d{1,2}[/\-. ]\d{1,4}$/;

/** Whether the year is a leap year in the Gregorian calendar. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month (1-12) of a year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad = (value: number, width: number): string => String(value).padStart(width, "0");

function toIso(year: number, month: number, day: number): IsoDate {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Checks year, month and day; undefined when they make a real date, else what is wrong. */
function checkDate(year: number, month: number, day: number): string | undefined {
  if (year < MIN_YEAR || year > MAX_YEAR) return `the year must be between ${MIN_YEAR} and ${MAX_YEAR}`;
  if (month < 1 || month > 12) return `there is no month ${month}`;
  if (day < 1) return `there is no day ${day}`;
  const last = daysInMonth(year, month);
  if (day < 1 || day > last) return `${MONTH_NAMES[month - 1]} ${year} has ${last} days`;
  return undefined;
}

function fromParts(input: string, year: number, month: number, day: number): Parsed<DateInput> {
  const problem = checkDate(year, month, day);
  if (problem) return parseFailure(`${quoteInput(input)} is not a date: ${problem}. ${DATE_HELP}`);
  return parsedValue({ kind: "absolute", date: toIso(year, month, day) });
}

/**
 * Reads a date as typed, without resolving relative words (so it needs no clock). Rejects
 * impossible dates (`31.2.2034`), two-digit years and slashes, saying what to write instead.
 */
export function parseDateInput(text: string): Parsed<DateInput> {
  const input = text.trim();
  if (input === "") return parseFailure(`The date is empty. ${DATE_HELP}`);
  const word = input.toLowerCase();
  if (Object.hasOwn(RELATIVE_DATE_WORDS, word)) {
    const relative = word as RelativeDateWord;
    return parsedValue({ kind: "relative", offsetDays: RELATIVE_DATE_WORDS[relative], word: relative });
  }
  const dotted = DOTTED.exec(input);
  if (dotted) return fromParts(input, Number(dotted[3]), Number(dotted[2]), Number(dotted[1]));
  const iso = ISO_TYPED.exec(input);
  if (iso) return fromParts(input, Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const short = TWO_DIGIT_YEAR.exec(input);
  if (short) {
    return parseFailure(
      `${quoteInput(input)} is not a date: write the year with four digits (${short[1]}.${short[2]}.20${short[3]}?). ${DATE_HELP}`,
    );
  }
  if (OTHER_SEPARATORS.test(input)) {
    return parseFailure(`${quoteInput(input)} is not a date in a form I read unambiguously. ${DATE_HELP}`);
  }
  return parseFailure(`${quoteInput(input)} is not a date. ${DATE_HELP} Also accepted: today, tomorrow, yesterday.`);
}

/** The ISO date a parsed input stands for, given today's date. */
export function resolveDateInput(input: DateInput, today: IsoDate): IsoDate {
  return input.kind === "absolute" ? input.date : addDays(today, input.offsetDays);
}

export interface DateParseOptions {
  /** Today's date; without it, relative words are refused. */
  today?: IsoDate;
}

/** Parses a date into an ISO date, resolving `today`/`tomorrow`/`yesterday` when `today` is given. */
export function parseDate(text: string, options: DateParseOptions = {}): Parsed<IsoDate> {
  const parsed = parseDateInput(text);
  if (!parsed.ok) return parsed;
  if (parsed.value.kind === "relative" && options.today === undefined) {
    return parseFailure(`${quoteInput(text.trim())} cannot be used here; give the date itself. ${DATE_HELP}`);
  }
  return parsedValue(resolveDateInput(parsed.value, options.today ?? ""));
}

/** Whether the value is a real calendar date written `yyyy-mm-dd` (within MIN_YEAR..MAX_YEAR). */
export function isIsoDate(value: string): value is IsoDate {
  const iso = ISO.exec(value);
  return iso !== null && checkDate(Number(iso[1]), Number(iso[2]), Number(iso[3])) === undefined;
}

function partsOf(date: IsoDate): { year: number; month: number; day: number } {
  const iso = ISO.exec(date);
  if (!iso) throw new RangeError(`not an ISO date: "${date}"`);
  return { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) };
}

/** Writes an ISO date the way the seed does: `14.3.2034` (no leading zeros). */
export function formatDate(date: IsoDate): string {
  const { year, month, day } = partsOf(date);
  return `${day}.${month}.${year}`;
}

const MS_PER_DAY = 86_400_000;

function toEpochDay(date: IsoDate): number {
  const { year, month, day } = partsOf(date);
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

function fromEpochDay(epochDay: number): IsoDate {
  const moment = new Date(epochDay * MS_PER_DAY);
  return toIso(moment.getUTCFullYear(), moment.getUTCMonth() + 1, moment.getUTCDate());
}

/** The date `days` calendar days after (or, negative, before) `date`. */
export function addDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) throw new RangeError(`days must be a whole number, got ${days}`);
  return fromEpochDay(toEpochDay(date) + days);
}

/** Calendar days from `from` to `to`; negative when `to` is earlier. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

/** Orders two dates: negative when `a` is earlier, 0 when equal, positive when later. */
export function compareDates(a: IsoDate, b: IsoDate): number {
  return Math.sign(daysBetween(b, a));
}

/** ISO weekday of a date: 1 Monday ... 7 Sunday. */
export function isoWeekday(date: IsoDate): number {
  const sunday0 = new Date(toEpochDay(date) * MS_PER_DAY).getUTCDay();
  return sunday0 === 0 ? 7 : sunday0;
}

/** The calendar date of a moment in an IANA time zone; throws RangeError for an unknown zone. */
export function todayIn(timeZone: string, now: Date): IsoDate {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(now);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value);
  return toIso(get("year"), get("month"), get("day"));
}

/** Zod schema for a date argument: a string in, a DateInput out (resolve it with `resolveDateInput`). */
export const dateInputSchema = parsedSetting(parseDateInput);
