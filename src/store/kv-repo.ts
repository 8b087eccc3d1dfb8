/** Small key-value state (migration 1): sync tokens, the watcher's cursor and markers, per-adapter values. */
import type { Sql } from "./sql.js";

/** The key-value table. */
export class KeyValueRepository {
  constructor(private readonly sql: Sql) {}

  /** The value under a key. */
  get(key: string): string | undefined {
    return this.sql.statement("SELECT value FROM kv WHERE key = ?").pluck().get(key) as string | undefined;
  }

  /** Sets (or replaces) the value under a key. */
  set(key: string, value: string): void {
    this.sql.statement("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(key, value);
  }

  /** Removes a key. */
  delete(key: string): void {
    this.sql.statement("DELETE FROM kv WHERE key = ?").run(key);
  }
}
