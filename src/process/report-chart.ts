/**
 * The port through which the report gets its chart (issue 14, part 4): a renderer draws the
 * report's series as a PNG. The composition root wires the one in src/charts/; without one, the
 * report goes out as text only.
 */
import type { ProcessReport } from "../core/process-report.js";

/** A PNG image and its size in pixels. */
export interface PngImage {
  png: Uint8Array;
  width: number;
  height: number;
}

/** Draws the report's chart: the open queue by stage per day and the time to first answer per week. */
export interface ChartRenderer {
  reportChart(report: ProcessReport): Promise<PngImage>;
}
