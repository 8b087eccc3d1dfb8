/**
 * Platform-neutral messages as Matrix `m.notice` content: a plain `body` and an HTML
 * `formatted_body` (`org.matrix.custom.html`). Matrix has no buttons, so each button becomes a line
 * naming the command to send. The HTML comes only from Markdown syntax: raw HTML in the text is
 * shown as text, links keep safe schemes only, and a final allow-list pass keeps the tags and
 * attributes the spec lists for `m.room.message` (client-server API, "HTML message formatting").
 */
import { Marked, type Tokens } from "marked";
import type { Message, MessageButton } from "../../framework/reply.js";
import { markdownToPlain } from "../kernel/plain-text.js";

/** Content of an `m.room.message` with msgtype `m.notice` (relations are added by the sender). */
export interface NoticeContent {
  msgtype: "m.notice";
  body: string;
  format: "org.matrix.custom.html";
  formatted_body: string;
  [key: string]: unknown;
}

const SAFE_LINK = /^(?:https?:|mailto:|matrix:)/i;

const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const markdown = new Marked({
  gfm: true,
  // Replies separate lines with single newlines, which Mattermost shows as line breaks too.
  breaks: true,
  renderer: {
    // Raw HTML typed by anyone (or stored in the tracker) is shown, never interpreted.
    html(token: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(token.text);
    },
    link(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Link): string {
      const text = this.parser.parseInline(token.tokens);
      if (!SAFE_LINK.test(token.href.trim())) return text;
      return `<a href="${escapeHtml(token.href.trim())}">${text}</a>`;
    },
    // Matrix clients show only mxc:// images; a web image becomes a link to it.
    image(token: Tokens.Image): string {
      const label = escapeHtml(token.text || token.href);
      return SAFE_LINK.test(token.href.trim()) ? `<a href="${escapeHtml(token.href.trim())}">${label}</a>` : label;
    },
    checkbox(token: Tokens.Checkbox): string {
      return token.checked ? "[x] " : "[ ] ";
    },
  },
});

/** Tags and their attributes allowed in `formatted_body` (a subset of the spec's list that Markdown produces). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  a: ["href"],
  b: [],
  blockquote: [],
  br: [],
  code: ["class"],
  del: [],
  em: [],
  h1: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  hr: [],
  i: [],
  li: [],
  ol: ["start"],
  p: [],
  pre: [],
  s: [],
  strong: [],
  table: [],
  tbody: [],
  td: [],
  th: [],
  thead: [],
  tr: [],
  u: [],
  ul: [],
};

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*(\/?)>/g;
const ATTRIBUTE = /([a-zA-Z-]+)="([^"]*)"/g;

/**
 * Keeps allowed tags with allowed attributes and escapes every other tag. Defence in depth: the
 * renderer already escapes raw HTML, so this only matters if marked ever emits something new.
 */
export function sanitizeMatrixHtml(html: string): string {
  const kept = html.replace(TAG, (whole, closing: string, name: string, attributes: string, selfClosing: string) => {
    const tag = name.toLowerCase();
    const allowedAttributes = ALLOWED[tag];
    if (allowedAttributes === undefined) return escapeHtml(whole);
    if (closing) return `</${tag}>`;
    const parts = [...attributes.matchAll(ATTRIBUTE)]
      .filter(([, attribute, value]) => allowedAttributes.includes(attribute!.toLowerCase()) && attributeValueAllowed(tag, attribute!.toLowerCase(), value!))
      .map(([, attribute, value]) => ` ${attribute!.toLowerCase()}="${value}"`);
    return `<${tag}${parts.join("")}${selfClosing ? " /" : ""}>`;
  });
  // A lone "<" that is no tag at all (e.g. "a < b" cut oddly) stays text.
  return kept.replace(/<(?![a-zA-Z/])/g, "&lt;");
}

function attributeValueAllowed(tag: string, attribute: string, value: string): boolean {
  if (tag === "a" && attribute === "href") return SAFE_LINK.test(value.replace(/&amp;/g, "&").trim());
  if (tag === "code" && attribute === "class") return /^language-[a-zA-Z0-9_+-]+$/.test(value);
  if (tag === "ol" && attribute === "start") return /^\d+$/.test(value);
  return true;
}

/** Markdown to the HTML Matrix clients show, sanitised. */
export function markdownToMatrixHtml(text: string): string {
  return sanitizeMatrixHtml((markdown.parse(text, { async: false }) as string).trim());
}

/** Matrix has no buttons: one line per button, naming what to send to do what it would have done. */
export function typedButtonLines(buttons: readonly MessageButton[], commandPrefix: string): string {
  return buttons.map((button) => `**${escapeMarkdownText(button.label)}**: send \`${commandPrefix} ${button.command.replace(/`/g, "")}\``).join("\n");
}

function escapeMarkdownText(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, "\\$1");
}

/** A message as `m.notice` content with a plain body and the HTML rendering of its Markdown. */
export function renderNotice(message: Message, commandPrefix: string): NoticeContent {
  const buttons = message.buttons ?? [];
  const text = buttons.length > 0 ? `${message.text}\n\n${typedButtonLines(buttons, commandPrefix)}` : message.text;
  return {
    msgtype: "m.notice",
    body: markdownToPlain(text),
    format: "org.matrix.custom.html",
    formatted_body: markdownToMatrixHtml(text),
  };
}
