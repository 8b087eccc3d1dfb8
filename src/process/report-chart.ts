/**
 * The port through which the report gets its chart (issue 14, part 4): a renderer draws the
 * report's series as a PNG. The composition root wires the one in src/charts/; without one, the
 * report goes out as text only.
 */
import { describePeriod, formatProcessReport, type ProcessReport } from "../core/process-report.js";

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

/** The chart as a picture to send with the report: the PNG, a file name and what it shows in words. */
export interface ReportPicture extends PngImage {
  name: string;
  alt: string;
}

/** The report as text, and its chart where a renderer is wired. */
export interface ReportContent {
  text: string;
  picture?: ReportPicture;
}

/**
 * The report's text (Markdown, bug links from `bugUrl`) and chart. A chart that cannot be drawn
 * leaves the text alone: `onChartError` hears why.
 */
export async function composeReport(
  report: ProcessReport,
  options: { bugUrl: (id: number) => string; charts?: ChartRenderer; onChartError?: (error: unknown) => void },
): Promise<ReportContent> {
  const text = formatProcessReport(report, { bugUrl: options.bugUrl });
  if (!options.charts) return { text };
  try {
    const image = await options.charts.reportChart(report);
    const period = describePeriod(report.current.period);
    return {
      text,
      picture: {
        ...image,
        name: `support-report-${report.current.period.firstDate}.png`,
        alt: `Open bugs by stage at the end of each day, ${period}; time to first answer (filed to "investigating" sent) per week, median and 90th percentile, in working hours.`,
      },
    };
  } catch (error) {
    options.onChartError?.(error);
    return { text };
  }
}
