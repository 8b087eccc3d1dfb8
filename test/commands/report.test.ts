/**
 * `report week` over a seeded journal and mirror: the figures worked out by hand (working time
 * Mon-Fri 09:00-17:00 UTC, a day has 480 minutes), the chart as a PNG of the right size and
 * colours, and who may ask for it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVegaChartRenderer, STAGE_COLOURS } from "../../src/charts/vega-chart-renderer.js";
import type { Stage } from "../../src/core/stages.js";
import type { TicketState } from "../../src/core/ticket.js";
import type { DispatchResult } from "../../src/framework/dispatcher.js";
import type { MirrorRow } from "../../src/store/mirror-repo.js";
import { startHarness, type Harness } from "../support/harness.js";
import { decodePng, isColour, notWhite } from "../support/png-pixels.js";

const at = (utc: string): Date => new Date(`${utc}Z`);
// Monday 30 November 2026: the report covers Mon 23.11.-Sun 29.11.2026, against 16.11.-22.11.
const MONDAY = at("2026-11-30T09:00");

let h: Harness;

async function step(bugId: number, when: string, actor: string, command: string, stage?: Stage, details: Record<string, unknown> = {}): Promise<void> {
  await h.store.journal.append({ bugId, at: at(when), actor, action: command, command, details: { ...details, ...(stage ? { change: { stage } } : {}) } });
}

const state = (key: string, stages: [Stage, ...Stage[]], open: boolean): TicketState => ({ key, label: key.toUpperCase(), stages, open });

async function mirror(id: number, fields: { summary: string; createdAt: string; state: TicketState; statusSince: string }): Promise<void> {
  const created = at(fields.createdAt);
  const row: MirrorRow = {
    id,
    status: fields.state.key,
    state: fields.state,
    priority: "normal",
    summary: fields.summary,
    tags: [],
    private: false,
    createdAt: created,
    updatedAt: at(fields.statusSince),
    statusSince: at(fields.statusSince),
    tagChangedAt: created,
    seenAt: MONDAY,
    announced: true,
  };
  await h.store.mirror.save(row);
}

beforeAll(async () => {
  h = await startHarness({ now: MONDAY, charts: createVegaChartRenderer({ width: 1000 }) });
  // 101, a call: filed Mon 09:00, triaged 10:30 (90), alice's feedback 14:30 (240), confirmed Tue 10:00
  // (480 + 60 = 540), resolved Wed 16:00 (480 + 480 + 420 = 1380), by its deadline that day.
  await step(101, "2026-11-23T09:00", "manager", "call", undefined, { origin: "call" });
  await step(101, "2026-11-23T10:30", "manager", "triage", "feedback");
  await step(101, "2026-11-23T14:30", "alice", "feedback", "timeline");
  await step(101, "2026-11-24T10:00", "manager", "confirm", "confirmed");
  await step(101, "2026-11-24T11:00", "alice", "start", "in-work");
  await step(101, "2026-11-25T16:00", "carol", "notify", "resolved");
  await h.store.bugProcess.update(101, { origin: "call", deadline: "2026-11-25" });
  // 102, an e-mail: filed Tue 13:00, grabbed by bob 15:00 (120), his feedback Thu 11:00 (120 + 480 + 120 = 720).
  await step(102, "2026-11-24T13:00", "carol", "file", undefined, { origin: "email" });
  await step(102, "2026-11-24T15:00", "bob", "grab", "feedback");
  await step(102, "2026-11-26T11:00", "bob", "feedback", "timeline");
  await h.store.bugProcess.update(102, { origin: "email" });
  // 103, from the tracker, filed the Friday before at 16:00, triaged Mon 09:30 (60 + 30 = 90); its deadline passes open.
  await mirror(103, { summary: "Exchange rejects deposit", createdAt: "2026-11-20T16:00", state: state("feedback", ["feedback", "review"], true), statusSince: "2026-11-23T09:30" });
  await step(103, "2026-11-23T09:30", "manager", "triage", "feedback");
  await h.store.bugProcess.update(103, { stage: "feedback", deadline: "2026-11-27" });
  // 104, from the tracker, resolved there by hand: filed Wed 09:00, resolved Thu 09:00 (480); the journal knows nothing.
  await mirror(104, { summary: "Typo in the footer", createdAt: "2026-11-25T09:00", state: state("resolved", ["resolved"], false), statusSince: "2026-11-26T09:00" });
  await h.store.mirror.setLastPoll(MONDAY);
});

afterAll(async () => {
  await h.close();
});

const text = (result: DispatchResult): string => (result.kind === "ok" ? result.reply.text : `${result.kind}: ${result.reply.text}`);

describe("report", () => {
  let result: DispatchResult;
  beforeAll(async () => {
    result = await h.run("manager", "report week");
  });

  it("counts bugs in and out by source and gives the medians and 90th percentiles worked out by hand", () => {
    expect(result.kind).toBe("ok");
    const lines = text(result).split("\n");
    expect(lines.slice(0, 2)).toEqual([
      "#### Support report, week 23.11.–29.11.2026",
      "_Compared with week 16.11.–22.11.2026. Times are working time (mon-fri 09:00-17:00, UTC): median and 90th percentile._",
    ]);
    expect(lines).toContain("**Bugs in: 3** (the week before 1, +2) · call 1 · e-mail 1 · tracker 1");
    expect(lines).toContain("**Bugs out: 2** (the week before 0, +2) · call 1 · tracker 1");
    // Triage 90, 120, 90, and 480 for 104 (it left triage when resolved by hand): median (90 + 120) / 2 = 105,
    // 90th percentile 120 + 0.7 * (480 - 120) = 372.
    expect(lines).toContain("| to triage (filed → developer set) | 4 | 1h45m | 6h12m | – | – |");
    // Feedback 240 and 720: median 480 (one working day), 90th percentile 240 + 0.9 * 480 = 672.
    expect(lines).toContain("| to feedback (developer's analysis) | 2 | 1d | 1d3h12m | – | – |");
    expect(lines).toContain('| to confirmed ("investigating" sent) | 1 | 1d1h | 1d1h | – | – |');
    // Resolution 1380 and 480: median 930, 90th percentile 480 + 0.9 * 900 = 1290.
    expect(lines).toContain("| to resolution | 2 | 1d7h30m | 2d5h30m | – | – |");
    expect(lines).toContain("| alice | 1 | 4h | 4h | – |");
    expect(lines).toContain("| bob | 1 | 1d4h | 1d4h | – |");
    expect(lines).toContain("**Deadlines met: 1 of 2 (50%)** (the week before: none due)");
  });

  it("lists the open bugs that waited longest at the end of the week, with their links", () => {
    const waiting = text(result).split("**Waiting longest at the end of the week**\n")[1]!.split("\n");
    expect(waiting).toEqual([
      // 103 waits for alice's feedback since Mon 09:30: 450 + 4 * 480 = 2370.
      `- [#103](${h.port.ticketUrl(103)}) Exchange rejects deposit · waits for developer feedback · 4d7h30m`,
      // 102 waits for a timeline since Thu 11:00: 360 + 480 = 840.
      `- [#102](${h.port.ticketUrl(102)}) · waits for a timeline (the developer's feedback is in) · 1d6h`,
    ]);
  });

  it("carries the chart: a PNG of the renderer's width, with the queue's stages in their colours", () => {
    const image = result.kind === "ok" ? result.reply.image : undefined;
    expect(image).toMatchObject({ name: "support-report-2026-11-23.png", width: 1000 });
    const pixels = decodePng(image!.png);
    expect([pixels.width, pixels.height]).toEqual([1000, image!.height]);
    expect(pixels.height).toBeGreaterThan(500);
    expect(pixels.count(notWhite)).toBeGreaterThan(pixels.width * pixels.height * 0.1);
    // Feedback (103 all week, 102 from Tuesday) and timeline (101 Monday, 102 from Thursday) have bars.
    expect(pixels.count(isColour(STAGE_COLOURS.feedback))).toBeGreaterThan(5_000);
    expect(pixels.count(isColour(STAGE_COLOURS.timeline))).toBeGreaterThan(2_000);
  });

  it("reports a month and refuses other periods and people who are not management", async () => {
    expect(text(await h.run("manager", "report month"))).toMatch(/^#### Support report, October 2026\n_Compared with September 2026\./);
    expect(text(await h.run("manager", "report year"))).toMatch(/say week or month/);
    expect((await h.run("alice", "report")).kind).toBe("refused");
  });
});
