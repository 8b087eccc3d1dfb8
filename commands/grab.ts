/**
 * `grab 1234`: a developer self-assigns a NEW bug that is clearly in their domain (seed: Analysis).
 * Refused for bugs that touch customer accounts or data: those need assignment by management.
 */
import { z } from "zod";
import { bugIdArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { notifyAfterChange } from "../src/process/notify.js";
import { loadBug, requireTransition } from "../src/process/situation.js";
import { applyTransition } from "../src/process/transition.js";

export const grabCommand = defineCommand({
  name: "grab",
  summary: "Take a NEW bug yourself; you then owe feedback urgently",
  usage: "<bug>",
  examples: ["grab 1234"],
  // The seed has developers grab; a manager who also develops may too (triage is the usual way).
  roles: ["staff", "management"],
  positional: ["bug"],
  args: z.object({ bug: bugIdArg }),
  async run(ctx, args) {
    const { bug, situation } = await loadBug(ctx, args.bug);
    const transition = requireTransition("grab", situation);
    const updated = await applyTransition(ctx, bug, transition, {
      assignee: ctx.caller,
      processState: { developer: ctx.caller.name },
      record: { action: "grab" },
    });
    const link = bugLink(updated, ctx.tracker.ticketUrl(bug.id));
    const problem = await notifyAfterChange(ctx, "the note to management", () =>
      ctx.notifier.channel("management", {
        text: `@${ctx.caller.name} grabbed ${link} ${escapeMarkdown(updated.summary)} (${updated.state.label}, priority ${updated.priority}).`,
        bugId: bug.id,
      }),
    );
    return ephemeral(
      [
        `You now handle ${link} (status ${updated.state.label}). Management has been told.`,
        `Your feedback is urgent: is the path to a fix clear, and what is a conservative timeline?`,
        `Answer with \`feedback ${bug.id} <work left, e.g. 4h> <deadline, e.g. 14.3.2034> "path to resolution"\`.`,
        problem,
      ]
        .filter(Boolean)
        .join("\n"),
      { bugId: bug.id },
    );
  },
});
