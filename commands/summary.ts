/**
 * `summary [section]`: the state of the queue now, stage by stage, with deadline risk and what
 * changed in the last day (the daily summary, on demand): per section its count and most urgent
 * items, and the command that lists the rest. `summary new` lists one section whole: in the channel
 * when it fits in one message, else only to the caller (Mattermost's private answer, a thread under
 * the command on Matrix, the DM when asked there), split by the chat kernel. Posted in the channel:
 * it holds bug fields only, never a customer's personal data.
 */
import { z } from "zod";
import { fitsLimit, isSummarySection, SUMMARY_SECTION_TITLES, SUMMARY_SECTIONS } from "../src/core/summary.js";
import { UsageError } from "../src/errors.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral, inChannel } from "../src/framework/reply.js";
import { describeWaitingFilings, isTransientFailure } from "../src/process/pending-filings.js";
import { composeQueueSection, composeQueueSummary, readQueueSummary } from "../src/process/queue-summary.js";

/** The sections as a Markdown list, one per line: `new`: NEW, awaiting triage. */
function sectionList(): string {
  return SUMMARY_SECTIONS.map((key) => `- \`${key}\`: ${SUMMARY_SECTION_TITLES[key]}`).join("\n");
}

export const summaryCommand = defineCommand({
  name: "summary",
  summary: "The support queue now: what waits for whom, deadline risks, changes since yesterday; or one section whole",
  usage: `[${SUMMARY_SECTIONS.join("|")}]`,
  examples: ["summary", "summary new", "summary work"],
  roles: ["staff", "management"],
  positional: ["section"],
  args: z.object({ section: z.string().trim().toLowerCase().optional() }),
  async run(ctx, args) {
    const { section } = args;
    if (section === "help") return ephemeral(`\`${ctx.trigger} summary <section>\` lists one section whole. The sections:\n${sectionList()}`);
    if (section !== undefined && !isSummarySection(section)) {
      throw new UsageError(`There is no section \`${section.replace(/`/g, "")}\` in the summary. The sections are:\n${sectionList()}`);
    }
    // Filings that wait for the tracker are known without it: shown even while it is down.
    const waiting = (await describeWaitingFilings(ctx.store, ctx.tracker.name)).join("\n");
    let queue;
    try {
      queue = await readQueueSummary(ctx);
    } catch (error) {
      if (!isTransientFailure(error) || waiting === "") throw error;
      return inChannel(`${error.userMessage}: the queue cannot be read now.\n\n${waiting}`);
    }
    if (section === undefined) {
      const text = composeQueueSummary(ctx, queue, { limit: ctx.messageLimit, trigger: ctx.trigger });
      return inChannel(waiting === "" ? text : `${waiting}\n\n${text}`);
    }
    const text = composeQueueSection(queue, section);
    if (fitsLimit(text, ctx.messageLimit)) return inChannel(text);
    // A long list would bury the channel: it goes to the caller alone, in as many messages as it takes.
    return ephemeral(`_The whole section is longer than one message, so it comes to you only._\n\n${text}`);
  },
});
