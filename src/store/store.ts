/**
 * The bot's store, on SQLite embedded in the process (the default) or a shared PostgreSQL
 * (`DATABASE_URL`, for replicas; see db.ts). It holds what MantisBT cannot: the
 * call log with its personal data, the process state and journal of each bug, the engine's mirror
 * of the tracker, the notification outbox, and what each chat adapter keeps. Everything goes through
 * one typed repository per concern (`store.calls`, `store.mirror`, `store.outbox`, ...); the database
 * itself is private, and `store.transaction` groups writes of several repositories. Migrations
 * guarantee every table, so no repository asks whether one exists.
 */
import { BugProcessRepository } from "./bug-process-repo.js";
import { CallsRepository } from "./calls-repo.js";
import { ChatRepository } from "./chat-repo.js";
import { DocsRepository } from "./docs-repo.js";
import { EstimatesRepository } from "./estimates-repo.js";
import { JournalRepository } from "./journal-repo.js";
import { KeyValueRepository } from "./kv-repo.js";
import { MIGRATIONS } from "./migrations.js";
import { MirrorRepository } from "./mirror-repo.js";
import { OutboxRepository } from "./outbox-repo.js";
import { PendingFilingsRepository } from "./pending-filings-repo.js";
import { PreferencesRepository } from "./preferences-repo.js";
import { RiskRepository } from "./risk-repo.js";
import { SalesRepository } from "./sales-repo.js";
import { SnoozesRepository } from "./snoozes-repo.js";
import { SqliteDb } from "./sqlite-db.js";
import type { Db, Migration } from "./db.js";
import { SubFeedbackRepository } from "./sub-feedback-repo.js";

export { CUSTOMER_TYPES, type CallRecord, type CallRoute, type CustomerType } from "./calls-repo.js";
export type { BugOrigin, BugProcessState } from "./bug-process-repo.js";
export type { JournalEntry } from "./journal-repo.js";

/** The bot's database and its repositories. */
export class Store {
  private readonly db: Db;
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

  /**
   * Opens the store (creating the database if needed) and applies pending migrations: SQLite at a
   * file path (`:memory:` for tests), or PostgreSQL at a `postgres://` URL.
   */
  static async open(location: StoreLocation, migrations: readonly Migration[] = MIGRATIONS): Promise<Store> {
    const db = "databaseUrl" in location ? await openPostgres(location.databaseUrl) : new SqliteDb(location.path);
    try {
      await db.migrate(migrations);
    } catch (error) {
      await db.close();
      throw error;
    }
    return new Store(db);
  }

  /** A store over an open, migrated database. */
  constructor(db: Db) {
    this.db = db;
    this.calls = new CallsRepository(db);
    this.bugProcess = new BugProcessRepository(db);
    this.journal = new JournalRepository(db);
    this.kv = new KeyValueRepository(db);
    this.sales = new SalesRepository(db, { calls: this.calls, bugProcess: this.bugProcess });
    this.docs = new DocsRepository(db);
    this.subFeedback = new SubFeedbackRepository(db);
    this.estimates = new EstimatesRepository(db);
    this.mirror = new MirrorRepository(db, this.kv);
    this.outbox = new OutboxRepository(db);
    this.pendingFilings = new PendingFilingsRepository(db);
    this.preferences = new PreferencesRepository(db);
    this.snoozes = new SnoozesRepository(db);
    this.risk = new RiskRepository(db, this.kv);
    this.chat = new ChatRepository(db, this.kv);
  }

  /** The database's dialect: which backend this store runs on. */
  get backend(): Db["dialect"] {
    return this.db.dialect;
  }

  /** The schema version after migrations. */
  schemaVersion(): Promise<number> {
    return this.db.schemaVersion();
  }

  /**
   * Runs `work` in one transaction (writes of several repositories land together or not at all) and
   * returns its result; nested calls become savepoints. Every store call `work` makes, however deep,
   * runs in the transaction; `work` must not wait for anything but the store (on SQLite the other
   * store calls wait meanwhile), and may run more than once (see Db.transaction): it returns what
   * it found instead of changing outer state.
   */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Whether the database is open (for `/readyz`). */
  get isOpen(): boolean {
    return this.db.isOpen;
  }

  /** The SQLite database, for the online backup; undefined on PostgreSQL (backed up with its own tools). */
  get sqlite(): SqliteDb | undefined {
    return this.db instanceof SqliteDb ? this.db : undefined;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** Where the store lives: an SQLite file (or `:memory:`), or a PostgreSQL database. */
export type StoreLocation = { path: string } | { databaseUrl: string };

/** The PostgreSQL backend, loaded only when configured (an SQLite installation never loads `pg`). */
async function openPostgres(databaseUrl: string): Promise<Db> {
  const { PostgresDb } = await import("./postgres-db.js");
  return new PostgresDb(databaseUrl);
}
