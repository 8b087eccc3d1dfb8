/**
 * Where an issue is already fixed, as `feedback ... fixed-in=...` records it. The seed (Analysis):
 * "if the issue has already been resolved it should be noted where (in Git? in testing? in
 * production? which version?)". Production needs the version; Git and testing may name one (a
 * commit, branch or pre-release) but need not.
 */
import { parseFailure, parsedValue, type Parsed } from "../core/parse-result.js";
import { quoteInput } from "../core/text.js";

export const FIXED_IN_PLACES = ["git", "testing", "production"] as const;
export type FixedInPlace = (typeof FIXED_IN_PLACES)[number];

/** A place and, for production always, the version or reference there. */
export interface FixedIn {
  place: FixedInPlace;
  /** Version (`1.0.0`, without a leading `v`) or Git reference. */
  detail?: string;
}

const FORM = /^(git|testing|production)(?:[\s:]+(\S+))?$/i;
const HELP = 'Write fixed-in="git", fixed-in="testing" or fixed-in="production 1.0.0" (optionally with a commit or version after git or testing).';

/** Reads `git`, `git 1a2b3c`, `testing`, `testing 1.1.0-rc1` or `production v1.0.0`. */
export function parseFixedIn(text: string): Parsed<FixedIn> {
  const match = FORM.exec(text.trim());
  if (!match) return parseFailure(`${quoteInput(text.trim())} does not say where it is fixed. ${HELP}`);
  const place = match[1]!.toLowerCase() as FixedInPlace;
  const raw = match[2];
  if (place === "production" && raw === undefined) return parseFailure(`say which version is in production, e.g. fixed-in="production 1.0.0". ${HELP}`);
  const detail = raw === undefined ? undefined : place === "git" ? raw : raw.replace(/^v(?=\d)/i, "");
  return parsedValue(detail === undefined ? { place } : { place, detail });
}

/** `production 1.0.0`, `git`, ...: the form kept in the store. */
export function formatFixedIn(fixedIn: FixedIn): string {
  return fixedIn.detail === undefined ? fixedIn.place : `${fixedIn.place} ${fixedIn.detail}`;
}

/** Words for a note or message: "in production (version 1.0.0)", "in Git (1a2b3c)". */
export function describeFixedIn(fixedIn: FixedIn): string {
  const where = { git: "in Git", testing: "in testing", production: "in production" }[fixedIn.place];
  if (fixedIn.detail === undefined) return where;
  return fixedIn.place === "git" ? `${where} (${fixedIn.detail})` : `${where} (version ${fixedIn.detail})`;
}
