/**
 * `feedback 1234 <estimate> <deadline> "path to resolution" [fixed-in=...]`: the handling developer
 * says whether the path to a fix is clear and gives a conservative timeline; the bug goes back to
 * NEW for management to set the timeline (seed: Analysis).
 *
 * Decisions:
 * - The feedback is a public note (the reporter may follow the analysis); estimate and deadline also
 *   go to the store, where `confirm` picks them up for the subject tag.
 * - Note and move go in one change: all or nothing, and the tracker keeps the state sent, where a
 *   separate note by the bug's reporter may move a FEEDBACK bug on by itself.
 * - On a sub-bug (opened with `ask`) the same command is the answer: the wait on the parent ends and
 *   the parent's handler is told.
 */
import { z } from "zod";
import { formatDate } from "../src/core/dates.js";
import { formatDuration } from "../src/core/duration.js";
import { removeSubjectTag } from "../src/core/subject-tag.js";
import { unwrapParsed } from "../src/core/parse-result.js";
import { UsageError } from "../src/errors.js";
import { bugIdArg, deadlineArg, estimateArg, nonEmptyArg, textArg } from "../src/framework/arg-types.js";
import { defineCommand, type CommandContext } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { describeFixedIn, formatFixedIn, parseFixedIn, type FixedIn } from "../src/process/fixed-in.js";
import { notifyAfterChange } from "../src/process/notify.js";
import { handlerMember, requireHandlerOrManagement } from "../src/process/require-handler.js";
import { loadBug, requireTransition } from "../src/process/situation.js";
import { refreshPendingSubFeedback } from "../src/process/sub-feedback.js";
import { readDeadline, readEstimate, timelineWarning } from "../src/process/timeline-input.js";
import { applyTransition } from "../src/process/transition.js";


/** Longest excerpt of the path quoted in chat messages; the full text is in the note. */
const EXCERPT = 300;

const excerpt = (text: string): string => escapeMarkdown(text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text);

/** Checks the version of a production fix against the project's versions; the tracker refuses others. */
async function checkVersion(ctx: CommandContext, fixedIn: FixedIn): Promise<string | undefined> {
  if (fixedIn.place !== "production" || fixedIn.detail === undefined) return undefined;
  const named = (names: readonly string[]) => names.find((name) => name.toLowerCase() === fixedIn.detail!.toLowerCase());
  // The names are kept for the process's lifetime; one added in the tracker since is found by reading them again.
  let versions = await ctx.tracker.listVersionNames();
  if (!named(versions)) versions = await ctx.tracker.listVersionNames({ fresh: true });
  const version = named(versions);
  if (!version) {
    const tracker = ctx.tracker.name;
    throw new UsageError(
      `fixed-in: ${tracker} knows no version "${fixedIn.detail}" in this project (known: ${versions.join(", ") || "none"}). ` +
        `Check the number, or ask management to add the version in ${tracker} first.`,
    );
  }
  return version;
}

export const feedbackCommand = defineCommand({
  name: "feedback",
  summary: "Give your analysis: path to a fix and a conservative timeline; the bug goes back to management",
  usage: '<bug> <work left> <deadline> "path to resolution" [fixed-in="git|testing|production <version>"]',
  examples: [
    'feedback 1234 4h 14.3.2034 "Clear: the wallet ignores the bank\'s confirmation; fix in wallet-core, no other subsystem"',
    'feedback 1234 0h 2034-03-14 "Already fixed by the new exchange release" fixed-in="production 1.0.0"',
  ],
  roles: ["staff", "management"],
  positional: ["bug", "estimate", "deadline", "...path"],
  args: z.object({ bug: bugIdArg, estimate: estimateArg, deadline: deadlineArg, path: textArg, fixedIn: nonEmptyArg('"production 1.0.0"').optional() }),
  async run(ctx, args) {
    const loaded = await loadBug(ctx, args.bug);
    const { bug } = loaded;
    const pending = await refreshPendingSubFeedback(ctx, bug.id, new Map(loaded.subBugs.map((sub) => [sub.bug.id, sub.bug])));
    const transition = requireTransition("feedback", { ...loaded.situation, pendingSubFeedback: pending });
    requireHandlerOrManagement(ctx, bug, "feedback");

    const estimateMinutes = readEstimate(ctx, args.estimate);
    const deadline = await readDeadline(ctx, args.deadline);
    const fixedIn = args.fixedIn === undefined ? undefined : unwrapParsed(mapFixedInError(parseFixedIn(args.fixedIn)));
    const version = fixedIn ? await checkVersion(ctx, fixedIn) : undefined;

    const workdayHours = ctx.settings.workdayHours;
    const timeline = `${formatDuration(estimateMinutes, { workdayHours })} of work, deadline ${formatDate(deadline)}`;
    const noteLines = [
      "Developer feedback (analysis):",
      `Path to resolution: ${args.path}`,
      `Conservative timeline: ${timeline}.`,
      ...(fixedIn ? [`Already fixed ${describeFixedIn(fixedIn)}.`] : []),
    ];
    const details = { estimateMinutes, deadline, ...(fixedIn ? { fixedIn: formatFixedIn(fixedIn) } : {}) };
    const record = { action: "feedback", details };
    // The handler stays: the one who analysed it is the developer (the caller, when management answers for nobody).
    const developer = handlerMember(ctx, bug)?.name ?? ctx.caller.name;
    const updated = await applyTransition(ctx, bug, transition, {
      ...(version ? { fields: { fixedInVersion: version } } : {}),
      notes: [{ text: noteLines.join("\n"), private: false, record: { ...record, command: "feedback" } }],
      processState: { estimateMinutes, deadline, developer, ...(fixedIn ? { fixedIn: formatFixedIn(fixedIn) } : {}) },
      alsoRecord: () => ctx.store.estimates.record({ bugId: bug.id, at: ctx.now(), actor: ctx.caller.name, source: "feedback", estimateMinutes, deadline }),
      record,
    });

    const url = ctx.tracker.ticketUrl(bug.id);
    const link = bugLink(updated, url);
    const title = escapeMarkdown(removeSubjectTag(updated.summary));
    const problems: (string | undefined)[] = [];

    const sub = await ctx.store.subFeedback.get(bug.id);
    let parentNote = "";
    if (sub) {
      await ctx.store.subFeedback.markAnswered(bug.id, { at: ctx.now(), by: ctx.caller.name, how: "feedback" });
      problems.push(await tellParentHandler(ctx, { subId: bug.id, parentId: sub.parentBugId, askedBy: sub.askedBy, path: args.path, timeline }));
      parentNote = ` (sub-bug of #${sub.parentBugId}; its handler was told the answer is in)`;
    }

    const fixedText = fixedIn ? `, already fixed ${escapeMarkdown(describeFixedIn(fixedIn))}` : "";
    problems.push(
      await notifyAfterChange(ctx, "the note to management", () =>
        ctx.notifier.channel("management", {
          text:
            `Feedback is in for ${link} ${title}${sub ? ` (sub-bug of #${sub.parentBugId})` : ""} from @${ctx.caller.name}: ${timeline}${fixedText}.\n` +
            `Path: ${excerpt(args.path)}\nIt waits for a timeline: confirm it (\`confirm ${bug.id}\`, optionally with deadline= and estimate=).`,
          bugId: bug.id,
          buttons: [{ label: "Confirm", command: `confirm ${bug.id}`, style: "primary" }],
        }),
      ),
    );

    return ephemeral(
      [
        `Thanks: your feedback on ${link} is a public note, the bug is ${updated.state.label} again and waits for management's timeline${parentNote}. Management has been told.`,
        `Recorded: ${timeline}${fixedText}.`,
        await timelineWarning(ctx, { developer: handlerMember(ctx, updated) ?? ctx.caller, estimateMinutes, deadline }),
        ...problems,
      ]
        .filter(Boolean)
        .join("\n"),
      { bugId: bug.id },
    );
  },
});

function mapFixedInError<T>(parsed: { ok: true; value: T } | { ok: false; error: string }): { ok: true; value: T } | { ok: false; error: string } {
  return parsed.ok ? parsed : { ok: false, error: `fixed-in: ${parsed.error}` };
}

/** DMs the parent's handler (or, when nobody handles it, whoever asked) that a sub-bug was answered. */
async function tellParentHandler(
  ctx: CommandContext,
  answer: { subId: number; parentId: number; askedBy: string; path: string; timeline: string },
): Promise<string | undefined> {
  let recipient = ctx.staff.find(answer.askedBy);
  try {
    const parent = await ctx.tracker.getTicket(answer.parentId);
    recipient = handlerMember(ctx, parent) ?? recipient;
  } catch (error) {
    ctx.log.warn({ err: error, bugId: answer.parentId }, "could not read the parent of a sub-bug");
  }
  if (!recipient || recipient.name === ctx.caller.name) return undefined;
  const still = await ctx.store.subFeedback.pending(answer.parentId);
  const next =
    still.length > 0
      ? `Still waiting for ${still.map((id) => `#${id}`).join(", ")}.`
      : `Every sub-bug has answered: give your feedback with \`feedback ${answer.parentId} <work left> <deadline> "path to resolution"\`.`;
  const to = recipient;
  return notifyAfterChange(ctx, `the message to @${to.name}`, () =>
    ctx.notifier.direct(to, {
      text:
        `@${ctx.caller.name} answered in #${answer.subId} (sub-bug of #${answer.parentId}): ${answer.timeline}.\n` +
        `Path: ${excerpt(answer.path)}\n${next}`,
      bugId: answer.parentId,
    }),
  );
}
