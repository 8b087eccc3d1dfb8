/** `mine`: the caller's open bugs, grouped by the stage of the process they are in. */
import { z } from "zod";
import { resolveStage, STAGE_INFO, STAGES, type Stage } from "../src/core/stages.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { formatBugLine } from "../src/process/bug-format.js";
import { readOpenQueue, type QueueBug } from "../src/process/queue.js";
import { describeBug } from "../src/process/situation.js";

export const mineCommand = defineCommand({
  name: "mine",
  summary: "Your open bugs by stage: feedback you owe, work, reviews",
  usage: "",
  examples: ["mine"],
  roles: ["management", "staff"],
  args: z.object({}),
  async run(ctx) {
    const { bugs, truncated, staleNote } = await readOpenQueue(ctx, (bug) => bug.handler?.handle === ctx.caller.name);
    if (bugs.length === 0) return ephemeral(["You handle no open bugs right now.", staleNote].filter(Boolean).join("\n"));
    const byStage = new Map<Stage, QueueBug[]>();
    for (const bug of bugs) {
      const stage = resolveStage(describeBug(bug, await ctx.store.bugProcess.get(bug.id), ctx.settings));
      byStage.set(stage, [...(byStage.get(stage) ?? []), bug]);
    }
    const lines = [`**Your open bugs (${bugs.length})**`];
    for (const stage of STAGES) {
      const group = byStage.get(stage);
      if (!group) continue;
      lines.push(`${capitalize(STAGE_INFO[stage].waitsFor)} (${group.length}):`);
      for (const bug of group) lines.push(`- ${formatBugLine(bug, ctx.tracker.ticketUrl(bug.id), ctx.settings.customerTag)}`);
    }
    if (truncated) lines.push("_(Only the most recently updated bugs were read.)_");
    if (staleNote) lines.push(staleNote);
    return ephemeral(lines.join("\n"));
  },
});

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
