import { describe, expect, it } from "vitest";
import { createWorkingCalendar } from "../../src/core/calendar.js";
import {
  assessDeadlineRisk,
  compareRiskSeverity,
  hasRiskWorsened,
  RISK_STATES,
  type OpenBugWork,
  type RiskState,
} from "../../src/core/deadline-risk.js";

// March 2034 in Zurich (+01:00): Fri 10, Sat 11, Sun 12, Mon 13, Tue 14, Wed 15.
const at = (text: string): Date => new Date(text);
const calendar = createWorkingCalendar({ timeZone: "Europe/Zurich" });
const monday9 = at("2034-03-13T09:00+01:00");
const freshEstimate = monday9;

function bug(bugId: number, workLeftMinutes: number, deadline: string, lastEstimateUpdate = freshEstimate): OpenBugWork {
  return { bugId, workLeftMinutes, deadline, lastEstimateUpdate };
}

describe("assessDeadlineRisk", () => {
  it("flags a bug that fits alone but not after an earlier-due bug of the same developer", () => {
    // Until Tue 17:00 16h are left, until Wed 17:00 24h. #15 alone (14h) would fit; after #12 (12h) it needs 26h.
    const risks = assessDeadlineRisk({ bugs: [bug(15, 14 * 60, "2034-03-15"), bug(12, 12 * 60, "2034-03-14")], calendar, now: monday9 });
    expect(risks).toEqual([
      expect.objectContaining({
        bugId: 12,
        state: "ok",
        workingMinutesLeft: 960,
        cumulativeDemandMinutes: 720,
        shortfallMinutes: 0,
        reason: "needs 12h by 14.3.2034, and 16h of working time are left",
      }),
      expect.objectContaining({
        bugId: 15,
        state: "at-risk",
        workingMinutesLeft: 1440,
        cumulativeDemandMinutes: 1560,
        shortfallMinutes: 120,
        dueEarlier: [12],
        reason: "needs 26h by 15.3.2034 counting #12 due earlier, but only 24h of working time are left",
      }),
    ]);
    expect(assessDeadlineRisk({ bugs: [bug(15, 14 * 60, "2034-03-15")], calendar, now: monday9 })[0]?.state).toBe("ok");
  });

  it("names every earlier bug it counted", () => {
    const shortDays = createWorkingCalendar({ timeZone: "Europe/Zurich", hoursPerDay: 4 });
    const risks = assessDeadlineRisk({
      bugs: [bug(20, 8 * 60, "2034-03-14"), bug(15, 60, "2034-03-13"), bug(12, 3 * 60, "2034-03-13")],
      calendar: shortDays,
      now: monday9,
    });
    expect(risks.map((risk) => [risk.bugId, risk.state])).toEqual([
      [12, "ok"],
      [15, "ok"],
      [20, "at-risk"],
    ]);
    expect(risks[2]?.reason).toBe("needs 12h by 14.3.2034 counting #12 and #15 due earlier, but only 8h of working time are left");
  });

  it("counts bugs due the same day against each other, whatever their ids", () => {
    const risks = assessDeadlineRisk({ bugs: [bug(8, 10 * 60, "2034-03-14"), bug(7, 10 * 60, "2034-03-14")], calendar, now: monday9 });
    expect(risks.map((risk) => [risk.bugId, risk.state, risk.cumulativeDemandMinutes])).toEqual([
      [7, "at-risk", 1200],
      [8, "at-risk", 1200],
    ]);
    expect(risks[0]?.reason).toBe("needs 20h by 14.3.2034 counting #8 due the same day, but only 16h of working time are left");
  });

  it("marks a passed deadline overdue and still counts its work before later bugs", () => {
    const risks = assessDeadlineRisk({ bugs: [bug(3, 2 * 60, "2034-03-10"), bug(4, 7 * 60, "2034-03-13")], calendar, now: monday9 });
    expect(risks[0]).toMatchObject({
      bugId: 3,
      state: "overdue",
      workingMinutesLeft: 0,
      shortfallMinutes: 120,
      reason: "the deadline 10.3.2034 has passed with 2h of work left",
    });
    expect(risks[1]).toMatchObject({ bugId: 4, state: "at-risk", cumulativeDemandMinutes: 540, workingMinutesLeft: 480 });
  });

  it.each([
    ["one minute before the day's close", "2034-03-14T16:59+01:00", "ok"],
    ["at the day's close", "2034-03-14T17:00+01:00", "overdue"],
  ])("treats a deadline day %s as %s", (_name, now, state) => {
    expect(assessDeadlineRisk({ bugs: [bug(1, 0, "2034-03-14", at(now))], calendar, now: at(now) })[0]?.state).toBe(state);
  });

  it("says no working time is left for a Sunday deadline seen on Saturday", () => {
    const saturday = at("2034-03-11T12:00+01:00");
    const [risk] = assessDeadlineRisk({ bugs: [bug(9, 60, "2034-03-12", saturday)], calendar, now: saturday });
    expect(risk).toMatchObject({ state: "at-risk", workingMinutesLeft: 0, reason: "needs 1h by 12.3.2034, but no working time is left" });
  });

  it("leaves out holidays from the working time left", () => {
    const withHoliday = createWorkingCalendar({ timeZone: "Europe/Zurich", holidays: ["2034-03-13"] });
    const [risk] = assessDeadlineRisk({ bugs: [bug(5, 10 * 60, "2034-03-14")], calendar: withHoliday, now: monday9 });
    expect(risk).toMatchObject({ state: "at-risk", workingMinutesLeft: 480, shortfallMinutes: 120 });
  });

  it.each([
    ["exactly three working days ago", "2034-03-08T09:00+01:00", undefined, true],
    ["a minute less than three working days ago", "2034-03-08T09:01+01:00", undefined, false],
    ["last Friday (the weekend does not count)", "2034-03-10T10:00+01:00", undefined, false],
    ["last Friday with a one-day limit", "2034-03-10T09:00+01:00", 1, true],
  ])("calls an estimate updated %s stale: %s", (_name, updated, staleAfterWorkingDays, stale) => {
    const [risk] = assessDeadlineRisk({ bugs: [bug(6, 60, "2034-03-31", at(updated))], calendar, now: monday9, staleAfterWorkingDays });
    expect(risk?.state).toBe(stale ? "stale" : "ok");
    expect(risk?.stale).toBe(stale);
  });

  it("says how long a stale estimate was left alone", () => {
    const [risk] = assessDeadlineRisk({ bugs: [bug(6, 60, "2034-03-31", at("2034-03-08T09:00+01:00"))], calendar, now: monday9 });
    expect(risk?.reason).toBe("needs 1h by 31.3.2034, and 120h of working time are left; the estimate was not updated for 3 working days");
  });

  it("reports the worse state but keeps the stale flag when an at-risk bug is also stale", () => {
    const [risk] = assessDeadlineRisk({ bugs: [bug(6, 20 * 60, "2034-03-14", at("2034-03-01T09:00+01:00"))], calendar, now: monday9 });
    expect(risk).toMatchObject({ state: "at-risk", stale: true });
  });

  it("returns nothing for a developer without open bugs", () => {
    expect(assessDeadlineRisk({ bugs: [], calendar, now: monday9 })).toEqual([]);
  });

  it.each([
    [bug(1, 60, "14.3.2034"), 'bug #1: deadline "14.3.2034" is not a date such as 2034-03-14'],
    [bug(2, -5, "2034-03-14"), "bug #2: work left must be 0 or more minutes, got -5"],
  ])("refuses malformed input %#", (input, message) => {
    expect(() => assessDeadlineRisk({ bugs: [input], calendar, now: monday9 })).toThrow(message);
  });
});

describe("risk severity", () => {
  it("orders ok < stale < at-risk < overdue", () => {
    const shuffled: RiskState[] = ["overdue", "ok", "at-risk", "stale"];
    expect(shuffled.sort(compareRiskSeverity)).toEqual([...RISK_STATES]);
  });

  it.each<[RiskState | undefined, RiskState, boolean]>([
    [undefined, "ok", false],
    [undefined, "stale", true],
    ["ok", "at-risk", true],
    ["stale", "overdue", true],
    ["at-risk", "stale", false],
    ["overdue", "overdue", false],
  ])("from %s to %s has worsened: %s", (previous, current, worsened) => {
    expect(hasRiskWorsened(previous, current)).toBe(worsened);
  });
});
