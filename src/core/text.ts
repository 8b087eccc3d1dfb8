/**
 * Small text helpers shared by the process rules: length as trackers count it, shortening
 * without splitting a character, and quoting user input back into chat safely.
 */

/**
 * Length in Unicode code points. Trackers store summaries in SQL text columns, and both
 * PostgreSQL and MySQL (utf8mb4) count characters there, not UTF-16 units or bytes.
 */
export function codePointLength(text: string): number {
  let count = 0;
  // for..of walks code points, so a surrogate pair counts once.
  for (const _ of text) count++;
  return count;
}

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * How far back (UTF-16 units) a cut may move to end at a word boundary; it also keeps at least two
 * thirds of what fitted. Longer words are cut.
 */
const WORD_BACKTRACK = 20;

/**
 * Shortens `text` to at most `maxLength` code points, ending in `ellipsis` when anything was cut.
 * Cuts only between grapheme clusters (an emoji with a skin tone or a flag stays whole or goes
 * whole), prefers a word boundary when one is near, and drops whitespace before the ellipsis.
 */
export function truncateText(text: string, maxLength: number, ellipsis = "\u2026"): string {
  if (!Number.isInteger(maxLength) || maxLength < 0) throw new RangeError(`maxLength must be a whole number >= 0, got ${maxLength}`);
  if (codePointLength(text) <= maxLength) return text;
  const budget = maxLength - codePointLength(ellipsis);
  if (budget < 0) throw new RangeError(`maxLength ${maxLength} leaves no room for the ellipsis "${ellipsis}"`);
  let kept = "";
  let keptLength = 0;
  let next = "";
  for (const { segment } of graphemes.segment(text)) {
    const length = codePointLength(segment);
    if (keptLength + length > budget) {
      next = segment;
      break;
    }
    kept += segment;
    keptLength += length;
  }
  // Cut mid-word: go back to the word's start if that loses little, so "crashes on st…" reads "crashes on…".
  if (/\S$/.test(kept) && /^\S/.test(next)) {
    const wordStart = kept.search(/\s\S*$/);
    const losesLittle = kept.length - wordStart <= WORD_BACKTRACK && wordStart * 3 >= kept.length * 2;
    if (wordStart > 0 && losesLittle) kept = kept.slice(0, wordStart);
  }
  return kept.trimEnd() + ellipsis;
}

/** How much of a bad input an error message repeats: enough to recognise it, short enough for chat. */
const QUOTE_LENGTH = 40;

/**
 * Quotes user input for an error message as inline code: shortened, on one line, with backticks
 * replaced so hostile input cannot close the code span and inject Markdown.
 */
export function quoteInput(text: string): string {
  const oneLine = text.replace(/[\r\n\t]+/g, " ").replace(/`/g, "'");
  const shortened = truncateText(oneLine, QUOTE_LENGTH);
  return shortened.trim() === "" ? "(empty)" : `\`${shortened}\``;
}
