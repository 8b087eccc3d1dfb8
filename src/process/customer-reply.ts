/**
 * The answer the reporter gets once management has set the timeline (seed, Analysis): "the user
 * must receive an answer that we are 'investigating the issue' including a link to the bug (unless
 * it is set to 'private' and would thus not be visible to the user)". Staff send it themselves, so
 * the bot only writes the text; it names no customer and promises no date (the seed warns against
 * promising timelines to customers).
 */
import type { Ticket } from "../core/ticket.js";

export interface InvestigatingReply {
  /** The text to send, ready to copy. */
  text: string;
  /** Why the text has no link, when it has none. */
  noLinkReason?: string;
}

/** The "we are investigating the issue" text for the bug's reporter; `tracker` names the tracker in the reason for a missing link. */
export function formatInvestigatingReply(bug: Pick<Ticket, "id" | "private">, url: string, tracker: string): InvestigatingReply {
  const opening = "Hello,\n\nthank you for reporting this problem. We are investigating the issue";
  if (bug.private) {
    return {
      text: `${opening} and will get back to you as soon as we know more.\n\nBest regards`,
      noLinkReason: `#${bug.id} is private in ${tracker}, so the reporter could not open a link to it; the text has none.`,
    };
  }
  return {
    text: `${opening}. You can follow our progress in our bug tracker: ${url}\n\nWe will get back to you as soon as we know more.\n\nBest regards`,
  };
}
