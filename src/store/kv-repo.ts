/** Small key-value state (migration 1): sync tokens, the watcher's cursor and markers, per-adapter values. */
import { firstValue, type Db } from "./db.js";

/** The key-value table. */
export class KeyValueRepository {
  constructor(private readonly db: Db) {}

  /** The value under a key. */
  async get(key: string): Promise<string | undefined> {
    return await firstValue<string>(this.db, "SELECT value FROM kv WHERE key = ?", [key]);
  }

  /** Sets (or replaces) the value under a key. */
  async set(key: string, value: string): Promise<void> {
    await this.db.run("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
  }

  /** Removes a key. */
  async delete(key: string): Promise<void> {
    await this.db.run("DELETE FROM kv WHERE key = ?", [key]);
  }
}
