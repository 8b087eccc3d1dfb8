/**
 * `draft 1234 "text" [force]`: the developer drafts the response to the customer as a bug note
 * (seed: Action, "The general tone of the response should always be 'we fixed', not 'I fixed',
 * never put any blame on the user, and acknowledge mistakes appropriately").
 *
 * Decisions:
 * - The tone check (src/core/tone.ts) runs first; a draft with findings is refused with the
 *   findings, their suggestions and the text with drop-in replacements applied, unless `force` is
 *   given (people decide; the check can be wrong about quoted or unusual wording).
 * - The draft is a PRIVATE note headed "Draft response to the customer:" (below the bot's "[by ...]"
 *   line when it cannot act as the developer), not yet meant for the reporter's eyes; the store keeps
 *   its text and note id for `notify`. A new draft replaces the previous one in the store; the older
 *   note stays in the tracker's history.
 */
import { z } from "zod";
import { applyToneReplacements, checkTone, formatToneFindings } from "../src/core/tone.js";
import { ProcessRuleError } from "../src/errors.js";
import { bugIdArg, flagArg, textArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { addTicketNote } from "../src/process/bug-actions.js";
import { bugLink } from "../src/process/bug-format.js";
import { requireHandlerOrManagement } from "../src/process/require-handler.js";
import { loadBug, requireTransition } from "../src/process/situation.js";

/** Heading of every draft note; `notify` and people reading the tracker recognise drafts by it. */
export const DRAFT_NOTE_HEADING = "Draft response to the customer:";

export const draftCommand = defineCommand({
  name: "draft",
  summary: 'Draft the response to the customer (tone-checked: "we fixed", no blame) as a private note',
  usage: '<bug> "text" [force]',
  examples: ['draft 1234 "We fixed the problem in wallet 0.14.3; thank you for your patience."', 'draft 1234 "..." force'],
  roles: ["staff", "management"],
  positional: ["bug", "...text"],
  flags: ["force"],
  args: z.object({ bug: bugIdArg, text: textArg, force: flagArg }),
  form: {
    title: "Draft the response",
    introduction: 'The text the customer will get. It is checked for tone ("we fixed", no blame) and saved as a private note on the bug.',
    submitLabel: "Save the draft",
    opensWith: ["bug"],
    fields: [
      { name: "bug", label: "Bug", kind: "text", input: "number", placeholder: "1234", maxLength: 20, prompt: "Which **bug** is it for? For example `1234`." },
      { name: "text", label: "Response to customer", kind: "textarea", prompt: "The **response** to the customer, in one message?" },
      {
        name: "force",
        label: "Keep as written",
        kind: "flag",
        optional: true,
        placeholder: "Save even if the tone check objects",
        prompt: "Keep it as written even if the tone check objects? Send `yes` or `no`.",
        skipWords: ["skip", "-"],
      },
    ],
  },
  async run(ctx, args) {
    const { bug, situation } = await loadBug(ctx, args.bug);
    requireTransition("draft", situation);
    requireHandlerOrManagement(ctx, bug, "draft");

    const findings = checkTone(args.text);
    if (findings.length > 0 && !args.force) {
      const corrected = applyToneReplacements(args.text, findings);
      const replaceable = findings.some((finding) => finding.replacement !== undefined);
      throw new ProcessRuleError(
        [
          `The draft for #${bug.id} needs another look before it reaches the customer; nothing was saved:`,
          formatToneFindings(findings),
          ...(replaceable && corrected !== args.text ? ["With the replacements applied:", "```text", corrected, "```"] : []),
          `Send the corrected draft again, or add \`force\` to keep it as written.`,
        ].join("\n"),
      );
    }

    const note = await addTicketNote(
      ctx,
      bug.id,
      { text: `${DRAFT_NOTE_HEADING}\n\n${args.text}`, private: true },
      { action: "draft", command: "draft", details: { forced: findings.length > 0, toneFindings: findings.map((finding) => finding.rule) } },
      { alsoRecord: (added) => ctx.store.bugProcess.update(bug.id, { draftText: args.text, draftNoteId: added.id }, ctx.now()) },
    );

    const link = bugLink(bug, ctx.tracker.ticketUrl(bug.id));
    return ephemeral(
      [
        `Saved the draft for ${link} as private note ${note.id}; it is what the customer will be told once the fix passes review.`,
        findings.length > 0 ? `Kept as written despite ${findings.length} tone finding(s) (force).` : "The tone check found nothing to change.",
        situation.customer ? `Next: ask for review with \`review ${bug.id} @reviewer\`.` : `Next: ask for review with \`review ${bug.id} @reviewer\` (no customer is involved, so the draft is optional).`,
      ].join("\n"),
      { bugId: bug.id },
    );
  },
});
