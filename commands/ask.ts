/**
 * `ask 1234 @bob "question"`: the handler opens a sub-bug for another developer's feedback (seed:
 * Analysis, "sub-bugs ... should be assigned with feedback to the other developers"). The parent's
 * own `feedback` waits until the sub-bug is answered (src/process/sub-feedback.ts).
 *
 * Decisions:
 * - The sub-bug is a child of the parent in MantisBT: the relationship is added from the sub-bug as
 *   `child-of` (MantisBT stores it as the parent's `parent-of`, i.e. the parent depends on it).
 * - It inherits the parent's category, priority and view state (a private parent stays private),
 *   but not the Customer tag: the customer is answered through the parent.
 * - MantisBT sets ASSIGNED by itself when a bug is created with a handler, so FEEDBACK is set with
 *   a second request and checked.
 */
import { z } from "zod";
import { fitSummary } from "../src/core/subject-tag.js";
import { bugIdArg, staffHandleArg, textArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { UsageError } from "../src/errors.js";
import { changeBug, fileBug } from "../src/process/bug-actions.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { notifyAfterChange } from "../src/process/notify.js";
import { isHandler, requireAssignableStaff, requireHandlerOrManagement } from "../src/process/require-handler.js";
import { loadBug, requireTransition } from "../src/process/situation.js";
import { addSubFeedback } from "../src/store/analysis-repo.js";
import { TrackerRejectedError } from "../src/tracker/tracker.js";

export const askCommand = defineCommand({
  name: "ask",
  summary: "Ask another developer for feedback in a sub-bug; your own feedback waits for the answer",
  usage: '<bug> @developer "question"',
  examples: ['ask 1234 @bob "Does the exchange need a schema change for this?"'],
  roles: ["staff", "management"],
  positional: ["bug", "developer", "...question"],
  args: z.object({ bug: bugIdArg, developer: staffHandleArg, question: textArg }),
  async run(ctx, args) {
    const { bug, situation } = await loadBug(ctx, args.bug);
    requireTransition("ask", situation);
    requireHandlerOrManagement(ctx, bug, "ask");
    const developer = await requireAssignableStaff(ctx, args.developer);
    if (bug.handler && isHandler({ caller: developer }, bug)) {
      throw new UsageError(`@${developer.name} already handles #${bug.id}; ask another developer.`);
    }

    const parentUrl = ctx.tracker.bugUrl(bug.id);
    const created = await fileBug(
      ctx,
      {
        summary: fitSummary(`Feedback for #${bug.id}: ${args.question.replace(/\s+/g, " ")}`),
        description: `@${ctx.caller.name} asks for feedback on #${bug.id} (${parentUrl}):\n\n${args.question}\n\nThis is a sub-bug of #${bug.id}; that bug's feedback waits for the answer here.`,
        ...(bug.category ? { category: bug.category } : {}),
        priority: bug.priority,
        private: bug.private,
        handler: developer.mantisUser,
      },
      { action: "ask", command: "ask", details: { parentBugId: bug.id, developer: developer.name } },
    );
    const sub = await changeBug(ctx, created, { status: "feedback" }, { action: "ask", command: "ask", details: { parentBugId: bug.id } });
    if (sub.status !== "feedback") {
      throw new TrackerRejectedError(`MantisBT left sub-bug #${sub.id} in ${sub.status}, not feedback: set it to feedback by hand`);
    }
    await ctx.tracker.addRelationship(sub.id, { type: "child-of", otherBugId: bug.id });
    ctx.store.appendJournal({
      bugId: bug.id,
      at: ctx.now(),
      actor: ctx.caller.name,
      action: "ask",
      command: "ask",
      details: { subBugId: sub.id, developer: developer.name },
    });
    addSubFeedback(ctx.store, { childBugId: sub.id, parentBugId: bug.id, askedBy: ctx.caller.name, askedOf: developer.name, askedAt: ctx.now() });
    ctx.store.updateBugProcess(sub.id, { origin: "sub-feedback", stage: "feedback", developer: developer.name }, ctx.now());

    const subLink = bugLink(sub, ctx.tracker.bugUrl(sub.id));
    const parentLink = bugLink(bug, parentUrl);
    const problem = await notifyAfterChange(ctx, `the message to @${developer.name}`, () =>
      ctx.notifier.direct(developer, {
        text: [
          `@${ctx.caller.name} asks for your feedback in ${subLink} (sub-bug of ${parentLink}):`,
          `> ${escapeMarkdown(args.question).replace(/\n/g, "\n> ")}`,
          `Your answer is urgent: the feedback on #${bug.id} waits for it. Answer with \`feedback ${sub.id} <work left, e.g. 4h> <deadline, e.g. 14.3.2034> "path to resolution"\` (work left may be \`0h\` if your part needs no change).`,
        ].join("\n"),
        bugId: sub.id,
      }),
    );
    return ephemeral(
      [
        `Opened ${subLink} for @${developer.name} (FEEDBACK, child of ${parentLink}) and asked them. Your feedback on #${bug.id} waits until #${sub.id} is answered; I will tell you when.`,
        problem,
      ]
        .filter(Boolean)
        .join("\n"),
      { bugId: bug.id },
    );
  },
});
