import { describe, expect, it } from "vitest";
import {
  DATE_HELP,
  addDays,
  compareDates,
  dateInputSchema,
  daysBetween,
  daysInMonth,
  formatDate,
  isIsoDate,
  isLeapYear,
  isoWeekday,
  parseDate,
  parseDateInput,
  resolveDateInput,
  todayIn,
} from "../../src/core/dates.js";

describe("parseDate", () => {
  it.each([
    ["14.3.2034", "2034-03-14"],
    ["14.03.2034", "2034-03-14"],
    ["01.01.2034", "2034-01-01"],
    ["1.1.2034", "2034-01-01"],
    ["31.12.2034", "2034-12-31"],
    ["14. 3. 2034", "2034-03-14"],
    ["2034-03-14", "2034-03-14"],
    ["2034-3-14", "2034-03-14"],
    ["  14.3.2034\t", "2034-03-14"],
    ["29.2.2032", "2032-02-29"],
    ["29.2.2000", "2000-02-29"],
    ["1.1.1900", "1900-01-01"],
    ["31.12.2999", "2999-12-31"],
  ])("reads %j as %s", (text, iso) => {
    expect(parseDate(text)).toEqual({ ok: true, value: iso });
  });

  it.each([
    ["", "The date is empty."],
    ["  ", "The date is empty."],
    ["31.2.2034", "`31.2.2034` is not a date: February 2034 has 28 days."],
    ["29.2.2033", "February 2033 has 28 days."],
    ["29.2.2100", "February 2100 has 28 days."],
    ["31.4.2034", "April 2034 has 30 days."],
    ["0.3.2034", "there is no day 0."],
    ["14.13.2034", "there is no month 13."],
    ["14.0.2034", "there is no month 0."],
    ["2034-02-30", "February 2034 has 28 days."],
    ["14.3.1899", "the year must be between 1900 and 2999."],
    ["14.3.3000", "the year must be between 1900 and 2999."],
    ["14.3.34", "write the year with four digits (14.3.2034?)"],
    ["14/3/2034", "is not a date in a form I read unambiguously."],
    ["3/14/2034", "is not a date in a form I read unambiguously."],
    ["14-3-2034", "is not a date in a form I read unambiguously."],
    ["14.3.2034.", "is not a date."],
    ["14.3.20345", "is not a date."],
    ["March 14", "Also accepted: today, tomorrow, yesterday."],
    ["１４.３.２０３４", "is not a date."],
    ["2034-03-14T10:00", "is not a date."],
    ["<script>alert(1)</script>", "`<script>alert(1)</script>` is not a date."],
  ])("refuses %j, saying %j", (text, problem) => {
    const parsed = parseDate(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toContain(problem);
    expect(parsed.error).toContain(DATE_HELP);
  });

  it.each([
    ["today", "2034-03-14"],
    ["Today", "2034-03-14"],
    ["TOMORROW", "2034-03-15"],
    ["yesterday", "2034-03-13"],
  ])("resolves %j against today's date", (text, iso) => {
    expect(parseDate(text, { today: "2034-03-14" })).toEqual({ ok: true, value: iso });
  });

  it("refuses relative words where no today is known", () => {
    expect(parseDate("today")).toEqual({ ok: false, error: expect.stringContaining("`today` cannot be used here") });
  });

  it("resolves tomorrow across a year end", () => {
    expect(parseDate("tomorrow", { today: "2034-12-31" })).toEqual({ ok: true, value: "2035-01-01" });
  });
});

describe("parseDateInput and resolveDateInput", () => {
  it("keeps relative words unresolved until a today is known", () => {
    const parsed = parseDateInput("tomorrow");
    expect(parsed).toEqual({ ok: true, value: { kind: "relative", offsetDays: 1, word: "tomorrow" } });
    if (parsed.ok) expect(resolveDateInput(parsed.value, "2034-02-28")).toBe("2034-03-01");
  });

  it("ignores today for an absolute date", () => {
    expect(resolveDateInput({ kind: "absolute", date: "2034-03-14" }, "2000-01-01")).toBe("2034-03-14");
  });

  it("does not treat inherited object keys as relative words", () => {
    expect(parseDateInput("constructor").ok).toBe(false);
    expect(parseDateInput("__proto__").ok).toBe(false);
  });
});

describe("formatDate", () => {
  it.each([
    ["2034-03-14", "14.3.2034"],
    ["2034-01-01", "1.1.2034"],
    ["2034-12-31", "31.12.2034"],
  ])("writes %s as %s", (iso, text) => {
    expect(formatDate(iso)).toBe(text);
  });

  it("refuses something that is not an ISO date", () => {
    expect(() => formatDate("14.3.2034")).toThrow(RangeError);
  });
});

describe("isIsoDate", () => {
  it.each([
    ["2034-03-14", true],
    ["2032-02-29", true],
    ["2033-02-29", false],
    ["2034-3-14", false],
    ["14.3.2034", false],
    ["", false],
    ["2034-03-14 ", false],
  ])("says %j is %s", (value, expected) => {
    expect(isIsoDate(value)).toBe(expected);
  });
});

describe("calendar arithmetic", () => {
  it.each([
    [2000, true],
    [2032, true],
    [2033, false],
    [2100, false],
    [2400, true],
  ])("knows whether %i is a leap year", (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
  });

  it.each([
    [2034, 1, 31],
    [2034, 2, 28],
    [2032, 2, 29],
    [2034, 4, 30],
    [2034, 12, 31],
  ])("knows %i-%i has %i days", (year, month, days) => {
    expect(daysInMonth(year, month)).toBe(days);
  });

  it.each([
    ["2034-03-14", 1, "2034-03-15"],
    ["2034-03-14", -14, "2034-02-28"],
    ["2032-02-28", 1, "2032-02-29"],
    ["2034-12-31", 1, "2035-01-01"],
    ["2034-03-14", 0, "2034-03-14"],
    ["2034-03-14", 365, "2035-03-14"],
  ])("adds to %s %i days: %s", (date, days, result) => {
    expect(addDays(date, days)).toBe(result);
  });

  it("refuses fractional days", () => {
    expect(() => addDays("2034-03-14", 0.5)).toThrow(RangeError);
  });

  it.each([
    ["2034-03-14", "2034-03-15", 1],
    ["2034-03-15", "2034-03-14", -1],
    ["2034-01-01", "2035-01-01", 365],
    ["2032-01-01", "2033-01-01", 366],
    ["2034-03-25", "2034-03-27", 2],
  ])("counts from %s to %s as %i days, even across DST changes", (from, to, days) => {
    expect(daysBetween(from, to)).toBe(days);
  });

  it.each([
    ["2034-03-14", "2034-03-15", -1],
    ["2034-03-15", "2034-03-14", 1],
    ["2034-03-14", "2034-03-14", 0],
  ])("orders %s before/after %s: %i", (a, b, sign) => {
    expect(compareDates(a, b)).toBe(sign);
  });

  it.each([
    ["2034-03-13", 1],
    ["2034-03-14", 2],
    ["2034-03-18", 6],
    ["2034-03-19", 7],
  ])("knows %s is ISO weekday %i", (date, weekday) => {
    expect(isoWeekday(date)).toBe(weekday);
  });
});

describe("todayIn", () => {
  const moment = new Date("2034-03-14T23:30:00Z");

  it.each([
    ["UTC", "2034-03-14"],
    ["Europe/Zurich", "2034-03-15"],
    ["America/New_York", "2034-03-14"],
    ["Pacific/Kiritimati", "2034-03-15"],
  ])("gives the date in %s", (zone, date) => {
    expect(todayIn(zone, moment)).toBe(date);
  });

  it("refuses an unknown time zone", () => {
    expect(() => todayIn("Mars/Olympus", moment)).toThrow(RangeError);
  });
});

describe("dateInputSchema", () => {
  it("turns a date argument into a date input", () => {
    expect(dateInputSchema.parse("14.3.2034")).toEqual({ kind: "absolute", date: "2034-03-14" });
    expect(dateInputSchema.parse("today")).toEqual({ kind: "relative", offsetDays: 0, word: "today" });
  });

  it("reports an impossible date with the parser's message", () => {
    const result = dateInputSchema.safeParse("31.2.2034");
    expect(result.error?.issues[0]?.message).toContain("February 2034 has 28 days");
  });
});
