/**
 * Reads the tracker's queue page by page. MantisBT has no status filter (see specs INDEX), so the
 * bot reads pages of its project and filters itself, with a cap so a huge tracker cannot stall a command.
 */
import { isUnresolved } from "../core/stages.js";
import type { Bug, TrackerPort } from "../tracker/tracker.js";

export const QUEUE_PAGE_SIZE = 100;
/** 2,000 bugs: beyond this, commands say the list is cut rather than wait minutes. */
export const QUEUE_MAX_PAGES = 20;

export interface QueueRead {
  bugs: Bug[];
  /** True when the cap stopped the reading before the end. */
  truncated: boolean;
}

/** Every bug (newest update first) that passes `keep`, reading until an empty or short page. */
export async function readQueue(tracker: TrackerPort, keep: (bug: Bug) => boolean, filter: "any" | "unassigned" = "any"): Promise<QueueRead> {
  const bugs: Bug[] = [];
  for (let page = 1; page <= QUEUE_MAX_PAGES; page++) {
    const batch = await tracker.listBugs({ page, pageSize: QUEUE_PAGE_SIZE, filter });
    bugs.push(...batch.filter(keep));
    if (batch.length < QUEUE_PAGE_SIZE) return { bugs, truncated: false };
  }
  return { bugs, truncated: true };
}

/** Open means not yet resolved or closed (the process rules' own test). */
export function isOpen(bug: Pick<Bug, "status">): boolean {
  return isUnresolved(bug);
}
