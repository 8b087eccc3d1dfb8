/**
 * The notification outbox (migrations 1, 6 and 11). A notification (its key, recipient, message and
 * due time) is delivered per route: one chat platform, reaching the recipient (a person's account or
 * a channel) there. Each route keeps its own state and attempts, so a platform that failed is retried
 * while one that delivered is never sent to again. The notification's own state sums its routes up:
 * `sent` once every route delivered, `failed` while one failed, `sent_at` when the first one delivered.
 * The message itself is opaque here (JSON); the outbox in src/proactive/outbox.ts reads and writes it.
 */
import type { NotificationKey } from "../core/reminder-policy.js";
import { columnValues, optionalDate, type Db } from "./db.js";

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

/**
 * Claims and the records of sends are committed at once rather than with the turn's other
 * transactions (SQLite's group commit): each send waits for its claim, and a recipient's sends
 * follow one another, so a wait for the end of the turn would add up along the queue.
 */
const COMMIT_AT_ONCE = { commitNow: true } as const;

/** The outbox and its routes. */
export class OutboxRepository {
  constructor(private readonly db: Db) {}

  /**
   * Adds a notification with one route per platform, unless one with the same key exists (then
   * nothing changes). True when added. Without routes (nobody to reach on any platform) it is
   * recorded as done at once, with `note` saying why, so the key still counts as handled.
   */
  async enqueue(item: OutboxItem, platforms: readonly string[], now: Date, note?: string): Promise<boolean> {
    return this.db.transaction(async () => {
      const done = platforms.length === 0;
      const added =
        (await this.db.run(`INSERT INTO notifications (key, kind, bug_id, recipient, period, state, attempts, created_at, sent_at, last_error, target, payload, due_at, combinable)
              VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (key) DO NOTHING`, [item.key.key,
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
            item.combinable ? 1 : 0])) > 0;
      if (added) await this.addRoutes(item.key.key, platforms, { state: "pending", attempts: 0 });
      return added;
    });
  }

  /** The outbox row with this key. */
  async get(key: string): Promise<NotificationRow | undefined> {
    const row = await this.db.get<NotificationDbRow>("SELECT * FROM notifications WHERE key = ?", [key]);
    return row && toNotificationRow(row);
  }

  /** The routes of a notification, by platform. */
  async routes(key: string): Promise<NotificationRoute[]> {
    return (await this.db.all<RouteDbRow>("SELECT * FROM notification_routes WHERE key = ? ORDER BY platform", [key])).map(toRoute);
  }

  /** Rows of one kind (optionally for one bug and recipient, or a period prefix), oldest first. */
  async list(filter: { kind?: string; bugId?: number; recipient?: string; periodPrefix?: string } = {}): Promise<NotificationRow[]> {
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
    return (await this.db.all<NotificationDbRow>(`SELECT * FROM notifications ${clause} ORDER BY created_at, seq`, [...params])).map(toNotificationRow);
  }

  /** Routes ready to go: pending, or failed with attempts left; due; not cancelled; in creation order. */
  async dueRoutes(now: Date, maxAttempts: number): Promise<DueRoute[]> {
    const rows = (await this.db.all<unknown>(`SELECT n.*, r.platform AS route_platform, r.attempts AS route_attempts
          FROM notification_routes r JOIN notifications n ON n.key = r.key
          WHERE r.state IN ('pending', 'failed') AND r.attempts < ? AND r.attempt_at IS NULL
            AND n.cancelled_at IS NULL AND n.payload IS NOT NULL AND (n.due_at IS NULL OR n.due_at <= ?)
          ORDER BY n.created_at, n.seq, r.platform`, [maxAttempts, now.toISOString()])) as (NotificationDbRow & { route_platform: string; route_attempts: number })[];
    return rows.map((row) => ({ notification: toNotificationRow(row), platform: row.route_platform, attempts: row.route_attempts }));
  }

  /** How many routes wait to be sent: pending, or failed with attempts left; not cancelled (due or not). */
  async waiting(maxAttempts: number): Promise<number> {
    const row = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM notification_routes r JOIN notifications n ON n.key = r.key
          WHERE r.state IN ('pending', 'failed') AND r.attempts < ? AND n.cancelled_at IS NULL`, [maxAttempts]);
    return row?.n ?? 0;
  }

  /**
   * Records that sends start now (before they are made, so a crash during one is noticed at start-up).
   * Only the routes change: the notification's own row sums them up when the send is recorded as
   * done or failed (or settled at start-up), which saves a summing update before every send.
   */
  async markAttempt(routes: readonly RouteRef[], at: Date): Promise<void> {
    await this.updateRoutes(routes, "UPDATE notification_routes SET attempts = attempts + 1, attempt_at = ? WHERE key = ? AND platform = ?", [at.toISOString()], { refresh: false });
  }

  /**
   * Claims routes for sending: records the attempt of each route still free (pending or failed, no
   * send under way, its notification not cancelled) and returns those. A route another replica (or
   * another delivery of this process) claimed first is left out, so it is sent once. One transaction
   * reads each route free and records the attempt: on SQLite it holds the write lock throughout; on
   * PostgreSQL the rows are locked (`FOR UPDATE SKIP LOCKED`), and a route locked by a concurrent
   * claim is left to it.
   */
  async claim(routes: readonly RouteRef[], at: Date): Promise<RouteRef[]> {
    if (routes.length === 0) return [];
    // PostgreSQL: a route another replica is claiming right now is skipped, not waited for.
    const skipLocked = this.db.dialect === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
    return this.db.transaction(async () => {
      const claimed: RouteRef[] = [];
      for (const route of routes) {
        // EXISTS by the notification's key: an IN over the not-cancelled notifications made SQLite read
        // every notification ever queued for each claim (npm run bench: grabs slowed run after run).
        const free = await this.db.get<{ free: number }>(
          `SELECT 1 AS free FROM notification_routes r
            WHERE r.key = ? AND r.platform = ? AND r.attempt_at IS NULL AND r.state IN ('pending', 'failed')
              AND EXISTS (SELECT 1 FROM notifications n WHERE n.key = r.key AND n.cancelled_at IS NULL)${skipLocked}`,
          [route.key, route.platform],
        );
        if (!free) continue;
        await this.db.run("UPDATE notification_routes SET attempts = attempts + 1, attempt_at = ? WHERE key = ? AND platform = ?", [at.toISOString(), route.key, route.platform]);
        claimed.push(route);
      }
      // Only the routes change, as in markAttempt: the notification sums them up when the send is
      // recorded as done or failed (one summing update per send, not two).
      return claimed;
    }, COMMIT_AT_ONCE);
  }


  /** Records successful sends; `note` says how (combined, inside a digest, interrupted). */
  async markSent(routes: readonly RouteRef[], at: Date, note?: string): Promise<void> {
    await this.updateRoutes(routes, "UPDATE notification_routes SET state = 'sent', sent_at = ?, attempt_at = NULL, last_error = ? WHERE key = ? AND platform = ?", [
      at.toISOString(),
      note ?? null,
    ]);
  }

  /** Records failed sends; they are tried again while attempts are left. */
  async markFailed(routes: readonly RouteRef[], error: string): Promise<void> {
    await this.updateRoutes(routes, "UPDATE notification_routes SET state = 'failed', attempt_at = NULL, last_error = ? WHERE key = ? AND platform = ?", [
      error.slice(0, MAX_ERROR_LENGTH),
    ]);
  }

  /** Gives routes up at once (not retryable, e.g. the recipient left the users file). */
  async giveUp(routes: readonly RouteRef[], maxAttempts: number, error: string): Promise<void> {
    await this.updateRoutes(routes, "UPDATE notification_routes SET state = 'failed', attempts = ?, attempt_at = NULL, last_error = ? WHERE key = ? AND platform = ?", [
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
  async settleInterrupted(at: Date, startedBy: Date = at): Promise<string[]> {
    const note = "interrupted during sending; not sent again to avoid a duplicate";
    return this.db.transaction(async () => {
      const routes = await this.db.all<RouteRef>("SELECT key, platform FROM notification_routes WHERE state != 'sent' AND attempt_at IS NOT NULL AND attempt_at <= ?", [startedBy.toISOString()]);
      await this.markSent(routes, at, note);
      const legacy = await columnValues<string>(this.db, `SELECT key FROM notifications n WHERE state != 'sent' AND attempt_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM notification_routes r WHERE r.key = n.key)`);
      for (const key of legacy) {
        await this.db.run("UPDATE notifications SET state = 'sent', sent_at = ?, attempt_at = NULL, last_error = ? WHERE key = ?", [at.toISOString(), note, key]);
      }
      return [...new Set([...routes.map((route) => route.key), ...legacy])];
    });
  }

  /**
   * Notifications queued before routes existed (migration 11) and not done yet: they get a route per
   * platform now (`platformsFor` says which, as for a new one), keeping their attempts so far.
   * Returns how many were routed.
   */
  async routeUnrouted(platformsFor: (row: NotificationRow) => readonly string[]): Promise<number> {
    return this.db.transaction(async () => {
      const rows = (
        (await this.db.all<NotificationDbRow>(`SELECT * FROM notifications n WHERE state != 'sent' AND cancelled_at IS NULL AND payload IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM notification_routes r WHERE r.key = n.key)`))
      ).map(toNotificationRow);
      for (const row of rows) {
        const platforms = platformsFor(row);
        await this.addRoutes(row.key, platforms, { state: row.state, attempts: row.attempts });
        await this.refresh(row.key);
      }
      return rows.length;
    });
  }

  /** Cancels rows not yet sent (the reminder is moot: the feedback came in). Returns how many. */
  async cancelPending(filter: { kinds: readonly string[]; bugId: number }, at: Date): Promise<number> {
    const placeholders = filter.kinds.map(() => "?").join(", ");
    return await this.db.run(`UPDATE notifications SET cancelled_at = ? WHERE kind IN (${placeholders}) AND bug_id = ? AND state != 'sent' AND cancelled_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM notification_routes r WHERE r.key = notifications.key AND r.attempt_at IS NOT NULL)`, [at.toISOString(), ...filter.kinds, filter.bugId]);
  }

  /**
   * Marks a person's combinable DMs due by `dueBy` as delivered inside a digest that covers them, on
   * every route still open. Returns the keys absorbed.
   */
  async absorbIntoDigest(recipient: string, dueBy: Date, at: Date): Promise<string[]> {
    return this.db.transaction(async () => {
      const keys = await columnValues<string>(this.db, `SELECT key FROM notifications n WHERE target = 'direct' AND recipient = ? AND combinable = 1 AND state != 'sent'
            AND cancelled_at IS NULL AND (due_at IS NULL OR due_at <= ?)
            AND NOT EXISTS (SELECT 1 FROM notification_routes r WHERE r.key = n.key AND r.attempt_at IS NOT NULL)`, [recipient, dueBy.toISOString()]);
      const open: RouteRef[] = [];
      for (const key of keys) open.push(...await this.db.all<RouteRef>("SELECT key, platform FROM notification_routes WHERE key = ? AND state != 'sent'", [key]));
      await this.markSent(open, at, "delivered inside the daily digest");
      return keys;
    });
  }

  private async addRoutes(key: string, platforms: readonly string[], start: { state: NotificationState; attempts: number }): Promise<void> {
    for (const platform of platforms) {
      await this.db.run("INSERT INTO notification_routes (key, platform, state, attempts) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", [
        key,
        platform,
        start.state,
        start.attempts,
      ]);
    }
  }

  /** Runs one route update per route and (unless told not to) sums up each notification touched, in one transaction. */
  private async updateRoutes(
    routes: readonly RouteRef[],
    sql: string,
    values: readonly (string | number | null)[],
    options: { refresh: boolean } = { refresh: true },
  ): Promise<void> {
    if (routes.length === 0) return;
    // One route without summing up is one statement: no transaction around it.
    if (routes.length === 1 && !options.refresh) {
      await this.db.run(sql, [...values, routes[0]!.key, routes[0]!.platform]);
      return;
    }
    await this.db.transaction(async () => {
      for (const route of routes) await this.db.run(sql, [...values, route.key, route.platform]);
      if (options.refresh) for (const key of new Set(routes.map((route) => route.key))) await this.refresh(key);
    }, COMMIT_AT_ONCE);
  }

  /**
   * Sums a notification's routes up in its own row (state, attempts, first delivery, last error).
   * One pass over its routes by key: subqueries that also filtered on `state` made SQLite search the
   * routes by state (notification_routes_open), through every route ever sent, so each delivery
   * cost more the longer the outbox's history (1.6 ms per notification at 6,000 sent routes, 0.04 ms
   * now).
   */
  private async refresh(key: string): Promise<void> {
    await this.db.run(`UPDATE notifications SET
            (state, attempts, sent_at) = (
              SELECT
                CASE
                  WHEN SUM(CASE WHEN r.state = 'failed' THEN 1 ELSE 0 END) > 0 THEN 'failed'
                  WHEN SUM(CASE WHEN r.state = 'pending' THEN 1 ELSE 0 END) > 0 THEN 'pending'
                  ELSE 'sent' END,
                COALESCE(MAX(r.attempts), 0),
                COALESCE(notifications.sent_at, MIN(CASE WHEN r.state = 'sent' THEN r.sent_at END))
              FROM notification_routes r WHERE r.key = notifications.key),
            last_error = COALESCE(
              (SELECT r.last_error FROM notification_routes r WHERE r.key = notifications.key AND r.last_error IS NOT NULL
                ORDER BY r.state = 'failed' DESC, COALESCE(r.sent_at, '') DESC LIMIT 1),
              last_error),
            attempt_at = NULL
          WHERE key = ?`, [key]);
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
