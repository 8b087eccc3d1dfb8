import { describe, expect, it } from "vitest";
import {
  DURATION_HELP,
  durationSchema,
  durationToMinutes,
  formatDuration,
  parseDuration,
  parseDurationMinutes,
} from "../../src/core/duration.js";

const H = 60;
const D = 8 * H;
const W = 5 * D;

describe("parseDurationMinutes", () => {
  it.each([
    ["30m", 30],
    ["4h", 4 * H],
    ["2d", 2 * D],
    ["1w", W],
    ["1d4h", D + 4 * H],
    ["1w2d3h15m", W + 2 * D + 3 * H + 15],
    ["1.5h", 90],
    ["0.5d", 4 * H],
    ["1.25h", 75],
    ["0.125d", H],
    ["4H", 4 * H],
    ["1D4H", D + 4 * H],
    [" 4h ", 4 * H],
    ["1d 4h", D + 4 * H],
    ["4 h", 4 * H],
    ["4 hours", 4 * H],
    ["1 hour 30 minutes", 90],
    ["2 days", 2 * D],
    ["1 week", W],
    ["3wks", 3 * W],
    ["45min", 45],
    ["2hrs", 2 * H],
    ["30m4h", 4 * H + 30],
    ["0", 0],
    ["0h", 0],
    ["0m", 0],
    ["\u00a04h\u00a0", 4 * H],
    ["9999m", 9999],
    ["0.001m", 0],
    ["0.9m", 1],
  ])("reads %j as %i minutes", (text, minutes) => {
    expect(parseDurationMinutes(text)).toEqual({ ok: true, value: minutes });
  });

  it.each([
    [7.5, "1d", 450],
    [7.5, "1w", 5 * 450],
    [6, "2d", 12 * H],
    [24, "1d", 24 * H],
  ])("uses a working day of %f hours: %s is %i minutes", (workdayHours, text, minutes) => {
    expect(parseDurationMinutes(text, { workdayHours })).toEqual({ ok: true, value: minutes });
  });

  it.each([
    ["", "The work estimate is empty."],
    ["   ", "The work estimate is empty."],
    ["4", "the unit is missing (did you mean 4h?)"],
    ["1.5", "the unit is missing (did you mean 1.5h?)"],
    ["4x", "unknown unit `x`"],
    ["4 hours please", "cannot read `please`"],
    ["1,5h", "use a dot for decimals (1.5h)"],
    ["-4h", "it is negative"],
    ["4h4h", "the unit h appears twice"],
    ["1h 2hours", "the unit h appears twice"],
    ["1h30", "the last number `30` has no unit"],
    ["h", "cannot read `h`"],
    ["4h-2m", "cannot read `-2m`"],
    ["12345m", "numbers may have at most 4 digits"],
    ["1.2345h", "numbers may have at most 3 decimals"],
    ["four hours", "cannot read `four hours`"],
    ["４h", "cannot read `４h`"],
    ["4ч", "unknown unit `ч`"],
    [".5h", "cannot read `.5h`"],
    ["4h;", "cannot read `;`"],
    ["1e3m", "unknown unit `e`"],
    ["Infinity", "cannot read `Infinity`"],
    ["NaN h", "cannot read `NaN h`"],
    ["x".repeat(41), "longer than 40 characters"],
  ])("refuses %j, saying %j", (text, problem) => {
    const parsed = parseDurationMinutes(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toContain(problem);
    expect(parsed.error).toContain(DURATION_HELP);
  });

  it("quotes hostile input without letting it close the code span", () => {
    const parsed = parseDuration("4`**x**`h");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.startsWith("`4'**x**'h` is not a work estimate")).toBe(true);
  });
});

describe("parseDuration", () => {
  it("keeps the units as written so the working-day length can be applied later", () => {
    expect(parseDuration("1w2d3.5h15m")).toEqual({ ok: true, value: { weeks: 1, days: 2, hours: 3.5, minutes: 15 } });
  });
});

describe("durationToMinutes", () => {
  it("rejects a working day that is not between 0 and 24 hours", () => {
    expect(() => durationToMinutes({ weeks: 0, days: 1, hours: 0, minutes: 0 }, { workdayHours: 0 })).toThrow(RangeError);
    expect(() => durationToMinutes({ weeks: 0, days: 1, hours: 0, minutes: 0 }, { workdayHours: 25 })).toThrow(RangeError);
    expect(() => durationToMinutes({ weeks: 0, days: 1, hours: 0, minutes: 0 }, { workdayHours: Number.NaN })).toThrow(RangeError);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0h"],
    [30, "30m"],
    [60, "1h"],
    [90, "1h30m"],
    [4 * H, "4h"],
    [D, "1d"],
    [D + 2 * H, "1d2h"],
    [W, "1w"],
    [W + D, "1w1d"],
    [W + 2 * D + 3 * H + 15, "1w2d3h15m"],
    [6 * D, "1w1d"],
    [D + 1, "1d1m"],
    [29.6, "30m"],
    [0.4, "0h"],
    [-90, "-1h30m"],
    [-D, "-1d"],
  ])("writes %f minutes as %s", (minutes, text) => {
    expect(formatDuration(minutes)).toBe(text);
  });

  it.each([
    [7.5, 450, "1d"],
    [7.5, 480, "1d30m"],
    [6, 8 * H, "1d2h"],
    [24, 24 * H, "1d"],
  ])("with a %f-hour working day writes %i minutes as %s", (workdayHours, minutes, text) => {
    expect(formatDuration(minutes, { workdayHours })).toBe(text);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])("refuses %f", (minutes) => {
    expect(() => formatDuration(minutes)).toThrow(RangeError);
  });

  it.each(["30m", "4h", "1d2h", "1w", "1w1d7h59m", "0h"])("reads back what it writes: %s", (text) => {
    const minutes = parseDurationMinutes(text);
    expect(minutes.ok && formatDuration(minutes.value)).toBe(text);
  });
});

describe("durationSchema", () => {
  it("turns a valid estimate into its units", () => {
    expect(durationSchema.parse("1d4h")).toEqual({ weeks: 0, days: 1, hours: 4, minutes: 0 });
  });

  it("reports a bad estimate as one issue with the parser's message", () => {
    const result = durationSchema.safeParse("4x");
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.message).toContain("unknown unit `x`");
  });
});
