/**
 * The proactive engine's tables (migration 6): the tracker mirror and its change log, the notification
 * outbox, per-user settings, snoozes and deadline-risk reports. Plain functions over the Store.
 */
import type Database from "better-sqlite3";
import { z } from "zod";
import type { NotificationKey } from "../core/reminder-policy.js";
import type { Message } from "../framework/reply.js";
import { userPreferencesSchema, type UserPreferences } from "../core/people-settings.js";
import { isPriority, type Priority } from "../core/ticket.js";
import type { Store } from "./store.js";

// --- tracker mirror ----------------------------------------------------------------------------

/** What the watcher keeps of a bug: enough to detect transitions and to write summaries. */
export interface MirrorBug {
  id: number;
  /** The tracker's state key (`TicketState.key`). */
  status: string;
  /** MantisBT user name of the handler. */
  handler?: string;
  priority: Priority;
  summary: string;
  tags: string[];
  private: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Newest note written by the current handler. */
  handlerNoteAt?: Date;
  /**
   * What the watcher follows of the bug, condensed (see `watchedFingerprint`): a bug changed within the
   * second of the last read keeps its `updatedAt` but not this. Absent on rows from before migration 9.
   */
  fingerprint?: string;
}

/** A mirror row: the bug plus what the watcher derived over time. */
export interface MirrorRow extends MirrorBug {
  statusSince: Date;
  previousStatus?: string;
  previousHandler?: string;
  feedbackSince?: Date;
  tagChangedAt: Date;
  seenAt: Date;
  announced: boolean;
}

interface MirrorDbRow {
  bug_id: number;
  status: string;
  handler: string | null;
  priority: string;
  summary: string;
  tags: string;
  private: number;
  created_at: string;
  updated_at: string;
  status_since: string;
  previous_status: string | null;
  previous_handler: string | null;
  feedback_since: string | null;
  handler_note_at: string | null;
  tag_changed_at: string;
  seen_at: string;
  announced: number;
  fingerprint: string | null;
}

// Statements are compiled once per store: the check jobs run every minute over thousands of rows.
const statementCache = new WeakMap<Store, Map<string, Database.Statement>>();

function statement(store: Store, sql: string): Database.Statement {
  let cache = statementCache.get(store);
  if (!cache) {
    cache = new Map();
    statementCache.set(store, cache);
  }
  let prepared = cache.get(sql);
  if (!prepared) {
    prepared = store.db.prepare(sql);
    cache.set(sql, prepared);
  }
  return prepared;
}

// Rows are the engine's own writes, so plain checks suffice (a zod parse per row per minute over a
// 10,000-bug mirror showed in the benchmark); an unknown value still falls back instead of passing.
const tagsSchema = z.array(z.string());

const optionalDate = (value: string | null): Date | undefined => (value === null ? undefined : new Date(value));
const isoOrNull = (value: Date | undefined): string | null => (value === undefined ? null : value.toISOString());

function toMirrorRow(row: MirrorDbRow): MirrorRow {
  const tags = row.tags === "[]" ? [] : tagsSchema.catch([]).parse(JSON.parse(row.tags));
  return {
    id: row.bug_id,
    status: row.status,
    handler: row.handler ?? undefined,
    priority: isPriority(row.priority) ? row.priority : "normal",
    summary: row.summary,
    tags,
    private: row.private === 1,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    statusSince: new Date(row.status_since),
    previousStatus: row.previous_status ?? undefined,
    previousHandler: row.previous_handler ?? undefined,
    feedbackSince: optionalDate(row.feedback_since),
    handlerNoteAt: optionalDate(row.handler_note_at),
    tagChangedAt: new Date(row.tag_changed_at),
    seenAt: new Date(row.seen_at),
    announced: row.announced === 1,
    fingerprint: row.fingerprint ?? undefined,
  };
}

/** The mirror row of one bug. */
export function getMirrorBug(store: Store, bugId: number): MirrorRow | undefined {
  const row = statement(store, "SELECT * FROM tracker_mirror WHERE bug_id = ?").get(bugId) as MirrorDbRow | undefined;
  return row && toMirrorRow(row);
}

/** Mirror rows by bug id: all, only open ones (not resolved or closed), or only some statuses. */
export function listMirror(store: Store, options: { openOnly?: boolean; statuses?: readonly string[] } = {}): MirrorRow[] {
  if (options.statuses) {
    const statuses = options.statuses;
    const sql = `SELECT * FROM tracker_mirror WHERE status IN (${statuses.map(() => "?").join(", ") || "NULL"}) ORDER BY bug_id`;
    return (statement(store, sql).all(...statuses) as MirrorDbRow[]).map(toMirrorRow);
  }
  const sql = options.openOnly
    ? "SELECT * FROM tracker_mirror WHERE status NOT IN ('resolved', 'closed') ORDER BY bug_id"
    : "SELECT * FROM tracker_mirror ORDER BY bug_id";
  return (statement(store, sql).all() as MirrorDbRow[]).map(toMirrorRow);
}

/** What the check jobs need from the bot's per-bug process state, for all bugs in one query. */
export interface ProcessFacts {
  stage?: string;
  estimateMinutes?: number;
  deadline?: string;
  developer?: string;
}

/** The process facts of every bug the bot knows, by id (one query instead of one per bug). */
export function loadProcessFacts(store: Store): Map<number, ProcessFacts> {
  const rows = statement(store, "SELECT bug_id, stage, estimate_min, deadline, developer FROM bug_process").all() as {
    bug_id: number;
    stage: string | null;
    estimate_min: number | null;
    deadline: string | null;
    developer: string | null;
  }[];
  return new Map(
    rows.map((row) => [
      row.bug_id,
      { stage: row.stage ?? undefined, estimateMinutes: row.estimate_min ?? undefined, deadline: row.deadline ?? undefined, developer: row.developer ?? undefined },
    ]),
  );
}

/** How many bugs the mirror holds. */
export function countMirror(store: Store): number {
  return statement(store, "SELECT COUNT(*) FROM tracker_mirror").pluck().get() as number;
}

/** Writes (inserts or replaces) a mirror row. */
export function saveMirrorBug(store: Store, row: MirrorRow): void {
  statement(
    store,
    `INSERT INTO tracker_mirror (bug_id, status, handler, priority, summary, tags, private, created_at, updated_at, status_since,
        previous_status, previous_handler, feedback_since, handler_note_at, tag_changed_at, seen_at, announced, fingerprint)
      VALUES (@id, @status, @handler, @priority, @summary, @tags, @private, @createdAt, @updatedAt, @statusSince,
        @previousStatus, @previousHandler, @feedbackSince, @handlerNoteAt, @tagChangedAt, @seenAt, @announced, @fingerprint)
      ON CONFLICT (bug_id) DO UPDATE SET status = excluded.status, handler = excluded.handler, priority = excluded.priority,
        summary = excluded.summary, tags = excluded.tags, private = excluded.private, created_at = excluded.created_at,
        updated_at = excluded.updated_at, status_since = excluded.status_since, previous_status = excluded.previous_status,
        previous_handler = excluded.previous_handler, feedback_since = excluded.feedback_since,
        handler_note_at = excluded.handler_note_at, tag_changed_at = excluded.tag_changed_at, seen_at = excluded.seen_at,
        announced = excluded.announced, fingerprint = excluded.fingerprint`,
  )
    .run({
      id: row.id,
      status: row.status,
      handler: row.handler ?? null,
      priority: row.priority,
      summary: row.summary,
      tags: JSON.stringify(row.tags),
      private: row.private ? 1 : 0,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      statusSince: row.statusSince.toISOString(),
      previousStatus: row.previousStatus ?? null,
      previousHandler: row.previousHandler ?? null,
      feedbackSince: isoOrNull(row.feedbackSince),
      handlerNoteAt: isoOrNull(row.handlerNoteAt),
      tagChangedAt: row.tagChangedAt.toISOString(),
      seenAt: row.seenAt.toISOString(),
      announced: row.announced ? 1 : 0,
      fingerprint: row.fingerprint ?? null,
    });
}

/** Marks bugs as seen by a full scan without rewriting them. */
export function touchMirrorBugs(store: Store, bugIds: readonly number[], at: Date): void {
  const touch = statement(store, "UPDATE tracker_mirror SET seen_at = ? WHERE bug_id = ?");
  for (const id of bugIds) touch.run(at.toISOString(), id);
}

/** Bugs a full scan that started at `scanStart` did not see. */
export function listMirrorNotSeenSince(store: Store, scanStart: Date): number[] {
  return statement(store, "SELECT bug_id FROM tracker_mirror WHERE seen_at < ? ORDER BY bug_id").pluck().all(scanStart.toISOString()) as number[];
}

/** Forgets a bug that is gone from the tracker. */
export function deleteMirrorBug(store: Store, bugId: number): void {
  statement(store, "DELETE FROM tracker_mirror WHERE bug_id = ?").run(bugId);
}

/** One change the watcher saw, phrased for people ("NEW → FEEDBACK, handler alice"). */
export interface TrackerChange {
  bugId: number;
  at: Date;
  change: string;
}

/** Records a change the watcher saw. */
export function addTrackerChange(store: Store, change: TrackerChange): void {
  statement(store, "INSERT INTO tracker_changes (bug_id, at, change) VALUES (?, ?, ?)").run(change.bugId, change.at.toISOString(), change.change);
}

/** Changes seen at or after a moment, oldest first. */
export function listTrackerChangesSince(store: Store, since: Date): TrackerChange[] {
  const rows = statement(store, "SELECT bug_id, at, change FROM tracker_changes WHERE at >= ? ORDER BY at, id").all(since.toISOString()) as {
    bug_id: number;
    at: string;
    change: string;
  }[];
  return rows.map((row) => ({ bugId: row.bug_id, at: new Date(row.at), change: row.change }));
}

const CURSOR_KEY = "proactive.watch.cursor";
const INSTALLED_KEY = "proactive.installed-at";
const RISK_BASELINE_KEY = "proactive.risk.baselined";
const RECONCILED_KEY = "proactive.watch.reconciled-on";
const LAST_POLL_KEY = "proactive.watch.last-poll";

/** The newest `updated_at` the watcher has processed; undefined before the first run completed. */
export function getWatchCursor(store: Store): Date | undefined {
  const value = store.getValue(CURSOR_KEY);
  return value === undefined ? undefined : new Date(value);
}

/** Moves the watcher's cursor. */
export function setWatchCursor(store: Store, cursor: Date): void {
  store.setValue(CURSOR_KEY, cursor.toISOString());
}

/** When the first run completed: daily items scheduled before it were not missed, they predate the bot. */
export function getInstalledAt(store: Store): Date | undefined {
  const value = store.getValue(INSTALLED_KEY);
  return value === undefined ? undefined : new Date(value);
}

/** Records when the first run completed. */
export function setInstalledAt(store: Store, at: Date): void {
  store.setValue(INSTALLED_KEY, at.toISOString());
}

/** Whether the risks found at installation were recorded as known (so they are not all reported at once). */
export function isRiskBaselined(store: Store): boolean {
  return store.getValue(RISK_BASELINE_KEY) !== undefined;
}

/** Records that the installation's risks are known. */
export function setRiskBaselined(store: Store, at: Date): void {
  store.setValue(RISK_BASELINE_KEY, at.toISOString());
}

/** When the watcher last read MantisBT successfully. */
export function getLastPoll(store: Store): Date | undefined {
  const value = store.getValue(LAST_POLL_KEY);
  return value === undefined ? undefined : new Date(value);
}

/** Records a successful read of MantisBT. */
export function setLastPoll(store: Store, at: Date): void {
  store.setValue(LAST_POLL_KEY, at.toISOString());
}

/** The local date of the last full reconciling scan. */
export function getReconciledOn(store: Store): string | undefined {
  return store.getValue(RECONCILED_KEY);
}

/** Records the local date of a full reconciling scan. */
export function setReconciledOn(store: Store, date: string): void {
  store.setValue(RECONCILED_KEY, date);
}

// --- notification outbox -----------------------------------------------------------------------

/** A DM or a channel post. */
export type NotificationTarget = "direct" | "channel";
/** Where a notification stands. */
export type NotificationState = "pending" | "sent" | "failed";

/** A notification to send exactly once. `recipient` is a staff name (direct) or a channel key (channel). */
export interface OutboxItem {
  key: NotificationKey;
  target: NotificationTarget;
  message: Message;
  /** Not before this instant (quiet hours, digest time); default now. */
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
  attempts: number;
  createdAt: Date;
  sentAt?: Date;
  lastError?: string;
  target?: NotificationTarget;
  message?: Message;
  dueAt?: Date;
  combinable: boolean;
  attemptAt?: Date;
  cancelledAt?: Date;
}

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
  attempt_at: string | null;
  cancelled_at: string | null;
}

const messageSchema = z.object({
  text: z.string(),
  buttons: z
    .array(z.object({ label: z.string(), command: z.string(), style: z.enum(["primary", "danger", "default"]).optional() }))
    .optional(),
  bugId: z.number().int().optional(),
});

function toNotificationRow(row: NotificationDbRow): NotificationRow {
  let message: Message | undefined;
  if (row.payload !== null) {
    const parsed = messageSchema.safeParse(JSON.parse(row.payload));
    message = parsed.success ? parsed.data : undefined;
  }
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
    message,
    dueAt: optionalDate(row.due_at),
    combinable: row.combinable === 1,
    attemptAt: optionalDate(row.attempt_at),
    cancelledAt: optionalDate(row.cancelled_at),
  };
}

/** Adds a notification unless one with the same key exists (then nothing changes). True when added. */
export function enqueueNotification(store: Store, item: OutboxItem, now: Date): boolean {
  const result = statement(
    store,
    `INSERT INTO notifications (key, kind, bug_id, recipient, period, state, attempts, created_at, target, payload, due_at, combinable)
      VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)
      ON CONFLICT (key) DO NOTHING`,
  )
    .run(
      item.key.key,
      item.key.kind,
      item.key.bugId ?? null,
      item.key.recipient,
      item.key.period,
      now.toISOString(),
      item.target,
      JSON.stringify(item.message),
      item.dueAt.toISOString(),
      item.combinable ? 1 : 0,
    );
  return result.changes > 0;
}

/** The outbox row with this key. */
export function getNotification(store: Store, key: string): NotificationRow | undefined {
  const row = statement(store, "SELECT * FROM notifications WHERE key = ?").get(key) as NotificationDbRow | undefined;
  return row && toNotificationRow(row);
}

/** Rows of one kind (optionally for one bug and recipient), oldest first. */
export function listNotifications(store: Store, filter: { kind?: string; bugId?: number; recipient?: string; periodPrefix?: string } = {}): NotificationRow[] {
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
  return (statement(store, `SELECT * FROM notifications ${clause} ORDER BY created_at, rowid`).all(...params) as NotificationDbRow[]).map(toNotificationRow);
}

/** Rows ready to go: pending, or failed with attempts left; due; not cancelled; in creation order. */
export function listDueNotifications(store: Store, now: Date, maxAttempts: number): NotificationRow[] {
  const rows = statement(
    store,
    `SELECT * FROM notifications
      WHERE state IN ('pending', 'failed') AND attempts < ? AND cancelled_at IS NULL AND attempt_at IS NULL
        AND payload IS NOT NULL AND (due_at IS NULL OR due_at <= ?)
      ORDER BY created_at, rowid`,
  )
    .all(maxAttempts, now.toISOString()) as NotificationDbRow[];
  return rows.map(toNotificationRow);
}

/** Records that a send starts now (before it is made, so a crash during it is noticed at start-up). */
export function markNotificationAttempt(store: Store, key: string, at: Date): void {
  statement(store, "UPDATE notifications SET attempts = attempts + 1, attempt_at = ? WHERE key = ?").run(at.toISOString(), key);
}

/** Records a successful send. */
export function markNotificationSent(store: Store, key: string, at: Date, note?: string): void {
  statement(store, "UPDATE notifications SET state = 'sent', sent_at = ?, attempt_at = NULL, last_error = ? WHERE key = ?").run(at.toISOString(), note ?? null, key);
}

/** Records a failed send; it is tried again while attempts are left. */
export function markNotificationFailed(store: Store, key: string, error: string): void {
  statement(store, "UPDATE notifications SET state = 'failed', attempt_at = NULL, last_error = ? WHERE key = ?").run(error.slice(0, 500), key);
}

/**
 * Sends that were under way when the process stopped: whether they reached the chat is unknown.
 * They are counted as sent (with a note), because a duplicate is what exactly-once rules out; the
 * window is one HTTP request long. Returns the keys.
 */
export function settleInterruptedNotifications(store: Store, at: Date): string[] {
  const keys = statement(store, "SELECT key FROM notifications WHERE state != 'sent' AND attempt_at IS NOT NULL").pluck().all() as string[];
  for (const key of keys) markNotificationSent(store, key, at, "interrupted during sending; not sent again to avoid a duplicate");
  return keys;
}

/** Cancels rows not yet sent (the reminder is moot: the feedback came in). Returns how many. */
export function cancelPendingNotifications(store: Store, filter: { kinds: readonly string[]; bugId: number }, at: Date): number {
  const placeholders = filter.kinds.map(() => "?").join(", ");
  const result = statement(
    store,
    `UPDATE notifications SET cancelled_at = ? WHERE kind IN (${placeholders}) AND bug_id = ? AND state != 'sent' AND cancelled_at IS NULL AND attempt_at IS NULL`,
  )
    .run(at.toISOString(), ...filter.kinds, filter.bugId);
  return result.changes;
}

/**
 * Marks a person's combinable DMs due by `dueBy` as delivered inside a digest that covers them.
 * Returns the keys absorbed.
 */
export function absorbIntoDigest(store: Store, recipient: string, dueBy: Date, at: Date): string[] {
  const keys = statement(
    store,
    `SELECT key FROM notifications WHERE target = 'direct' AND recipient = ? AND combinable = 1 AND state != 'sent'
        AND cancelled_at IS NULL AND attempt_at IS NULL AND (due_at IS NULL OR due_at <= ?)`,
  )
    .pluck()
    .all(recipient, dueBy.toISOString()) as string[];
  for (const key of keys) markNotificationSent(store, key, at, "delivered inside the daily digest");
  return keys;
}

// --- per-user settings and snoozes ------------------------------------------------------------

/** A person's stored overrides (empty when they changed nothing). */
export function getUserPreferences(store: Store, staffName: string): UserPreferences {
  const value = statement(store, "SELECT settings FROM user_settings WHERE staff_name = ?").pluck().get(staffName) as string | undefined;
  if (value === undefined) return {};
  const parsed = userPreferencesSchema.safeParse(JSON.parse(value));
  return parsed.success ? parsed.data : {};
}

/** Replaces a person's stored overrides. */
export function setUserPreferences(store: Store, staffName: string, preferences: UserPreferences, at: Date): void {
  statement(
    store,
    `INSERT INTO user_settings (staff_name, settings, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (staff_name) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
  )
    .run(staffName, JSON.stringify(userPreferencesSchema.parse(preferences)), at.toISOString());
}

/** Until when a person snoozed reminders about a bug (only if still in the future). */
export function getSnooze(store: Store, bugId: number, staffName: string, now: Date): Date | undefined {
  const until = statement(store, "SELECT until FROM snoozes WHERE bug_id = ? AND staff_name = ?").pluck().get(bugId, staffName) as string | undefined;
  if (until === undefined) return undefined;
  const date = new Date(until);
  return date.getTime() > now.getTime() ? date : undefined;
}

/** Snoozes reminders about a bug for a person until a moment. */
export function setSnooze(store: Store, bugId: number, staffName: string, until: Date, at: Date): void {
  statement(
    store,
    `INSERT INTO snoozes (bug_id, staff_name, until, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (bug_id, staff_name) DO UPDATE SET until = excluded.until, created_at = excluded.created_at`,
  )
    .run(bugId, staffName, until.toISOString(), at.toISOString());
}

/** Ends a snooze; true when there was one. */
export function clearSnooze(store: Store, bugId: number, staffName: string): boolean {
  return statement(store, "DELETE FROM snoozes WHERE bug_id = ? AND staff_name = ?").run(bugId, staffName).changes > 0;
}

// --- deadline-risk reports --------------------------------------------------------------------

/** The last risk state reported about a bug to a recipient. */
export interface RiskReport {
  state: string;
  /** Local date of the report in the recipient's time zone. */
  reportedOn: string;
  reportedAt: Date;
}

/** The last report about a bug to a recipient. */
export function getRiskReport(store: Store, bugId: number, recipient: string): RiskReport | undefined {
  const row = statement(store, "SELECT state, reported_on, reported_at FROM risk_reports WHERE bug_id = ? AND recipient = ?").get(bugId, recipient) as
    | { state: string; reported_on: string; reported_at: string }
    | undefined;
  return row && { state: row.state, reportedOn: row.reported_on, reportedAt: new Date(row.reported_at) };
}

/** Records a report. */
export function setRiskReport(store: Store, bugId: number, recipient: string, report: RiskReport): void {
  statement(
    store,
    `INSERT INTO risk_reports (bug_id, recipient, state, reported_on, reported_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (bug_id, recipient) DO UPDATE SET state = excluded.state, reported_on = excluded.reported_on, reported_at = excluded.reported_at`,
  )
    .run(bugId, recipient, report.state, report.reportedOn, report.reportedAt.toISOString());
}

/** Forgets the reports about a bug (it is fine again: a new risk is news). */
export function clearRiskReports(store: Store, bugId: number): void {
  statement(store, "DELETE FROM risk_reports WHERE bug_id = ?").run(bugId);
}

/** The newest estimate update recorded by the analysis commands (migration 4), if that table exists. */
export function latestEstimateUpdate(store: Store, bugId: number): Date | undefined {
  if (!hasTable(store, "estimate_updates")) return undefined;
  const at = statement(store, "SELECT MAX(at) FROM estimate_updates WHERE bug_id = ?").pluck().get(bugId) as string | null;
  return at === null ? undefined : new Date(at);
}

const tableCache = new WeakMap<Store, Map<string, boolean>>();

function hasTable(store: Store, name: string): boolean {
  let known = tableCache.get(store);
  if (!known) {
    known = new Map();
    tableCache.set(store, known);
  }
  let exists = known.get(name);
  if (exists === undefined) {
    exists = statement(store, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    known.set(name, exists);
  }
  return exists;
}

/** Bugs with a recorded risk report. */
export function listRiskReportedBugs(store: Store): number[] {
  return statement(store, "SELECT DISTINCT bug_id FROM risk_reports ORDER BY bug_id").pluck().all() as number[];
}

/** A person's snoozes still running, soonest end first. */
export function listSnoozes(store: Store, staffName: string, now: Date): { bugId: number; until: Date }[] {
  const rows = statement(store, "SELECT bug_id, until FROM snoozes WHERE staff_name = ? AND until > ? ORDER BY until, bug_id").all(staffName, now.toISOString()) as {
    bug_id: number;
    until: string;
  }[];
  return rows.map((row) => ({ bugId: row.bug_id, until: new Date(row.until) }));
}
