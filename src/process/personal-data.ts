/**
 * Customers' personal data at the Incoming stage (seed: Support E-mail, Support phone): what a phone
 * number and an e-mail address look like, and how to keep the customer's name, phone and e-mail out
 * of text that becomes public (a bug's summary or description).
 *
 * Decisions:
 * - A phone number is 7 to 15 digits (E.164 allows at most 15) with an optional leading `+`, and
 *   only spaces, `-`, `.`, `/` and parentheses between them: `+41 79 555 01 23`, `079 555 01 23`.
 * - Redaction prefers saying too much is personal over leaking: the full name and each part of it
 *   (3 letters or more, without particles such as "van" or "de") are replaced case-insensitively
 *   as whole words; the known phone number is found by its last seven digits whatever the
 *   separators (so `+41795550123`, `+41 79 555 01 23` and `079 555 01 23` all go); any e-mail
 *   address and any international number written with `+` are replaced too, known or not.
 * - Placeholders say what stood there (`[customer]`, `[phone]`, `[e-mail]`), so the text still reads.
 */

/** How a valid phone number looks, for error messages. */
export const PHONE_EXAMPLE = "+41 79 555 01 23";

/** What stood where a placeholder now stands. */
export type PersonalDataKind = "name" | "phone number" | "e-mail address" | "contact";

/** The customer's data as given with a call or an e-mail; all optional. */
export interface KnownPersonalData {
  name?: string;
  phone?: string;
  email?: string;
  /** Free-form contact (an e-mail address or a phone number, or anything else typed there). */
  contact?: string;
}

/** Text with personal data replaced, and which kinds were found (each kind once, in a fixed order). */
export interface Redaction {
  text: string;
  replaced: PersonalDataKind[];
}

export const PLACEHOLDERS: Readonly<Record<PersonalDataKind, string>> = {
  name: "[customer]",
  "phone number": "[phone]",
  "e-mail address": "[e-mail]",
  contact: "[contact]",
};

const KIND_ORDER: readonly PersonalDataKind[] = ["name", "phone number", "e-mail address", "contact"];

const PHONE_SHAPE = /^\+?[\d\s\-./()]+$/;
const MIN_PHONE_DIGITS = 7;
const MAX_PHONE_DIGITS = 15;
/** Pragmatic, not RFC 5322: one `@`, no spaces, a dot in the domain, a top-level domain of letters. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)*\.\p{L}{2,}$/u;
const EMAIL_IN_TEXT = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
/** `+` then digits with separators; checked for the digit count afterwards. */
const INTERNATIONAL_PHONE_IN_TEXT = /\+\d[\d \u00a0\-./()]{5,}\d/g;
const SEPARATOR = "[ \\u00a0\\-./()]*";
/** Name particles too common as words to redact on their own. */
const NAME_PARTICLES = new Set(["van", "von", "der", "den", "des", "del", "della", "dos", "das", "bin", "ibn", "zu", "ten", "ter"]);
const MIN_NAME_PART = 3;

const digitsOf = (text: string): string => text.replace(/\D/g, "");

/** Whether the text is shaped like a phone number (see the module's decisions). */
export function isPhoneNumber(text: string): boolean {
  const trimmed = text.trim();
  if (!PHONE_SHAPE.test(trimmed) || !/^[+(\d]/.test(trimmed)) return false;
  const digits = digitsOf(trimmed).length;
  return digits >= MIN_PHONE_DIGITS && digits <= MAX_PHONE_DIGITS;
}

/** Whether the text is shaped like one e-mail address. */
export function isEmailAddress(text: string): boolean {
  return EMAIL_SHAPE.test(text.trim());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A whole-word, case-insensitive pattern for a literal (spaces match any run of whitespace). */
function wordPattern(literal: string): RegExp {
  const body = literal
    .trim()
    .split(/\s+/)
    .map(escapeRegExp)
    .join("\\s+");
  return new RegExp(`(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])`, "giu");
}

/** Finds the phone number by its last seven digits, with any separators and a national or international prefix. */
function phonePattern(phone: string): RegExp | undefined {
  const digits = digitsOf(phone).replace(/^00/, "");
  if (digits.length < MIN_PHONE_DIGITS) return undefined;
  const core = digits.slice(-MIN_PHONE_DIGITS).split("").join(SEPARATOR);
  // The prefix may be the country code, a national 0, "(0)", or both: one more digit than the rest.
  const prefixDigits = digits.length - MIN_PHONE_DIGITS + 1;
  return new RegExp(`(?:\\+|00|\\()?(?:\\d${SEPARATOR}){0,${prefixDigits}}${core}(?!\\d)`, "g");
}

/** The parts of a name worth redacting on their own. */
function nameParts(name: string): string[] {
  return name
    .split(/[\s,]+/)
    .map((part) => part.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ""))
    .filter((part) => Array.from(part).length >= MIN_NAME_PART && !NAME_PARTICLES.has(part.toLowerCase()));
}

/**
 * Replaces the customer's name, phone number and e-mail address in `text` by placeholders, plus
 * any other e-mail address or `+` phone number. Says which kinds were replaced.
 */
export function redactPersonalData(text: string, known: KnownPersonalData = {}): Redaction {
  const found = new Set<PersonalDataKind>();
  let result = text;
  const replace = (pattern: RegExp, kind: PersonalDataKind, accept: (match: string) => boolean = () => true): void => {
    result = result.replace(pattern, (match) => {
      if (!accept(match)) return match;
      found.add(kind);
      return PLACEHOLDERS[kind];
    });
  };

  const contact = known.contact?.trim();
  const email = known.email?.trim() || (contact && isEmailAddress(contact) ? contact : undefined);
  const phone = known.phone?.trim() || (contact && isPhoneNumber(contact) ? contact : undefined);
  // E-mail first: "jane.doe@example.com" must go whole before the name parts would cut it up.
  if (email) replace(new RegExp(escapeRegExp(email), "giu"), "e-mail address");
  replace(EMAIL_IN_TEXT, "e-mail address");
  const knownPhone = phone ? phonePattern(phone) : undefined;
  if (knownPhone) replace(knownPhone, "phone number");
  replace(INTERNATIONAL_PHONE_IN_TEXT, "phone number", (match) => digitsOf(match).length >= MIN_PHONE_DIGITS);
  if (contact && contact !== email && contact !== phone) replace(wordPattern(contact), "contact");
  const name = known.name?.trim();
  if (name) {
    replace(wordPattern(name), "name");
    for (const part of nameParts(name)) replace(wordPattern(part), "name");
  }
  return { text: result, replaced: KIND_ORDER.filter((kind) => found.has(kind)) };
}

/** "name and phone number", for telling staff what was replaced. */
export function describeRedaction(replaced: readonly PersonalDataKind[]): string {
  const words = KIND_ORDER.filter((kind) => replaced.includes(kind)).map((kind) => (kind === "contact" ? "contact details" : kind));
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/**
 * A national number as people write it in chat (`079 555 01 23`, `0049-30-1234567`): a leading 0,
 * digits and spaces, dashes, slashes or brackets (no dots, so versions and dates are not taken).
 */
const NATIONAL_PHONE_IN_TEXT = /(?<![\p{L}\p{N}.])0\d[\d \u00a0\-/()]{5,}\d(?!\p{N})/gu;

/** The kinds of contact data (phone numbers, e-mail addresses) the text seems to carry, for refusing it where the public would read it. */
export function findContactData(text: string): PersonalDataKind[] {
  const found = new Set<PersonalDataKind>();
  if ([...text.matchAll(EMAIL_IN_TEXT)].length > 0) found.add("e-mail address");
  const phones = [...text.matchAll(INTERNATIONAL_PHONE_IN_TEXT), ...text.matchAll(NATIONAL_PHONE_IN_TEXT)];
  if (phones.some((match) => digitsOf(match[0]).length >= MIN_PHONE_DIGITS && digitsOf(match[0]).length <= MAX_PHONE_DIGITS)) found.add("phone number");
  return KIND_ORDER.filter((kind) => found.has(kind));
}
