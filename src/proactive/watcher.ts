/**
 * The tracker watcher. MantisBT lists issues last-updated first, so a cycle reads pages only until it
 * reaches a bug not updated since the last cycle: a quiet cycle costs one request whatever the size
 * of the tracker. The first run after installation reads everything and records it without
 * announcing each bug; a daily full scan catches what incremental reading cannot see (deleted bugs).
 *
 * Every cycle's findings (mirror rows, change log, cursor, and the notifications the caller queues
 * for the events) are written in one transaction, so an event is acted on exactly once even when the
 * process stops half-way: an unfinished cycle is simply read again.
 */
import type { Logger } from "pino";
import { NotFoundError } from "../errors.js";
import type { MirrorBug, MirrorRow } from "../store/mirror-repo.js";
import type { Store } from "../store/store.js";
import type { TrackerPort } from "../process/tracker-port.js";
import type { Ticket } from "../core/ticket.js";
import { initialRow, observeBug, toMirrorBug, type ObserveFacts, type ObservedNotes, type WatchEvent } from "./transitions.js";

/** A bug as observed: its mirror form, and its notes and reporter (to find customers' new notes). */
interface Observed {
  bug: MirrorBug;
  read: ObservedNotes;
}

function observed(ticket: Ticket): Observed {
  return { bug: toMirrorBug(ticket), read: { notes: ticket.notes, ...(ticket.reporter ? { reporter: ticket.reporter } : {}) } };
}

/**
 * Page size of full scans (first run, daily reconcile). Larger than the incremental page size
 * because a full scan reads everything anyway: fewer round trips (see bench/run.ts).
 */
export const FULL_SCAN_PAGE_SIZE = 250;

/** What the watcher needs. */
export interface WatcherDeps {
  tracker: TrackerPort;
  store: Store;
  now: () => Date;
  log: Logger;
  /** Page size of incremental reads (WATCH_PAGE_SIZE). */
  pageSize: number;
  fullScanPageSize?: number;
  /** Whether the bot recorded feedback on the bug (since a moment): read from the store. */
  feedbackRecorded(bugId: number, since: Date | undefined): Promise<boolean>;
}

/** Where the watcher hands its findings (inside its transactions). */
export interface WatchHandlers {
  /** Called inside the cycle's transaction with the events of the bugs written in it. */
  onEvents(events: readonly WatchEvent[]): Promise<void>;
  /** Called inside the first run's final transaction. */
  onFirstRun(result: { total: number; rows: readonly MirrorRow[] }): Promise<void>;
}

/** What a watcher cycle did and what it cost. */
export type WatchResult =
  | { mode: "first-run"; requests: number; total: number }
  | { mode: "incremental" | "reconcile"; requests: number; changed: number; gone: number[] };

/** Runs one watcher cycle: the first run when nothing was recorded yet, else an incremental read or (when asked) a full reconciling scan. */
export async function watchTracker(deps: WatcherDeps, handlers: WatchHandlers, options: { reconcile?: boolean } = {}): Promise<WatchResult> {
  const cursor = await deps.store.mirror.cursor();
  if (cursor === undefined) return firstRun(deps, handlers);
  return options.reconcile ? await reconcile(deps, handlers, cursor) : await incremental(deps, handlers, cursor);
}

async function firstRun(deps: WatcherDeps, handlers: WatchHandlers): Promise<WatchResult> {
  const { store, tracker } = deps;
  const pageSize = deps.fullScanPageSize ?? FULL_SCAN_PAGE_SIZE;
  const started = deps.now();
  let newest = new Date(0);
  let total = 0;
  let requests = 0;
  const openNew: MirrorRow[] = [];
  for (let page = 1; ; page++) {
    const bugs = await tracker.listTickets({ page, pageSize });
    requests++;
    // One transaction per page: a 10,000-bug first run never holds the whole tracker in memory. What
    // it finds is kept once it committed (on PostgreSQL a refused transaction runs again).
    const pageNew = await store.transaction(async () => {
      const found: MirrorRow[] = [];
      for (const bug of bugs) {
        const row = initialRow(toMirrorBug(bug), started);
        await store.mirror.save(row);
        if (row.status === "new" && !row.handler && !(await deps.feedbackRecorded(row.id, undefined))) found.push(row);
      }
      return found;
    });
    openNew.push(...pageNew);
    for (const bug of bugs) if (bug.updatedAt.getTime() > newest.getTime()) newest = bug.updatedAt;
    total += bugs.length;
    if (bugs.length < pageSize) break;
  }
  await store.transaction(async () => {
    await store.mirror.setCursor(newest);
    await store.mirror.setLastPoll(deps.now());
    await store.mirror.setInstalledAt(started);
    await handlers.onFirstRun({ total, rows: openNew });
  });
  deps.log.info({ total, newUnassigned: openNew.length, requests }, "watcher first run recorded the tracker");
  return { mode: "first-run", requests, total };
}

async function incremental(deps: WatcherDeps, handlers: WatchHandlers, cursor: Date): Promise<WatchResult> {
  const { store, tracker } = deps;
  const seen = new Map<number, Observed>();
  let requests = 0;
  let newest = cursor;
  for (let page = 1; ; page++) {
    const bugs = await tracker.listTickets({ page, pageSize: deps.pageSize });
    requests++;
    let reachedOld = false;
    for (const bug of bugs) {
      const updated = bug.updatedAt.getTime();
      if (updated < cursor.getTime()) {
        reachedOld = true;
        break;
      }
      const now = observed(bug);
      // MantisBT times are whole seconds: a bug updated in the cursor's second may be new, known, or
      // changed again since it was read in that same second.
      if (updated === cursor.getTime() && isUnchanged(await store.mirror.get(bug.id), now.bug)) continue;
      const known = seen.get(bug.id);
      if (!known || known.bug.updatedAt.getTime() < updated) seen.set(bug.id, now);
      if (updated > newest.getTime()) newest = bug.updatedAt;
    }
    if (reachedOld || bugs.length < deps.pageSize) break;
  }
  const changed = [...seen.values()].sort((a, b) => a.bug.updatedAt.getTime() - b.bug.updatedAt.getTime() || a.bug.id - b.bug.id);
  await store.transaction(async () => {
    await applyObservations(deps, handlers, changed);
    await store.mirror.setCursor(newest);
    await store.mirror.setLastPoll(deps.now());
  });
  if (changed.length > 0) deps.log.debug({ changed: changed.length, requests }, "watcher saw changes");
  return { mode: "incremental", requests, changed: changed.length, gone: [] };
}

async function reconcile(deps: WatcherDeps, handlers: WatchHandlers, cursor: Date): Promise<WatchResult> {
  const { store, tracker } = deps;
  const pageSize = deps.fullScanPageSize ?? FULL_SCAN_PAGE_SIZE;
  const started = deps.now();
  let newest = cursor;
  let changed = 0;
  let requests = 0;
  for (let page = 1; ; page++) {
    const bugs = await tracker.listTickets({ page, pageSize });
    requests++;
    changed += await store.transaction(async () => {
      const unchanged: number[] = [];
      const different: Observed[] = [];
      for (const bug of bugs) {
        const now = observed(bug);
        if (isUnchanged(await store.mirror.get(bug.id), now.bug)) unchanged.push(bug.id);
        else different.push(now);
      }
      await store.mirror.touch(unchanged, started);
      await applyObservations(deps, handlers, different);
      return different.length;
    });
    for (const bug of bugs) if (bug.updatedAt.getTime() > newest.getTime()) newest = bug.updatedAt;
    if (bugs.length < pageSize) break;
  }
  // A bug missing from the scan is usually gone, but one updated during the scan can slip between
  // pages; ask for each one before forgetting it.
  const gone: number[] = [];
  for (const id of await store.mirror.notSeenSince(started)) {
    try {
      const bug = await deps.tracker.getTicket(id);
      requests++;
      await store.transaction(() => applyObservations(deps, handlers, [observed(bug)]));
    } catch (error) {
      requests++;
      if (!(error instanceof NotFoundError)) throw error;
      gone.push(id);
      await store.transaction(async () => {
        await store.mirror.delete(id);
        await store.mirror.addChange({ bugId: id, at: deps.now(), change: "no longer in MantisBT (deleted, moved or hidden)" });
      });
    }
  }
  await store.transaction(async () => {
    await store.mirror.setCursor(newest);
    await store.mirror.setLastPoll(deps.now());
  });
  deps.log.info({ changed, gone: gone.length, requests }, "watcher reconciled the mirror with a full scan");
  return { mode: "reconcile", requests, changed, gone };
}

/**
 * Whether the mirror already holds the bug as observed now: same `updated_at`, and (since that has whole
 * seconds) the same fingerprint of what the watcher follows.
 */
function isUnchanged(mirror: MirrorBug | undefined, observed: MirrorBug): boolean {
  return mirror !== undefined && mirror.updatedAt.getTime() === observed.updatedAt.getTime() && mirror.fingerprint === observed.fingerprint;
}

/** Writes observed bugs into the mirror and change log and hands their events over (inside a transaction). */
async function applyObservations(deps: WatcherDeps, handlers: WatchHandlers, bugs: readonly Observed[]): Promise<void> {
  const events: WatchEvent[] = [];
  for (const { bug, read } of bugs) {
    const previous = await deps.store.mirror.get(bug.id);
    // observeBug is pure: the one store fact it may need (only for a NEW bug, always with these
    // arguments) is read first.
    const recorded = bug.status === "new" && (await deps.feedbackRecorded(bug.id, previous?.statusSince));
    const facts: ObserveFacts = { now: deps.now(), feedbackRecorded: () => recorded };
    const observation = observeBug(previous, bug, facts, read);
    await deps.store.mirror.save(observation.row);
    if (observation.change) await deps.store.mirror.addChange({ bugId: bug.id, at: bug.updatedAt, change: observation.change });
    events.push(...observation.events);
  }
  if (events.length > 0) await handlers.onEvents(events);
}
