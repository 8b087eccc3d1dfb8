/**
 * Markdown as plain text, for platforms and fields that show no formatting (the terminal, Matrix's
 * plain `body`). Pure.
 */

/** A fenced code block: an opening fence of 3+ backticks (with an optional language), its text, the same fence. */
const FENCED_BLOCK = /^(`{3,})[^\n`]*\n([\s\S]*?)\n\1[ \t]*$/gm;

/**
 * Markdown to readable plain text: links as `text <url>`, emphasis and code marks dropped, and
 * fenced blocks (texts to copy, such as the message for a customer) kept verbatim between rules.
 */
export function markdownToPlain(markdown: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const match of markdown.matchAll(FENCED_BLOCK)) {
    parts.push(inlineToPlain(markdown.slice(last, match.index)));
    parts.push(`-----\n${match[2]}\n-----`);
    last = match.index + match[0].length;
  }
  parts.push(inlineToPlain(markdown.slice(last)));
  return parts.join("");
}

/** Escaped characters are parked in the private-use area while emphasis and code marks are removed. */
const PARKED = 0xe000;

function inlineToPlain(markdown: string): string {
  return markdown
    .replace(/\\([\\`*_[\]<>|])/g, (_all, char: string) => String.fromCharCode(PARKED + char.charCodeAt(0)))
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_all, text: string, url: string) => (text === url ? url : `${text} <${url}>`))
    .replace(/\*\*([^*\n]+)\*\*/g, "$1")
    .replace(/(^|[^*])\*([^*\n]+)\*/g, "$1$2")
    .replace(/__([^_\n]+)__/g, "$1")
    .replace(/`([^`\n]+)`/g, "$1")
    .replace(/[\ue000-\ue07f]/g, (char) => String.fromCharCode(char.charCodeAt(0) - PARKED));
}
