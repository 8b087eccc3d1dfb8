/**
 * `ask 1234 @bob "question"`: the handler opens a sub-bug for another developer's feedback (seed:
 * Analysis, "sub-bugs ... should be assigned with feedback to the other developers"). The parent's
 * own `feedback` waits until the sub-bug is answered (src/process/sub-feedback.ts).
 *
 * Decisions:
 * - The sub-bug is a sub-ticket of the parent in the tracker: the parent waits for it.
 * - It inherits the parent's category, priority and view state (a private parent stays private),
 *   but not the Customer tag: the customer is answered through the parent.
 * - Three tracker writes at most: filing it for the developer (a tracker may put a ticket filed
 *   with a handler in work), sending it to the developer's feedback when it is
 *   not there yet, and linking it to the parent. Each is journalled and records in the store what it
 *   did, in one transaction with its journal entry: when a later write fails, the same command again
 *   finds the sub-bug (same parent, developer and question, not yet answered) and finishes it
 *   instead of opening a second one.
 */
import { z } from "zod";
import { fitSummary } from "../src/core/subject-tag.js";
import type { Ticket } from "../src/core/ticket.js";
import { bugIdArg, staffHandleArg, textArg } from "../src/framework/arg-types.js";
import { defineCommand, type CommandContext } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { NotFoundError, UsageError } from "../src/errors.js";
import type { StaffMember } from "../src/identity.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { notifyAfterChange } from "../src/process/notify.js";
import { isHandler, requireAssignableStaff, requireHandlerOrManagement } from "../src/process/require-handler.js";
import { loadBug, requireTransition, subBugIds, type LoadedBug } from "../src/process/situation.js";
import { fileSubTicket, linkSubFeedback, sendSubTicketToFeedback } from "../src/process/sub-feedback.js";
import { WriteSteps } from "../src/process/write-steps.js";


export const askCommand = defineCommand({
  name: "ask",
  summary: "Ask another developer for feedback in a sub-bug; your own feedback waits for the answer",
  usage: '<bug> @developer "question"',
  examples: ['ask 1234 @bob "Does the exchange need a schema change for this?"'],
  roles: ["staff", "management"],
  positional: ["bug", "developer", "...question"],
  args: z.object({ bug: bugIdArg, developer: staffHandleArg, question: textArg }),
  async run(ctx, args) {
    const loaded = await loadBug(ctx, args.bug);
    const { bug, situation } = loaded;
    requireTransition("ask", situation);
    requireHandlerOrManagement(ctx, bug, "ask");
    const developer = await requireAssignableStaff(ctx, args.developer);
    if (isHandler({ caller: developer }, bug)) {
      throw new UsageError(`@${developer.name} already handles #${bug.id}; ask another developer.`);
    }

    const parentUrl = ctx.tracker.ticketUrl(bug.id);
    const summary = fitSummary(`Feedback for #${bug.id}: ${args.question.replace(/\s+/g, " ")}`, { maxLength: ctx.tracker.limits.summaryLength });
    const earlier = await findEarlierAsk(ctx, loaded, developer, summary);
    const tell = `tell @${developer.name}`;
    const feedbackLabel = ctx.tracker.stageLabels.feedback[0];
    const steps = new WriteSteps("it finishes this sub-bug and opens no second one");
    if (earlier) steps.madeEarlier(`opened sub-bug #${earlier.id} for @${developer.name} (in an earlier run)`);
    let sub =
      earlier ??
      await steps.run(
        { todo: `open a sub-bug of #${bug.id} for @${developer.name}`, done: (created: Ticket) => `opened sub-bug #${created.id} for @${developer.name} (${created.state.label})` },
        () =>
          fileSubTicket(ctx, bug, {
            developer,
            summary,
            description: `@${ctx.caller.name} asks for feedback on #${bug.id} (${parentUrl}):\n\n${args.question}\n\nThis is a sub-bug of #${bug.id}; that bug's feedback waits for the answer here.`,
          }),
        [`set it to ${feedbackLabel}`, `link it as a sub-bug of #${bug.id}`, tell],
      );
    const linked = subBugIds(bug).includes(sub.id);
    const link = `link #${sub.id} as a sub-bug of #${bug.id}`;
    // A tracker may have filed it straight into feedback; else it is moved there.
    const inFeedback = sub.state.stages.includes("feedback");
    const toFinish = !inFeedback || !linked;
    if (!inFeedback) {
      const filed = sub;
      sub = await steps.run(
        { todo: `set #${sub.id} to ${feedbackLabel}`, done: `moved #${sub.id} to ${feedbackLabel}` },
        () => sendSubTicketToFeedback(ctx, filed, bug.id, developer),
        [...(linked ? [] : [link]), tell],
      );
    }
    if (!linked) {
      const asked = sub;
      await steps.run({ todo: link, done: `linked #${sub.id} as a sub-bug of #${bug.id}` }, () => linkSubFeedback(ctx, bug.id, asked, developer), [tell]);
    }

    const subLink = bugLink(sub, ctx.tracker.ticketUrl(sub.id));
    const parentLink = bugLink(bug, parentUrl);
    if (earlier && !toFinish) {
      return ephemeral(`You already asked @${developer.name} this in ${subLink} (${sub.state.label}, child of ${parentLink}); nothing changed. Your feedback on #${bug.id} waits until #${sub.id} is answered.`, { bugId: bug.id });
    }
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
        `${earlier ? "Finished opening" : "Opened"} ${subLink} for @${developer.name} (${sub.state.label}, child of ${parentLink}) and asked them. Your feedback on #${bug.id} waits until #${sub.id} is answered; I will tell you when.`,
        problem,
      ]
        .filter(Boolean)
        .join("\n"),
      { bugId: bug.id },
    );
  },
});

/**
 * The sub-bug an earlier run of the same `ask` opened (same parent, developer and question) that is
 * still waiting for its answer: a retry after a failure half-way finishes it instead of opening another.
 */
async function findEarlierAsk(ctx: CommandContext, parent: LoadedBug, developer: StaffMember, summary: string): Promise<Ticket | undefined> {
  const linked = new Map(parent.subBugs.map((sub) => [sub.bug.id, sub.bug]));
  for (const asked of await ctx.store.subFeedback.list(parent.bug.id)) {
    if (asked.answeredAt !== undefined || asked.askedOf !== developer.name) continue;
    let sub = linked.get(asked.childBugId);
    if (!sub) {
      try {
        sub = await ctx.tracker.getTicket(asked.childBugId);
      } catch (error) {
        if (error instanceof NotFoundError) continue;
        throw error;
      }
    }
    if (sub.summary === summary) return sub;
  }
  return undefined;
}
