/**
 * Backing up and restoring the bot's store (SQLite). A backup is taken with SQLite's online backup
 * API while the bot runs and writes (WAL mode: the copy is one read transaction, which never
 * blocks the bot), verified, and left as one self-contained file readable by its owner only (it
 * holds customers' personal data). A restore needs the bot stopped: it checks the backup, keeps
 * the current store beside it, and puts the backup in its place; migrations bring an older backup
 * up to date when the bot starts.
 */
import { chmodSync, existsSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "../store/migrations.js";

import { STORE_FILE_NAME } from "../store/settings.js";

export { STORE_FILE_NAME };


/** A problem an operator can fix; the message says what and how, without a stack trace. */
export class StoreFileError extends Error {
  override readonly name = "StoreFileError";
}

/** What a verified store file holds. */
export interface StoreFileSummary {
  /** The file it describes. */
  file: string;
  /** `PRAGMA user_version`: the last migration applied. */
  schemaVersion: number;
  bytes: number;
}

/** The newest schema this code knows; a backup from a newer bot cannot be restored into it. */
export const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((migration) => migration.version));

/** Personal data: backups and restored stores are for the bot's user only. */
const OWNER_ONLY = 0o600;

/**
 * Copies the store at `store` to a new file `to` while the bot may be running and writing.
 * Writes `<to>.partial` first and renames it when the copy is verified, so a file named `to`
 * is always a whole backup; never overwrites an existing file.
 */
export async function backupStore(options: { store: string; to: string }): Promise<StoreFileSummary> {
  const store = resolve(options.store);
  const target = resolve(options.to);
  if (existsSync(target)) throw new StoreFileError(`${target} exists already: name a new file (a backup never overwrites one).`);
  if (!existsSync(store)) throw new StoreFileError(`there is no store at ${store}: check DATA_DIR, or name the store with --store <file>.`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  try {
    await copyDatabase(store, partial);
    chmodSync(partial, OWNER_ONLY);
    const summary = verifyStoreFile(partial, { selfContained: true });
    renameSync(partial, target);
    return { ...summary, file: target };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Replaces the store at `store` with the backup `from`. Refuses while the store is open (the bot
 * runs), a backup that is damaged, not a store, or from a newer bot. The current store is kept as
 * `<store>.before-restore-<time>` (returned as `keptAs`).
 */
export async function restoreStore(options: { from: string; store: string; now?: Date }): Promise<StoreFileSummary & { keptAs?: string }> {
  const from = resolve(options.from);
  const store = resolve(options.store);
  if (!existsSync(from)) throw new StoreFileError(`there is no backup at ${from}.`);
  const backup = verifyStoreFile(from, { selfContained: false });
  if (backup.schemaVersion === 0) throw new StoreFileError(`${from} is not a support-bot store (it has no schema version).`);
  if (backup.schemaVersion > LATEST_SCHEMA_VERSION) {
    throw new StoreFileError(
      `${from} was made by a newer support-bot (schema ${backup.schemaVersion}; this one knows up to ${LATEST_SCHEMA_VERSION}): restore it with that version or a later one.`,
    );
  }
  ensureNotInUse(store);
  const restoring = `${store}.restoring`;
  rmSync(restoring, { force: true });
  try {
    await copyDatabase(from, restoring, { readonly: true });
    chmodSync(restoring, OWNER_ONLY);
  } catch (error) {
    rmSync(restoring, { force: true });
    throw error;
  }
  let keptAs: string | undefined;
  if (existsSync(store)) {
    keptAs = `${store}.before-restore-${(options.now ?? new Date()).toISOString().replace(/[:.]/g, "-")}`;
    renameSync(store, keptAs);
    // A write-ahead log left beside the old file belongs to it; beside the new one it would corrupt it.
    for (const suffix of ["-wal", "-shm"]) if (existsSync(store + suffix)) renameSync(store + suffix, keptAs + suffix);
  }
  renameSync(restoring, store);
  return { ...backup, file: store, ...(keptAs ? { keptAs } : {}) };
}

/**
 * Copies a database with the online backup API. After the first step everything left is copied
 * in one step: a write by the bot between steps restarts the copy, and a single step (one read
 * transaction, which in WAL mode never blocks writers) always ends, however busy the bot is.
 */
async function copyDatabase(source: string, destination: string, options: { readonly?: boolean } = {}): Promise<void> {
  const db = openExisting(source, options.readonly ?? false);
  try {
    await db.backup(destination, { progress: ({ remainingPages }) => remainingPages });
  } finally {
    db.close();
  }
}

/**
 * Checks a store file: SQLite's integrity check passes, and its schema version. With
 * `selfContained` (a backup being made) it is switched to a rollback journal, so the backup is
 * one file that can be copied anywhere without a write-ahead log beside it.
 */
export function verifyStoreFile(file: string, options: { selfContained: boolean }): StoreFileSummary {
  const db = openExisting(file, !options.selfContained);
  try {
    if (options.selfContained) db.pragma("journal_mode = DELETE");
    const integrity = db.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") throw new StoreFileError(`${file} is damaged (SQLite integrity check: ${String(integrity)}).`);
    const schemaVersion = Number(db.pragma("user_version", { simple: true }));
    return { file, schemaVersion, bytes: statSync(file).size };
  } catch (error) {
    if (error instanceof StoreFileError) throw error;
    throw new StoreFileError(`${file} is not a readable SQLite store (${error instanceof Error ? error.message : String(error)}).`);
  } finally {
    db.close();
  }
}

function openExisting(file: string, readonly: boolean, timeoutMs = 5_000): Database.Database {
  try {
    return new Database(file, { readonly, fileMustExist: true, timeout: timeoutMs });
  } catch (error) {
    throw new StoreFileError(`cannot open ${file} (${error instanceof Error ? error.message : String(error)}).`);
  }
}

/**
 * Refuses while another connection has the store open: an exclusive lock is granted only when no
 * one else (the running bot, a backup in progress) holds it. Closing the probe also merges any
 * write-ahead log into the old file, so it is complete where it is kept.
 */
function ensureNotInUse(store: string): void {
  if (!existsSync(store)) return;
  // A second is plenty for a write of the bot's to end; a running bot keeps its connection open for good.
  const db = openExisting(store, false, 1_000);
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
  } catch (error) {
    if (error instanceof Database.SqliteError && error.code.startsWith("SQLITE_BUSY")) {
      throw new StoreFileError(`the store ${store} is in use: stop the bot first (systemctl stop support-bot, or docker compose stop support-bot), then restore.`);
    }
    throw error;
  } finally {
    db.close();
  }
}
