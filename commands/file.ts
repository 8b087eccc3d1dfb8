/**
 * `file "summary" [details="..."] [customer="..."] [contact="..."] [private]`: files a bug on behalf
 * of a customer who wrote to support by e-mail (seed: Support E-mail): NEW, not assigned, tagged
 * Customer, without personally identifiable information; the customer's name and contact, when
 * given, go into a private note. `private` makes the whole bug private, for problems that must not
 * be disclosed to the public prematurely (like a security problem on our end).
 */
import { z } from "zod";
import { defineCommand } from "../src/framework/command.js";
import { flagArg } from "../src/framework/arg-types.js";
import { ephemeral } from "../src/framework/reply.js";
import { bugLink } from "../src/process/bug-format.js";
import { boundedTextArg, contactArg, fileCustomerBug, pendingFilingText, requireSummaryFits, summaryArg } from "../src/process/incoming.js";
import { describeRedaction, redactPersonalData, type PersonalDataKind } from "../src/process/personal-data.js";

export const fileCommand = defineCommand({
  name: "file",
  summary: "File a bug for a customer who wrote by e-mail: NEW, unassigned, tagged Customer, contact in a private note",
  usage: '"<summary>" [details="<description>"] [customer="<name>"] [contact=<e-mail or phone>] [private]',
  examples: [
    'file "Android wallet: withdrawal pending although the bank transferred" details="Wallet 0.14.2, 50 CHF, two days" customer="Jane Doe" contact=jane@example.com',
    'file "Exchange accepts coins after their expiry" details="..." private',
  ],
  roles: ["staff", "management"],
  positional: ["summary"],
  flags: ["private"],
  args: z.object({
    summary: summaryArg,
    details: boundedTextArg({ example: 'details="Wallet 0.14.2 on Android 14"', max: 20_000 }).optional(),
    customer: boundedTextArg({ example: 'customer="Jane Doe"', max: 200 }).optional(),
    contact: contactArg.optional(),
    private: flagArg,
  }),
  async run(ctx, args) {
    requireSummaryFits(ctx, args.summary);
    const known = { name: args.customer, contact: args.contact };
    const summary = redactPersonalData(args.summary, known);
    const details = args.details === undefined ? undefined : redactPersonalData(args.details, known);
    const hasPersonalData = args.customer !== undefined || args.contact !== undefined;
    const description = [
      details?.text ?? summary.text,
      "",
      `Filed on behalf of a customer who wrote to support by e-mail.${hasPersonalData ? " The customer's name and contact details are in a private note." : ""}`,
    ].join("\n");
    const privateNote = hasPersonalData
      ? [
          "Customer contact from a support e-mail (personal data: keep it out of public notes and the summary)",
          ...(args.customer ? [`- Name: ${args.customer}`] : []),
          ...(args.contact ? [`- Contact: ${args.contact}`] : []),
          `- Filed by ${ctx.caller.displayName}`,
        ].join("\n")
      : undefined;
    const outcome = await fileCustomerBug(ctx, {
      summary: summary.text,
      description,
      private: args.private,
      origin: "email",
      privateNote,
      command: "file",
    });
    const replaced = new Set<PersonalDataKind>([...summary.replaced, ...(details?.replaced ?? [])]);
    const redactionLine =
      replaced.size > 0 ? `I replaced personal data (${describeRedaction([...replaced])}) in the summary or details by placeholders before filing.` : undefined;
    if (outcome.kind === "pending") {
      return ephemeral([pendingFilingText(ctx, outcome), redactionLine].filter(Boolean).join("\n"));
    }
    const { bug, noteProblem } = outcome;
    const lines = [
      `Filed ${bugLink(bug, ctx.tracker.ticketUrl(bug.id))}: NEW, unassigned, tagged ${ctx.settings.customerTag}. Management triages it next.`,
    ];
    if (args.private) lines.push("The bug is private: the customer cannot see it, so do not send them the link.");
    if (noteProblem) lines.push(noteProblem);
    else if (hasPersonalData) lines.push("The customer's name and contact are in a private note on the bug, not in its public text.");
    if (redactionLine) lines.push(redactionLine);
    return ephemeral(lines.join("\n"), { bugId: bug.id });
  },
});
