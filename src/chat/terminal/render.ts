/** Renders platform-neutral messages as plain terminal text. */
import type { Message } from "../../framework/reply.js";
import { markdownToPlain } from "../kernel/plain-text.js";

/** The message text followed by its buttons as the commands they would run. */
export function renderMessage(message: Message, trigger = "/support"): string {
  const lines = [markdownToPlain(message.text)];
  if (message.buttons?.length) {
    lines.push(message.buttons.map((button) => `[${button.label}: ${trigger} ${button.command}]`).join("  "));
  }
  return lines.join("\n");
}
