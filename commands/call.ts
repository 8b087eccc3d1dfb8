/**
 * `call name="Jane Doe" type=merchant phone="+41 79 555 01 23" issue="..."`: logs a customer's
 * phone call (seed: Support phone) with name, type of customer, contact, the issue and the date.
 * A problem becomes a NEW, unassigned bug tagged Customer whose public text holds no personal
 * data (name and contact go into a private note); an onboarding or sales request goes to the ERP.
 * The full record stays in the bot's store.
 */
import { z } from "zod";
import { compareDates, dateInputSchema, formatDate, resolveDateInput, todayIn } from "../src/core/dates.js";
import { truncateText } from "../src/core/text.js";
import { UsageError } from "../src/errors.js";
import { defineCommand, type CommandContext, type CommandForm } from "../src/framework/command.js";
import { ephemeral, type Reply } from "../src/framework/reply.js";
import { bugLink } from "../src/process/bug-format.js";
import { boundedTextArg, customerNameArg, customerTypeArg, emailArg, fileCustomerBug, pendingFilingText, phoneArg } from "../src/process/incoming.js";
import { describeRedaction, redactPersonalData } from "../src/process/personal-data.js";
import { CUSTOMER_TYPES, type CallRecord } from "../src/core/customer-call.js";

const ROUTES = ["bug", "sales"] as const;

const callArgs = z.object({
  name: customerNameArg,
  type: customerTypeArg,
  phone: phoneArg,
  email: emailArg.optional(),
  issue: boundedTextArg({ example: 'issue="The wallet shows the withdrawal as pending"', max: 5_000, missing: 'missing: what the call was about, for example issue="The wallet shows the withdrawal as pending"' }),
  date: dateInputSchema.optional(),
  route: z
    .string()
    .transform((text) => text.trim().toLowerCase())
    .pipe(z.enum(ROUTES, { error: "must be bug (a problem for the tracker) or sales (onboarding or commercial, for the ERP)" }))
    .default("bug"),
});
type CallArgs = z.infer<typeof callArgs>;

/** The call as a form: a dialog on Mattermost, one question at a time on Matrix and in the terminal. */
const callForm: CommandForm = {
  title: "Log a customer call",
  introduction:
    "A problem becomes a NEW bug tagged Customer; the name and contact go into a private note only. Onboarding or commercial requests go to sales.",
  submitLabel: "Log the call",
  fields: [
    { name: "name", label: "Customer name", kind: "text", placeholder: "Jane Doe", prompt: "What is the customer's **name**?" },
    {
      name: "type",
      label: "Type of customer",
      kind: "choice",
      choices: CUSTOMER_TYPES.map((type) => ({ value: type, label: type[0]!.toUpperCase() + type.slice(1) })),
      prompt: `What **type** of customer? ${CUSTOMER_TYPES.map((type) => `\`${type}\``).join(", ")}`,
    },
    { name: "phone", label: "Phone", kind: "text", input: "tel", placeholder: "+41 79 555 01 23", maxLength: 40, prompt: "Their **phone number**, to call them back? For example `+41 79 555 01 23`." },
    {
      name: "email",
      label: "E-mail",
      kind: "text",
      input: "email",
      optional: true,
      placeholder: "jane@example.com",
      prompt: "Their **e-mail address**? Send `skip` if they gave none.",
      skipWords: ["skip", "-", "none", "no"],
    },
    { name: "issue", label: "Issue", kind: "textarea", help: "What the call was about.", prompt: "What is the **issue**? Describe it in one message." },
    {
      name: "date",
      label: "Date of the call",
      kind: "text",
      optional: true,
      placeholder: "today, or 25.11.2026",
      maxLength: 40,
      prompt: "When did the call take place? Send `today`, or a **date** such as `25.11.2026`.",
      skipWords: ["today", "skip", "-"],
    },
    {
      name: "route",
      label: "Route",
      kind: "choice",
      showAllChoices: true,
      default: "bug",
      choices: [
        { value: "bug", label: "Bug: a problem for the tracker" },
        { value: "sales", label: "Sales: onboarding or commercial" },
      ],
      prompt: "Is it a problem for the tracker (`bug`) or about onboarding or sales (`sales`)? Send `skip` for `bug`.",
      skipWords: ["skip", "-"],
    },
  ],
};

export const callCommand = defineCommand({
  name: "call",
  summary: "Log a customer's phone call: a Customer bug (contact in a private note) or, with route=sales, an ERP record",
  usage: 'name="<customer>" type=<user|merchant|bank|other> phone=<number> [email=<address>] issue="<what it is about>" [date=<d.m.yyyy>] [route=bug|sales]',
  examples: [
    'call name="Jane Doe" type=merchant phone="+41 79 555 01 23" issue="Refund button missing for orders paid from two exchanges"',
    'call name="Jane Doe" type=user phone="+41 79 555 01 23" email=jane@example.com issue="Withdrawal pending for two days" date=25.11.2026',
    'call name="ACME Bank" type=bank phone="+41 44 555 66 77" issue="Wants to offer Taler to its customers" route=sales',
  ],
  roles: ["staff", "management"],
  positional: ["issue"],
  args: callArgs,
  form: callForm,
  privacy: { personalData: ["arguments"] },
  async run(ctx, args) {
    const today = todayIn(ctx.settings.timeZone, ctx.now());
    const callDate = args.date ? resolveDateInput(args.date, today) : today;
    if (compareDates(callDate, today) > 0) {
      throw new UsageError(`date: ${formatDate(callDate)} is in the future; give the day the call took place (default: today).`);
    }
    const call = await ctx.store.calls.add({
      recordedAt: ctx.now(),
      recordedBy: ctx.caller.name,
      customerName: args.name,
      customerType: args.type,
      phone: args.phone,
      email: args.email,
      issue: args.issue,
      callDate,
      route: args.route,
    });
    try {
      return args.route === "sales" ? await routeToSales(ctx, args, call) : await routeToBug(ctx, args, call);
    } catch (error) {
      // Nothing was created for the call, so it is not kept either: a retry must not log it twice.
      await ctx.store.calls.delete(call.id);
      throw error;
    }
  },
});

async function routeToBug(ctx: CommandContext, args: CallArgs, call: CallRecord): Promise<Reply> {
  const redacted = redactPersonalData(args.issue, { name: args.name, phone: args.phone, email: args.email });
  const oneLine = redacted.text.replace(/\s+/g, " ").trim();
  const description = [
    `Reported by phone on ${formatDate(call.callDate)} by a customer (${args.type}).`,
    "",
    redacted.text,
    "",
    `The customer's name and contact details are in a private note (support call ${call.id}).`,
  ].join("\n");
  const privateNote = [
    "Customer contact from a phone call (personal data: keep it out of public notes and the summary)",
    `- Name: ${args.name}`,
    `- Type: ${args.type}`,
    `- Phone: ${args.phone}`,
    ...(args.email ? [`- E-mail: ${args.email}`] : []),
    `- Call on ${formatDate(call.callDate)}, taken by ${ctx.caller.displayName} (support call ${call.id})`,
  ].join("\n");
  const outcome = await fileCustomerBug(ctx, {
    summary: truncateText(oneLine, ctx.tracker.limits.summaryLength),
    description,
    private: false,
    origin: "call",
    privateNote,
    command: "call",
    callId: call.id,
  });
  const redactionLine = redacted.replaced.length > 0 ? `I replaced personal data (${describeRedaction(redacted.replaced)}) in the issue text by placeholders.` : undefined;
  if (outcome.kind === "pending") {
    return ephemeral(
      [`Logged the call from a ${args.type} on ${formatDate(call.callDate)}.`, pendingFilingText(ctx, outcome), redactionLine].filter(Boolean).join("\n"),
    );
  }
  const { bug, noteProblem } = outcome;
  const lines = [
    `Filed ${bugLink(bug, ctx.tracker.ticketUrl(bug.id))} for the call from a ${args.type} on ${formatDate(call.callDate)}: NEW, unassigned, tagged ${ctx.settings.customerTag}. Management triages it next.`,
    noteProblem ?? "The customer's name and contact are in a private note on the bug, not in its public text.",
  ];
  if (redacted.replaced.length > 0) {
    lines.push(`I replaced personal data (${describeRedaction(redacted.replaced)}) in the issue text by placeholders before filing it.`);
  }
  lines.push("Remember: do not promise a fix or a timeline to the customer without management's approval.");
  return ephemeral(lines.join("\n"), { bugId: bug.id });
}

async function routeToSales(ctx: CommandContext, args: CallArgs, call: CallRecord): Promise<Reply> {
  const { reference, notice } = await ctx.erp.recordSalesContact({
    callId: call.id,
    customerName: args.name,
    customerType: args.type,
    phone: args.phone,
    email: args.email,
    request: args.issue,
    date: call.callDate,
    recordedBy: ctx.caller.name,
  });
  await ctx.store.calls.setSalesRef(call.id, reference);
  const erpReference = (await ctx.store.sales.get(reference))?.payload["erpReference"];
  const inErp = typeof erpReference === "string" ? ` (ERP reference ${erpReference})` : "";
  return ephemeral(
    [
      `Recorded the call from a ${args.type} on ${formatDate(call.callDate)} for sales as **${reference}**${inErp}. No bug was filed.`,
      `The people who follow up see the details with \`lead ${reference}\`. If a technical issue comes up in the sales process, management decides about an offer before a bug is opened.`,
      notice,
    ]
      .filter(Boolean)
      .join("\n"),
  );
}
