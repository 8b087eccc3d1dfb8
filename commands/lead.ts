/**
 * `lead S-3`: shows a sales record (a contact routed to sales, or the resolution of a bug from the
 * sales process) to the staff member who follows up. The only command that shows customers'
 * personal data back, and only in a reply nobody else sees.
 */
import { z } from "zod";
import { formatDate, isIsoDate, todayIn } from "../src/core/dates.js";
import { NotFoundError } from "../src/errors.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { escapeMarkdown } from "../src/process/bug-format.js";
import { CUSTOMER_TYPES } from "../src/core/customer-call.js";
import { parseSalesReference, type SalesRecord } from "../src/core/sales.js";

// The payloads are JSON written by the ERP adapters; read them as loosely as they may have been written.
const contactPayload = z.object({
  callId: z.number().optional(),
  customerName: z.string(),
  customerType: z.enum(CUSTOMER_TYPES).or(z.string()),
  phone: z.string().optional(),
  email: z.string().optional(),
  request: z.string(),
  date: z.string(),
  recordedBy: z.string(),
  erpReference: z.string().optional(),
});

const resolutionPayload = z.object({
  bugId: z.number(),
  bugUrl: z.string(),
  salesRef: z.string().optional(),
  resolvedBy: z.string(),
  startBilling: z.boolean(),
  erpReference: z.string().optional(),
});

export const leadCommand = defineCommand({
  name: "lead",
  summary: "Show a sales record (contact or resolution) with the customer's details, only to you",
  usage: "<S-number>",
  examples: ["lead S-3"],
  roles: ["staff", "management"],
  positional: ["reference"],
  args: z.object({
    reference: z
      .string()
      .transform((text) => text.trim())
      .refine((text) => parseSalesReference(text) !== undefined, { error: "must be a sales reference such as S-3" }),
  }),
  privacy: { personalData: ["reply"] },
  async run(ctx, args) {
    const record = await ctx.store.sales.get(args.reference);
    if (!record) throw new NotFoundError(`There is no sales record ${args.reference.toUpperCase()}.`);
    return ephemeral(formatRecord(record, ctx.settings.timeZone));
  },
});

const showDate = (date: string): string => (isIsoDate(date) ? formatDate(date) : escapeMarkdown(date));

function formatRecord(record: SalesRecord, timeZone: string): string {
  const recorded = formatDate(todayIn(timeZone, record.at));
  const footer = "_Personal data: only you see this. Do not paste it into channels or public bug notes._";
  if (record.kind === "contact") {
    const parsed = contactPayload.safeParse(record.payload);
    if (parsed.success) {
      const contact = parsed.data;
      return [
        `**${record.reference}**: sales contact recorded ${recorded} by @${escapeMarkdown(contact.recordedBy)}`,
        `- Customer: ${escapeMarkdown(contact.customerName)} (${escapeMarkdown(contact.customerType)})`,
        `- Phone: ${contact.phone ? escapeMarkdown(contact.phone) : "not given"}`,
        `- E-mail: ${contact.email ? escapeMarkdown(contact.email) : "not given"}`,
        `- Date of contact: ${showDate(contact.date)}${contact.callId !== undefined ? ` (phone call, support call ${contact.callId})` : ""}`,
        `- Request: ${escapeMarkdown(contact.request)}`,
        ...(contact.erpReference ? [`- ERP reference: ${escapeMarkdown(contact.erpReference)}`] : []),
        footer,
      ].join("\n");
    }
  } else {
    const parsed = resolutionPayload.safeParse(record.payload);
    if (parsed.success) {
      const resolution = parsed.data;
      return [
        `**${record.reference}**: resolution recorded ${recorded} by @${escapeMarkdown(resolution.resolvedBy)}`,
        `- Bug: [#${resolution.bugId}](${resolution.bugUrl})${resolution.salesRef ? `, from sales contact ${escapeMarkdown(resolution.salesRef)}` : ""}`,
        `- Invoicing / billing: ${resolution.startBilling ? "to be started" : "not requested"}`,
        ...(resolution.erpReference ? [`- ERP reference: ${escapeMarkdown(resolution.erpReference)}`] : []),
      ].join("\n");
    }
  }
  // Written by an older or other adapter: show what is there rather than nothing.
  const fields = Object.entries(record.payload).map(([key, value]) => `- ${escapeMarkdown(key)}: ${escapeMarkdown(typeof value === "string" ? value : JSON.stringify(value))}`);
  return [`**${record.reference}**: ${record.kind} recorded ${recorded}`, ...fields, footer].join("\n");
}
