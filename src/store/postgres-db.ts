/**
 * The shared backend (issue 16): PostgreSQL through a `pg` pool, for two or more replicas of the bot
 * on one database. Repositories' SQL arrives in SQLite's placeholder style and is numbered here
 * (postgres-sql.ts); migrations are translated from SQLite's DDL unless they carry their own.
 *
 * A transaction is one pool client, held in AsyncLocalStorage for the work it runs: every query the
 * work makes, however deep, goes to that client, and every other query to the pool, so transactions
 * of concurrent commands run side by side on their own connections. They are SERIALIZABLE, and one
 * PostgreSQL refuses for a concurrent transaction's writes runs again: the work must only use the
 * store (as `Db.transaction` asks), so running it twice changes nothing else.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import type { Db, Migration, SqlParams } from "./db.js";
import { numberPlaceholders, orderedValues, postgresDdl, type NumberedSql } from "./postgres-sql.js";

/**
 * The advisory lock key every replica takes before migrating, so two starting together do not race;
 * a fixed number ("sbot" in ASCII) that no other lock of the bot uses.
 */
export const MIGRATION_LOCK_KEY = 0x73626f74;

/** How often a transaction runs when PostgreSQL refuses it for a concurrent one's writes. */
const MAX_ATTEMPTS = 5;

/** serialization_failure and deadlock_detected: the transaction may succeed when run again. */
const isSerializationFailure = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "40001" || code === "40P01";
};

/** One open transaction; `open` turns false when it ends, so work it left running no longer uses its client. */
interface OpenTransaction {
  client: pg.PoolClient;
  open: boolean;
  savepoints: number;
}

/** Parsers for the types whose text pg leaves as strings: our counts, sums and ids fit in a double. */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig["getTypeParser"],
};

/** Options of {@link PostgresDb}. */
export interface PostgresDbOptions {
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  /** Told about errors of idle connections (a restarted server); the pool drops such a connection. */
  onIdleError?: (error: Error) => void;
}

export class PostgresDb implements Db {
  readonly dialect = "postgres" as const;
  private readonly pool: pg.Pool;
  private readonly current = new AsyncLocalStorage<OpenTransaction>();
  private readonly numbered = new Map<string, NumberedSql>();
  private open = true;

  /** A pool on `url` (`postgres://user:password@host:port/database`); connects on first use. */
  constructor(url: string, options: PostgresDbOptions = {}) {
    this.pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, types: TYPES });
    // Without a listener an idle connection's error (the server restarted) would end the process.
    this.pool.on("error", (error) => options.onIdleError?.(error));
  }

  get isOpen(): boolean {
    return this.open;
  }

  async all<Row>(sql: string, params?: SqlParams): Promise<Row[]> {
    return (await this.query(sql, params)).rows as Row[];
  }

  async get<Row>(sql: string, params?: SqlParams): Promise<Row | undefined> {
    return (await this.query(sql, params)).rows[0] as Row | undefined;
  }

  async run(sql: string, params?: SqlParams): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    const outer = this.inTransaction();
    if (outer) return this.savepoint(outer, work);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.serializable(work);
      } catch (error) {
        // Two transactions that read and wrote the same rows (two replicas updating one bug): one is
        // refused, and runs again on what the other committed, as SQLite's one-at-a-time would have.
        if (!isSerializationFailure(error) || attempt >= MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  /**
   * One attempt of a transaction, SERIALIZABLE: SQLite runs one transaction at a time, so work that
   * reads, decides and writes (merge a bug's process state, claim a route) must not interleave with
   * another doing the same here either.
   */
  private async serializable<T>(work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const transaction: OpenTransaction = { client, open: true, savepoints: 0 };
    let broken: Error | undefined;
    try {
      await client.query("BEGIN ISOLATION LEVEL SERIALIZABLE");
      try {
        const result = await this.current.run(transaction, work);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      }
    } finally {
      transaction.open = false;
      // A connection that could not even roll back is destroyed rather than given to the next caller.
      client.release(broken);
    }
  }

  async migrate(migrations: readonly Migration[]): Promise<number> {
    // A session lock on a connection of its own: held across the migrations' transactions, and
    // released by the server should this process die while holding it.
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      try {
        await client.query(
          "CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
        );
        await client.query("INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING");
        let version = await readVersion(client);
        for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
          if (migration.version <= version) continue;
          await client.query("BEGIN");
          try {
            // No parameters: the simple protocol, which runs a script of several statements.
            await client.query(migration.postgres ?? postgresDdl(migration.sql));
            await client.query("UPDATE schema_version SET version = $1 WHERE id = 1", [migration.version]);
            await client.query("COMMIT");
          } catch (error) {
            await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
            throw new Error(`migration ${migration.version} (${migration.description}) failed on PostgreSQL: ${(error as Error).message}`, { cause: error });
          }
          version = migration.version;
        }
        return version;
      } finally {
        if (!broken) await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch((error: Error) => (broken = error));
      }
    } finally {
      client.release(broken);
    }
  }

  async schemaVersion(): Promise<number> {
    const exists = await this.get<{ found: string | null }>("SELECT to_regclass('schema_version')::text AS found");
    if (!exists?.found) return 0;
    return (await this.get<{ version: number }>("SELECT version FROM schema_version WHERE id = 1"))?.version ?? 0;
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.pool.end();
  }

  private async query(sql: string, params: SqlParams | undefined): Promise<pg.QueryResult> {
    let numbered = this.numbered.get(sql);
    if (!numbered) {
      numbered = numberPlaceholders(sql);
      this.numbered.set(sql, numbered);
    }
    const values = orderedValues(numbered, params);
    const target = this.inTransaction()?.client ?? this.pool;
    return target.query(numbered.text, values);
  }

  private inTransaction(): OpenTransaction | undefined {
    const transaction = this.current.getStore();
    return transaction?.open ? transaction : undefined;
  }

  private async savepoint<T>(transaction: OpenTransaction, work: () => Promise<T>): Promise<T> {
    const name = `s${++transaction.savepoints}`;
    await transaction.client.query(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      await transaction.client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await transaction.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      await transaction.client.query(`RELEASE SAVEPOINT ${name}`);
      throw error;
    }
  }
}

async function readVersion(client: pg.PoolClient): Promise<number> {
  const result = await client.query<{ version: number }>("SELECT version FROM schema_version WHERE id = 1");
  return result.rows[0]?.version ?? 0;
}
