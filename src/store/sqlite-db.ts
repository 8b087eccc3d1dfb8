/**
 * The embedded backend: SQLite through better-sqlite3 (WAL mode), one connection in the process.
 * better-sqlite3 is synchronous, so a statement costs no more for being behind the asynchronous
 * `Db` interface; what needs care is a transaction whose work awaits: on one connection, any
 * statement run while it is open would join it. So an open transaction holds a lock, and every
 * other store call waits for it (calls made by the transaction's own work, which AsyncLocalStorage
 * recognises, go straight in).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Db, Migration, SqlParams, TransactionOptions } from "./db.js";

/** The store file's mode: read and write for the bot's user, nothing for anyone else. */
const OWNER_ONLY = 0o600;

/** One open transaction; `open` turns false when it ends, so work it left running no longer counts as in it. */
interface OpenTransaction {
  open: boolean;
  savepoints: number;
}

/**
 * The transactions committed together (group commit): SQLite's own transaction, open from the first
 * of them until the end of the event loop's turn, each of them a savepoint inside it.
 */
interface CommitGroup {
  /** True once the commit is under way: transactions that start now wait for the next group. */
  closing: boolean;
  /** Resolves when the group is committed; rejects when the commit failed (none of it is stored). */
  committed: Promise<void>;
  /** Commits the group as soon as no transaction runs in it (at once when none does); again: nothing. */
  close(): void;
}

export class SqliteDb implements Db {
  readonly dialect = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly current = new AsyncLocalStorage<OpenTransaction>();
  /** Resolves when the open transaction ends; undefined while none is open. */
  private lock: Promise<void> | undefined;
  /** The commit group open now, if any. */
  private group: CommitGroup | undefined;

  /** Opens (creating if needed, readable by the owner only) the database file; `:memory:` for tests. */
  constructor(path: string) {
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
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** The better-sqlite3 handle, for the online backup (src/ops/backup.ts) only. */
  get handle(): Database.Database {
    return this.db;
  }

  async all<Row>(sql: string, params?: SqlParams): Promise<Row[]> {
    return this.statementCall(sql, (statement) => statement.all(...bind(params)) as Row[]);
  }

  async get<Row>(sql: string, params?: SqlParams): Promise<Row | undefined> {
    return this.statementCall(sql, (statement) => statement.get(...bind(params)) as Row | undefined);
  }

  async run(sql: string, params?: SqlParams): Promise<number> {
    return this.statementCall(sql, (statement) => statement.run(...bind(params)).changes);
  }

  /**
   * A transaction, committed with the others of this turn of the event loop (group commit): each
   * COMMIT writes every page it changed to the WAL, ~70 us on our machines, four or five times per
   * `grab`; under load one COMMIT now serves many commands (docs/benchmarks.md). Each transaction is
   * a savepoint in the group: one that fails is rolled back alone. It resolves only once the group
   * is committed, so what it wrote survives a crash from then on, as before. `commitNow` closes the
   * group when this transaction ends, for a chain that waits for each commit (the outbox's sends).
   */
  async transaction<T>(work: () => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const outer = this.inTransaction();
    if (outer) return this.savepoint(outer, work);
    // Wait for any open transaction and for a group being committed; the loop because another
    // waiter may get in first.
    for (;;) {
      if (this.lock) await this.lock;
      else if (this.group?.closing) await this.group.committed.catch(ignore);
      else break;
    }
    let release!: () => void;
    this.lock = new Promise<void>((resolve) => (release = resolve));
    const transaction: OpenTransaction = { open: true, savepoints: 0 };
    let group: CommitGroup;
    let result: T;
    try {
      group = this.group ?? this.openGroup();
      result = await this.savepoint(transaction, () => this.current.run(transaction, work));
    } finally {
      transaction.open = false;
      this.lock = undefined;
      release();
    }
    if (options.commitNow) group.close();
    await group.committed;
    return result;
  }

  async migrate(migrations: readonly Migration[]): Promise<number> {
    await this.idle();
    // One process owns the file; BEGIN IMMEDIATE keeps a second one (a backup tool, a restarted bot)
    // from migrating at the same moment.
    const current = this.version();
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      this.db.transaction(() => {
        this.db.exec(migration.sql);
        this.db.pragma(`user_version = ${migration.version}`);
      }).immediate();
    }
    return this.version();
  }

  async schemaVersion(): Promise<number> {
    return this.version();
  }

  async close(): Promise<void> {
    await this.idle();
    this.db.close();
  }

  /** Resolves when no transaction is open and no group waits to be committed. */
  private async idle(): Promise<void> {
    for (;;) {
      if (this.lock) await this.lock;
      else if (this.group) await this.group.committed.catch(ignore);
      else return;
    }
  }

  private version(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  /**
   * Runs one statement: at once inside the caller's transaction, else when no transaction is open. A
   * statement that writes while a group is open joins it and commits the group at once (durable
   * when it resolves, as a statement on its own is); one that reads sees what the group wrote.
   */
  private async statementCall<T>(sql: string, call: (statement: Database.Statement) => T): Promise<T> {
    if (this.inTransaction()) return call(this.statement(sql));
    while (this.lock) await this.lock;
    const statement = this.statement(sql);
    const result = call(statement);
    const group = this.group;
    if (group && !statement.readonly) {
      group.close();
      await group.committed;
    }
    return result;
  }

  /** Opens SQLite's transaction for a new group, to be committed at the end of this turn of the event loop. */
  private openGroup(): CommitGroup {
    this.control("BEGIN IMMEDIATE");
    let settle!: (error?: unknown) => void;
    const committed = new Promise<void>((resolve, reject) => (settle = (error) => (error === undefined ? resolve() : reject(error))));
    // Nobody may be waiting yet; a failed commit must not be an unhandled rejection.
    committed.catch(ignore);
    const group: CommitGroup = {
      closing: false,
      committed,
      close: () => {
        if (group.closing) return;
        group.closing = true;
        void this.commitGroup(group, settle);
      },
    };
    this.group = group;
    setImmediate(group.close);
    return group;
  }

  /** Commits a group once the transaction running in it (if any) has finished. */
  private async commitGroup(group: CommitGroup, settle: (error?: unknown) => void): Promise<void> {
    while (this.lock) await this.lock.catch(ignore);
    try {
      this.control("COMMIT");
      settle();
    } catch (error) {
      // Nothing of the group is stored; every transaction in it rejects with the commit's error.
      try {
        if (this.db.inTransaction) this.control("ROLLBACK");
      } finally {
        settle(error);
      }
    } finally {
      this.group = undefined;
    }
  }

  private inTransaction(): OpenTransaction | undefined {
    const transaction = this.current.getStore();
    return transaction?.open ? transaction : undefined;
  }

  private async savepoint<T>(transaction: OpenTransaction, work: () => Promise<T>): Promise<T> {
    const name = `s${++transaction.savepoints}`;
    this.control(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      this.control(`RELEASE ${name}`);
      return result;
    } catch (error) {
      this.control(`ROLLBACK TO ${name}`);
      this.control(`RELEASE ${name}`);
      throw error;
    }
  }

  /** Runs a transaction-control statement (BEGIN, COMMIT, SAVEPOINT ...), compiled once rather than parsed per call. */
  private control(sql: string): void {
    this.statement(sql).run();
  }

  /**
   * The statement for this SQL text, compiled on first use (the check jobs run every minute over
   * thousands of rows). Lazily, so a store opened with fewer migrations (an upgrade test) does not
   * compile statements over tables it does not have yet.
   */
  private statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }
}

function ignore(): void {}

/** better-sqlite3's arguments: the values in order, or one object of named values. */
const bind = (params: SqlParams | undefined): unknown[] => {
  if (params === undefined) return [];
  return Array.isArray(params) ? params : [params];
};
