/**
 * Reads the tracker's queue page by page and filters it here (a tracker need not filter by state),
 * with a cap so a huge tracker cannot stall a command.
 */
import { isUnresolved } from "../core/stages.js";
import type { Ticket } from "../core/ticket.js";
import type { TrackerPort } from "./tracker-port.js";

export const QUEUE_PAGE_SIZE = 100;
/** 2,000 bugs: beyond this, commands say the list is cut rather than wait minutes. */
export const QUEUE_MAX_PAGES = 20;

/** The tickets read, and whether there were more. */
export interface QueueRead {
  bugs: Ticket[];
  /** True when the cap stopped the reading before the end. */
  truncated: boolean;
}

/** Every bug (newest update first) that passes `keep`, reading until an empty or short page. */
export async function readQueue(tracker: Pick<TrackerPort, "listTickets">, keep: (bug: Ticket) => boolean): Promise<QueueRead> {
  const bugs: Ticket[] = [];
  for (let page = 1; page <= QUEUE_MAX_PAGES; page++) {
    const batch = await tracker.listTickets({ page, pageSize: QUEUE_PAGE_SIZE });
    bugs.push(...batch.filter(keep));
    if (batch.length < QUEUE_PAGE_SIZE) return { bugs, truncated: false };
  }
  return { bugs, truncated: true };
}

/** Open means not yet resolved or closed (the process rules' own test). */
export function isOpen(bug: Pick<Ticket, "state">): boolean {
  return isUnresolved(bug);
}
