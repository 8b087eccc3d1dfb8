/**
 * The embedded store (SQLite through better-sqlite3, WAL mode). It holds what MantisBT cannot:
 * the call log with its personal data, the process state and journal of each bug, links between
 * chat users and staff, and notification records. Repositories are small typed methods over it.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS, type Migration } from "./migrations.js";
import { PendingFilingsRepository } from "./pending-filings-repo.js";

export type CallRoute = "bug" | "sales";
export const CUSTOMER_TYPES = ["user", "merchant", "bank", "other"] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];

export interface CallRecord {
  id: number;
  recordedAt: Date;
  recordedBy: string;
  customerName: string;
  customerType: CustomerType;
  phone?: string;
  email?: string;
  issue: string;
  callDate: string;
  route: CallRoute;
  bugId?: number;
  salesRef?: string;
}

export type BugOrigin = "tracker" | "call" | "email" | "sales" | "docs" | "sub-feedback";

/** Process state of one bug that MantisBT has no field for. */
export interface BugProcessState {
  bugId: number;
  origin: BugOrigin;
  stage?: string;
  estimateMinutes?: number;
  /** ISO date (yyyy-mm-dd). */
  deadline?: string;
  fixedIn?: string;
  developer?: string;
  reviewer?: string;
  communicator?: string;
  confirmedBy?: string;
  draftNoteId?: number;
  draftText?: string;
  updatedAt: Date;
}

export interface JournalEntry {
  id: number;
  bugId: number;
  at: Date;
  actor: string;
  action: string;
  command?: string;
  details: Record<string, unknown>;
}

interface BugProcessRow {
  bug_id: number;
  origin: BugOrigin;
  stage: string | null;
  estimate_min: number | null;
  deadline: string | null;
  fixed_in: string | null;
  developer: string | null;
  reviewer: string | null;
  communicator: string | null;
  confirmed_by: string | null;
  draft_note_id: number | null;
  draft_text: string | null;
  updated_at: string;
}

interface CallRow {
  id: number;
  recorded_at: string;
  recorded_by: string;
  customer_name: string;
  customer_type: CustomerType;
  phone: string | null;
  email: string | null;
  issue: string;
  call_date: string;
  route: CallRoute;
  bug_id: number | null;
  sales_ref: string | null;
}

interface JournalRow {
  id: number;
  bug_id: number;
  at: string;
  actor: string;
  action: string;
  command: string | null;
  details: string;
}

/** The store file's mode: read and write for the bot's user, nothing for anyone else. */
const OWNER_ONLY = 0o600;

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

export class Store {
  readonly db: Database.Database;
  /** Customers' bugs waiting for the tracker (calls and e-mails are never lost). */
  readonly pendingFilings: PendingFilingsRepository;

  /** Opens (creating if needed) the database file and applies pending migrations. `:memory:` for tests. */
  constructor(path: string, migrations: readonly Migration[] = MIGRATIONS) {
    if (path !== ":memory:") {
      mkdirSync(dirname(path), { recursive: true });
      // Customers' personal data is in here: readable by the bot's user only, created so (no window
      // in which it is world-readable) and tightened when an older bot left it wider. SQLite gives
      // the -wal and -shm files the database file's mode.
      closeSync(openSync(path, "a", OWNER_ONLY));
      chmodSync(path, OWNER_ONLY);
    }
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    this.migrate(migrations);
    this.pendingFilings = new PendingFilingsRepository(this.db);
  }

  /** The schema version after migrations. */
  get schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  private migrate(migrations: readonly Migration[]): void {
    const current = this.schemaVersion;
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      this.db.transaction(() => {
        this.db.exec(migration.sql);
        this.db.pragma(`user_version = ${migration.version}`);
      })();
    }
  }

  close(): void {
    this.db.close();
  }

  // --- call log -----------------------------------------------------------------------------

  addCall(call: Omit<CallRecord, "id">): CallRecord {
    const result = this.db
      .prepare(
        `INSERT INTO calls (recorded_at, recorded_by, customer_name, customer_type, phone, email, issue, call_date, route, bug_id, sales_ref)
         VALUES (@recordedAt, @recordedBy, @customerName, @customerType, @phone, @email, @issue, @callDate, @route, @bugId, @salesRef)`,
      )
      .run({
        ...call,
        recordedAt: call.recordedAt.toISOString(),
        phone: call.phone ?? null,
        email: call.email ?? null,
        bugId: call.bugId ?? null,
        salesRef: call.salesRef ?? null,
      });
    return { ...call, id: Number(result.lastInsertRowid) };
  }

  setCallBug(callId: number, bugId: number): void {
    this.db.prepare("UPDATE calls SET bug_id = ? WHERE id = ?").run(bugId, callId);
  }

  getCall(id: number): CallRecord | undefined {
    const row = this.db.prepare("SELECT * FROM calls WHERE id = ?").get(id) as CallRow | undefined;
    return row && toCall(row);
  }

  listCalls(): CallRecord[] {
    return (this.db.prepare("SELECT * FROM calls ORDER BY id").all() as CallRow[]).map(toCall);
  }

  // --- per-bug process state ----------------------------------------------------------------

  getBugProcess(bugId: number): BugProcessState | undefined {
    const row = this.db.prepare("SELECT * FROM bug_process WHERE bug_id = ?").get(bugId) as BugProcessRow | undefined;
    return row && toBugProcess(row);
  }

  /** Merges the given fields into the bug's process state, creating it if needed. */
  updateBugProcess(bugId: number, change: Partial<Omit<BugProcessState, "bugId" | "updatedAt">>, at: Date = new Date()): BugProcessState {
    const merged = { ...this.getBugProcess(bugId), ...change };
    this.db
      .prepare(
        `INSERT INTO bug_process (bug_id, origin, stage, estimate_min, deadline, fixed_in, developer, reviewer, communicator, confirmed_by, draft_note_id, draft_text, updated_at)
         VALUES (@bugId, @origin, @stage, @estimate, @deadline, @fixedIn, @developer, @reviewer, @communicator, @confirmedBy, @draftNoteId, @draftText, @updatedAt)
         ON CONFLICT (bug_id) DO UPDATE SET origin = excluded.origin, stage = excluded.stage, estimate_min = excluded.estimate_min,
           deadline = excluded.deadline, fixed_in = excluded.fixed_in, developer = excluded.developer, reviewer = excluded.reviewer,
           communicator = excluded.communicator, confirmed_by = excluded.confirmed_by, draft_note_id = excluded.draft_note_id,
           draft_text = excluded.draft_text, updated_at = excluded.updated_at`,
      )
      .run({
        bugId,
        origin: merged.origin ?? "tracker",
        stage: merged.stage ?? null,
        estimate: merged.estimateMinutes ?? null,
        deadline: merged.deadline ?? null,
        fixedIn: merged.fixedIn ?? null,
        developer: merged.developer ?? null,
        reviewer: merged.reviewer ?? null,
        communicator: merged.communicator ?? null,
        confirmedBy: merged.confirmedBy ?? null,
        draftNoteId: merged.draftNoteId ?? null,
        draftText: merged.draftText ?? null,
        updatedAt: at.toISOString(),
      });
    return this.getBugProcess(bugId)!;
  }

  // --- journal ------------------------------------------------------------------------------

  appendJournal(entry: Omit<JournalEntry, "id">): JournalEntry {
    const result = this.db
      .prepare("INSERT INTO bug_journal (bug_id, at, actor, action, command, details) VALUES (?, ?, ?, ?, ?, ?)")
      .run(entry.bugId, entry.at.toISOString(), entry.actor, entry.action, entry.command ?? null, JSON.stringify(entry.details));
    return { ...entry, id: Number(result.lastInsertRowid) };
  }

  listJournal(bugId: number): JournalEntry[] {
    const rows = this.db.prepare("SELECT * FROM bug_journal WHERE bug_id = ? ORDER BY id").all(bugId) as JournalRow[];
    return rows.map(toJournal);
  }

  /** Journal entries of all bugs since a moment, oldest first (summaries read "what changed"). */
  listJournalSince(since: Date): JournalEntry[] {
    const rows = this.db.prepare("SELECT * FROM bug_journal WHERE at >= ? ORDER BY id").all(since.toISOString()) as JournalRow[];
    return rows.map(toJournal);
  }

  // --- small key-value state (sync tokens, watcher cursor) ----------------------------------

  getValue(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM kv WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  setValue(key: string, value: string): void {
    this.db.prepare("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(key, value);
  }
}

function toCall(row: CallRow): CallRecord {
  return {
    id: row.id,
    recordedAt: new Date(row.recorded_at),
    recordedBy: row.recorded_by,
    customerName: row.customer_name,
    customerType: row.customer_type,
    phone: orUndefined(row.phone),
    email: orUndefined(row.email),
    issue: row.issue,
    callDate: row.call_date,
    route: row.route,
    bugId: orUndefined(row.bug_id),
    salesRef: orUndefined(row.sales_ref),
  };
}

function toBugProcess(row: BugProcessRow): BugProcessState {
  return {
    bugId: row.bug_id,
    origin: row.origin,
    stage: orUndefined(row.stage),
    estimateMinutes: orUndefined(row.estimate_min),
    deadline: orUndefined(row.deadline),
    fixedIn: orUndefined(row.fixed_in),
    developer: orUndefined(row.developer),
    reviewer: orUndefined(row.reviewer),
    communicator: orUndefined(row.communicator),
    confirmedBy: orUndefined(row.confirmed_by),
    draftNoteId: orUndefined(row.draft_note_id),
    draftText: orUndefined(row.draft_text),
    updatedAt: new Date(row.updated_at),
  };
}

function toJournal(row: JournalRow): JournalEntry {
  return {
    id: row.id,
    bugId: row.bug_id,
    at: new Date(row.at),
    actor: row.actor,
    action: row.action,
    command: orUndefined(row.command),
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
