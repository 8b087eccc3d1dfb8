/**
 * `report [week|month]`: how the support process ran in the last complete week (Monday to Sunday)
 * or month, against the one before: bugs in and out by source, the median and 90th percentile of
 * time to triage, to the developer's feedback (per developer too), to the "investigating" answer
 * and to resolution, the share of deadlines met, and the bugs waiting longest; with a chart of the
 * open queue per day and the time to first answer per week where the platform takes pictures.
 * Times are working time in the company calendar. Management's; the engine also posts the weekly
 * one every Monday (REPORT_CHANNELS).
 *
 * Decisions:
 * - Posted in the channel like `summary`: it holds bug numbers, subjects and staff names, never a
 *   customer's personal data.
 * - Built from the journal of the bot's own changes and the watcher's mirror; with the engine off
 *   only what the bot did itself is known, and the reply says so (the subjects of the bugs listed
 *   as waiting are then read from the tracker; one that cannot be read is listed by number).
 */
import { z } from "zod";
import { defineCommand } from "../src/framework/command.js";
import { inChannel } from "../src/framework/reply.js";
import { composeReport } from "../src/process/report-chart.js";
import { buildReport } from "../src/process/report-input.js";

export const reportCommand = defineCommand({
  name: "report",
  summary: "How the process ran last week or month: bugs in and out, times to triage, feedback, answer and fix, deadlines met, who waits longest",
  usage: "[week|month]",
  examples: ["report", "report month"],
  roles: ["management"],
  positional: ["period"],
  args: z.object({ period: z.enum(["week", "month"], { error: "say week or month" }).default("week") }),
  async run(ctx, args) {
    const report = await buildReport(ctx.store, ctx.settings, args.period, ctx.now());
    // With the engine off the mirror has no subjects: the few bugs listed are read from the tracker.
    for (const bug of report.longestWaiting) {
      if (bug.summary !== "") continue;
      bug.summary = await ctx.tracker.getTicket(bug.id).then(
        (ticket) => ticket.summary,
        () => "",
      );
    }
    const { text, picture } = await composeReport(report, {
      bugUrl: (id) => ctx.tracker.ticketUrl(id),
      ...(ctx.charts ? { charts: ctx.charts } : {}),
      onChartError: (err) => ctx.log.warn({ err }, "the report's chart could not be drawn; the report goes without it"),
    });
    const note = (await ctx.store.mirror.lastPoll()) === undefined ? "\n\n_The engine has not read the tracker yet: only the bot's own changes are counted._" : "";
    return inChannel(`${text}${note}`, picture ? { image: picture } : {});
  },
});
