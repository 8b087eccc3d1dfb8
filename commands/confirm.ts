/**
 * `confirm 1234 [deadline=14.3.2034] [estimate=4h] [communicator=@bob]`: management sets the
 * timeline from the developer's feedback, the bug goes to action (CONFIRMED) with the `[4h,
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
 *   bug(s) are set to confirmed"); they are not confirmed behind management's back.
 */
import { z } from "zod";
import { addDays, compareDates, formatDate } from "../src/core/dates.js";
import { formatDuration } from "../src/core/duration.js";
import { removeSubjectTag, setSubjectTag } from "../src/core/subject-tag.js";
import { UsageError } from "../src/errors.js";
import { bugIdArg, deadlineArg, estimateArg, staffHandleArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral, type MessageButton } from "../src/framework/reply.js";
import { changeBug } from "../src/process/bug-actions.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { formatInvestigatingReply } from "../src/process/customer-reply.js";
import { notifyAfterChange } from "../src/process/notify.js";
import { handlerMember } from "../src/process/require-handler.js";
import { loadBug, requireTransition } from "../src/process/situation.js";
import { listSubBugsAwaitingTimeline } from "../src/process/sub-feedback.js";
import { callerToday, readDeadline, readEstimate } from "../src/process/timeline-input.js";
import { recordEstimate } from "../src/store/analysis-repo.js";

export const confirmCommand = defineCommand({
  name: "confirm",
  summary: "Set the timeline after the developer's feedback; the bug goes to action and the reporter is told we are investigating",
  usage: "<bug> [deadline=<date>] [estimate=<work left>] [communicator=@staff]",
  examples: ["confirm 1234", "confirm 1234 deadline=14.3.2034 estimate=4h", "confirm 1234 communicator=@bob"],
  roles: ["management"],
  positional: ["bug"],
  args: z.object({
    bug: bugIdArg,
    deadline: deadlineArg.optional(),
    estimate: estimateArg.optional(),
    communicator: staffHandleArg.optional(),
  }),
  async run(ctx, args) {
    const { bug, state, situation } = await loadBug(ctx, args.bug);
    const transition = requireTransition("confirm", situation);

    const estimateMinutes = args.estimate !== undefined ? readEstimate(ctx, args.estimate) : state?.estimateMinutes;
    const deadline = args.deadline !== undefined ? readDeadline(ctx, args.deadline) : state?.deadline;
    if (estimateMinutes === undefined || deadline === undefined) {
      throw new UsageError(`The feedback on #${bug.id} has no ${estimateMinutes === undefined ? "estimate" : "deadline"}: give it, e.g. \`confirm ${bug.id} estimate=4h deadline=14.3.2034\`.`);
    }
    const today = callerToday(ctx);
    if (compareDates(deadline, today) < 0) {
      throw new UsageError(`The deadline from the feedback, ${formatDate(deadline)}, has passed: give a new one, e.g. \`confirm ${bug.id} deadline=${formatDate(addDays(today, 7))}\`.`);
    }
    const communicator = args.communicator === undefined ? ctx.caller : ctx.staff.find(args.communicator);
    if (!communicator) {
      throw new UsageError(`communicator: I know no staff member "@${args.communicator}". Known staff: ${ctx.staff.all().map((m) => `@${m.name}`).join(", ")}.`);
    }

    const workdayHours = ctx.settings.workdayHours;
    const summary = setSubjectTag(bug.summary, { estimateMinutes, deadline }, { workdayHours });
    const updated = await changeBug(
      ctx,
      bug,
      { status: transition.to.status, ...(summary !== bug.summary ? { summary } : {}) },
      { action: "confirm", command: "confirm", details: { estimateMinutes, deadline, communicator: communicator.name } },
    );
    ctx.store.updateBugProcess(
      bug.id,
      { stage: transition.to.stage, estimateMinutes, deadline, confirmedBy: ctx.caller.name, communicator: communicator.name },
      ctx.now(),
    );
    recordEstimate(ctx.store, { bugId: bug.id, at: ctx.now(), actor: ctx.caller.name, source: "confirm", estimateMinutes, deadline });

    const url = ctx.tracker.bugUrl(bug.id);
    const link = bugLink(updated, url);
    const timeline = `${formatDuration(estimateMinutes, { workdayHours })} of work, deadline ${formatDate(deadline)}`;
    const answer = formatInvestigatingReply(updated, url);
    const answerBlock = ["```text", answer.text, "```", ...(answer.noLinkReason ? [answer.noLinkReason] : [])];
    const problems: (string | undefined)[] = [];

    const developer = handlerMember(ctx, updated);
    if (developer && developer.name !== ctx.caller.name) {
      problems.push(
        await notifyAfterChange(ctx, `the message to @${developer.name}`, () =>
          ctx.notifier.direct(developer, {
            text: `@${ctx.caller.name} confirmed ${link} ${escapeMarkdown(removeSubjectTag(updated.summary))}: ${timeline}. Start work when you pick it up: \`start ${bug.id}\`.`,
            bugId: bug.id,
            buttons: [{ label: "Start", command: `start ${bug.id}` }],
          }),
        ),
      );
    }
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

    const subs = await listSubBugsAwaitingTimeline(ctx, bug.id);
    const buttons: MessageButton[] = subs.map((id) => ({ label: `Confirm #${id}`, command: `confirm ${id}` }));
    const lines = [
      `${link} is CONFIRMED: ${timeline}; the subject now reads "${escapeMarkdown(updated.summary)}".`,
      communicator.name === ctx.caller.name
        ? `Tell the reporter we are investigating the issue; text to send:`
        : `@${communicator.name} will tell the reporter we are investigating the issue; they got this text:`,
      ...answerBlock,
      ...(subs.length > 0 ? [`Sub-bugs waiting for their timeline too: ${subs.map((id) => `#${id}`).join(", ")}.`] : []),
      ...problems,
    ];
    return ephemeral(lines.filter(Boolean).join("\n"), { bugId: bug.id, ...(buttons.length > 0 ? { buttons } : {}) });
  },
});
