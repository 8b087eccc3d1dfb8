/**
 * Reads the queue of open bugs. From the tracker, page by page: MantisBT has no status filter (see
 * specs INDEX), so the bot reads pages of its project and filters itself, with a cap so a huge
 * tracker cannot stall a command. Or, while the proactive engine runs, from its mirror of the tracker
 * (kept up to date every POLL_INTERVAL): no request at all and no cap.
 */
import { isUnresolved } from "../core/stages.js";
import type { MirrorRow } from "../store/mirror-repo.js";
import type { Store } from "../store/store.js";
import type { Bug, BugRelationship, TrackerPort, TrackerUser } from "../tracker/tracker.js";

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

/**
 * Where commands read the open queue: the tracker, or the engine's mirror while the engine runs
 * (the composition root knows which) and polls every `pollIntervalMs`.
 */
export type QueueSource = { kind: "tracker" } | { kind: "mirror"; pollIntervalMs: number };

/** What a queue listing needs of a bug: the tracker's bug, or the mirror's copy of it. */
export type QueueBug = Pick<Bug, "id" | "summary" | "status" | "customStatus" | "priority" | "private" | "tags" | "createdAt" | "updatedAt"> & {
  handler?: Pick<TrackerUser, "name">;
  relationships: readonly Pick<BugRelationship, "type" | "otherBugId">[];
};

/** Open bugs as read for a listing. */
export interface OpenQueue {
  bugs: QueueBug[];
  /** True when the tracker's cap stopped the reading before the end. */
  truncated: boolean;
  /** Set when the mirror may be older than a poll interval: a sentence saying how old, for the reply. */
  staleNote?: string;
}

/**
 * The open bugs that pass `keep`: from the mirror when `source` says the engine keeps one and its first
 * read is done, else from the tracker. The mirror keeps no relationships, so sub-bugs are those opened
 * with `ask` (the store's record), as in the daily summary.
 */
export async function readOpenQueue(
  ctx: { tracker: TrackerPort; store: Store; now: () => Date; queueSource?: QueueSource },
  keep: (bug: QueueBug) => boolean,
): Promise<OpenQueue> {
  const source = ctx.queueSource;
  const lastPoll = ctx.store.mirror.lastPoll();
  if (source?.kind !== "mirror" || ctx.store.mirror.cursor() === undefined || lastPoll === undefined) {
    return readQueue(ctx.tracker, (bug) => isOpen(bug) && keep(bug));
  }
  const subBugs = new Map<number, number[]>();
  for (const { parentBugId, childBugId } of ctx.store.subFeedback.links()) subBugs.set(parentBugId, [...(subBugs.get(parentBugId) ?? []), childBugId]);
  const bugs = ctx.store.mirror
    .list({ openOnly: true })
    .map((row) => fromMirror(row, subBugs.get(row.id) ?? []))
    .filter(keep)
    // Newest update first, as the tracker lists them.
    .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || b.id - a.id);
  const ageMs = ctx.now().getTime() - lastPoll.getTime();
  // Within two poll intervals the mirror is as fresh as polling allows; beyond, a read was missed.
  const staleNote = ageMs > 2 * source.pollIntervalMs ? `_(MantisBT was last read ${Math.round(ageMs / 60_000)} minutes ago; later changes are missing.)_` : undefined;
  return { bugs, truncated: false, ...(staleNote ? { staleNote } : {}) };
}

function fromMirror(row: MirrorRow, subBugIds: readonly number[]): QueueBug {
  return {
    id: row.id,
    summary: row.summary,
    status: row.status,
    priority: row.priority,
    private: row.private,
    tags: row.tags,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.handler !== undefined ? { handler: { name: row.handler } } : {}),
    relationships: subBugIds.map((otherBugId) => ({ type: "parent-of", otherBugId })),
  };
}
