/**
 * The tracker mirror (migrations 6 and 9): the tracker's bugs as the watcher last saw them, the
 * changes it saw, and its markers (cursor, last successful read, installation, last full scan).
 * Transitions are found by comparing with it, also for changes made directly in MantisBT; summaries,
 * reminders and (while the engine runs) `mine` and `summary` read it instead of MantisBT.
 */
import { z } from "zod";
import { isStage } from "../core/stages.js";
import { PRIORITIES, isPriority, type Priority, type TicketState } from "../core/ticket.js";
import { sectionOf, type BugSection } from "../core/summary.js";
import type { KeyValueRepository } from "./kv-repo.js";
import { firstValue, columnValues, isoOrNull, optionalDate, type Db, type SqlValue } from "./db.js";

/** Bugs marked as seen per statement by `touch`. */
const TOUCH_BATCH = 500;

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
  /**
   * The ticket's state in the process's terms (stages it can mean, open or not, its label), its
   * handler's staff handle and its sub-tickets, so listings can be made from the mirror. Absent on
   * rows from before migration 11 until the watcher reads them again.
   */
  state?: TicketState;
  handlerHandle?: string;
  subTicketIds?: readonly number[];
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

/**
 * The daily summary's reading of the mirror (`summarySelection`): how many open bugs each section
 * holds and the rows of those it may show, each with the bot's process stage.
 */
export interface SummarySelection {
  counts: Record<BugSection, number>;
  rows: (MirrorRow & { stage?: string })[];
}

/**
 * A bug in CONFIRMED or ASSIGNED as deadline risk and the summary's "In work" section read it: the
 * subject (for its tag), what the bot stored of estimate and deadline, and when the estimate was last
 * brought up to date, however that happened.
 */
export interface ActionWorkRow {
  id: number;
  status: string;
  handler?: string;
  summary: string;
  stage?: string;
  storedEstimateMinutes?: number;
  storedDeadline?: string;
  /** The newest of: the subject tag's change, the latest estimate recorded by a command, an `eta` in the journal. */
  lastEstimateUpdate: Date;
}

/** One change the watcher saw, phrased for people ("NEW → FEEDBACK, handler alice"). */
export interface TrackerChange {
  bugId: number;
  at: Date;
  change: string;
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
  ticket_state: string | null;
  handler_handle: string | null;
  sub_tickets: string | null;
}

// Rows are the engine's own writes, so plain checks suffice (a zod parse per row per minute over a
// 10,000-bug mirror showed in the benchmark); an unknown value still falls back instead of passing.
const tagsSchema = z.array(z.string());
const subTicketsSchema = z.array(z.number().int());

const CURSOR_KEY = "proactive.watch.cursor";
const INSTALLED_KEY = "proactive.installed-at";
const RECONCILED_KEY = "proactive.watch.reconciled-on";
const LAST_POLL_KEY = "proactive.watch.last-poll";

/** The mirror, its change log and the watcher's markers. */
export class MirrorRepository {
  constructor(
    private readonly db: Db,
    private readonly kv: KeyValueRepository,
  ) {}

  /** The mirror row of one bug. */
  async get(bugId: number): Promise<MirrorRow | undefined> {
    const row = await this.db.get<MirrorDbRow>("SELECT * FROM tracker_mirror WHERE bug_id = ?", [bugId]);
    return row && toMirrorRow(row);
  }

  /** Mirror rows by bug id: all, only open ones (not resolved or closed), or only some statuses. */
  async list(options: { openOnly?: boolean; statuses?: readonly string[] } = {}): Promise<MirrorRow[]> {
    if (options.statuses) {
      const statuses = options.statuses;
      const sql = `SELECT * FROM tracker_mirror WHERE status IN (${statuses.map(() => "?").join(", ") || "NULL"}) ORDER BY bug_id`;
      return (await this.db.all<MirrorDbRow>(sql, [...statuses])).map(toMirrorRow);
    }
    const sql = options.openOnly
      ? `SELECT * FROM tracker_mirror t WHERE ${OPEN_BUG} ORDER BY bug_id`
      : "SELECT * FROM tracker_mirror ORDER BY bug_id";
    return (await this.db.all<MirrorDbRow>(sql)).map(toMirrorRow);
  }

  /**
   * What the daily summary shows from the open bugs, counted and ranked in the database so that a
   * summary over 10,000 bugs does not read them all (docs/benchmarks.md, summary_10k_ms):
   * - the count of each section;
   * - the first `itemsPerSection` rows of each section but "In work", in the order of
   *   src/core/summary.ts (highest priority, customers, longest waiting first; longest waiting first);
   * - the rows of `alsoIds` (the caller ranks "In work" by deadline risk, which needs the subject tags).
   * Sections follow `sectionOf` in src/core/summary.ts; test/proactive/summary-selection.test.ts checks on
   * both backends that the result is what composing from every row gives. The customer tag is matched
   * case-insensitively in ASCII, as SQL's LOWER does on SQLite.
   */
  async summarySelection(options: { customerTag: string; itemsPerSection: number; alsoIds?: readonly number[] }): Promise<SummarySelection> {
    // Counted by status through the status index, then moved by the few process stages that decide a
    // section (review, resolution): both small groupings, the rule itself stays `sectionOf`'s.
    const counts: Record<BugSection, number> = { new: 0, feedback: 0, confirmed: 0, work: 0, review: 0, notify: 0 };
    const move = (status: string, stage: string | undefined, by: number): void => {
      const section = sectionOf({ status, stage });
      if (section) counts[section] += by;
    };
    for (const row of await this.db.all<{ status: string; total: number }>(`SELECT t.status, COUNT(*) AS total FROM tracker_mirror t WHERE ${OPEN_BUG} GROUP BY t.status`)) {
      move(row.status, undefined, Number(row.total));
    }
    const staged = await this.db.all<{ status: string; stage: string; total: number }>(
      `SELECT t.status, p.stage, COUNT(*) AS total FROM bug_process p JOIN tracker_mirror t ON t.bug_id = p.bug_id
        WHERE p.stage IS NOT NULL AND ${OPEN_BUG} GROUP BY t.status, p.stage`,
    );
    for (const row of staged) {
      move(row.status, undefined, -Number(row.total));
      move(row.status, row.stage, Number(row.total));
    }

    // One query per section: each ranks its section through an index that holds the ranking's columns
    // (tracker_mirror_ranking) and keeps the ids of its first items (a top-N sort of ids, not of whole
    // rows); only those rows are then read. Ranking all open bugs at once with window functions took
    // 30 ms at 10,000; sorting whole rows 16 ms, ids 4 ms.
    const limit = Math.max(0, Math.floor(options.itemsPerSection));
    const customer = `%${JSON.stringify(asciiLower(options.customerTag)).replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    const byPriority = `${PRIORITY_RANK} DESC, CASE WHEN LOWER(t.tags) LIKE ? ESCAPE '\\' THEN 1 ELSE 0 END DESC, t.status_since, t.bug_id`;
    const longestWaiting = "CASE WHEN t.status = 'feedback' THEN COALESCE(t.feedback_since, t.status_since) ELSE t.status_since END, t.bug_id";
    const queries: { where: string; order: string; params: SqlValue[] }[] = limit === 0 ? [] : [
      { where: `t.status = 'new' AND ${NOT_DONE}`, order: byPriority, params: [customer] },
      { where: `t.status = 'feedback' AND ${NOT_DONE}`, order: longestWaiting, params: [] },
      { where: `t.status IN ('acknowledged', 'confirmed') AND ${NOT_DONE}`, order: byPriority, params: [customer] },
      { where: `LOWER(p.stage) = 'review' AND ${OPEN_BUG}`, order: longestWaiting, params: [] },
      { where: `LOWER(p.stage) = 'resolution' AND ${OPEN_BUG}`, order: longestWaiting, params: [] },
    ];
    const also = options.alsoIds ?? [];
    const rows: (MirrorDbRow & { process_stage: string | null })[] = [];
    for (const query of queries) {
      const firstIds = `SELECT t.bug_id FROM tracker_mirror t LEFT JOIN bug_process p ON p.bug_id = t.bug_id WHERE ${query.where} ORDER BY ${query.order} LIMIT ?`;
      rows.push(...(await this.db.all<MirrorDbRow & { process_stage: string | null }>(
        `${ROWS_WITH_STAGE} WHERE t.bug_id IN (${firstIds}) ORDER BY ${query.order}`,
        [...query.params, limit, ...query.params],
      )));
    }
    if (also.length > 0) {
      rows.push(...(await this.db.all<MirrorDbRow & { process_stage: string | null }>(
        `${ROWS_WITH_STAGE} WHERE t.bug_id IN (${also.map(() => "?").join(", ")})`,
        [...also],
      )));
    }
    return { counts, rows: rows.map((row) => ({ ...toMirrorRow(row), ...(row.process_stage !== null ? { stage: row.process_stage } : {}) })) };
  }

  /**
   * The bugs in CONFIRMED or ASSIGNED with what judging their deadlines needs, in one query (reading
   * each bug's estimates and journal one by one took most of a 10,000-bug summary).
   */
  async actionWork(): Promise<ActionWorkRow[]> {
    const rows = await this.db.all<{
      bug_id: number;
      status: string;
      handler: string | null;
      summary: string;
      tag_changed_at: string;
      stage: string | null;
      estimate_min: number | null;
      deadline: string | null;
    } & EstimateUpdatedAtRow>(`SELECT t.bug_id, t.status, t.handler, t.summary, t.tag_changed_at, p.stage, p.estimate_min, p.deadline,
          ${ESTIMATE_UPDATED_AT}
        FROM tracker_mirror t LEFT JOIN bug_process p ON p.bug_id = t.bug_id
        WHERE t.status IN ('confirmed', 'assigned')
        ORDER BY t.bug_id`);
    return rows.map((row) => ({
      id: row.bug_id,
      status: row.status,
      ...(row.handler !== null ? { handler: row.handler } : {}),
      summary: row.summary,
      ...(row.stage !== null ? { stage: row.stage } : {}),
      ...(row.estimate_min !== null ? { storedEstimateMinutes: Number(row.estimate_min) } : {}),
      ...(row.deadline !== null ? { storedDeadline: row.deadline } : {}),
      lastEstimateUpdate: lastEstimateUpdateOf(row),
    }));
  }

  /** When each bug's estimate was last brought up to date, as `actionWork` says it; 500 ids per statement. */
  async lastEstimateUpdates(bugIds: readonly number[]): Promise<Map<number, Date>> {
    const updates = new Map<number, Date>();
    for (let start = 0; start < bugIds.length; start += TOUCH_BATCH) {
      const batch = bugIds.slice(start, start + TOUCH_BATCH);
      const rows = await this.db.all<{ bug_id: number } & EstimateUpdatedAtRow>(
        `SELECT t.bug_id, t.tag_changed_at, ${ESTIMATE_UPDATED_AT} FROM tracker_mirror t WHERE t.bug_id IN (${batch.map(() => "?").join(", ")})`,
        [...batch],
      );
      for (const row of rows) updates.set(row.bug_id, lastEstimateUpdateOf(row));
    }
    return updates;
  }

  /** Ids of the bugs with one of these statuses (only those nobody handles, if asked), without reading whole rows. */
  async ids(options: { statuses: readonly string[]; unassigned?: boolean }): Promise<number[]> {
    const statuses = options.statuses;
    const unassigned = options.unassigned ? " AND (handler IS NULL OR handler = '')" : "";
    const sql = `SELECT bug_id FROM tracker_mirror WHERE status IN (${statuses.map(() => "?").join(", ") || "NULL"})${unassigned} ORDER BY bug_id`;
    return await columnValues<number>(this.db, sql, [...statuses]);
  }

  /** How many bugs the mirror holds. */
  async count(): Promise<number> {
    return (await firstValue<number>(this.db, "SELECT COUNT(*) FROM tracker_mirror")) ?? 0;
  }

  /** Writes (inserts or replaces) a mirror row. */
  async save(row: MirrorRow): Promise<void> {
    await this.db.run(`INSERT INTO tracker_mirror (bug_id, status, handler, priority, summary, tags, private, created_at, updated_at, status_since,
            previous_status, previous_handler, feedback_since, handler_note_at, tag_changed_at, seen_at, announced, fingerprint,
            ticket_state, handler_handle, sub_tickets)
          VALUES (@id, @status, @handler, @priority, @summary, @tags, @private, @createdAt, @updatedAt, @statusSince,
            @previousStatus, @previousHandler, @feedbackSince, @handlerNoteAt, @tagChangedAt, @seenAt, @announced, @fingerprint,
            @ticketState, @handlerHandle, @subTickets)
          ON CONFLICT (bug_id) DO UPDATE SET status = excluded.status, handler = excluded.handler, priority = excluded.priority,
            summary = excluded.summary, tags = excluded.tags, private = excluded.private, created_at = excluded.created_at,
            updated_at = excluded.updated_at, status_since = excluded.status_since, previous_status = excluded.previous_status,
            previous_handler = excluded.previous_handler, feedback_since = excluded.feedback_since,
            handler_note_at = excluded.handler_note_at, tag_changed_at = excluded.tag_changed_at, seen_at = excluded.seen_at,
            announced = excluded.announced, fingerprint = excluded.fingerprint, ticket_state = excluded.ticket_state,
            handler_handle = excluded.handler_handle, sub_tickets = excluded.sub_tickets`, {
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
        ticketState: row.state ? JSON.stringify(row.state) : null,
        handlerHandle: row.handlerHandle ?? null,
        subTickets: row.subTicketIds ? JSON.stringify(row.subTicketIds) : null,
      });
  }

  /** Marks bugs as seen by a full scan without rewriting them. */
  async touch(bugIds: readonly number[], at: Date): Promise<void> {
    // A page of ids per statement: one round trip per page on PostgreSQL, well under both backends'
    // parameter limits.
    for (let start = 0; start < bugIds.length; start += TOUCH_BATCH) {
      const batch = bugIds.slice(start, start + TOUCH_BATCH);
      await this.db.run(`UPDATE tracker_mirror SET seen_at = ? WHERE bug_id IN (${batch.map(() => "?").join(", ")})`, [at.toISOString(), ...batch]);
    }
  }

  /** Bugs a full scan that started at `scanStart` did not see. */
  async notSeenSince(scanStart: Date): Promise<number[]> {
    return await columnValues<number>(this.db, "SELECT bug_id FROM tracker_mirror WHERE seen_at < ? ORDER BY bug_id", [scanStart.toISOString()]);
  }

  /** Forgets a bug that is gone from the tracker. */
  async delete(bugId: number): Promise<void> {
    await this.db.run("DELETE FROM tracker_mirror WHERE bug_id = ?", [bugId]);
  }

  /** Records a change the watcher saw. */
  async addChange(change: TrackerChange): Promise<void> {
    await this.db.run("INSERT INTO tracker_changes (bug_id, at, change) VALUES (?, ?, ?)", [change.bugId, change.at.toISOString(), change.change]);
  }

  /** Changes seen at or after a moment, oldest first. */
  async changesSince(since: Date): Promise<TrackerChange[]> {
    const rows = (await this.db.all<unknown>("SELECT bug_id, at, change FROM tracker_changes WHERE at >= ? ORDER BY at, id", [since.toISOString()])) as {
      bug_id: number;
      at: string;
      change: string;
    }[];
    return rows.map((row) => ({ bugId: row.bug_id, at: new Date(row.at), change: row.change }));
  }

  /** The newest `updated_at` the watcher has processed; undefined before the first run completed. */
  async cursor(): Promise<Date | undefined> {
    return this.date(CURSOR_KEY);
  }

  /** Moves the watcher's cursor. */
  async setCursor(cursor: Date): Promise<void> {
    await this.kv.set(CURSOR_KEY, cursor.toISOString());
  }

  /** When the first run completed: daily items scheduled before it were not missed, they predate the bot. */
  async installedAt(): Promise<Date | undefined> {
    return this.date(INSTALLED_KEY);
  }

  /** Records when the first run completed. */
  async setInstalledAt(at: Date): Promise<void> {
    await this.kv.set(INSTALLED_KEY, at.toISOString());
  }

  /** When the watcher last read MantisBT successfully: how fresh the mirror is. */
  async lastPoll(): Promise<Date | undefined> {
    return this.date(LAST_POLL_KEY);
  }

  /** Records a successful read of MantisBT. */
  async setLastPoll(at: Date): Promise<void> {
    await this.kv.set(LAST_POLL_KEY, at.toISOString());
  }

  /** The local date of the last full reconciling scan. */
  async reconciledOn(): Promise<string | undefined> {
    return this.kv.get(RECONCILED_KEY);
  }

  /** Records the local date of a full reconciling scan. */
  async setReconciledOn(date: string): Promise<void> {
    await this.kv.set(RECONCILED_KEY, date);
  }

  private async date(key: string): Promise<Date | undefined> {
    const value = await this.kv.get(key);
    return value === undefined ? undefined : new Date(value);
  }
}

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
    ...(row.ticket_state !== null ? { state: toTicketState(row.ticket_state) } : {}),
    ...(row.handler_handle !== null ? { handlerHandle: row.handler_handle } : {}),
    ...(row.sub_tickets !== null ? { subTicketIds: row.sub_tickets === "[]" ? [] : subTicketsSchema.catch([]).parse(JSON.parse(row.sub_tickets)) } : {}),
  };
}

/** An open bug: not resolved or closed (`t` the mirror row), for every reading of the mirror that keeps open bugs only. */
export const OPEN_BUG = "t.status NOT IN ('resolved', 'closed')";
/** Not yet in review or resolution (`p` the bug's process row, maybe none). */
const NOT_DONE = "(p.stage IS NULL OR LOWER(p.stage) NOT IN ('review', 'resolution'))";
/** The mirror row with the bot's process stage (`t`, `p`), for a WHERE to follow. */
const ROWS_WITH_STAGE = "SELECT t.*, p.stage AS process_stage FROM tracker_mirror t LEFT JOIN bug_process p ON p.bug_id = t.bug_id";
/** The columns after `tag_changed_at` that say when a bug's estimate was last renewed by a command (`t` the mirror row). */
const ESTIMATE_UPDATED_AT = `(SELECT e.at FROM estimate_updates e WHERE e.bug_id = t.bug_id ORDER BY e.id DESC LIMIT 1) AS estimated_at,
          (SELECT MAX(j.at) FROM bug_journal j WHERE j.bug_id = t.bug_id AND (j.action = 'eta' OR j.command = 'eta')) AS eta_at`;

interface EstimateUpdatedAtRow {
  tag_changed_at: string;
  estimated_at: string | null;
  eta_at: string | null;
}

/** The newest of: the subject tag's change, the latest estimate recorded by a command, an `eta` in the journal. */
function lastEstimateUpdateOf(row: EstimateUpdatedAtRow): Date {
  return new Date(Math.max(...[row.tag_changed_at, row.estimated_at, row.eta_at].filter((at): at is string => at !== null).map((at) => Date.parse(at))));
}

/** `priorityRank` in SQL; an unknown priority reads as normal, as `toMirrorRow` does. */
const PRIORITY_RANK = `CASE t.priority ${PRIORITIES.map((priority, index) => `WHEN '${priority}' THEN ${index}`).join(" ")} ELSE ${PRIORITIES.indexOf("normal")} END`;

/** Lower case for ASCII letters only, as SQLite's LOWER: the customer tag matches the same way on both backends. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (char) => char.toLowerCase());
}

/** A stored state, checked by hand (see above); one that no longer reads is absent, as on an old row. */
function toTicketState(text: string): TicketState | undefined {
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null) return undefined;
  const state = value as Partial<TicketState>;
  const stages = Array.isArray(state.stages) ? state.stages.filter(isStage) : [];
  if (typeof state.key !== "string" || typeof state.label !== "string" || typeof state.open !== "boolean" || stages.length === 0) return undefined;
  return { ...state, key: state.key, label: state.label, open: state.open, stages: [stages[0]!, ...stages.slice(1)] };
}
