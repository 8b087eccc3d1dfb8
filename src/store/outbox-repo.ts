/**
 * The notification outbox (migrations 1, 6 and 11). A notification (its key, recipient, message and
 * due time) is delivered per route: one chat platform, reaching the recipient (a person's account or
 * a channel) there. Each route keeps its own state and attempts, so a platform that failed is retried
 * while one that delivered is never sent to again. The notification's own state sums its routes up:
 * `sent` once every route delivered, `failed` while one failed, `sent_at` when the first one delivered.
 * The message itself is opaque here (JSON); the outbox in src/proactive/outbox.ts reads and writes it.
 */
import type { NotificationKey } from "../core/reminder-policy.js";
import { optionalDate, type Sql } from "./sql.js";

/** A DM or a channel post. */
export type NotificationTarget = "direct" | "channel";
/** Where a notification, or one of its routes, stands. */
export type NotificationState = "pending" | "sent" | "failed";

/** A notification to queue; `recipient` (in the key) is a staff name (direct) or a channel key (channel). */
export interface OutboxItem {
  key: NotificationKey;
  target: NotificationTarget;
  /** The message, stored as JSON. */
  payload: unknown;
  /** Not before this instant (quiet hours, digest time). */
  dueAt: Date;
  /** Whether it may be merged with others due for the same recipient at once (catch-up). */
  combinable: boolean;
}

/** A row of the outbox. */
export interface NotificationRow {
  key: string;
  kind: string;
  bugId?: number;
  recipient: string;
  period: string;
  state: NotificationState;
  /** The most attempts any of its routes took. */
  attempts: number;
  createdAt: Date;
  /** When the first route delivered it. */
  sentAt?: Date;
  lastError?: string;
  target?: NotificationTarget;
  /** The stored message (parsed JSON), absent for rows without one. */
  payload?: unknown;
  dueAt?: Date;
  combinable: boolean;
  cancelledAt?: Date;
}

/** One route of a notification: a platform and where it stands there. */
export interface NotificationRoute {
  key: string;
  platform: string;
  state: NotificationState;
  attempts: number;
  /** Set just before a send; still set at start-up means the process died during the send. */
  attemptAt?: Date;
  sentAt?: Date;
  lastError?: string;
}

/** A route ready to be tried, with its notification. */
export interface DueRoute {
  notification: NotificationRow;
  platform: string;
  attempts: number;
}

/** Names one route. */
export type RouteRef = Pick<NotificationRoute, "key" | "platform">;

interface NotificationDbRow {
  key: string;
  kind: string;
  bug_id: number | null;
  recipient: string;
  period: string;
  state: NotificationState;
  attempts: number;
  created_at: string;
  sent_at: string | null;
  last_error: string | null;
  target: string | null;
  payload: string | null;
  due_at: string | null;
  combinable: number;
  cancelled_at: string | null;
}

interface RouteDbRow {
  key: string;
  platform: string;
  state: NotificationState;
  attempts: number;
  attempt_at: string | null;
  sent_at: string | null;
  last_error: string | null;
}

const MAX_ERROR_LENGTH = 500;

/** The outbox and its routes. */
export class OutboxRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Adds a notification with one route per platform, unless one with the same key exists (then
   * nothing changes). True when added. Without routes (nobody to reach on any platform) it is
   * recorded as done at once, with `note` saying why, so the key still counts as handled.
   */
  enqueue(item: OutboxItem, platforms: readonly string[], now: Date, note?: string): boolean {
    return this.sql.transaction(() => {
      const done = platforms.length === 0;
      const added =
        this.sql
          .statement(
            `INSERT INTO notifications (key, kind, bug_id, recipient, period, state, attempts, created_at, sent_at, last_error, target, payload, due_at, combinable)
              VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (key) DO NOTHING`,
          )
          .run(
            item.key.key,
            item.key.kind,
            item.key.bugId ?? null,
            item.key.recipient,
            item.key.period,
            done ? "sent" : "pending",
            now.toISOString(),
            done ? now.toISOString() : null,
            done ? (note ?? null) : null,
            item.target,
            JSON.stringify(item.payload),
            item.dueAt.toISOString(),
            item.combinable ? 1 : 0,
          ).changes > 0;
      if (added) this.addRoutes(item.key.key, platforms, { state: "pending", attempts: 0 });
      return added;
    });
  }

  /** The outbox row with this key. */
  get(key: string): NotificationRow | undefined {
    const row = this.sql.statement("SELECT * FROM notifications WHERE key = ?").get(key) as NotificationDbRow | undefined;
    return row && toNotificationRow(row);
  }

  /** The routes of a notification, by platform. */
  routes(key: string): NotificationRoute[] {
    return (this.sql.statement("SELECT * FROM notification_routes WHERE key = ? ORDER BY platform").all(key) as RouteDbRow[]).map(toRoute);
  }

  /** Rows of one kind (optionally for one bug and recipient, or a period prefix), oldest first. */
  list(filter: { kind?: string; bugId?: number; recipient?: string; periodPrefix?: string } = {}): NotificationRow[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.kind !== undefined) {
      where.push("kind = ?");
      params.push(filter.kind);
    }
    if (filter.bugId !== undefined) {
      where.push("bug_id = ?");
      params.push(filter.bugId);
    }
    if (filter.recipient !== undefined) {
      where.push("recipient = ?");
      params.push(filter.recipient);
    }
    if (filter.periodPrefix !== undefined) {
      where.push("substr(period, 1, ?) = ?");
      params.push(filter.periodPrefix.length, filter.periodPrefix);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    return (this.sql.statement(`SELECT * FROM notifications ${clause} ORDER BY created_at, rowid`).all(...params) as NotificationDbRow[]).map(toNotificationRow);
  }

  /** Routes ready to go: pending, or failed with attempts left; due; not cancelled; in creation order. */
  dueRoutes(now: Date, maxAttempts: number): DueRoute[] {
    const rows = this.sql
      .statement(
        `SELECT n.*, r.platform AS route_platform, r.attempts AS route_attempts
          FROM notification_routes r JOIN notifications n ON n.key = r.key
          WHERE r.state IN ('pending', 'failed') AND r.attempts < ? AND r.attempt_at IS NULL
            AND n.cancelled_at IS NULL AND n.payload IS NOT NULL AND (n.due_at IS NULL OR n.due_at <= ?)
          ORDER BY n.created_at, n.rowid, r.platform`,
      )
      .all(maxAttempts, now.toISOString()) as (NotificationDbRow & { route_platform: string; route_attempts: number })[];
    return rows.map((row) => ({ notification: toNotificationRow(row), platform: row.route_platform, attempts: row.route_attempts }));
  }

  /** How many routes wait to be sent: pending, or failed with attempts left; not cancelled (due or not). */
  waiting(maxAttempts: number): number {
    const row = this.sql
      .statement(
        `SELECT COUNT(*) AS n FROM notification_routes r JOIN notifications n ON n.key = r.key
          WHERE r.state IN ('pending', 'failed') AND r.attempts < ? AND n.cancelled_at IS NULL`,
      )
      .get(maxAttempts) as { n: number };
    return row.n;
  }

  /** Records that sends start now (before they are made, so a crash during one is noticed at start-up). */
  markAttempt(routes: readonly RouteRef[], at: Date): void {
    this.updateRoutes(routes, "UPDATE notification_routes SET attempts = attempts + 1, attempt_at = ? WHERE key = ? AND platform = ?", [at.toISOString()]);
  }

  /**
   * Claims routes for sending: records the attempt of each route still free (pending or failed, no
   * send under way, its notification not cancelled) and returns those. A route another replica (or
   * another delivery of this process) claimed first is left out, so it is sent once. Each claim is one
   * conditional update: on PostgreSQL a concurrent claim of the same row waits for this one's commit,
   * sees the attempt recorded and changes nothing.
   */
  claim(routes: readonly RouteRef[], at: Date): RouteRef[] {
    if (routes.length === 0) return [];
    return this.sql.transaction(() => {
      const update = this.sql.statement(
        `UPDATE notification_routes SET attempts = attempts + 1, attempt_at = ?
          WHERE key = ? AND platform = ? AND attempt_at IS NULL AND state IN ('pending', 'failed')
            AND key IN (SELECT key FROM notifications WHERE cancelled_at IS NULL)`,
      );
      const claimed = routes.filter((route) => update.run(at.toISOString(), route.key, route.platform).changes > 0);
      for (const key of new Set(claimed.map((route) => route.key))) this.refresh(key);
      return claimed;
    });
  }

  /** Records successful sends; `note` says how (combined, inside a digest, interrupted). */
  markSent(routes: readonly RouteRef[], at: Date, note?: string): void {
    this.updateRoutes(routes, "UPDATE notification_routes SET state = 'sent', sent_at = ?, attempt_at = NULL, last_error = ? WHERE key = ? AND platform = ?", [
      at.toISOString(),
      note ?? null,
    ]);
  }

  /** Records failed sends; they are tried again while attempts are left. */
  markFailed(routes: readonly RouteRef[], error: string): void {
    this.updateRoutes(routes, "UPDATE notification_routes SET state = 'failed', attempt_at = NULL, last_error = ? WHERE key = ? AND platform = ?", [
      error.slice(0, MAX_ERROR_LENGTH),
    ]);
  }

  /** Gives routes up at once (not retryable, e.g. the recipient left the users file). */
  giveUp(routes: readonly RouteRef[], maxAttempts: number, error: string): void {
    this.updateRoutes(routes, "UPDATE notification_routes SET state = 'failed', attempts = ?, attempt_at = NULL, last_error = ? WHERE key = ? AND platform = ?", [
      maxAttempts,
      error.slice(0, MAX_ERROR_LENGTH),
    ]);
  }

  /**
   * Sends that were under way when the process stopped: whether they reached the chat is unknown.
   * They are counted as sent (with a note), because a duplicate is what exactly-once rules out; the
   * window is one HTTP request long. Rows from before routes existed (migration 11) are settled the
   * same way. Only sends started at or before `startedBy` count (default `at`: all of them); on a
   * database shared by replicas, a younger one may be another replica's send under way. Returns the keys.
   */
  settleInterrupted(at: Date, startedBy: Date = at): string[] {
    const note = "interrupted during sending; not sent again to avoid a duplicate";
    return this.sql.transaction(() => {
      const routes = this.sql
        .statement("SELECT key, platform FROM notification_routes WHERE state != 'sent' AND attempt_at IS NOT NULL AND attempt_at <= ?")
        .all(startedBy.toISOString()) as RouteRef[];
      this.markSent(routes, at, note);
      const legacy = this.sql
        .statement(`SELECT key FROM notifications n WHERE state != 'sent' AND attempt_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM notification_routes r WHERE r.key = n.key)`)
        .pluck()
        .all() as string[];
      const settle = this.sql.statement("UPDATE notifications SET state = 'sent', sent_at = ?, attempt_at = NULL, last_error = ? WHERE key = ?");
      for (const key of legacy) settle.run(at.toISOString(), note, key);
      return [...new Set([...routes.map((route) => route.key), ...legacy])];
    });
  }

  /**
   * Notifications queued before routes existed (migration 11) and not done yet: they get a route per
   * platform now (`platformsFor` says which, as for a new one), keeping their attempts so far.
   * Returns how many were routed.
   */
  routeUnrouted(platformsFor: (row: NotificationRow) => readonly string[]): number {
    return this.sql.transaction(() => {
      const rows = (
        this.sql
          .statement(
            `SELECT * FROM notifications n WHERE state != 'sent' AND cancelled_at IS NULL AND payload IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM notification_routes r WHERE r.key = n.key)`,
          )
          .all() as NotificationDbRow[]
      ).map(toNotificationRow);
      for (const row of rows) {
        const platforms = platformsFor(row);
        this.addRoutes(row.key, platforms, { state: row.state, attempts: row.attempts });
        this.refresh(row.key);
      }
      return rows.length;
    });
  }

  /** Cancels rows not yet sent (the reminder is moot: the feedback came in). Returns how many. */
  cancelPending(filter: { kinds: readonly string[]; bugId: number }, at: Date): number {
    const placeholders = filter.kinds.map(() => "?").join(", ");
    return this.sql
      .statement(
        `UPDATE notifications SET cancelled_at = ? WHERE kind IN (${placeholders}) AND bug_id = ? AND state != 'sent' AND cancelled_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM notification_routes r WHERE r.key = notifications.key AND r.attempt_at IS NOT NULL)`,
      )
      .run(at.toISOString(), ...filter.kinds, filter.bugId).changes;
  }

  /**
   * Marks a person's combinable DMs due by `dueBy` as delivered inside a digest that covers them, on
   * every route still open. Returns the keys absorbed.
   */
  absorbIntoDigest(recipient: string, dueBy: Date, at: Date): string[] {
    return this.sql.transaction(() => {
      const keys = this.sql
        .statement(
          `SELECT key FROM notifications n WHERE target = 'direct' AND recipient = ? AND combinable = 1 AND state != 'sent'
            AND cancelled_at IS NULL AND (due_at IS NULL OR due_at <= ?)
            AND NOT EXISTS (SELECT 1 FROM notification_routes r WHERE r.key = n.key AND r.attempt_at IS NOT NULL)`,
        )
        .pluck()
        .all(recipient, dueBy.toISOString()) as string[];
      const open = this.sql.statement("SELECT key, platform FROM notification_routes WHERE key = ? AND state != 'sent'");
      this.markSent(
        keys.flatMap((key) => open.all(key) as RouteRef[]),
        at,
        "delivered inside the daily digest",
      );
      return keys;
    });
  }

  private addRoutes(key: string, platforms: readonly string[], start: { state: NotificationState; attempts: number }): void {
    const insert = this.sql.statement("INSERT OR IGNORE INTO notification_routes (key, platform, state, attempts) VALUES (?, ?, ?, ?)");
    for (const platform of platforms) insert.run(key, platform, start.state, start.attempts);
  }

  /** Runs one route update per route and sums up each notification touched, in one transaction. */
  private updateRoutes(routes: readonly RouteRef[], sql: string, values: readonly (string | number | null)[]): void {
    if (routes.length === 0) return;
    this.sql.transaction(() => {
      const update = this.sql.statement(sql);
      for (const route of routes) update.run(...values, route.key, route.platform);
      for (const key of new Set(routes.map((route) => route.key))) this.refresh(key);
    });
  }

  /** Sums a notification's routes up in its own row (state, attempts, first delivery, last error). */
  private refresh(key: string): void {
    this.sql
      .statement(
        `UPDATE notifications SET
            state = CASE
              WHEN EXISTS (SELECT 1 FROM notification_routes r WHERE r.key = notifications.key AND r.state = 'failed') THEN 'failed'
              WHEN EXISTS (SELECT 1 FROM notification_routes r WHERE r.key = notifications.key AND r.state = 'pending') THEN 'pending'
              ELSE 'sent' END,
            attempts = (SELECT COALESCE(MAX(r.attempts), 0) FROM notification_routes r WHERE r.key = notifications.key),
            sent_at = COALESCE(sent_at, (SELECT MIN(r.sent_at) FROM notification_routes r WHERE r.key = notifications.key AND r.state = 'sent')),
            last_error = COALESCE(
              (SELECT r.last_error FROM notification_routes r WHERE r.key = notifications.key AND r.last_error IS NOT NULL
                ORDER BY r.state = 'failed' DESC, COALESCE(r.sent_at, '') DESC LIMIT 1),
              last_error),
            attempt_at = NULL
          WHERE key = ?`,
      )
      .run(key);
  }
}

function toNotificationRow(row: NotificationDbRow): NotificationRow {
  return {
    key: row.key,
    kind: row.kind,
    bugId: row.bug_id ?? undefined,
    recipient: row.recipient,
    period: row.period,
    state: row.state,
    attempts: row.attempts,
    createdAt: new Date(row.created_at),
    sentAt: optionalDate(row.sent_at),
    lastError: row.last_error ?? undefined,
    target: row.target === "direct" || row.target === "channel" ? row.target : undefined,
    ...(row.payload !== null ? { payload: JSON.parse(row.payload) as unknown } : {}),
    dueAt: optionalDate(row.due_at),
    combinable: row.combinable === 1,
    cancelledAt: optionalDate(row.cancelled_at),
  };
}

function toRoute(row: RouteDbRow): NotificationRoute {
  return {
    key: row.key,
    platform: row.platform,
    state: row.state,
    attempts: row.attempts,
    attemptAt: optionalDate(row.attempt_at),
    sentAt: optionalDate(row.sent_at),
    lastError: row.last_error ?? undefined,
  };
}
