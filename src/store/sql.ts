/**
 * The one handle repositories have on the database: statements compiled once per store (the check
 * jobs run every minute over thousands of rows) and transactions. Only repositories under
 * src/store/ receive it; everything else goes through their typed methods.
 */
import type Database from "better-sqlite3";

/** Compiled statements and transactions over one open database. */
export class Sql {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /**
   * The statement for this SQL text, compiled on first use. Lazily, so a store opened with fewer
   * migrations (an upgrade test) does not compile statements over tables it does not have yet.
   */
  statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  /**
   * Runs `work` in one transaction and returns its result; nested calls become savepoints. `work` must
   * be synchronous: better-sqlite3 commits when it returns, so an awaited step would run outside.
   */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}

/** `undefined` for SQL NULL. */
export const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/** A stored ISO instant as a Date, `undefined` for NULL. */
export const optionalDate = (value: string | null): Date | undefined => (value === null ? undefined : new Date(value));

/** A Date as a stored ISO instant, NULL for `undefined`. */
export const isoOrNull = (value: Date | undefined): string | null => (value === undefined ? null : value.toISOString());
