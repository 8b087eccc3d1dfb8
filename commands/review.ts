/**
 * `review 1234 @bob`: the developer has fixed the bug and schedules it for review "by assigning the
 * bug to another staff member for 'feedback'" (seed: Action, Review). The reviewer gets a direct
 * message with what to reproduce and how to answer.
 */
import { z } from "zod";
import { bugIdArg, staffHandleArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import type { Message } from "../src/framework/reply.js";
import { ephemeral } from "../src/framework/reply.js";
import { ProcessRuleError } from "../src/errors.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { describeFixedIn, parseFixedIn } from "../src/process/fixed-in.js";
import { notifyAfterChange } from "../src/process/notify.js";
import { developerOf, requireParticipant } from "../src/process/participants.js";
import { handlerMember, requireAssignableStaff } from "../src/process/require-handler.js";
import { loadBug, requireTransition } from "../src/process/situation.js";
import { applyTransition } from "../src/process/transition.js";

export const reviewCommand = defineCommand({
  name: "review",
  summary: "Send your fix to another staff member for review (status feedback)",
  usage: '<bug> @reviewer ["what to check"]',
  examples: ["review 1234 @bob", 'review 1234 @bob "deployed on staging; try a withdrawal of 50 CHF"'],
  roles: ["staff", "management"],
  positional: ["bug", "reviewer", "...notes"],
  args: z.object({
    bug: bugIdArg,
    reviewer: staffHandleArg,
    notes: z.array(z.string()).transform((words) => words.join(" ").trim()),
  }),
  async run(ctx, args) {
    const { bug, state, situation } = await loadBug(ctx, args.bug);
    const transition = requireTransition("review", situation);
    const handler = handlerMember(ctx, bug);
    requireParticipant(ctx, { people: [handler], who: "the developer", bugId: bug.id, action: "send it to review" });
    // While in work the handler is the one fixing it; the stored developer only fills a gap.
    const developer = handler ?? developerOf(ctx, bug, state);
    if (!developer) {
      throw new ProcessRuleError(`Nobody handles bug #${bug.id}, so I cannot tell whose fix is to be reviewed; set its handler in ${ctx.tracker.name} first.`);
    }
    const reviewer = await requireAssignableStaff(ctx, args.reviewer);
    if (reviewer.name === developer.name) {
      const others = ctx.staff
        .all()
        .filter((member) => member.name !== developer.name)
        .map((member) => `@${member.name}`)
        .join(", ");
      throw new ProcessRuleError(`@${developer.name} made the fix for #${bug.id}; the review needs another staff member (${others}).`);
    }

    const updated = await applyTransition(ctx, bug, transition, {
      assignee: reviewer,
      processState: { reviewer: reviewer.name, developer: developer.name },
      record: { action: "review", details: { reviewer: reviewer.name, developer: developer.name } },
    });

    const link = bugLink(updated, ctx.tracker.ticketUrl(bug.id));
    const request = reviewRequest({
      bugId: bug.id,
      link,
      summary: updated.summary,
      requester: ctx.caller.name,
      developer: developer.name,
      fixedIn: state?.fixedIn ?? updated.fixedInVersion,
      notes: args.notes,
      draft: state?.draftText,
    });
    const problem = await notifyAfterChange(ctx, `the review request to @${reviewer.name}`, () => ctx.notifier.direct(reviewer, request));
    return ephemeral(
      [`${link} is now with @${reviewer.name} for review (status ${updated.state.label}). They have been sent what to check.`, problem].filter(Boolean).join("\n"),
      { bugId: bug.id },
    );
  },
});

/** The reviewer's direct message: what to reproduce, what the fix says about itself, how to answer. */
function reviewRequest(facts: {
  bugId: number;
  link: string;
  summary: string;
  requester: string;
  developer: string;
  fixedIn?: string;
  notes: string;
  draft?: string;
}): Message {
  const by = facts.requester === facts.developer ? `@${facts.developer}` : `@${facts.requester} (for @${facts.developer})`;
  const lines = [
    `${by} asks you to review the fix for ${facts.link} ${escapeMarkdown(facts.summary)}.`,
    "Please try to reproduce the original issue and check that it is gone now (this may need packaging or a deployment to staging first).",
  ];
  if (facts.fixedIn) lines.push(`- Where it is fixed: ${escapeMarkdown(describeWhereFixed(facts.fixedIn))}`);
  if (facts.notes) lines.push(`- Notes from the developer: ${escapeMarkdown(facts.notes)}`);
  if (facts.draft) lines.push("- Drafted response to the customer:", ...facts.draft.split("\n").map((line) => `  > ${escapeMarkdown(line)}`));
  lines.push(`Answer with \`verdict ${facts.bugId} pass\` or \`verdict ${facts.bugId} fail "what is still wrong"\`.`);
  return { text: lines.join("\n"), bugId: facts.bugId, buttons: [{ label: "Pass", command: `verdict ${facts.bugId} pass`, style: "primary" }] };
}

/** "in Git (1a2b3c)" for what `feedback ... fixed-in=` stored; a tracker's version or hand-written text as it is. */
function describeWhereFixed(text: string): string {
  const parsed = parseFixedIn(text);
  return parsed.ok ? describeFixedIn(parsed.value) : text;
}
