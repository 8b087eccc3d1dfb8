/**
 * What the Incoming commands (`call`, `file`, `docs`) share: argument types for customer data, and
 * filing a bug for a customer the way the seed asks: state NEW, not assigned, tagged Customer, and
 * personal data only in a private note (seed: Support E-mail).
 */
import { z } from "zod";
import { NotFoundError } from "../errors.js";
import type { CommandContext } from "../framework/command.js";
import { CUSTOMER_TYPES, type BugOrigin, type CustomerType } from "../store/store.js";
import { MAX_SUMMARY_LENGTH, type Bug, type NewBug } from "../tracker/tracker.js";
import { codePointLength } from "../core/text.js";
import { addBugNote, fileBug, type JournalRecord } from "./bug-actions.js";
import { isEmailAddress, isPhoneNumber, PHONE_EXAMPLE } from "./personal-data.js";

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

/** A MantisBT summary: non-empty, at most 128 characters as MantisBT counts them. */
export const summaryArg = boundedTextArg({ example: '"Wallet shows withdrawal as pending"', max: MAX_SUMMARY_LENGTH });

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

/** A bug filed for a customer, and a sentence for the reply when the private note could not be added. */
export interface FiledCustomerBug {
  bug: Bug;
  noteProblem?: string;
}

export interface CustomerBugOptions {
  summary: string;
  description: string;
  /** The whole bug private (security problems that must not be disclosed prematurely). */
  private: boolean;
  origin: BugOrigin;
  /** The customer's personal data, added as a private note; none when nothing was given. */
  privateNote?: string;
  command: string;
}

/**
 * Files a customer's bug as the seed asks: NEW, unassigned, tagged with the customer tag; then the
 * personal data as a private note. A failed note does not undo the bug (it holds no personal
 * data); the caller is told to add the note by hand.
 */
export async function fileCustomerBug(ctx: CommandContext, options: CustomerBugOptions): Promise<FiledCustomerBug> {
  const bug = await fileBug(
    ctx,
    { summary: options.summary, description: options.description, status: "new", tags: [ctx.settings.customerTag], private: options.private },
    { action: "file", command: options.command, details: { origin: options.origin } },
  );
  ctx.store.updateBugProcess(bug.id, { origin: options.origin, stage: "triage" }, ctx.now());
  if (options.privateNote === undefined) return { bug };
  try {
    await addBugNote(ctx, bug.id, { text: options.privateNote, private: true }, { action: "customer-contact", command: options.command });
    return { bug };
  } catch (err) {
    // The error names the bug, never the note's text.
    ctx.log.warn({ err, bugId: bug.id }, "private note with the customer's contact failed");
    return {
      bug,
      noteProblem: `I could not add the private note with the customer's name and contact to #${bug.id}: please add it in MantisBT yourself, as a PRIVATE note.`,
    };
  }
}

/**
 * Files a bug in the preferred category when the project has it, else in the default category
 * (MantisBT answers 404 "Category ... not found" for an unknown one).
 */
export async function fileBugPreferringCategory(ctx: CommandContext, bug: NewBug, category: string, record: JournalRecord): Promise<Bug> {
  try {
    return await fileBug(ctx, { ...bug, category }, record);
  } catch (error) {
    if (!(error instanceof NotFoundError) || !/category/i.test(error.message)) throw error;
    ctx.log.info({ category }, "category missing in the project; filing in the default category");
    return fileBug(ctx, bug, record);
  }
}
