/**
 * `forget <S-number or bug>`: for a customer who asks to be forgotten, erases their data at once:
 * name, phone and e-mail of their calls and sales record in the bot's store, and the bot's private
 * contact note on their bug in the tracker. The journal keeps what happened, without the data.
 */
import { z } from "zod";
import { UsageError } from "../src/errors.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { forgetCustomer, type ForgetReport, type ForgetTarget } from "../src/process/customer-data.js";
import { parseSalesReference, salesReference } from "../src/core/sales.js";

export const forgetCommand = defineCommand({
  name: "forget",
  summary: "Erase a customer's personal data (they asked to be forgotten): store records and the private contact note",
  usage: "<S-number or bug>",
  examples: ["forget S-3", "forget #1234"],
  roles: ["management"],
  positional: ["customer"],
  args: z.object({
    customer: z.string().transform((text) => text.trim()),
  }),
  async run(ctx, args) {
    const target = parseTarget(args.customer, (text) => ctx.tracker.parseReference(text));
    const report = await forgetCustomer(ctx, target);
    return ephemeral(describeReport(report, ctx.tracker.name, "bugId" in target ? `#${target.bugId}` : target.salesRef));
  },
});

function parseTarget(text: string, parseBug: (text: string) => number | undefined): ForgetTarget {
  const sales = parseSalesReference(text);
  if (sales !== undefined) return { salesRef: salesReference(sales) };
  const bugId = parseBug(text);
  if (bugId !== undefined) return { bugId };
  throw new UsageError(`customer: must be a sales reference such as S-3 or a bug such as #1234, not \`${text.replace(/`/g, "").slice(0, 40)}\``);
}

/** The reply: what was erased, by id only (it may be read over someone's shoulder). */
function describeReport(report: ForgetReport, tracker: string, what: string): string {
  const erased: string[] = [];
  if (report.calls.length > 0) erased.push(`- calls ${report.calls.join(", ")} in the bot's store: name, phone and e-mail (the call's text keeps placeholders)`);
  if (report.filings.length > 0) erased.push(`- support filings ${report.filings.join(", ")} in the bot's store: what they were to file`);
  if (report.salesRecords.length > 0) erased.push(`- sales records ${report.salesRecords.join(", ")} in the bot's store: name, phone and e-mail`);
  for (const note of report.notesDeleted) erased.push(`- the private contact note ${note.noteId} on #${note.bugId} in ${tracker} (deleted)`);
  const lines = erased.length > 0 ? [`Erased the customer's data of ${what}:`, ...erased] : [`The bot keeps no customer's data of ${what} (any there was is erased already).`];
  for (const note of report.notesLeft) {
    lines.push(`Not deleted: the private contact note ${note.noteId} on #${note.bugId} in ${tracker} (${note.reason}). Run \`forget ${what}\` again, or delete it in ${tracker}.`);
  }
  lines.push("The journal keeps what happened to the bug, without the customer's data.");
  return lines.join("\n");
}
