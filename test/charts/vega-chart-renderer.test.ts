import { Resvg } from "@resvg/resvg-js";
import { beforeAll, describe, expect, it } from "vitest";
import { createWorkingCalendar } from "../../src/core/calendar.js";
import { buildProcessReport, type ProcessReport, type ReportBug } from "../../src/core/process-report.js";
import { ANSWER_COLOURS, createVegaChartRenderer, reportChartSvg, STAGE_COLOURS } from "../../src/charts/vega-chart-renderer.js";
import type { PngImage } from "../../src/process/report-chart.js";
import { decodePng, isColour, notWhite, textDark, type DecodedPng } from "../support/png-pixels.js";

const calendar = createWorkingCalendar({ timeZone: "Europe/Zurich", dayStart: "09:00", dayEnd: "17:00" });
const at = (local: string): Date => new Date(`${local}+01:00`);

// The week of 6.3.2034: bug 1 goes from triage to work, bug 2 waits for triage from Friday on, and
// bug 3 was confirmed the week before (two weeks with a first answer).
const bugs: ReportBug[] = [
  {
    id: 1,
    summary: "Wallet crashes",
    source: "call",
    createdAt: at("2034-03-06T09:00"),
    events: [
      { at: at("2034-03-06T10:00"), stage: "feedback", actor: "manager" },
      { at: at("2034-03-06T13:00"), stage: "timeline", actor: "alice" },
      { at: at("2034-03-07T10:00"), stage: "confirmed", actor: "manager" },
      { at: at("2034-03-08T10:00"), stage: "in-work", actor: "alice" },
    ],
  },
  { id: 2, summary: "Typo", source: "tracker", createdAt: at("2034-03-10T09:00"), events: [] },
  { id: 3, summary: "Old", source: "email", createdAt: at("2034-02-27T09:00"), events: [{ at: at("2034-02-28T09:00"), stage: "confirmed" }] },
];

describe("the report's chart", () => {
  let report: ProcessReport;
  let image: PngImage;
  let pixels: DecodedPng;

  beforeAll(async () => {
    report = buildProcessReport({ bugs, calendar, kind: "week", now: at("2034-03-13T09:00") });
    image = await createVegaChartRenderer({ width: 1200 }).reportChart(report);
    pixels = decodePng(image.png);
  });

  it("is a PNG of the width asked for, as high as the two panels need", () => {
    expect([pixels.width, pixels.height]).toEqual([image.width, image.height]);
    expect(pixels.width).toBe(1200);
    expect(pixels.height).toBeGreaterThan(600);
    expect(pixels.height).toBeLessThan(1000);
  });

  it("paints the queue's stages in their colours, large where bugs were and small (the legend) where none", () => {
    const area = pixels.width * pixels.height;
    expect(pixels.count(notWhite)).toBeGreaterThan(area * 0.1);
    // Bars: triage (bug 2, three days), timeline (Monday), confirmed (Tuesday), in work (Wednesday on).
    for (const stage of ["triage", "timeline", "confirmed", "in-work"] as const) {
      expect(pixels.count(isColour(STAGE_COLOURS[stage])), stage).toBeGreaterThan(5_000);
    }
    // No bug was in review: its colour is only the legend's swatch.
    const review = pixels.count(isColour(STAGE_COLOURS.review));
    expect(review).toBeGreaterThan(50);
    expect(review).toBeLessThan(1_000);
    // The first-answer lines (and their legend).
    expect(pixels.count(isColour(ANSWER_COLOURS.p90))).toBeGreaterThan(50);
  });

  it("sets its text in the packaged font, with no system font on the machine", async () => {
    // The first panel's title runs across the top of the picture.
    const titleStrip = { top: 0, bottom: Math.round(pixels.height * 0.07), right: Math.round(pixels.width * 0.7) };
    const withFont = pixels.count(textDark, titleStrip);
    expect(withFont).toBeGreaterThan(1_000);
    // The same picture without fonts has no text at all: the check above can fail.
    const bare = new Resvg(await reportChartSvg(report), { font: { loadSystemFonts: false }, fitTo: { mode: "width", value: 1200 }, background: "#ffffff" }).render();
    expect(decodePng(new Uint8Array(bare.asPng())).count(textDark, titleStrip)).toBe(0);
  });
});
