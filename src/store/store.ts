/**
 * The embedded store (SQLite through better-sqlite3, WAL mode). It holds what MantisBT cannot: the
 * call log with its personal data, the process state and journal of each bug, the engine's mirror
 * of the tracker, the notification outbox, and what each chat adapter keeps. Everything goes through
 * one typed repository per concern (`store.calls`, `store.mirror`, `store.outbox`, ...); the database
 * itself is private, and `store.transaction` groups writes of several repositories. Migrations
 * guarantee every table, so no repository asks whether one exists.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { BugProcessRepository } from "./bug-process-repo.js";
import { CallsRepository } from "./calls-repo.js";
import { ChatRepository } from "./chat-repo.js";
import { DocsRepository } from "./docs-repo.js";
import { EstimatesRepository } from "./estimates-repo.js";
import { JournalRepository } from "./journal-repo.js";
import { KeyValueRepository } from "./kv-repo.js";
import { MIGRATIONS, type Migration } from "./migrations.js";
import { MirrorRepository } from "./mirror-repo.js";
import { OutboxRepository } from "./outbox-repo.js";
import { PendingFilingsRepository } from "./pending-filings-repo.js";
import { PreferencesRepository } from "./preferences-repo.js";
import { RiskRepository } from "./risk-repo.js";
import { SalesRepository } from "./sales-repo.js";
import { SnoozesRepository } from "./snoozes-repo.js";
import { Sql } from "./sql.js";
import { SubFeedbackRepository } from "./sub-feedback-repo.js";

export { CUSTOMER_TYPES, type CallRecord, type CallRoute, type CustomerType } from "./calls-repo.js";
export type { BugOrigin, BugProcessState } from "./bug-process-repo.js";
export type { JournalEntry } from "./journal-repo.js";

/** The store file's mode: read and write for the bot's user, nothing for anyone else. */
const OWNER_ONLY = 0o600;

/** The bot's database and its repositories. */
export class Store {
  private readonly db: Database.Database;
  private readonly sql: Sql;
  /** The call log (personal data stays here). */
  readonly calls: CallsRepository;
  /** Per-bug process state: stage, estimate, deadline, people. */
  readonly bugProcess: BugProcessRepository;
  /** Every change the bot made in the tracker. */
  readonly journal: JournalRepository;
  /** Small key-value state. */
  readonly kv: KeyValueRepository;
  /** Sales records for the ERP. */
  readonly sales: SalesRepository;
  /** Documentation answers and docs bugs. */
  readonly docs: DocsRepository;
  /** Sub-bugs opened with `ask`. */
  readonly subFeedback: SubFeedbackRepository;
  /** History of estimates and deadlines. */
  readonly estimates: EstimatesRepository;
  /** The engine's mirror of the tracker, its change log and the watcher's markers. */
  readonly mirror: MirrorRepository;
  /** Notifications and their delivery routes. */
  readonly outbox: OutboxRepository;
  /** Customers' bugs waiting for the tracker (calls and e-mails are never lost). */
  readonly pendingFilings: PendingFilingsRepository;
  /** Per-person settings overrides. */
  readonly preferences: PreferencesRepository;
  /** Reminder snoozes per bug and person. */
  readonly snoozes: SnoozesRepository;
  /** Deadline-risk reports. */
  readonly risk: RiskRepository;
  /** What the chat platforms keep: bug threads, processed events, one-time notices, per-transport values. */
  readonly chat: ChatRepository;

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
    // NORMAL, SQLite's advice for WAL: a commit no longer waits for the disk (fsync), which blocked
    // the bot ~3-4 ms per commit and made it queue commands under load (docs/benchmarks.md). The
    // store stays consistent through any crash; only a power loss or an OS crash can undo the last
    // commits, which then behave as a bot stopped a moment earlier (the outbox may send once more).
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    this.migrate(migrations);
    const sql = (this.sql = new Sql(this.db));
    this.calls = new CallsRepository(sql);
    this.bugProcess = new BugProcessRepository(sql);
    this.journal = new JournalRepository(sql);
    this.kv = new KeyValueRepository(sql);
    this.sales = new SalesRepository(sql, { calls: this.calls, bugProcess: this.bugProcess });
    this.docs = new DocsRepository(sql);
    this.subFeedback = new SubFeedbackRepository(sql);
    this.estimates = new EstimatesRepository(sql);
    this.mirror = new MirrorRepository(sql, this.kv);
    this.outbox = new OutboxRepository(sql);
    this.pendingFilings = new PendingFilingsRepository(sql);
    this.preferences = new PreferencesRepository(sql);
    this.snoozes = new SnoozesRepository(sql);
    this.risk = new RiskRepository(sql, this.kv);
    this.chat = new ChatRepository(sql, this.kv);
  }

  /** The schema version after migrations. */
  get schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  /**
   * Runs `work` in one transaction (writes of several repositories land together or not at all) and
   * returns its result; nested calls become savepoints. `work` must be synchronous.
   */
  transaction<T>(work: () => T): T {
    return this.sql.transaction(work);
  }

  /** Closes the database. */
  /** Whether the database is open (for `/readyz`). */
  get isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    this.db.close();
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
}
