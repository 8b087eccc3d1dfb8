/**
 * The one handle repositories have on a database, whichever it is: SQLite embedded in the process
 * (the default) or a shared PostgreSQL (`DATABASE_URL`, for replicas; issue 16). Repositories write
 * SQL once, in the subset both dialects agree on, with `?` or `@name` placeholders (the PostgreSQL
 * backend numbers them); where the dialects differ a repository asks `db.dialect`.
 *
 * Every call is asynchronous, because PostgreSQL is across a network. Transactions follow the
 * caller through `await`s (AsyncLocalStorage): inside `transaction(work)`, every repository call
 * made by `work`, however deep, runs in that transaction, and nothing else does.
 */

/** A value SQL takes or gives: text, numbers, NULL. */
export type SqlValue = string | number | bigint | null;

/** Positional (`?`) or named (`@name`) parameters. */
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;

export type Dialect = "sqlite" | "postgres";

/** How a transaction is committed (see `Db.transaction`). */
export interface TransactionOptions {
  commitNow?: boolean;
}

/** One schema change: SQL in SQLite's words, and PostgreSQL's where they differ (see postgres-db.ts). */
export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** The same change for PostgreSQL, when translating `sql` (postgres-db.ts) does not give it. */
  postgres?: string;
}

/** A database the store runs on. */
export interface Db {
  readonly dialect: Dialect;
  /** Every row of a query. */
  all<Row>(sql: string, params?: SqlParams): Promise<Row[]>;
  /** The first row of a query, `undefined` when there is none. */
  get<Row>(sql: string, params?: SqlParams): Promise<Row | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: SqlParams): Promise<number>;
  /**
   * Runs `work` in one transaction: its writes land together or not at all. Nested calls become
   * savepoints. `work` should only use the store (no network waits): on SQLite, other store calls
   * wait while a transaction is open. It may run more than once (PostgreSQL runs again a transaction
   * it refused for a concurrent one's writes): it returns what it found rather than changing
   * anything outside the store.
   *
   * On SQLite the transactions of one turn of the event loop are committed together (group commit);
   * `commitNow` commits at the end of this one, for a caller that waits for its commit in a chain
   * of its own (the outbox claims each send before making it). PostgreSQL commits each at once.
   */
  transaction<T>(work: () => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Applies the migrations newer than the database's schema version, each in its own transaction,
   * under a lock so two processes starting together do not race; resolves to the version after.
   */
  migrate(migrations: readonly Migration[]): Promise<number>;
  /** The database's schema version (the newest migration applied). */
  schemaVersion(): Promise<number>;
  /** Whether the database is open (for `/readyz`). */
  readonly isOpen: boolean;
  close(): Promise<void>;
}

/** `undefined` for SQL NULL. */
export const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/** A stored ISO instant as a Date, `undefined` for NULL. */
export const optionalDate = (value: string | null): Date | undefined => (value === null ? undefined : new Date(value));

/** A Date as a stored ISO instant, NULL for `undefined`. */
export const isoOrNull = (value: Date | undefined): string | null => (value === undefined ? null : value.toISOString());

/** The first column of a query's first row (a count, one value), `undefined` when there is no row. */
export async function firstValue<T>(db: Db, sql: string, params?: SqlParams): Promise<T | undefined> {
  const row = await db.get<Record<string, T>>(sql, params);
  return row === undefined ? undefined : Object.values(row)[0];
}

/** The first column of every row of a query. */
export async function columnValues<T>(db: Db, sql: string, params?: SqlParams): Promise<T[]> {
  const rows = await db.all<Record<string, T>>(sql, params);
  return rows.map((row) => Object.values(row)[0] as T);
}
