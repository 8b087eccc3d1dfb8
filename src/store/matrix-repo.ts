/**
 * What the Matrix adapter keeps between restarts: the thread of each bug per room, the incoming
 * events it already handled, the notices it gives only once, and the SDK's sync token and values
 * (in the store's key-value table under `matrix.`).
 */
import type { KeyValueRepository } from "./kv-repo.js";
import type { Sql } from "./sql.js";

/** The thread that carries one bug's updates in one room. */
export interface MatrixThread {
  roomId: string;
  bugId: number;
  rootEventId: string;
  /** The newest event the bot posted in the thread. */
  lastEventId: string;
}

/** Notices the bot gives once: per user (`unlinked`) or per room (`encrypted`, `room-not-allowed`). */
export type MatrixNoticeKind = "unlinked" | "encrypted" | "room-not-allowed";

interface ThreadRow {
  room_id: string;
  bug_id: number;
  root_event_id: string;
  last_event_id: string;
}

const KEY_PREFIX = "matrix.";

/** What the Matrix adapter keeps. */
export class MatrixRepository {
  constructor(
    private readonly sql: Sql,
    private readonly kv: KeyValueRepository,
  ) {}

  /** The bug's thread in a room, if the bot started one. */
  getThread(roomId: string, bugId: number): MatrixThread | undefined {
    const row = this.sql.statement("SELECT * FROM matrix_threads WHERE room_id = ? AND bug_id = ?").get(roomId, bugId) as ThreadRow | undefined;
    return row && { roomId: row.room_id, bugId: row.bug_id, rootEventId: row.root_event_id, lastEventId: row.last_event_id };
  }

  /** Records a new thread root, or the newest event of an existing thread. */
  saveThread(thread: MatrixThread, at: Date): void {
    this.sql
      .statement(
        `INSERT INTO matrix_threads (room_id, bug_id, root_event_id, last_event_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (room_id, bug_id) DO UPDATE SET last_event_id = excluded.last_event_id, updated_at = excluded.updated_at`,
      )
      .run(thread.roomId, thread.bugId, thread.rootEventId, thread.lastEventId, at.toISOString(), at.toISOString());
  }

  /**
   * Marks an incoming event as handled; false when it already was (a replayed sync). Synchronous, so
   * the check and the mark cannot interleave with another handler.
   */
  markEventHandled(eventId: string, roomId: string, at: Date): boolean {
    const result = this.sql.statement("INSERT OR IGNORE INTO matrix_handled_events (event_id, room_id, handled_at) VALUES (?, ?, ?)").run(eventId, roomId, at.toISOString());
    return result.changes > 0;
  }

  /** Forgets handled events from before `before`; older events are ignored by age anyway. */
  pruneHandledEvents(before: Date): number {
    return this.sql.statement("DELETE FROM matrix_handled_events WHERE handled_at < ?").run(before.toISOString()).changes;
  }

  /** Records a one-time notice; false when it was given before (then it must not be given again). */
  claimNotice(kind: MatrixNoticeKind, target: string, at: Date): boolean {
    const result = this.sql.statement("INSERT OR IGNORE INTO matrix_notices (kind, target, sent_at) VALUES (?, ?, ?)").run(kind, target, at.toISOString());
    return result.changes > 0;
  }

  /** Gives a claimed notice back, when sending it failed, so a later event may try again. */
  releaseNotice(kind: MatrixNoticeKind, target: string): void {
    this.sql.statement("DELETE FROM matrix_notices WHERE kind = ? AND target = ?").run(kind, target);
  }

  /** A value the adapter or the SDK keeps (sync token, filter), namespaced by the bot's user id. */
  getValue(userId: string, key: string): string | undefined {
    return this.kv.get(`${KEY_PREFIX}${userId}.${key}`);
  }

  /** Sets (or, with `undefined`, removes) such a value. */
  setValue(userId: string, key: string, value: string | undefined): void {
    const fullKey = `${KEY_PREFIX}${userId}.${key}`;
    if (value === undefined) this.kv.delete(fullKey);
    else this.kv.set(fullKey, value);
  }
}
