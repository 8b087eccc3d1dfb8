import { afterEach, describe, expect, it } from "vitest";
import type { ProcessReport } from "../../src/core/process-report.js";
import type { ChartRenderer } from "../../src/process/report-chart.js";
import { startEngineHarness, type EngineHarness } from "./engine-harness.js";

let h: EngineHarness;
afterEach(async () => {
  await h.close();
});

// A stand-in for the renderer (drawing is tested in test/charts): the bytes must arrive as made.
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 254, 255]);
function fakeCharts(): ChartRenderer & { drawn: ProcessReport[] } {
  const drawn: ProcessReport[] = [];
  return { drawn, reportChart: async (report) => (drawn.push(report), { png, width: 800, height: 600 }) };
}

const reports = (channel = "management") => h.notifier.postsIn(channel).filter((post) => post.text.startsWith("#### Support report"));

async function runAt(iso: string): Promise<void> {
  h.at(iso);
  await h.engine.runOnce();
}

describe("weekly report", () => {
  it("posts last week's report with its chart on Monday at the summary time, once, also across a restart", async () => {
    const charts = fakeCharts();
    h = await startEngineHarness({ charts });
    await h.engine.runOnce(); // Thursday 26.11.: installed after this week's Monday, so nothing is owed
    expect(reports()).toEqual([]);

    await runAt("2026-11-30T08:59:00Z");
    expect(reports()).toEqual([]);
    await runAt("2026-11-30T09:00:00Z");
    expect(reports()).toHaveLength(1);
    const [report] = reports();
    expect(report!.text).toMatch(/^#### Support report, week 23\.11\.–29\.11\.2026\n/);
    expect(report!.image).toMatchObject({ name: "support-report-2026-11-23.png", width: 800, height: 600 });
    expect(report!.image!.png).toEqual(png);
    expect(charts.drawn.map((drawn) => drawn.current.period.firstDate)).toEqual(["2026-11-23"]);

    await runAt("2026-11-30T12:00:00Z");
    await h.restart();
    await runAt("2026-12-01T09:00:00Z");
    expect(reports()).toHaveLength(1);
  });

  it("sends a report missed on Monday later that week, and only the week's own", async () => {
    h = await startEngineHarness({ charts: fakeCharts() });
    await h.engine.runOnce();
    await runAt("2026-11-30T09:00:00Z");
    // Down from Monday 7.12. to Wednesday 9.12.
    await runAt("2026-12-09T14:00:00Z");
    expect(reports().map((post) => post.text.split("\n")[0])).toEqual(["#### Support report, week 23.11.–29.11.2026", "#### Support report, week 30.11.–6.12.2026"]);
  });

  it("goes as text when the chart cannot be drawn, and says so in the log", async () => {
    h = await startEngineHarness({ charts: { reportChart: async () => Promise.reject(new Error("no fonts")) } });
    await h.engine.runOnce();
    await runAt("2026-11-30T09:00:00Z");
    expect(reports()).toHaveLength(1);
    expect(reports()[0]!.image).toBeUndefined();
    expect(h.log.text()).toContain("the weekly report's chart could not be drawn");
  });

  it("goes to REPORT_CHANNELS at their own time, and nowhere with none", async () => {
    h = await startEngineHarness({ env: { REPORT_CHANNELS: "leads@10:30" } });
    await h.engine.runOnce();
    await runAt("2026-11-30T10:00:00Z");
    expect(reports("leads")).toEqual([]);
    await runAt("2026-11-30T10:30:00Z");
    expect(reports("leads")).toHaveLength(1);
    expect(reports("management")).toEqual([]);
    await h.close();

    h = await startEngineHarness({ env: { REPORT_CHANNELS: "none" } });
    await h.engine.runOnce();
    await runAt("2026-11-30T09:00:00Z");
    expect(h.notifier.sent.filter((sent) => sent.message.text.startsWith("#### Support report"))).toEqual([]);
  });
});
