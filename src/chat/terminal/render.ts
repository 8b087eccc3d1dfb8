/** Renders platform-neutral messages as plain terminal text. */
import type { Message } from "../../framework/reply.js";

/** Markdown to readable plain text: links as `text <url>`, emphasis and code marks dropped. */
export function markdownToPlain(markdown: string): string {
  return markdown
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_all, text: string, url: string) => (text === url ? url : `${text} <${url}>`))
    .replace(/\*\*([^*]+)\*\*/g, "$1")
    .replace(/(^|[^*])\*([^*\n]+)\*/g, "$1$2")
    .replace(/__([^_]+)__/g, "$1")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/\\([\\`*_[\]<>|])/g, "$1");
}

/** The message text followed by its buttons as the commands they would run. */
export function renderMessage(message: Message, trigger = "/support"): string {
  const lines = [markdownToPlain(message.text)];
  if (message.buttons?.length) {
    lines.push(message.buttons.map((button) => `[${button.label}: ${trigger} ${button.command}]`).join("  "));
  }
  return lines.join("\n");
}
