/**
 * `triage 1234 @alice [priority=high]`: management sets the priority and a developer, who then owes
 * feedback urgently (seed: Analysis, "some executive will look over NEW bugs and assign a priority
 * and set a staff member to look into the issue. ... The bug is first set to feedback").
 */
import { z } from "zod";
import { bugIdArg, priorityArg, staffHandleArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import type { CommandContext } from "../src/framework/command.js";
import { ephemeral, type Reply } from "../src/framework/reply.js";
import type { Priority, Ticket } from "../src/core/ticket.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { notifyAfterChange } from "../src/process/notify.js";
import { handlerMention, requireAssignableStaff } from "../src/process/require-handler.js";
import { loadBug, requireTransition } from "../src/process/situation.js";
import { applyTransition } from "../src/process/transition.js";
import { removeSubjectTag } from "../src/core/subject-tag.js";

export const triageCommand = defineCommand({
  name: "triage",
  summary: "Give a NEW bug a developer (and a priority); they owe feedback urgently",
  usage: "<bug> @developer [priority=<none|low|normal|high|urgent|immediate>]",
  examples: ["triage 1234 @alice", "triage 1234 @alice priority=high", "triage 1234"],
  roles: ["management"],
  positional: ["bug", "developer"],
  args: z.object({ bug: bugIdArg, developer: staffHandleArg.optional(), priority: priorityArg.optional() }),
  async run(ctx, args) {
    const { bug, situation } = await loadBug(ctx, args.bug);
    const transition = requireTransition("triage", situation);
    // Without a developer (the *Triage…* button on a NEW-bug ping): offer one button per developer.
    if (args.developer === undefined) return offerDevelopers(ctx, bug, args.priority);
    const developer = await requireAssignableStaff(ctx, args.developer);
    const previousHandler = handlerMention(bug);

    const updated = await applyTransition(ctx, bug, transition, {
      assignee: developer,
      ...(args.priority ? { fields: { priority: args.priority } } : {}),
      processState: { developer: developer.name },
      record: { action: "triage", details: { developer: developer.name } },
    });

    const link = bugLink(updated, ctx.tracker.ticketUrl(bug.id));
    const title = escapeMarkdown(removeSubjectTag(updated.summary));
    const problem = await notifyAfterChange(ctx, `the message to @${developer.name}`, () =>
      ctx.notifier.direct(developer, {
        text: [
          `@${ctx.caller.name} asks you to look into ${link} ${title} (priority ${updated.priority}). Your feedback is urgent.`,
          `Is the problem and the path to a fix clear? What is a realistic, conservative (!) timeline? If it has already been fixed, say where.`,
          `Answer with \`feedback ${bug.id} <work left, e.g. 4h> <deadline, e.g. 14.3.2034> "path to resolution"\``,
          `(add \`fixed-in="git"\`, \`fixed-in="testing"\` or \`fixed-in="production 1.0.0"\` if it is already fixed).`,
          `If other developers must weigh in, ask them with \`ask ${bug.id} @developer "question"\`.`,
        ].join("\n"),
        bugId: bug.id,
      }),
    );
    const takenFrom = previousHandler && previousHandler !== `@${developer.name}` ? ` (it was handled by ${previousHandler})` : "";
    return ephemeral(
      [
        `${link} is now handled by @${developer.name}${takenFrom}, status ${updated.state.label}, priority ${updated.priority}. @${developer.name} was asked for urgent feedback.`,
        problem,
      ]
        .filter(Boolean)
        .join("\n"),
      { bugId: bug.id },
    );
  },
});

/** Staff the tracker lets handle bugs, as buttons that complete the triage; management picks one. */
async function offerDevelopers(ctx: CommandContext, bug: Ticket, priority: Priority | undefined): Promise<Reply> {
  const developers = await ctx.tracker.mayHandle(ctx.staff.all().filter((member) => member.role === "staff"));
  const withPriority = priority ? ` priority=${priority}` : "";
  const link = bugLink(bug, ctx.tracker.ticketUrl(bug.id));
  if (developers.length === 0) {
    return ephemeral(`Who should look into ${link}? Name them: \`triage ${bug.id} @developer${withPriority}\`.`, { bugId: bug.id });
  }
  return ephemeral(
    [
      `Who should look into ${link} ${escapeMarkdown(removeSubjectTag(bug.summary))} (priority ${bug.priority})?`,
      `Pick a developer, or type \`triage ${bug.id} @developer priority=<priority>\` to set the priority too.`,
    ].join("\n"),
    { bugId: bug.id, buttons: developers.map((member) => ({ label: `@${member.name}`, command: `triage ${bug.id} @${member.name}${withPriority}` })) },
  );
}
