/**
 * Reads the queue of open tickets. From the tracker, page by page, filtered here (a tracker need not
 * filter by state), with a cap so a huge tracker cannot stall a command. Or, while the proactive
 * engine runs, from its mirror of the tracker (kept up to date every POLL_INTERVAL): no request at
 * all and no cap.
 */
import { isUnresolved } from "../core/stages.js";
import type { Ticket } from "../core/ticket.js";
import type { MirrorRow } from "../store/mirror-repo.js";
import type { Store } from "../store/store.js";
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

/**
 * Where commands read the open queue: the tracker, or the engine's mirror while the engine runs
 * (the composition root knows which) and polls every `pollIntervalMs`.
 */
export type QueueSource = { kind: "tracker" } | { kind: "mirror"; pollIntervalMs: number };

/** What a queue listing needs of a ticket: the tracker's ticket, or the mirror's copy of it. */
export type QueueBug = Pick<Ticket, "id" | "summary" | "state" | "priority" | "handler" | "private" | "tags" | "subTicketIds" | "createdAt" | "updatedAt">;

/** Open tickets as read for a listing. */
export interface OpenQueue {
  bugs: QueueBug[];
  /** True when the tracker's cap stopped the reading before the end. */
  truncated: boolean;
  /** Set when the mirror may be older than a poll interval: a sentence saying how old, for the reply. */
  staleNote?: string;
}

/**
 * The open tickets that pass `keep`: from the engine's mirror when `queueSource` says the engine keeps
 * one, its first read is done and every row carries the ticket's state (rows from before migration 11
 * get it at the watcher's next full scan); else from the tracker.
 */
export async function readOpenQueue(
  ctx: { tracker: Pick<TrackerPort, "listTickets" | "name">; store: Store; now: () => Date; queueSource?: QueueSource },
  keep: (bug: QueueBug) => boolean,
): Promise<OpenQueue> {
  const source = ctx.queueSource;
  const lastPoll = await ctx.store.mirror.lastPoll();
  const rows = source?.kind === "mirror" && (await ctx.store.mirror.cursor()) !== undefined ? await ctx.store.mirror.list() : [];
  if (source?.kind !== "mirror" || lastPoll === undefined || rows.length === 0 || rows.some((row) => row.state === undefined)) {
    return readQueue(ctx.tracker, (bug) => isOpen(bug) && keep(bug));
  }
  const bugs = rows
    .map(fromMirror)
    .filter((bug) => isOpen(bug) && keep(bug))
    // Newest update first, as the tracker lists them.
    .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || b.id - a.id);
  const ageMs = ctx.now().getTime() - lastPoll.getTime();
  // Within two poll intervals the mirror is as fresh as polling allows; beyond, a read was missed.
  const staleNote = ageMs > 2 * source.pollIntervalMs ? `_(${ctx.tracker.name} was last read ${Math.round(ageMs / 60_000)} minutes ago; later changes are missing.)_` : undefined;
  return { bugs, truncated: false, ...(staleNote ? { staleNote } : {}) };
}

/** A mirror row that carries its state (checked by the caller) as a listing's ticket. */
function fromMirror(row: MirrorRow): QueueBug {
  return {
    id: row.id,
    summary: row.summary,
    state: row.state!,
    priority: row.priority,
    private: row.private,
    tags: row.tags,
    subTicketIds: row.subTicketIds ?? [],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.handler !== undefined ? { handler: { name: row.handler, ...(row.handlerHandle !== undefined ? { handle: row.handlerHandle } : {}) } } : {}),
  };
}
