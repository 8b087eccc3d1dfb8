/**
 * Questions answered by pointing to the documentation (seed: Support E-mail): how two questions
 * count as the same, the polite answer to send, and the documentation bug filed when a question
 * keeps coming back ("if them not finding it happens frequently for a particular question, a bug
 * should be opened indicating that the documentation or its discoverability need to be improved").
 *
 * Decisions:
 * - Two questions are the same when they match after Unicode NFKC, lower case, dropping
 *   punctuation and symbols, collapsing whitespace and dropping a few filler words ("how do I
 *   withdraw?" = "How can I withdraw"). Word order still matters; no stemming or synonyms, so a
 *   reworded question counts apart rather than two different questions counting together.
 * - The answer thanks the customer, gives the link, asks whether it answers the question and
 *   offers more help; it never says or implies the customer should have found it.
 */
import { truncateText } from "../core/text.js";

/** Filler words that do not change which question is asked. */
const FILLER_WORDS = new Set([
  "a", "an", "the", "please", "pls", "hi", "hello", "i", "me", "my", "we", "our", "you", "your",
  "do", "does", "can", "could", "would", "is", "are", "to", "of", "just",
]);

/** The form two questions are compared in; empty when the text has no words at all. */
export function normalizeQuestion(text: string): string {
  const words = text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .split(/\s+/)
    .filter(Boolean);
  const meaningful = words.filter((word) => !FILLER_WORDS.has(word));
  // "Can I?" is all filler; compare it as typed rather than as nothing.
  return (meaningful.length > 0 ? meaningful : words).join(" ");
}

/** The reply staff send to the customer: friendly, no blame, with the link and an open door. */
export function docsReplyText(url: string): string {
  return [
    "Thank you for getting in touch!",
    `Our documentation covers this here: ${url}`,
    "Does this answer your question? If anything is still unclear or does not work as described, just reply to this message and we will gladly help further.",
  ].join("\n");
}

/** `Docs: make the answer to '<question>' easier to find`, shortened to fit the tracker's summary (`maxLength` code points). */
export function docsBugSummary(question: string, maxLength: number): string {
  const before = "Docs: make the answer to '";
  const after = "' easier to find";
  const oneLine = question.replace(/\s+/g, " ").trim();
  const room = maxLength - Array.from(before).length - Array.from(after).length;
  return `${before}${truncateText(oneLine, room)}${after}`;
}

/** What the documentation bug says: the question, how often, where the answer is. */
export function docsBugDescription(options: { question: string; count: number; windowDays: number; urls: readonly string[] }): string {
  const { question, count, windowDays, urls } = options;
  return [
    `Support answered this question ${count} times within ${windowDays} days by pointing to the documentation:`,
    "",
    `  ${question.replace(/\s+/g, " ").trim()}`,
    "",
    `The answer is here: ${urls.join(" , ")}`,
    "",
    "People keep asking, so the answer is hard to find or hard to understand. Please improve the documentation or its discoverability (where people look first, titles, search terms, links from the wallet or the website).",
    "",
    "(Filed by the support bot from repeated documentation answers. The customers who asked need not be pointed to this bug.)",
  ].join("\n");
}
