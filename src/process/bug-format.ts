/** How bugs are shown in chat: one consistent line per bug, never with customer personal data. */
import { mentionOf } from "../core/person.js";
import type { Ticket } from "../core/ticket.js";
import type { QueueBug } from "./queue.js";

/** `[#12](url)`; private bugs get a lock so nobody pastes the link to a customer by mistake. */
export function bugLink(bug: Pick<Ticket, "id" | "private">, url: string): string {
  return `[#${bug.id}](${url})${bug.private ? " (private)" : ""}`;
}

/** Whether the bug was filed for a customer (tagged with the configured customer tag). */
export function isCustomerBug(bug: Pick<Ticket, "tags">, customerTag: string): boolean {
  return bug.tags.some((tag) => tag.toLowerCase() === customerTag.toLowerCase());
}

/** One line: link, state, summary, handler and priority. */
export function formatBugLine(bug: QueueBug, url: string, customerTag: string): string {
  const parts = [`${bugLink(bug, url)} **${escapeMarkdown(bug.state.label)}** ${escapeMarkdown(bug.summary)}`];
  const facts: string[] = [];
  if (bug.handler) facts.push(mentionOf(bug.handler));
  else facts.push("unassigned");
  if (bug.priority !== "normal" && bug.priority !== "none") facts.push(`priority ${bug.priority}`);
  if (isCustomerBug(bug, customerTag)) facts.push("customer");
  return `${parts.join("")} (${facts.join(", ")})`;
}

/** Keeps tracker text from turning into accidental Markdown (links, emphasis) in chat. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, "\\$1");
}
