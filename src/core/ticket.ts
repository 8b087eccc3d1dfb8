/**
 * A ticket as the support process sees it, whichever tracker holds it (the seed calls it a bug).
 * A tracker adapter reads its own records into these values and writes these values back in its
 * own terms: its state names, ids and URLs never reach the process.
 *
 * Decisions:
 * - A tracker's state is often ambiguous for the process (one status for "owes analysis" and "in
 *   review"). The ticket says which stages its state can mean; the stage the bot stores picks
 *   among them (`resolveStage` in stages.ts).
 * - A state the process does not know (a status someone configured in the tracker) is read, named
 *   and refused by process commands, never overwritten.
 */
import type { PersonRef } from "./person.js";
import type { Stage } from "./stages.js";

/** The priorities a ticket can have, lowest first (the seed: management "will assign a priority"). */
export const PRIORITIES = ["none", "low", "normal", "high", "urgent", "immediate"] as const;
/** One of the priorities. */
export type Priority = (typeof PRIORITIES)[number];

/** Orders priorities: a higher rank is more urgent. */
export function priorityRank(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}

/** Whether a stored value is one of the priorities. */
export function isPriority(value: unknown): value is Priority {
  return typeof value === "string" && (PRIORITIES as readonly string[]).includes(value);
}

/** A state the process does not know, and what the tracker would call the ones it does. */
export interface UnknownState {
  /** The tracker's display name, for "give it one of ... in <tracker> first". */
  tracker: string;
  /** Labels of the states the process knows, in the tracker's order. */
  known: readonly string[];
}

/** Where a ticket stands in its tracker, in the process's terms. */
export interface TicketState {
  /**
   * The tracker's own stable name for the state (kept by the watcher's mirror to notice changes);
   * opaque to the process rules.
   */
  key: string;
  /** The state as replies name it: `NEW`, `FEEDBACK`, or a custom state's own name. */
  label: string;
  /** The stages a ticket in this state can be in, the one assumed when nothing else is known first. */
  stages: readonly [Stage, ...Stage[]];
  /** False once the tracker counts the ticket resolved or closed. */
  open: boolean;
  /** Set when the state is not one the process knows; `stages` is then the nearest known state's. */
  unknown?: UnknownState;
}

/** A note on a ticket. */
export interface TicketNote {
  id: number;
  author: PersonRef;
  text: string;
  /** Only staff may read it (customers' personal data, drafts). */
  private: boolean;
  createdAt: Date;
}

/** A note the bot writes: its text and whether only staff may see it. */
export interface NewNote {
  text: string;
  private: boolean;
}

/** A ticket as read from the tracker. */
export interface Ticket {
  id: number;
  summary: string;
  description: string;
  state: TicketState;
  priority: Priority;
  reporter?: PersonRef;
  /** Who handles it now; absent when nobody does. */
  handler?: PersonRef;
  /** The tracker's category, when it has one (a sub-ticket inherits its parent's). */
  category?: string;
  /** Only staff may see it; its link is never given to a customer. */
  private: boolean;
  tags: readonly string[];
  notes: readonly TicketNote[];
  /** Tickets this one waits for (its sub-tickets), in id order. */
  subTicketIds: readonly number[];
  /** Tickets this one is a sub-ticket of, in id order. */
  parentTicketIds: readonly number[];
  /** The version the fix is in, as the tracker records it. */
  fixedInVersion?: string;
  createdAt: Date;
  updatedAt: Date;
  /** Opaque version of the ticket as read; a change sent with it is refused when the ticket changed since. */
  revision?: string;
}

/** Whether the ticket carries the tag (case-insensitive, as trackers compare tag names). */
export function hasTag(ticket: Pick<Ticket, "tags">, tag: string): boolean {
  return ticket.tags.some((name) => name.toLowerCase() === tag.toLowerCase());
}
