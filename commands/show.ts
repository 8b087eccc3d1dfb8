/** `show 1234`: where a bug stands in the process and what it needs next, with its sub-bugs and their stages. */
import { z } from "zod";
import { describeNextStep, resolveStage, STAGE_INFO } from "../src/core/stages.js";
import { formatDate } from "../src/core/dates.js";
import { formatDuration } from "../src/core/duration.js";
import { parseSubject } from "../src/core/subject-tag.js";
import { bugIdArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { mentionOf } from "../src/core/person.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { loadBug } from "../src/process/situation.js";

export const showCommand = defineCommand({
  name: "show",
  aliases: ["bug"],
  summary: "Show a bug: status, stage, handler, priority, work left and deadline, link",
  usage: "<bug>",
  examples: ["show 1234", "show #1234"],
  roles: ["management", "staff"],
  positional: ["bug"],
  args: z.object({ bug: bugIdArg }),
  async run(ctx, args) {
    const { bug, state, situation, stage, subBugs } = await loadBug(ctx, args.bug);
    const workdayHours = ctx.settings.workdayHours;
    const subject = parseSubject(bug.summary, { workdayHours });
    const url = ctx.tracker.ticketUrl(bug.id);
    const lines = [
      `${bugLink(bug, url)} ${escapeMarkdown(subject.rest || bug.summary)}`,
      `- Status: **${escapeMarkdown(bug.state.label)}**, ${STAGE_INFO[stage].waitsFor}`,
      `- Handler: ${bug.handler ? mentionOf(bug.handler) : "nobody yet"}`,
      `- Priority: ${bug.priority}`,
    ];
    const estimate = subject.tag?.estimateMinutes ?? state?.estimateMinutes;
    const deadline = subject.tag?.deadline ?? state?.deadline;
    if (estimate !== undefined || deadline !== undefined) {
      lines.push(
        `- Work left: ${estimate === undefined ? "not estimated" : formatDuration(estimate, { workdayHours })}, deadline: ${deadline ? formatDate(deadline) : "none"}`,
      );
    } else if (subject.problem) {
      lines.push(`- Subject tag unreadable: ${escapeMarkdown(subject.problem)}`);
    }
    if (bug.tags.length > 0) lines.push(`- Tags: ${bug.tags.map(escapeMarkdown).join(", ")}`);
    if (state?.fixedIn) lines.push(`- Fixed in: ${escapeMarkdown(state.fixedIn)}`);
    const parents = bug.parentTicketIds.map((id) => `#${id}`);
    if (parents.length > 0) lines.push(`- Sub-bug of ${parents.join(", ")}`);
    if (subBugs.length > 0) {
      lines.push(`- Sub-bugs (${subBugs.length}):`);
      for (const sub of subBugs) {
        const handler = sub.bug.handler ? `, ${mentionOf(sub.bug.handler)}` : "";
        const waits = STAGE_INFO[resolveStage(sub.situation)].waitsFor;
        lines.push(`  - ${bugLink(sub.bug, ctx.tracker.ticketUrl(sub.bug.id))} **${escapeMarkdown(sub.bug.state.label)}**${handler}, ${waits}`);
      }
    }
    lines.push(`- Next: ${describeNextStep(situation)}`);
    return ephemeral(lines.join("\n"), { bugId: bug.id });
  },
});
