/** `new`: the bugs waiting for management, untriaged first, then those with feedback in. */
import { z } from "zod";
import { resolveStage } from "../src/core/stages.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral, type MessageButton } from "../src/framework/reply.js";
import { formatBugLine } from "../src/process/bug-format.js";
import { readQueue } from "../src/process/queue.js";
import { describeBug } from "../src/process/situation.js";

/** At most this many bugs are listed; the rest are counted. */
const LIST_LIMIT = 25;

export const newCommand = defineCommand({
  name: "new",
  aliases: ["queue"],
  summary: "List NEW bugs awaiting triage, and those whose feedback is in and need a timeline",
  usage: "",
  examples: ["new"],
  roles: ["management", "staff"],
  args: z.object({}),
  async run(ctx) {
    // Those whose state can mean waiting for management (for triage or for a timeline); the stage decides.
    const { bugs, truncated } = await readQueue(ctx.tracker, (bug) => bug.state.stages.some((stage) => stage === "triage" || stage === "timeline"));
    const url = (id: number) => ctx.tracker.ticketUrl(id);
    const staged = [];
    for (const bug of bugs) staged.push({ bug, stage: resolveStage(describeBug(bug, await ctx.store.bugProcess.get(bug.id), ctx.settings)) });
    staged.sort((a, b) => a.bug.createdAt.getTime() - b.bug.createdAt.getTime());
    const untriaged = staged.filter((item) => item.stage === "triage");
    const timeline = staged.filter((item) => item.stage === "timeline");
    if (untriaged.length === 0 && timeline.length === 0) {
      return ephemeral(`No NEW bugs: nothing waits for triage.${truncated ? " (Only the most recently updated bugs were read.)" : ""}`);
    }
    const lines: string[] = [];
    const buttons: MessageButton[] = [];
    if (untriaged.length > 0) {
      lines.push(`**NEW, awaiting triage (${untriaged.length})**, oldest first:`);
      for (const { bug } of untriaged.slice(0, LIST_LIMIT)) lines.push(`- ${formatBugLine(bug, url(bug.id), ctx.settings.customerTag)}`);
      if (untriaged.length > LIST_LIMIT) lines.push(`- ... and ${untriaged.length - LIST_LIMIT} more`);
      const oldest = untriaged[0]!.bug;
      if (ctx.caller.role === "staff") buttons.push({ label: `Grab #${oldest.id}`, command: `grab ${oldest.id}`, style: "primary" });
    }
    if (timeline.length > 0) {
      lines.push(`**Feedback in, ready for a timeline (${timeline.length})**:`);
      for (const { bug } of timeline.slice(0, LIST_LIMIT)) lines.push(`- ${formatBugLine(bug, url(bug.id), ctx.settings.customerTag)}`);
      if (timeline.length > LIST_LIMIT) lines.push(`- ... and ${timeline.length - LIST_LIMIT} more`);
    }
    if (truncated) lines.push("_(Only the most recently updated bugs were read; the tracker holds more.)_");
    return ephemeral(lines.join("\n"), buttons.length > 0 ? { buttons } : {});
  },
});
