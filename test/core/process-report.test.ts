import { describe, expect, it } from "vitest";
import { createWorkingCalendar } from "../../src/core/calendar.js";
import {
  buildProcessReport,
  firstAnswerByWeek,
  formatProcessReport,
  percentile,
  reportPeriods,
  timeStats,
  type ReportBug,
  type StageEvent,
} from "../../src/core/process-report.js";
import type { Stage } from "../../src/core/stages.js";

// Working time Mon-Fri 09:00-17:00 in Zurich (+01:00 in March 2034, before the clocks change).
const calendar = createWorkingCalendar({ timeZone: "Europe/Zurich", dayStart: "09:00", dayEnd: "17:00" });
const at = (local: string): Date => new Date(`${local}+01:00`);
const step = (local: string, stage: Stage, actor?: string): StageEvent => ({ at: at(local), stage, ...(actor ? { actor } : {}) });
// Monday 13 March 2034, 09:00: the report covers Mon 6.3.-Sun 12.3., compared with 27.2.-5.3.
const now = at("2034-03-13T09:00");
const bugUrl = (id: number): string => `https://bugs.example/view.php?id=${id}`;

// Working minutes are worked out by hand in the comments (a day has 480).
const bugs: ReportBug[] = [
  {
    id: 1,
    summary: "Wallet crashes on start",
    source: "call",
    createdAt: at("2034-03-06T09:00"),
    events: [
      step("2034-03-06T10:00", "feedback", "manager"), // triage 60
      step("2034-03-06T13:00", "timeline", "alice"), // feedback 180 (alice)
      step("2034-03-07T10:00", "confirmed", "manager"), // confirm 480 + 60 = 540
      step("2034-03-08T09:00", "in-work", "alice"),
      step("2034-03-09T11:00", "resolved", "carol"), // resolution 3 * 480 + 120 = 1560
    ],
    deadline: "2034-03-09", // met: resolved 11:00, the day's window closes at 17:00
  },
  {
    id: 2,
    summary: "Refund *not* shown",
    source: "email",
    createdAt: at("2034-03-07T14:00"),
    events: [
      step("2034-03-07T16:00", "feedback", "manager"), // triage 120
      step("2034-03-08T11:00", "timeline", "bob"), // feedback 60 + 120 = 180 (bob)
      step("2034-03-08T14:00", "confirmed", "manager"), // confirm 180 + 300 = 480
    ],
    deadline: "2034-03-10", // missed: still open
  },
  {
    id: 3,
    summary: "Exchange rejects deposit",
    source: "tracker",
    createdAt: at("2034-03-03T16:00"), // Friday of the week before
    events: [
      step("2034-03-06T09:30", "feedback", "manager"), // triage 60 (Fri) + 30 = 90
      step("2034-03-06T15:30", "timeline", "alice"), // feedback 360 (alice)
    ],
  },
  { id: 4, summary: "Typo in footer", source: "tracker", createdAt: at("2034-03-10T15:00"), events: [] },
  {
    id: 5,
    summary: "Merchant backend timeout",
    source: "call",
    createdAt: at("2034-03-08T09:00"),
    events: [step("2034-03-08T13:00", "feedback", "manager")], // triage 240
  },
  {
    id: 6,
    summary: "Old crash",
    source: "team",
    createdAt: at("2034-02-27T09:00"),
    events: [
      step("2034-02-27T11:00", "feedback", "manager"), // triage 120, the week before
      step("2034-03-02T09:00", "closed", "manager"), // resolution 3 * 480 = 1440, the week before
    ],
    deadline: "2034-03-01", // the week before: missed (closed a day late)
  },
];

describe("percentile", () => {
  it.each([
    [[5], 50, 5],
    [[5], 90, 5],
    [[60, 90, 120, 240], 50, 105], // the mean of the middle two
    [[240, 60, 120, 90], 90, 204], // rank 2.7: 120 + 0.7 * (240 - 120)
    [[180, 180, 360], 90, 324], // rank 1.8: 180 + 0.8 * 180
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9.1],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0, 1],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 100, 10],
  ])("of %j at %d is %d", (values, p, expected) => {
    expect(percentile(values, p)).toBeCloseTo(expected, 10);
  });

  it("has no value for no times, and refuses a percentile outside 0-100", () => {
    expect(timeStats([])).toEqual({ count: 0 });
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe("reportPeriods", () => {
  it("takes the last complete week, Monday to Sunday, and the one before", () => {
    const { current, previous } = reportPeriods("week", at("2034-03-15T12:00"), "Europe/Zurich");
    expect([current.firstDate, current.lastDate, previous.firstDate, previous.lastDate]).toEqual(["2034-03-06", "2034-03-12", "2034-02-27", "2034-03-05"]);
    expect(current.start).toEqual(at("2034-03-06T00:00"));
    expect(current.end).toEqual(at("2034-03-13T00:00"));
  });

  it("takes the last complete month across a year's end", () => {
    const { current, previous } = reportPeriods("month", at("2034-01-02T08:00"), "Europe/Zurich");
    expect([current.firstDate, current.lastDate, previous.firstDate, previous.lastDate]).toEqual(["2033-12-01", "2033-12-31", "2033-11-01", "2033-11-30"]);
  });
});

describe("buildProcessReport", () => {
  const report = buildProcessReport({ bugs, calendar, kind: "week", now });

  it("counts bugs in and out by source", () => {
    expect(report.current.filed).toEqual({ call: 2, email: 1, tracker: 1, team: 0 });
    expect(report.current.resolved).toEqual({ call: 1, email: 0, tracker: 0, team: 0 });
    expect(report.previous.filed).toEqual({ call: 0, email: 0, tracker: 1, team: 1 });
    expect(report.previous.resolved).toEqual({ call: 0, email: 0, tracker: 0, team: 1 });
  });

  it("gives median and 90th percentile of each time in working minutes, counted where the time ends", () => {
    expect(report.current.triage).toEqual({ count: 4, median: 105, p90: expect.closeTo(204, 9) });
    expect(report.current.feedback).toEqual({ count: 3, median: 180, p90: expect.closeTo(324, 9) });
    expect(report.current.confirm).toEqual({ count: 2, median: 510, p90: expect.closeTo(534, 9) });
    expect(report.current.resolution).toEqual({ count: 1, median: 1560, p90: 1560 });
    expect(report.previous.triage).toEqual({ count: 1, median: 120, p90: 120 });
    expect(report.previous.resolution).toEqual({ count: 1, median: 1440, p90: 1440 });
  });

  it("gives the time to feedback per developer who gave it", () => {
    expect(report.current.feedbackByDeveloper).toEqual([
      { developer: "alice", stats: { count: 2, median: 270, p90: expect.closeTo(342, 9) } },
      { developer: "bob", stats: { count: 1, median: 180, p90: 180 } },
    ]);
  });

  it("judges the deadlines falling due in the period by the close of their day", () => {
    expect(report.current.deadlines).toEqual({ due: 2, met: 1 });
    expect(report.previous.deadlines).toEqual({ due: 1, met: 0 });
  });

  it("lists the open bugs that waited longest in their stage at the end of the period", () => {
    expect(report.longestWaiting.map((bug) => [bug.id, bug.stage, bug.waitedMinutes])).toEqual([
      [3, "timeline", 90 + 4 * 480],
      [5, "feedback", 240 + 2 * 480],
      [2, "confirmed", 180 + 2 * 480],
      [4, "triage", 120],
    ]);
  });

  it("counts the open queue by stage at the end of each day", () => {
    const day = (date: string) => Object.fromEntries(Object.entries(report.queueByDay.find((entry) => entry.date === date)!.counts).filter(([, count]) => count > 0));
    expect(report.queueByDay.map((entry) => entry.date)).toEqual(["2034-03-06", "2034-03-07", "2034-03-08", "2034-03-09", "2034-03-10", "2034-03-11", "2034-03-12"]);
    expect(day("2034-03-06")).toEqual({ timeline: 2 });
    expect(day("2034-03-07")).toEqual({ feedback: 1, timeline: 1, confirmed: 1 });
    expect(day("2034-03-08")).toEqual({ feedback: 1, timeline: 1, confirmed: 1, "in-work": 1 });
    expect(day("2034-03-09")).toEqual({ feedback: 1, timeline: 1, confirmed: 1 });
    expect(day("2034-03-12")).toEqual({ triage: 1, feedback: 1, timeline: 1, confirmed: 1 });
  });

  it("gives the time to first answer per week, oldest week first", () => {
    expect(report.firstAnswerByWeek).toHaveLength(8);
    expect(report.firstAnswerByWeek.at(-1)).toEqual({ weekStart: "2034-03-06", stats: { count: 2, median: 510, p90: expect.closeTo(534, 9) } });
    expect(report.firstAnswerByWeek.at(-2)).toEqual({ weekStart: "2034-02-27", stats: { count: 0 } });
    expect(firstAnswerByWeek(bugs, calendar, "2034-03-12", 2).map((week) => week.weekStart)).toEqual(["2034-02-27", "2034-03-06"]);
  });

  it("writes the report as Markdown with the change against the week before", () => {
    expect(formatProcessReport(report, { bugUrl })).toBe(
      [
        "#### Support report, week 6.3.–12.3.2034",
        "_Compared with week 27.2.–5.3.2034. Times are working time (mon-fri 09:00-17:00, Europe/Zurich): median and 90th percentile._",
        "",
        "**Bugs in: 4** (the week before 2, +2) · call 2 · e-mail 1 · tracker 1",
        "**Bugs out: 1** (the week before 1, ±0) · call 1",
        "",
        "| time | bugs | median | 90th pct. | median before | change |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        "| to triage (filed → developer set) | 4 | 1h45m | 3h24m | 2h | −15m |",
        "| to feedback (developer's analysis) | 3 | 3h | 5h24m | – | – |",
        '| to confirmed ("investigating" sent) | 2 | 1d30m | 1d54m | – | – |',
        "| to resolution | 1 | 3d2h | 3d2h | 3d | +2h |",
        "",
        "**Time to feedback per developer**",
        "| developer | bugs | median | 90th pct. | median before |",
        "| --- | ---: | ---: | ---: | ---: |",
        "| alice | 2 | 4h30m | 5h42m | – |",
        "| bob | 1 | 3h | 3h | – |",
        "",
        "**Deadlines met: 1 of 2 (50%)** (the week before: 0 of 1 (0%))",
        "",
        "**Waiting longest at the end of the week**",
        `- [#3](${bugUrl(3)}) Exchange rejects deposit · waits for a timeline (the developer's feedback is in) · 4d1h30m`,
        `- [#5](${bugUrl(5)}) Merchant backend timeout · waits for developer feedback · 2d4h`,
        `- [#2](${bugUrl(2)}) Refund \\*not\\* shown · waits for work to start · 2d3h`,
        `- [#4](${bugUrl(4)}) Typo in footer · waits for triage · 2h`,
      ].join("\n"),
    );
  });

  it("reports a month, and says so when nothing was due or waiting", () => {
    const month = buildProcessReport({ bugs: [], calendar, kind: "month", now });
    const text = formatProcessReport(month, { bugUrl });
    expect(text).toContain("#### Support report, February 2034\n_Compared with January 2034.");
    expect(text).toContain("**Bugs in: 0** (the month before 0, ±0)");
    expect(text).toContain("**Deadlines met: none due**");
    expect(text).toContain("No bug was waiting at the end of the period.");
    expect(month.queueByDay).toHaveLength(28);
  });
});
