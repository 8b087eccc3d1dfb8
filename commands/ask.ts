/**
 * `ask 1234 @bob "question"`: the handler opens a sub-bug for another developer's feedback (seed:
 * Analysis, "sub-bugs ... should be assigned with feedback to the other developers"). The parent's
 * own `feedback` waits until the sub-bug is answered (src/process/sub-feedback.ts).
 *
 * Decisions:
 * - The sub-bug is a child of the parent in MantisBT: the parent is linked as `parent-of` it (the
 *   parent depends on it; MantisBT shows the sub-bug as `child-of`).
 * - It inherits the parent's category, priority and view state (a private parent stays private),
 *   but not the Customer tag: the customer is answered through the parent.
 * - Three writes, the fewest MantisBT allows: creating a bug with a handler makes it ASSIGNED
 *   (auto_set_status_to_assigned), so FEEDBACK needs a PATCH, and neither `POST /issues` nor a PATCH
 *   takes relationships. The sub-bug is recorded in the store as soon as it exists: when a later
 *   write fails, the same command again finds it (same parent, developer and question, not yet
 *   answered) and finishes it instead of opening a second one.
 */
import { z } from "zod";
import { fitSummary } from "../src/core/subject-tag.js";
import { bugIdArg, staffHandleArg, textArg } from "../src/framework/arg-types.js";
import { defineCommand, type CommandContext } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { NotFoundError, UsageError } from "../src/errors.js";
import type { StaffMember } from "../src/identity.js";
import { changeBug, fileBug, linkBugs } from "../src/process/bug-actions.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { notifyAfterChange } from "../src/process/notify.js";
import { isHandler, requireAssignableStaff, requireHandlerOrManagement } from "../src/process/require-handler.js";
import { loadBug, requireTransition, subBugIds, type LoadedBug } from "../src/process/situation.js";
import { WriteSteps } from "../src/process/write-steps.js";
import { TrackerRejectedError, type Bug } from "../src/tracker/tracker.js";

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
    if (bug.handler && isHandler({ caller: developer }, bug)) {
      throw new UsageError(`@${developer.name} already handles #${bug.id}; ask another developer.`);
    }

    const parentUrl = ctx.tracker.bugUrl(bug.id);
    const summary = fitSummary(`Feedback for #${bug.id}: ${args.question.replace(/\s+/g, " ")}`);
    const earlier = await findEarlierAsk(ctx, loaded, developer, summary);
    const tell = `tell @${developer.name}`;
    const steps = new WriteSteps("it finishes this sub-bug and opens no second one");
    if (earlier) steps.madeEarlier(`opened sub-bug #${earlier.id} for @${developer.name} (in an earlier run)`);
    let sub =
      earlier ??
      (await steps.run(
        { todo: `open a sub-bug of #${bug.id} for @${developer.name}`, done: (created: Bug) => `opened sub-bug #${created.id} for @${developer.name} (ASSIGNED, as MantisBT makes a new bug with a handler)` },
        async () => {
          const created = await fileBug(
            ctx,
            {
              summary,
              description: `@${ctx.caller.name} asks for feedback on #${bug.id} (${parentUrl}):\n\n${args.question}\n\nThis is a sub-bug of #${bug.id}; that bug's feedback waits for the answer here.`,
              ...(bug.category ? { category: bug.category } : {}),
              priority: bug.priority,
              private: bug.private,
              handler: developer.accounts.mantis,
            },
            { action: "ask", command: "ask", details: { parentBugId: bug.id, developer: developer.name } },
          );
          // Recorded at once: a retry after a failure below finds the sub-bug here.
          ctx.store.subFeedback.add({ childBugId: created.id, parentBugId: bug.id, askedBy: ctx.caller.name, askedOf: developer.name, askedAt: ctx.now() });
          ctx.store.bugProcess.update(created.id, { origin: "sub-feedback", stage: "feedback", developer: developer.name }, ctx.now());
          return created;
        },
        ["set it to FEEDBACK", `link it as a sub-bug of #${bug.id}`, tell],
      ));
    const linked = subBugIds(bug).includes(sub.id);
    const link = `link #${sub.id} as a sub-bug of #${bug.id}`;
    const toFinish = sub.status !== "feedback" || !linked;
    if (sub.status !== "feedback") {
      sub = await steps.run(
        { todo: `set #${sub.id} to FEEDBACK`, done: `moved #${sub.id} to FEEDBACK` },
        async () => {
          const updated = await changeBug(ctx, sub, { status: "feedback" }, { action: "ask", command: "ask", details: { parentBugId: bug.id } });
          if (updated.status !== "feedback") {
            throw new TrackerRejectedError(`MantisBT left sub-bug #${updated.id} in ${updated.status}, not feedback: set it to feedback by hand`);
          }
          return updated;
        },
        [...(linked ? [] : [link]), tell],
      );
    }
    if (!linked) {
      await steps.run(
        { todo: link, done: `linked #${sub.id} as a sub-bug of #${bug.id}` },
        () => linkBugs(ctx, bug.id, { type: "parent-of", otherBugId: sub.id }, { action: "ask", command: "ask", details: { subBugId: sub.id, developer: developer.name } }),
        [tell],
      );
    }

    const subLink = bugLink(sub, ctx.tracker.bugUrl(sub.id));
    const parentLink = bugLink(bug, parentUrl);
    if (earlier && !toFinish) {
      return ephemeral(`You already asked @${developer.name} this in ${subLink} (FEEDBACK, child of ${parentLink}); nothing changed. Your feedback on #${bug.id} waits until #${sub.id} is answered.`, { bugId: bug.id });
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
        `${earlier ? "Finished opening" : "Opened"} ${subLink} for @${developer.name} (FEEDBACK, child of ${parentLink}) and asked them. Your feedback on #${bug.id} waits until #${sub.id} is answered; I will tell you when.`,
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
async function findEarlierAsk(ctx: CommandContext, parent: LoadedBug, developer: StaffMember, summary: string): Promise<Bug | undefined> {
  const linked = new Map(parent.subBugs.map((sub) => [sub.bug.id, sub.bug]));
  for (const asked of ctx.store.subFeedback.list(parent.bug.id)) {
    if (asked.answeredAt !== undefined || asked.askedOf !== developer.name) continue;
    let sub = linked.get(asked.childBugId);
    if (!sub) {
      try {
        sub = await ctx.tracker.getBug(asked.childBugId);
      } catch (error) {
        if (error instanceof NotFoundError) continue;
        throw error;
      }
    }
    if (sub.summary === summary) return sub;
  }
  return undefined;
}
