/**
 * `start 1234`: a developer starts work on a CONFIRMED bug (seed: Action, "Staff generally promote
 * tasks from confirmed to assigned when they start to work on them"). A confirmed bug nobody
 * handles becomes the caller's.
 */
import { z } from "zod";
import { formatDate } from "../src/core/dates.js";
import { formatDuration } from "../src/core/duration.js";
import { parseSubject } from "../src/core/subject-tag.js";
import { bugIdArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { bugLink } from "../src/process/bug-format.js";
import { handlerMember, requireHandlerOrManagement } from "../src/process/require-handler.js";
import { loadBug, requireTransition } from "../src/process/situation.js";
import { applyTransition } from "../src/process/transition.js";

export const startCommand = defineCommand({
  name: "start",
  summary: "Start work on a CONFIRMED bug (it becomes ASSIGNED)",
  usage: "<bug>",
  examples: ["start 1234"],
  roles: ["staff", "management"],
  positional: ["bug"],
  args: z.object({ bug: bugIdArg }),
  async run(ctx, args) {
    const { bug, situation } = await loadBug(ctx, args.bug);
    const transition = requireTransition("start", situation);
    requireHandlerOrManagement(ctx, bug, "start");

    const takeOver = bug.handler === undefined;
    // The one who works on it: its handler (the caller, taking over a bug nobody handles).
    const developer = takeOver ? ctx.caller.name : (handlerMember(ctx, bug)?.name ?? ctx.caller.name);
    const updated = await applyTransition(ctx, bug, transition, {
      ...(takeOver ? { assignee: ctx.caller } : {}),
      processState: { developer },
      record: { action: "start" },
    });

    const workdayHours = ctx.settings.workdayHours;
    const tag = parseSubject(updated.summary, { workdayHours }).tag;
    const plan =
      tag?.estimateMinutes !== undefined && tag.deadline !== undefined
        ? `The subject says ${formatDuration(tag.estimateMinutes, { workdayHours })} of work left, deadline ${formatDate(tag.deadline)}.`
        : "The subject has no complete [work left, deadline] tag yet.";
    const link = bugLink(updated, ctx.tracker.ticketUrl(bug.id));
    return ephemeral(
      [
        `${link} is ${updated.state.label}${takeOver ? " to you" : developer !== ctx.caller.name ? ` (handled by @${developer})` : ""}: work has started.`,
        `${plan} Keep it current as work progresses or predictions change: \`eta ${bug.id} <work left> <deadline>\`.`,
        `When it is fixed: draft the customer response (\`draft ${bug.id} "..."\`) and ask for review (\`review ${bug.id} @reviewer\`).`,
      ].join("\n"),
      { bugId: bug.id },
    );
  },
});
