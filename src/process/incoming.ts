/**
 * What the Incoming commands (`call`, `file`, `docs`) share: argument types for customer data, and
 * filing a bug for a customer the way the seed asks: state NEW, not assigned, tagged Customer, and
 * personal data only in a private note (seed: Support E-mail).
 */
import { z } from "zod";
import { NotFoundError, UsageError } from "../errors.js";
import type { ProcessContext } from "./context.js";
import type { BugOrigin } from "../core/bug-process.js";
import { CUSTOMER_TYPES, type CustomerType } from "../core/customer-call.js";
import type { Ticket } from "../core/ticket.js";
import { codePointLength } from "../core/text.js";
import { fileTicket, type JournalRecord, type WriteOptions } from "./bug-actions.js";
import { contactNoteProblem, fileOrKeepPending } from "./pending-filings.js";
import { isEmailAddress, isPhoneNumber, PHONE_EXAMPLE } from "./personal-data.js";
import type { NewTicket } from "./tracker-port.js";

/** A zod error option: `missing` when the argument was not given, the default wording otherwise. */
function whenMissing(missing: string) {
  return { error: (issue: { input?: unknown }) => (issue.input === undefined ? missing : undefined) };
}

/** Trimmed text of at most `max` characters; `example` completes the messages. */
export function boundedTextArg(options: { example: string; max: number; missing?: string }) {
  return z
    .string(options.missing ? whenMissing(options.missing) : undefined)
    .transform((text) => text.trim())
    .pipe(
      z
        .string()
        .min(1, { error: `must not be empty; for example ${options.example}` })
        .refine((text) => codePointLength(text) <= options.max, { error: `must be at most ${options.max} characters` }),
    );
}

/** A bug summary: non-empty; its length is checked against the tracker's limit by `requireSummaryFits`. */
export const summaryArg = boundedTextArg({ example: '"Wallet shows withdrawal as pending"', max: 5_000 });

/** Refuses a summary longer than the tracker takes, as the argument check would: "summary: must be at most 128 characters". */
export function requireSummaryFits(ctx: Pick<ProcessContext, "tracker">, summary: string): void {
  const max = ctx.tracker.limits.summaryLength;
  if (codePointLength(summary) > max) throw new UsageError(`summary: must be at most ${max} characters`);
}

/** The customer's name as told. */
export const customerNameArg = boundedTextArg({
  example: 'name="Jane Doe"',
  max: 200,
  missing: `missing: the customer's name, for example name="Jane Doe"`,
});

/** user, merchant, bank or other (seed: Support phone). */
export const customerTypeArg = z
  .string(whenMissing(`missing: the type of customer, one of ${CUSTOMER_TYPES.join(", ")}`))
  .transform((text) => text.trim().toLowerCase())
  .pipe(z.enum(CUSTOMER_TYPES, { error: `must be one of ${CUSTOMER_TYPES.join(", ")}` })) as z.ZodType<CustomerType, string>;

// The messages never repeat the input: it is personal data.
/** A phone number such as +41 79 555 01 23. */
export const phoneArg = z
  .string(whenMissing(`missing: a phone number to call the customer back, such as ${PHONE_EXAMPLE}`))
  .transform((text) => text.trim())
  .refine(isPhoneNumber, { error: `must be a phone number such as ${PHONE_EXAMPLE} (7 to 15 digits; spaces, +, -, / and parentheses allowed)` });

/** An e-mail address such as jane@example.com. */
export const emailArg = z
  .string()
  .transform((text) => text.trim())
  .refine(isEmailAddress, { error: "must be an e-mail address such as jane@example.com" });

/** How to reach the customer: an e-mail address or a phone number. */
export const contactArg = z
  .string()
  .transform((text) => text.trim())
  .refine((text) => isEmailAddress(text) || isPhoneNumber(text), {
    error: `must be an e-mail address (jane@example.com) or a phone number (${PHONE_EXAMPLE})`,
  });

/** A documentation link: http or https. */
export const docsUrlArg = z
  .string(whenMissing("missing: the link to the documentation that answers it, such as https://docs.taler.net/..."))
  .transform((text) => text.trim())
  .pipe(z.url({ protocol: /^https?$/, error: "must be a link such as https://docs.taler.net/taler-wallet.html" }));

/** A customer's bug: filed (with a sentence for the reply when the private note is not as it should be), or pending. */
export type CustomerBugOutcome = { kind: "filed"; bug: Ticket; noteProblem?: string } | { kind: "pending"; filingId: number; reason: string };

export interface CustomerBugOptions {
  summary: string;
  description: string;
  /** The whole bug private (security problems that must not be disclosed prematurely). */
  private: boolean;
  origin: "call" | "email";
  /** The customer's personal data, added as a private note; none when nothing was given. */
  privateNote?: string;
  command: string;
  /** The call record a `call` files for. */
  callId?: number;
}

/**
 * Files a customer's bug as the seed asks: NEW, unassigned, tagged with the customer tag, with the
 * personal data as a private note filed in the same request (all or nothing, so a retry never
 * makes a second bug). When the tracker cannot take it now (down, failing, too slow), the filing is
 * kept as pending and filed once it answers (src/process/pending-filings.ts). Should the tracker
 * leave the note out or make it public, the bug stays (its public text holds no personal data) and
 * the caller is told what to fix by hand.
 */
export async function fileCustomerBug(ctx: ProcessContext, options: CustomerBugOptions): Promise<CustomerBugOutcome> {
  const outcome = await fileOrKeepPending(
    ctx,
    {
      summary: options.summary,
      description: options.description,
      private: options.private,
      tags: [ctx.settings.customerTag],
      origin: options.origin,
      command: options.command,
      ...(options.privateNote === undefined ? {} : { privateNote: options.privateNote }),
    },
    options.callId === undefined ? {} : { callId: options.callId },
  );
  if (outcome.kind === "pending") return outcome;
  const { bug } = outcome;
  const noteProblem = contactNoteProblem(ctx.tracker.name, bug, options.privateNote);
  if (noteProblem === undefined) return { kind: "filed", bug };
  // Names the bug, never the note's text.
  ctx.log.warn({ bugId: bug.id }, "the tracker left out the customer's contact note or made it public");
  return { kind: "filed", bug, noteProblem };
}

/** The reply's sentence for a customer's bug kept as pending: the record is safe, the number comes by DM. */
export function pendingFilingText(ctx: Pick<ProcessContext, "tracker">, outcome: { filingId: number; reason: string }): string {
  const tracker = ctx.tracker.name;
  return [
    `${tracker} cannot take it right now (${outcome.reason}). Nothing is lost: I keep it as **pending** (support filing ${outcome.filingId}) and file it as soon as ${tracker} answers; I will send you the bug number then.`,
    "`summary` shows what is still pending.",
  ].join("\n");
}

/**
 * Files a bug in the preferred category when the project has it, else in the default category
 * (a tracker answers NotFoundError naming the category for an unknown one).
 */
export async function fileBugPreferringCategory(
  ctx: ProcessContext,
  bug: Omit<NewTicket, "notes">,
  category: string,
  record: JournalRecord,
  options: WriteOptions = {},
): Promise<Ticket> {
  try {
    return await fileTicket(ctx, { ...bug, category }, record, options);
  } catch (error) {
    if (!(error instanceof NotFoundError) || !/category/i.test(error.message)) throw error;
    ctx.log.info({ category }, "category missing in the project; filing in the default category");
    return fileTicket(ctx, bug, record, options);
  }
}
