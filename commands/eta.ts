/**
 * `eta 1234 <work left> <deadline> ["reason"]`: the handler updates the `[4h, 14.3.2034]` tag in the
 * subject (seed: Action, "These numbers should be updated whenever predictions change or work
 * progresses"); the rest of the subject stays as it is.
 *
 * Decisions:
 * - Every `eta` is recorded with its time, also when the numbers did not change: saying "still
 *   right" is an update, and the proactive engine calls estimates stale by that time.
 * - A later deadline is put in writing at once, as the seed asks ("If it becomes likely (!) that
 *   deadlines cannot be met, staff will put this in writing with the impacted issues"): a public
 *   note "Deadline moved from X to Y" (with the reason, when given) and a post to management.
 */
import { z } from "zod";
import { compareDates, formatDate } from "../src/core/dates.js";
import { formatDuration } from "../src/core/duration.js";
import { parseSubject, removeSubjectTag, setSubjectTag } from "../src/core/subject-tag.js";
import { bugIdArg, deadlineArg, estimateArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { notifyAfterChange } from "../src/process/notify.js";
import { handlerMember, requireHandlerOrManagement } from "../src/process/require-handler.js";
import { loadBug, requireTransition } from "../src/process/situation.js";
import { readDeadline, readEstimate, timelineWarning } from "../src/process/timeline-input.js";
import { applyTransition } from "../src/process/transition.js";


export const etaCommand = defineCommand({
  name: "eta",
  summary: "Update the work left and the deadline in the subject tag [4h, 14.3.2034]",
  usage: '<bug> <work left> <deadline> ["reason, when the deadline moves"]',
  examples: ["eta 1234 2h 14.3.2034", 'eta 1234 1d 21.3.2034 "the bank\'s test system is down until Monday"'],
  roles: ["staff", "management"],
  positional: ["bug", "estimate", "deadline", "...reason"],
  args: z.object({
    bug: bugIdArg,
    estimate: estimateArg,
    deadline: deadlineArg,
    reason: z.array(z.string()).transform((words) => words.join(" ").trim()),
  }),
  async run(ctx, args) {
    const { bug, state, situation } = await loadBug(ctx, args.bug);
    const transition = requireTransition("eta", situation);
    requireHandlerOrManagement(ctx, bug, "eta");
    const estimateMinutes = readEstimate(ctx, args.estimate);
    const deadline = await readDeadline(ctx, args.deadline);

    const workdayHours = ctx.settings.workdayHours;
    const previous = parseSubject(bug.summary, { workdayHours }).tag;
    const previousDeadline = previous?.deadline ?? state?.deadline;
    const summary = setSubjectTag(bug.summary, { estimateMinutes, deadline }, { workdayHours, maxLength: ctx.tracker.limits.summaryLength });
    const details = { estimateMinutes, deadline, previousDeadline: previousDeadline ?? null };
    const left = formatDuration(estimateMinutes, { workdayHours });
    const movedLater = previousDeadline !== undefined && compareDates(deadline, previousDeadline) > 0;
    const moved = movedLater ? `Deadline moved from ${formatDate(previousDeadline)} to ${formatDate(deadline)} (work left: ${left}).` : undefined;
    const note = moved && {
      text: args.reason ? `${moved}\nReason: ${args.reason}` : moved,
      private: false,
      record: { action: "deadline-moved", command: "eta", details: { from: previousDeadline, to: deadline } },
    };
    // The subject and the note putting a later deadline in writing go in one change: all or nothing.
    // An unchanged subject changes nothing in the tracker; the journal still records the update.
    const updated = await applyTransition(ctx, bug, transition, {
      ...(summary !== bug.summary ? { fields: { summary } } : {}),
      notes: note ? [note] : [],
      processState: { estimateMinutes, deadline },
      alsoRecord: () => ctx.store.estimates.record({ bugId: bug.id, at: ctx.now(), actor: ctx.caller.name, source: "eta", estimateMinutes, deadline }),
      record: { action: "eta", details },
    });

    const link = bugLink(updated, ctx.tracker.ticketUrl(bug.id));
    const lines = [`${link} now reads "${escapeMarkdown(updated.summary)}".`];
    if (movedLater) {
      const reason = args.reason ? ` Reason: ${escapeMarkdown(args.reason)}` : "";
      const problem = await notifyAfterChange(ctx, "the note to management", () =>
        ctx.notifier.channel("management", {
          text: `@${ctx.caller.name} moved the deadline of ${link} ${escapeMarkdown(removeSubjectTag(updated.summary))} from ${formatDate(previousDeadline)} to ${formatDate(deadline)} (work left: ${left}).${reason}`,
          bugId: bug.id,
        }),
      );
      lines.push(
        `The deadline moved later, so it is now in writing, as the seed asks: a public note on #${bug.id} says so${args.reason ? "" : ` (give a reason next time: \`eta ${bug.id} ${args.estimate} ${args.deadline} "why"\`)`}, and management has been told.`,
      );
      if (situation.customer) {
        const communicator = state?.communicator ?? state?.confirmedBy;
        lines.push(`A customer is waiting on this bug: ${communicator ? `@${communicator}` : "whoever answered them"} may need to tell them.`);
      }
      if (problem) lines.push(problem);
    }
    const warning = await timelineWarning(ctx, { developer: handlerMember(ctx, bug) ?? ctx.caller, estimateMinutes, deadline });
    if (warning) lines.push(warning);
    return ephemeral(lines.join("\n"), { bugId: bug.id });
  },
});
