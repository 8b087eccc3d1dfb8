/**
 * The report's chart, drawn in the process (issue 14, part 4): Vega-Lite compiles the chart to a
 * Vega view, Vega writes it as SVG (no browser, no canvas), and resvg rasterises the SVG to PNG
 * with a prebuilt binary from the npm registry. The machine may have no fonts at all, so the text is
 * set in DejaVu Sans from the `dejavu-fonts-ttf` package, handed to resvg with system fonts off.
 *
 * The packages load on the first chart, so a bot that never draws one never pays for them.
 */
import { createRequire } from "node:module";
import type { TopLevelSpec } from "vega-lite";
import { describePeriod, OPEN_STAGES, stageName, type OpenStage, type ProcessReport } from "../core/process-report.js";
import { formatLocalTime, zonedInstant } from "../core/calendar.js";
import type { ChartRenderer, PngImage } from "../process/report-chart.js";

/** The one font family of the chart; its files come with the npm package, never from the system. */
export const CHART_FONT = "DejaVu Sans";

const require = createRequire(import.meta.url);
/** The font files handed to the rasteriser: regular for labels, bold for titles. */
export const CHART_FONT_FILES: readonly string[] = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((file) => require.resolve(`dejavu-fonts-ttf/ttf/${file}`));

/** The chart's background; everything else drawn on it is a bar, a line, a grid line or text. */
export const CHART_BACKGROUND = "#ffffff";

/** One colour per open stage, in process order, so the same stage always has the same colour. */
export const STAGE_COLOURS: Readonly<Record<OpenStage, string>> = {
  triage: "#e45756",
  feedback: "#f58518",
  timeline: "#eeca3b",
  confirmed: "#4c78a8",
  "in-work": "#54a24b",
  review: "#b279a2",
  resolution: "#72b7b2",
};

/** The colours of the first-answer lines. */
export const ANSWER_COLOURS = { median: "#4c78a8", p90: "#9d755d" } as const;

const PANEL_WIDTH = 640;
/** Width of the PNG in pixels; the height follows the chart's proportions. */
export const DEFAULT_CHART_WIDTH = 1200;

/** The Vega-Lite specification of the report's chart: the open queue per day above the weekly time to first answer. */
export function reportChartSpec(report: ProcessReport): TopLevelSpec {
  const { period } = report.current;
  const timeZone = report.calendar.timeZone;
  const dayLabel = (date: string): string => {
    const [weekday, day] = formatLocalTime(zonedInstant(timeZone, date, 12 * 60), timeZone).split(" ");
    return period.kind === "week" ? `${weekday} ${day}` : day!;
  };
  const days = report.queueByDay.map((day) => dayLabel(day.date));
  const queue = report.queueByDay.flatMap((day) =>
    OPEN_STAGES.map((stage, order) => ({ day: dayLabel(day.date), stage: stageName(stage), order, count: day.counts[stage] })),
  );
  const weekLabel = (date: string): string => {
    const [, month, day] = date.split("-").map(Number);
    return `${day}.${month}.`;
  };
  const weeks = report.firstAnswerByWeek.map((week) => weekLabel(week.weekStart));
  const measures = { median: "median", p90: "90th percentile" } as const;
  const answers = report.firstAnswerByWeek.flatMap((week) =>
    (["median", "p90"] as const).flatMap((measure) => {
      const minutes = week.stats[measure];
      return minutes === undefined ? [] : [{ week: weekLabel(week.weekStart), measure: measures[measure], hours: Math.round((minutes / 60) * 10) / 10 }];
    }),
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: CHART_BACKGROUND,
    padding: 16,
    config: { font: CHART_FONT, view: { stroke: null }, title: { fontSize: 15, anchor: "start" }, axis: { labelFontSize: 11, titleFontSize: 12 } },
    // Each panel has its own colours and legend (stages above, measures below).
    resolve: { scale: { color: "independent" }, legend: { color: "independent" } },
    vconcat: [
      {
        title: `Open bugs by stage at the end of each day, ${describePeriod(period)}`,
        width: PANEL_WIDTH,
        height: 220,
        data: { values: queue },
        mark: "bar",
        encoding: {
          x: { field: "day", type: "ordinal", title: null, sort: days, scale: { domain: days }, axis: { labelAngle: period.kind === "week" ? 0 : -90 } },
          y: { field: "count", type: "quantitative", title: "open bugs", axis: { tickMinStep: 1, format: "d" } },
          color: {
            field: "stage",
            type: "nominal",
            title: "stage",
            scale: { domain: OPEN_STAGES.map(stageName), range: OPEN_STAGES.map((stage) => STAGE_COLOURS[stage]) },
          },
          order: { field: "order", type: "quantitative" },
        },
      },
      {
        title: 'Time to first answer (filed → "investigating" sent), per week',
        width: PANEL_WIDTH,
        height: 180,
        data: { values: answers },
        mark: { type: "line", point: true, strokeWidth: 2 },
        encoding: {
          x: { field: "week", type: "ordinal", title: "week starting", sort: weeks, scale: { domain: weeks }, axis: { labelAngle: 0 } },
          y: { field: "hours", type: "quantitative", title: "working hours" },
          color: {
            field: "measure",
            type: "nominal",
            title: null,
            scale: { domain: [measures.median, measures.p90], range: [ANSWER_COLOURS.median, ANSWER_COLOURS.p90] },
          },
          // Dashed 90th percentile: where it equals the median (one bug in a week), both stay visible.
          strokeDash: { field: "measure", type: "nominal", legend: null, scale: { domain: [measures.median, measures.p90], range: [[1, 0], [6, 4]] } },
        },
      },
    ],
  };
}

/** Renders SVG text to PNG with the chart's fonts only (system fonts are never asked). */
export async function svgToPng(svg: string, width: number): Promise<PngImage> {
  const { Resvg } = await import("@resvg/resvg-js");
  const rendered = new Resvg(svg, {
    font: { fontFiles: [...CHART_FONT_FILES], loadSystemFonts: false, defaultFontFamily: CHART_FONT },
    fitTo: { mode: "width", value: width },
    background: CHART_BACKGROUND,
  }).render();
  return { png: new Uint8Array(rendered.asPng()), width: rendered.width, height: rendered.height };
}

/** The chart as SVG text. */
export async function reportChartSvg(report: ProcessReport): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(vegaLite.compile(reportChartSpec(report)).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A renderer that draws the report's chart with Vega-Lite and resvg, `width` pixels wide. */
export function createVegaChartRenderer(options: { width?: number } = {}): ChartRenderer {
  const width = options.width ?? DEFAULT_CHART_WIDTH;
  return {
    async reportChart(report) {
      return svgToPng(await reportChartSvg(report), width);
    },
  };
}
