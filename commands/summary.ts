/**
 * `summary`: the state of the queue now, stage by stage, with deadline risk and what changed in the
 * last day (the daily summary, on demand). Posted in the channel: it holds bug fields only, never
 * a customer's personal data.
 */
import { z } from "zod";
import { defineCommand } from "../src/framework/command.js";
import { inChannel } from "../src/framework/reply.js";
import { buildQueueSummary } from "../src/process/queue-summary.js";

export const summaryCommand = defineCommand({
  name: "summary",
  summary: "The support queue now: what waits for whom, deadline risks, changes since yesterday",
  usage: "",
  examples: ["summary"],
  roles: ["staff", "management"],
  args: z.object({}),
  async run(ctx) {
    const { messages, truncated, staleNote } = await buildQueueSummary(ctx, { limit: ctx.messageLimit });
    const notes: string[] = [];
    if (messages.length > 1) {
      notes.push(`_(The queue is longer than one message: this is the first of ${messages.length} parts.)_`);
    }
    if (truncated) notes.push("_(Only the most recently updated bugs were read.)_");
    if (staleNote) notes.push(staleNote);
    return inChannel([messages[0] ?? "", ...notes].filter(Boolean).join("\n\n"));
  },
});
