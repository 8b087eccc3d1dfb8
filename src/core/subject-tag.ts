/**
 * The estimate tag at the start of a bug subject: "the subject of the bug should contain the
 * amount of time needed that is left for fixing the issue, and a deadline ([4h, 14.3.2034])"
 * (seed, Action). Reading is tolerant, writing is canonical:
 *
 * - Read: `[4h, 14.3.2034]`, `[4h,14.3.2034]`, `[ 1d 4h ; 14.03.2034 ]`, `[4h 14.3.2034]`, the
 *   parts swapped (`[14.3.2034, 4h]`), and partial tags: only an estimate (`[4h]`) or only a
 *   deadline (`[14.3.2034]`), because the developer's estimate and management's deadline are
 *   often set at different times.
 * - Only a bracket group at the very start counts. `[Wallet] crash`, `[WIP]` or `[2FA]` are left
 *   alone as part of the subject. A bracket group that clearly tries to be a tag but cannot be read
 *   (`[4x, 14.3.2034]`, `[4h, 31.2.2034]`, `[31.2.2034]`) is reported as malformed and is replaced
 *   when a tag is written, so a bad tag never ends up next to a good one.
 * - Only the first bracket group is looked at; the rest of the subject is never changed except
 *   for shortening it to the tracker's limit.
 * - Write: `[4h, 14.3.2034] <rest>`, `[4h] <rest>` or `[14.3.2034] <rest>`.
 */
import { formatDate, parseDate, type IsoDate } from "./dates.js";
import { formatDuration, parseDurationMinutes, type WorkdayOptions } from "./duration.js";
import { codePointLength, quoteInput, truncateText } from "./text.js";

/** What the tag says; at least one of the two is present in a tag read from a subject. */
export interface SubjectTag {
  /** Working minutes still needed. */
  estimateMinutes?: number;
  deadline?: IsoDate;
}

/** A subject split into its tag and the rest. */
export interface ParsedSubject {
  /** The tag, when the subject starts with a readable one. */
  tag?: SubjectTag;
  /** The tag as it stands in the subject, brackets included (readable or malformed). */
  tagText?: string;
  /** Why a tag-like start of the subject could not be read; the tag is then undefined. */
  problem?: string;
  /** The subject after the tag and the whitespace following it. */
  rest: string;
}

export interface SummaryOptions {
  /** Longest summary the tracker takes, in code points (its `limits.summaryLength`). */
  maxLength: number;
  /** Appended where the rest was cut; default `…`. */
  ellipsis?: string;
}

export type SubjectTagOptions = WorkdayOptions & SummaryOptions;

/** A bracket group at the start; no nested brackets, one line, and short like a real tag. */
const LEADING_BRACKETS = /^\s*\[([^[\]\r\n]{0,60})\]/;
/** Shaped like a date with a four-digit year; `[1.2.3]` (a version) is not. */
const DATE_SHAPE = /^(?:\d{1,2}\. ?\d{1,2}\. ?\d{4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\/\d{1,2}\/\d{4})$/;
const ESTIMATE_SHAPE = /^\d[\d.,\s]*[a-z]/i;

/** Splits the bracket content into an estimate part and a date part (either may be empty). */
function splitContent(content: string): { estimate: string; date: string } {
  const separator = Math.max(content.lastIndexOf(","), content.lastIndexOf(";"));
  let first: string;
  let second: string;
  if (separator >= 0) {
    first = content.slice(0, separator).trim();
    second = content.slice(separator + 1).trim();
  } else {
    const lastSpace = /^(.*\S)\s+(\S+)$/.exec(content);
    const firstSpace = /^(\S+)\s+(.*\S)$/.exec(content);
    if (lastSpace && DATE_SHAPE.test(lastSpace[2]!)) [first, second] = [lastSpace[1]!, lastSpace[2]!];
    else if (firstSpace && DATE_SHAPE.test(firstSpace[1]!)) [first, second] = [firstSpace[2]!, firstSpace[1]!];
    else if (DATE_SHAPE.test(content)) [first, second] = ["", content];
    else [first, second] = [content, ""];
  }
  // Tolerate the parts swapped: `[14.3.2034, 4h]`.
  if (DATE_SHAPE.test(first) && !DATE_SHAPE.test(second)) return { estimate: second, date: first };
  return { estimate: first, date: second };
}

/** Splits a bug subject into its estimate tag (if any) and the rest. Never throws. */
export function parseSubject(summary: string, options: WorkdayOptions = {}): ParsedSubject {
  const match = LEADING_BRACKETS.exec(summary);
  if (!match) return { rest: summary.trimStart() };
  const tagText = match[0].trim();
  const rest = summary.slice(match[0].length).trimStart();
  const untagged: ParsedSubject = { rest: summary.trimStart() };
  const { estimate, date } = splitContent(match[1]!.trim());
  if (estimate === "" && date === "") return untagged;

  const estimateParsed = estimate === "" ? undefined : parseDurationMinutes(estimate, options);
  const dateParsed = date === "" ? undefined : parseDate(date);
  const estimateOk = estimateParsed === undefined || estimateParsed.ok;
  const dateOk = dateParsed === undefined || dateParsed.ok;

  if (estimateOk && dateOk) {
    const tag: SubjectTag = {};
    if (estimateParsed?.ok) tag.estimateMinutes = estimateParsed.value;
    if (dateParsed?.ok) tag.deadline = dateParsed.value;
    return { tag, tagText, rest };
  }

  // Not readable: is it an attempt at a tag, or an ordinary bracketed prefix such as `[2FA]`?
  const triesEstimate = estimateParsed?.ok === true || (estimate !== "" && date !== "" && ESTIMATE_SHAPE.test(estimate));
  const triesDate = DATE_SHAPE.test(date);
  if (!triesEstimate && !triesDate) return untagged;
  const error = !estimateOk && estimateParsed && !estimateParsed.ok ? estimateParsed.error : dateParsed && !dateParsed.ok ? dateParsed.error : "";
  return { tagText, rest, problem: `The tag ${quoteInput(tagText)} at the start of the subject cannot be read: ${error}` };
}

/** Writes a tag canonically: `[4h, 14.3.2034]`, `[4h]`, `[14.3.2034]`, or "" when it says nothing. */
export function formatSubjectTag(tag: SubjectTag, options: WorkdayOptions = {}): string {
  const parts: string[] = [];
  if (tag.estimateMinutes !== undefined) parts.push(formatDuration(tag.estimateMinutes, options));
  if (tag.deadline !== undefined) parts.push(formatDate(tag.deadline));
  return parts.length === 0 ? "" : `[${parts.join(", ")}]`;
}

/** Shortens a summary to the tracker's limit, ending in `…` when cut. */
export function fitSummary(summary: string, options: SummaryOptions): string {
  return truncateText(summary, options.maxLength, options.ellipsis);
}

/**
 * Puts `tag` at the start of the subject, replacing any tag there (readable or malformed) and
 * leaving the rest as it was; an undefined or empty tag removes it. When tag and rest exceed the
 * limit, the rest is shortened with an ellipsis, never the tag.
 */
export function setSubjectTag(summary: string, tag: SubjectTag | undefined, options: SubjectTagOptions): string {
  const maxLength = options.maxLength;
  const { rest } = parseSubject(summary, options);
  const tagText = tag ? formatSubjectTag(tag, options) : "";
  if (tagText === "") return fitSummary(rest, options);
  const tagLength = codePointLength(tagText);
  if (tagLength > maxLength) throw new RangeError(`the tag ${tagText} alone is longer than ${maxLength} characters`);
  if (rest.trim() === "") return tagText;
  const budget = maxLength - tagLength - 1;
  const ellipsis = options.ellipsis ?? "\u2026";
  // Not even an ellipsis fits beside the tag: the tag wins.
  if (budget < codePointLength(ellipsis) + 1 && codePointLength(rest) > budget) return tagText;
  return `${tagText} ${truncateText(rest, budget, ellipsis)}`;
}

/** The subject without its tag (readable or malformed). */
export function removeSubjectTag(summary: string): string {
  return parseSubject(summary).rest;
}
