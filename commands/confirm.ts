/**
 * `confirm 1234 [deadline=14.3.2034] [estimate=4h] [communicator=@bob] [with-sub-bugs]`: management
 * sets the timeline from the developer's feedback, the bug goes to action (CONFIRMED) with the `[4h,
 * 14.3.2034]` tag in its subject, and the reporter gets the "we are investigating the issue" answer
 * (seed: Analysis).
 *
 * Decisions:
 * - Estimate and deadline default to the developer's feedback; either can be overridden.
 * - The bot does not write to the customer: the reply shows the text to send, ready to copy. Who
 *   sends it is the communicator: the caller, or `communicator=@bob` when management asks a staff
 *   member to respond (that person gets the text in a DM). Review and resolution later default to
 *   the same person ("the same staff member who responded to the customer during the analysis phase").
 * - Answered sub-bugs still waiting for their own timeline are listed with Confirm buttons ("the
 *   bug(s) are set to confirmed"); `with-sub-bugs` confirms them along with the bug, each with the
 *   estimate and deadline of its own feedback (the overrides are for the bug named). Every timeline
 *   is checked before anything changes, and the sub-bugs are confirmed first, so that running the
 *   command again after a failure half-way finishes the rest.
 */
import { z } from "zod";
import { addDays, compareDates, formatDate, type IsoDate } from "../src/core/dates.js";
import { formatDuration } from "../src/core/duration.js";
import { checkTransition } from "../src/core/stages.js";
import { removeSubjectTag, setSubjectTag } from "../src/core/subject-tag.js";
import { ConflictError, ProcessRuleError, UsageError } from "../src/errors.js";
import { bugIdArg, deadlineArg, estimateArg, flagArg, staffHandleArg } from "../src/framework/arg-types.js";
import { defineCommand, type CommandContext } from "../src/framework/command.js";
import { ephemeral, type MessageButton } from "../src/framework/reply.js";
import { WriteSteps } from "../src/process/write-steps.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { formatInvestigatingReply } from "../src/process/customer-reply.js";
import { notifyAfterChange } from "../src/process/notify.js";
import { handlerMember } from "../src/process/require-handler.js";
import { loadBug, requireTransition, type SubBug } from "../src/process/situation.js";
import { callerToday, readDeadline, readEstimate } from "../src/process/timeline-input.js";
import { applyTransition, type Transition } from "../src/process/transition.js";

import type { BugProcessState } from "../src/core/bug-process.js";
import type { Ticket } from "../src/core/ticket.js";

/** The work left and deadline a bug is confirmed with. */
interface Timeline {
  estimateMinutes: number;
  deadline: IsoDate;
}

/** A timeline, or what keeps the feedback's from being used. */
type TimelineRead = { ok: true; timeline: Timeline } | { ok: false; missing: "estimate" | "deadline" } | { ok: false; passed: IsoDate };

export const confirmCommand = defineCommand({
  name: "confirm",
  summary: "Set the timeline after the developer's feedback; the bug goes to action and the reporter is told we are investigating",
  usage: "<bug> [deadline=<date>] [estimate=<work left>] [communicator=@staff] [with-sub-bugs]",
  examples: ["confirm 1234", "confirm 1234 deadline=14.3.2034 estimate=4h", "confirm 1234 communicator=@bob", "confirm 1234 with-sub-bugs"],
  roles: ["management"],
  positional: ["bug"],
  flags: ["with-sub-bugs"],
  args: z.object({
    bug: bugIdArg,
    deadline: deadlineArg.optional(),
    estimate: estimateArg.optional(),
    communicator: staffHandleArg.optional(),
    "with-sub-bugs": flagArg,
  }),
  async run(ctx, args) {
    const { bug, state, situation, subBugs } = await loadBug(ctx, args.bug);
    const transition = requireTransition("confirm", situation);

    const read = await readTimeline(ctx, state, {
      ...(args.estimate !== undefined ? { estimate: readEstimate(ctx, args.estimate) } : {}),
      ...(args.deadline !== undefined ? { deadline: await readDeadline(ctx, args.deadline) } : {}),
    });
    if (!read.ok) {
      throw new UsageError(
        "missing" in read
          ? `The feedback on #${bug.id} has no ${read.missing}: give it, e.g. \`confirm ${bug.id} estimate=4h deadline=14.3.2034\`.`
          : `The deadline from the feedback, ${formatDate(read.passed)}, has passed: give a new one, e.g. \`confirm ${bug.id} deadline=${formatDate(addDays(await callerToday(ctx), 7))}\`.`,
      );
    }
    const timeline = read.timeline;
    const communicator = args.communicator === undefined ? ctx.caller : ctx.staff.find(args.communicator);
    if (!communicator) {
      throw new UsageError(`communicator: I know no staff member "@${args.communicator}". Known staff: ${ctx.staff.all().map((m) => `@${m.name}`).join(", ")}.`);
    }

    // Answered sub-bugs are those `confirm` would take now: their feedback is in and they wait for a timeline.
    const answered = subBugs.filter((sub) => checkTransition("confirm", sub.situation).ok);
    const withSubBugs = [];
    // Every sub-bug's plan before any write: one that cannot be confirmed stops the whole command.
    if (args["with-sub-bugs"]) for (const sub of answered) withSubBugs.push({ sub, ...await subBugPlan(ctx, sub, bug.id) });

    const problems: (string | undefined)[] = [];
    const confirmedSubs: string[] = [];
    // One PATCH per bug; when one fails, the reply says which were confirmed and the same command finishes the rest.
    const steps = new WriteSteps("the bugs confirmed already are left as they are, the rest is confirmed");
    const confirmParent = `confirm #${bug.id} and give you the text for its reporter`;
    for (const [index, { sub, transition: subTransition, timeline: subTimeline }] of withSubBugs.entries()) {
      const later = [...withSubBugs.slice(index + 1).map((next) => `confirm sub-bug #${next.sub.bug.id}`), confirmParent];
      const updated = await steps.run(
        { todo: `confirm sub-bug #${sub.bug.id}`, done: `confirmed sub-bug #${sub.bug.id}: ${describeTimeline(ctx, subTimeline)}` },
        () => applyTimeline(ctx, sub.bug, subTransition, subTimeline, { communicator: communicator.name, details: { parentBugId: bug.id } }),
        later,
      );
      problems.push(await tellDeveloper(ctx, updated, subTimeline));
      confirmedSubs.push(`- ${bugLink(updated, ctx.tracker.ticketUrl(updated.id))} ${escapeMarkdown(removeSubjectTag(updated.summary))}: ${describeTimeline(ctx, subTimeline)}`);
    }

    const updated = await steps.run({ todo: confirmParent, done: `confirmed #${bug.id}` }, async () => {
      const current = withSubBugs.length > 0 ? await rereadAfterSubBugs(ctx, bug) : bug;
      return applyTimeline(ctx, current, transition, timeline, { communicator: communicator.name, details: { communicator: communicator.name } });
    });
    const url = ctx.tracker.ticketUrl(bug.id);
    const link = bugLink(updated, url);
    const answer = formatInvestigatingReply(updated, url, ctx.tracker.name);
    const answerBlock = ["```text", answer.text, "```", ...(answer.noLinkReason ? [answer.noLinkReason] : [])];

    problems.push(await tellDeveloper(ctx, updated, timeline));
    if (communicator.name !== ctx.caller.name) {
      problems.push(
        await notifyAfterChange(ctx, `the message to @${communicator.name}`, () =>
          ctx.notifier.direct(communicator, {
            text: [`@${ctx.caller.name} asks you to tell the reporter of ${link} that we are investigating the issue. Text to send:`, ...answerBlock].join("\n"),
            bugId: bug.id,
          }),
        ),
      );
    }

    const waiting = args["with-sub-bugs"] ? [] : answered;
    const buttons: MessageButton[] = waiting.map((sub) => ({ label: `Confirm #${sub.bug.id}`, command: `confirm ${sub.bug.id}` }));
    const lines = [
      `${link} is ${updated.state.label}: ${describeTimeline(ctx, timeline)}; the subject now reads "${escapeMarkdown(updated.summary)}".`,
      communicator.name === ctx.caller.name
        ? `Tell the reporter we are investigating the issue; text to send:`
        : `@${communicator.name} will tell the reporter we are investigating the issue; they got this text:`,
      ...answerBlock,
      ...(confirmedSubs.length > 0 ? [`Sub-bugs confirmed with it, each with its own timeline (${confirmedSubs.length}):`, ...confirmedSubs] : []),
      ...(args["with-sub-bugs"] && confirmedSubs.length === 0 ? [`No sub-bug of #${bug.id} waited for its timeline.`] : []),
      ...(waiting.length > 0 ? [`Sub-bugs waiting for their timeline too: ${waiting.map((sub) => `#${sub.bug.id}`).join(", ")}.`] : []),
      ...problems,
    ];
    return ephemeral(lines.filter(Boolean).join("\n"), { bugId: bug.id, ...(buttons.length > 0 ? { buttons } : {}) });
  },
});

/** The timeline from the overrides, else from the bug's feedback; usable only when complete and not past. */
async function readTimeline(ctx: CommandContext, state: BugProcessState | undefined, overrides: { estimate?: number; deadline?: IsoDate }): Promise<TimelineRead> {
  const estimateMinutes = overrides.estimate ?? state?.estimateMinutes;
  const deadline = overrides.deadline ?? state?.deadline;
  if (estimateMinutes === undefined) return { ok: false, missing: "estimate" };
  if (deadline === undefined) return { ok: false, missing: "deadline" };
  if (compareDates(deadline, await callerToday(ctx)) < 0) return { ok: false, passed: deadline };
  return { ok: true, timeline: { estimateMinutes, deadline } };
}

/** Where a sub-bug goes and with which timeline; nothing is confirmed when one of them cannot be. */
async function subBugPlan(ctx: CommandContext, sub: SubBug, parentId: number): Promise<{ transition: Transition; timeline: Timeline }> {
  const read = await readTimeline(ctx, sub.state, {});
  if (!read.ok) {
    const problem = "missing" in read ? `the feedback on sub-bug #${sub.bug.id} has no ${read.missing}` : `the deadline from the feedback on sub-bug #${sub.bug.id}, ${formatDate(read.passed)}, has passed`;
    throw new ProcessRuleError(
      `Nothing was confirmed: ${problem}. Confirm #${sub.bug.id} on its own first (\`confirm ${sub.bug.id} estimate=4h deadline=14.3.2034\`), or confirm #${parentId} without \`with-sub-bugs\`.`,
    );
  }
  return { transition: requireTransition("confirm", sub.situation), timeline: read.timeline };
}

/**
 * The bug read again after its sub-bugs changed: its etag covers the sub-bugs' status and subject
 * (they are listed in its relationships), so the one read first no longer matches. A bug someone
 * else changed meanwhile is refused as a conflict, as a stale etag would have been.
 */
async function rereadAfterSubBugs(ctx: CommandContext, bug: Ticket): Promise<Ticket> {
  const current = await ctx.tracker.getTicket(bug.id);
  if (current.updatedAt.getTime() !== bug.updatedAt.getTime()) throw new ConflictError(`Bug #${bug.id} changed meanwhile: reload and retry`);
  return current;
}

/** Confirms the bug with the subject tag in the tracker and the timeline in the store, journalled as `confirm`. */
async function applyTimeline(
  ctx: CommandContext,
  bug: Ticket,
  transition: Transition,
  timeline: Timeline,
  extra: { communicator: string; details: Record<string, unknown> },
): Promise<Ticket> {
  const { estimateMinutes, deadline } = timeline;
  const summary = setSubjectTag(bug.summary, timeline, { workdayHours: ctx.settings.workdayHours, maxLength: ctx.tracker.limits.summaryLength });
  const updated = await applyTransition(ctx, bug, transition, {
    ...(summary !== bug.summary ? { fields: { summary } } : {}),
    processState: { estimateMinutes, deadline, confirmedBy: ctx.caller.name, communicator: extra.communicator },
    alsoRecord: () => ctx.store.estimates.record({ bugId: bug.id, at: ctx.now(), actor: ctx.caller.name, source: "confirm", estimateMinutes, deadline }),
    record: { action: "confirm", details: { estimateMinutes, deadline, ...extra.details } },
  });
  return updated;
}

/** "4h of work, deadline 14.3.2034". */
function describeTimeline(ctx: CommandContext, timeline: Timeline): string {
  return `${formatDuration(timeline.estimateMinutes, { workdayHours: ctx.settings.workdayHours })} of work, deadline ${formatDate(timeline.deadline)}`;
}

/** DMs the handling developer (unless they confirmed it themselves) that work can start. */
async function tellDeveloper(ctx: CommandContext, bug: Ticket, timeline: Timeline): Promise<string | undefined> {
  const developer = handlerMember(ctx, bug);
  if (!developer || developer.name === ctx.caller.name) return undefined;
  const link = bugLink(bug, ctx.tracker.ticketUrl(bug.id));
  return notifyAfterChange(ctx, `the message to @${developer.name}`, () =>
    ctx.notifier.direct(developer, {
      text: `@${ctx.caller.name} confirmed ${link} ${escapeMarkdown(removeSubjectTag(bug.summary))}: ${describeTimeline(ctx, timeline)}. Start work when you pick it up: \`start ${bug.id}\`.`,
      bugId: bug.id,
      buttons: [{ label: "Start", command: `start ${bug.id}` }],
    }),
  );
}
