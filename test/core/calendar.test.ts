import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import {
  addWorkingMinutes,
  createWorkingCalendar,
  deadlineEnd,
  formatLocalTime,
  isWorkingDay,
  isWorkingTime,
  nextWorkingStart,
  toLocalDateTime,
  workingDaysBetween,
  workingMinutesBetween,
  zonedInstant,
} from "../../src/core/calendar.js";

// Instants are written with explicit offsets so the expectations do not depend on the code under test.
// Zurich is +01:00 in winter and +02:00 in summer; in 2034 clocks go forward on Sunday 26 March and
// back on Sunday 29 October.
const at = (text: string): Date => new Date(text);

const zurich = createWorkingCalendar({ timeZone: "Europe/Zurich" });
const zurichWithHoliday = createWorkingCalendar({ timeZone: "Europe/Zurich", holidays: ["2034-03-13"] });

describe("createWorkingCalendar", () => {
  it("defaults to Monday to Friday, 09:00-17:00 UTC, eight hours a day", () => {
    const calendar = createWorkingCalendar();
    expect(calendar.timeZone).toBe("UTC");
    expect([...calendar.workingWeekdays]).toEqual(["mon", "tue", "wed", "thu", "fri"]);
    expect(calendar.dayStartMinute).toBe(9 * 60);
    expect(calendar.dayEndMinute).toBe(17 * 60);
    expect(calendar.minutesPerDay).toBe(480);
  });

  it("takes the window from dayStart and hoursPerDay, or from dayStart and dayEnd", () => {
    expect(createWorkingCalendar({ dayStart: "08:30", hoursPerDay: 6 }).dayEndMinute).toBe(14 * 60 + 30);
    expect(createWorkingCalendar({ dayStart: "08:00", dayEnd: "16:30" }).minutesPerDay).toBe(510);
  });

  it.each([
    [{ timeZone: "Mars/Olympus" }, "calendar.timeZone: must be an IANA time zone such as Europe/Zurich"],
    [{ dayStart: "9" }, "calendar.dayStart: must be a time of day such as 09:00"],
    [{ workingWeekdays: [] }, "calendar.workingWeekdays: must name at least one working weekday"],
    [{ holidays: ["14.3.2034"] }, "calendar.holidays.0: must be a date such as 2034-03-14"],
    [{ holidays: ["2034-02-30"] }, "calendar.holidays.0: must be a date such as 2034-03-14"],
    [{ dayStart: "20:00", hoursPerDay: 8 }, "calendar.hoursPerDay: the working window must end by 24:00"],
    [{ dayStart: "09:00", dayEnd: "08:00" }, "calendar.dayEnd: must be after dayStart"],
    [{ dayStart: "09:00", dayEnd: "17:00", hoursPerDay: 7 }, "calendar.dayEnd: disagrees with hoursPerDay; give one of them"],
  ])("refuses %j with a message naming the setting", (input, message) => {
    expect(() => createWorkingCalendar(input)).toThrow(ConfigError);
    expect(() => createWorkingCalendar(input)).toThrow(message);
  });
});

describe("workingMinutesBetween", () => {
  it.each([
    ["within one day", zurich, "2034-03-14T10:00+01:00", "2034-03-14T12:30+01:00", 150],
    ["clipped to the working window", zurich, "2034-03-14T07:00+01:00", "2034-03-14T19:00+01:00", 480],
    ["outside working hours", zurich, "2034-03-14T18:00+01:00", "2034-03-15T08:00+01:00", 0],
    ["over a weekend", zurich, "2034-03-10T16:00+01:00", "2034-03-13T10:00+01:00", 120],
    ["over a weekend and a Monday holiday", zurichWithHoliday, "2034-03-10T16:00+01:00", "2034-03-14T10:00+01:00", 120],
    ["a whole working week", zurich, "2034-03-13T00:00+01:00", "2034-03-20T00:00+01:00", 2400],
    ["over the spring-forward weekend", zurich, "2034-03-24T16:00+01:00", "2034-03-27T10:00+02:00", 120],
    ["over the fall-back weekend", zurich, "2034-10-27T16:00+02:00", "2034-10-30T10:00+01:00", 120],
    ["backwards, as a negative number", zurich, "2034-03-13T10:00+01:00", "2034-03-10T16:00+01:00", -120],
  ])("counts %s", (_name, calendar, from, to, minutes) => {
    expect(workingMinutesBetween(calendar, at(from), at(to))).toBe(minutes);
  });

  it("counts the real length of a working window that contains a clock change", () => {
    // A night shift 00:00-08:00 on Sundays: 7 real hours when clocks go forward, 9 when they go back.
    const nights = createWorkingCalendar({ timeZone: "Europe/Zurich", workingWeekdays: ["sun"], dayStart: "00:00", hoursPerDay: 8 });
    expect(workingMinutesBetween(nights, at("2034-03-26T00:00+01:00"), at("2034-03-27T00:00+02:00"))).toBe(7 * 60);
    expect(workingMinutesBetween(nights, at("2034-10-29T00:00+02:00"), at("2034-10-30T00:00+01:00"))).toBe(9 * 60);
  });
});

describe("addWorkingMinutes", () => {
  it.each([
    ["within one day", zurich, "2034-03-14T10:00+01:00", 90, "2034-03-14T11:30+01:00"],
    ["to the close of the day, not the next morning", zurich, "2034-03-14T13:00+01:00", 240, "2034-03-14T17:00+01:00"],
    ["from Friday afternoon into Monday", zurich, "2034-03-10T16:00+01:00", 120, "2034-03-13T10:00+01:00"],
    ["from a Saturday", zurich, "2034-03-11T12:00+01:00", 60, "2034-03-13T10:00+01:00"],
    ["skipping a holiday", zurichWithHoliday, "2034-03-10T16:00+01:00", 120, "2034-03-14T10:00+01:00"],
    ["over a whole week", zurich, "2034-03-13T09:00+01:00", 2400, "2034-03-17T17:00+01:00"],
    ["into the first Monday of summer time", zurich, "2034-03-24T16:00+01:00", 120, "2034-03-27T10:00+02:00"],
    ["into the first Monday of winter time", zurich, "2034-10-27T16:00+02:00", 120, "2034-10-30T10:00+01:00"],
    ["nothing, outside working time", zurich, "2034-03-11T12:00+01:00", 0, "2034-03-11T12:00+01:00"],
  ])("adds %s", (_name, calendar, from, minutes, expected) => {
    expect(addWorkingMinutes(calendar, at(from), minutes).toISOString()).toBe(at(expected).toISOString());
  });

  it("is the inverse of workingMinutesBetween", () => {
    const from = at("2034-03-22T11:17+01:00");
    for (const minutes of [1, 59, 480, 1000, 4321]) {
      expect(workingMinutesBetween(zurich, from, addWorkingMinutes(zurich, from, minutes))).toBe(minutes);
    }
  });

  it("refuses a negative amount", () => {
    expect(() => addWorkingMinutes(zurich, at("2034-03-14T10:00+01:00"), -5)).toThrow(RangeError);
  });
});

describe("isWorkingTime", () => {
  it.each([
    ["09:00 on a Tuesday", zurich, "2034-03-14T09:00+01:00", true],
    ["16:59 on a Tuesday", zurich, "2034-03-14T16:59+01:00", true],
    ["17:00 on a Tuesday (the window closes)", zurich, "2034-03-14T17:00+01:00", false],
    ["08:59 on a Tuesday", zurich, "2034-03-14T08:59+01:00", false],
    ["noon on a Saturday", zurich, "2034-03-11T12:00+01:00", false],
    ["noon on a holiday", zurichWithHoliday, "2034-03-13T12:00+01:00", false],
    ["09:00 summer time on the Monday after the change", zurich, "2034-03-27T07:00Z", true],
    ["08:59 summer time on the Monday after the change", zurich, "2034-03-27T06:59Z", false],
  ])("says %s is %s", (_name, calendar, instant, expected) => {
    expect(isWorkingTime(calendar, at(instant))).toBe(expected);
  });
});

describe("nextWorkingStart", () => {
  it.each([
    ["the instant itself during work", "2034-03-14T10:15+01:00", "2034-03-14T10:15+01:00"],
    ["the same morning before work", "2034-03-14T06:00+01:00", "2034-03-14T09:00+01:00"],
    ["Monday morning after a Friday evening", "2034-03-10T18:00+01:00", "2034-03-13T09:00+01:00"],
    ["Monday 09:00 summer time across the change", "2034-03-24T18:00+01:00", "2034-03-27T09:00+02:00"],
  ])("gives %s", (_name, from, expected) => {
    expect(nextWorkingStart(zurich, at(from)).toISOString()).toBe(at(expected).toISOString());
  });
});

describe("workingDaysBetween", () => {
  it.each([
    ["the same day", zurich, "2034-03-14T09:00+01:00", "2034-03-14T16:00+01:00", 0],
    ["Friday to Monday", zurich, "2034-03-10T16:00+01:00", "2034-03-13T09:00+01:00", 1],
    ["Monday to Wednesday", zurich, "2034-03-13T16:00+01:00", "2034-03-15T09:00+01:00", 2],
    ["Friday to Tuesday over a Monday holiday", zurichWithHoliday, "2034-03-10T12:00+01:00", "2034-03-14T12:00+01:00", 1],
    ["Wednesday back to Monday", zurich, "2034-03-15T09:00+01:00", "2034-03-13T16:00+01:00", -2],
    // 23:30 UTC on Monday is already Tuesday in Zurich.
    ["by local dates, not UTC dates", zurich, "2034-03-13T12:00+01:00", "2034-03-13T23:30Z", 1],
  ])("counts %s", (_name, calendar, from, to, days) => {
    expect(workingDaysBetween(calendar, at(from), at(to))).toBe(days);
  });
});

describe("deadlineEnd", () => {
  it.each([
    ["a winter date at 17:00 CET", "2034-03-14", "2034-03-14T16:00Z"],
    ["the first summer Monday at 17:00 CEST", "2034-03-27", "2034-03-27T15:00Z"],
    ["the last summer Friday at 17:00 CEST", "2034-10-27", "2034-10-27T15:00Z"],
    ["the first winter Monday at 17:00 CET", "2034-10-30", "2034-10-30T16:00Z"],
  ])("ends %s", (_name, date, expected) => {
    expect(deadlineEnd(zurich, date).toISOString()).toBe(at(expected).toISOString());
  });

  it("leaves as much working time for a Sunday deadline as for the Friday before", () => {
    const now = at("2034-03-08T12:00+01:00");
    expect(workingMinutesBetween(zurich, now, deadlineEnd(zurich, "2034-03-12"))).toBe(
      workingMinutesBetween(zurich, now, deadlineEnd(zurich, "2034-03-10")),
    );
  });

  it("refuses a date that is not ISO", () => {
    expect(() => deadlineEnd(zurich, "14.3.2034")).toThrow('"14.3.2034" is not a date such as 2034-03-14');
  });
});

describe("local time helpers", () => {
  it("maps a wall time skipped by spring forward to the moment of the change", () => {
    expect(zonedInstant("Europe/Zurich", "2034-03-26", 2 * 60 + 30).toISOString()).toBe("2034-03-26T01:00:00.000Z");
  });

  it("maps a wall time repeated by fall back to its first pass", () => {
    expect(zonedInstant("Europe/Zurich", "2034-10-29", 2 * 60 + 30).toISOString()).toBe("2034-10-29T00:30:00.000Z");
  });

  it("reads the local date, time and weekday", () => {
    expect(toLocalDateTime(at("2034-03-13T23:30Z"), "Europe/Zurich")).toMatchObject({ date: "2034-03-14", time: "00:30", weekday: "tue" });
  });

  it("writes an instant as people read it in their time zone", () => {
    expect(formatLocalTime(at("2034-03-13T23:30Z"), "Europe/Zurich")).toBe("Tue 14.3. 00:30");
    expect(formatLocalTime(at("2034-03-13T23:30Z"), "America/New_York")).toBe("Mon 13.3. 19:30");
  });

  it("knows weekends and holidays are not working days", () => {
    expect(isWorkingDay(zurichWithHoliday, "2034-03-13")).toBe(false);
    expect(isWorkingDay(zurichWithHoliday, "2034-03-11")).toBe(false);
    expect(isWorkingDay(zurichWithHoliday, "2034-03-14")).toBe(true);
  });
});
