/**
 * Backing up the store while the bot writes to it, and restoring it: the backup is a consistent
 * snapshot (no half transaction), verified, one self-contained file for its owner only; a restore
 * refuses while the store is open and keeps the store it replaces; the bot's Store opens the result.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { backupStore, LATEST_SCHEMA_VERSION, restoreStore, STORE_FILE_NAME } from "../../src/ops/backup.js";
import { runCli, type CliIo } from "../../src/ops/cli.js";
import { Store } from "../../src/store/store.js";

const dirs: string[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "support-bot-backup-"));
  dirs.push(dir);
  return dir;
}

/** A store as the bot creates it under DATA_DIR (all migrations, WAL mode). */
async function newStore(dir: string): Promise<string> {
  const path = join(dir, STORE_FILE_NAME);
  await (await Store.open({ path })).close();
  return path;
}

/** Rows in the call log, read straight from a file. */
function callCount(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM calls").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Another thread writing to the store as fast as it can, two call records per transaction (the
 * way the bot's writes come in whole transactions), until stopped. `written()` counts the rows.
 */
function startWriter(store: string): { written(): number; stop(): Promise<number> } {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(
    `
    const { workerData } = require("node:worker_threads");
    const Database = require(workerData.sqlite);
    const db = new Database(workerData.store, { timeout: 5000 });
    const insert = db.prepare("INSERT INTO calls (recorded_at, recorded_by, customer_name, customer_type, issue, call_date, route) VALUES (?, 'writer', 'Jane Doe', 'user', ?, '2026-11-26', 'bug')");
    const pair = db.transaction((n) => { insert.run(new Date().toISOString(), 'call ' + n); insert.run(new Date().toISOString(), 'call ' + n + ' again'); });
    for (let n = 0; Atomics.load(workerData.shared, 0) === 0; n += 1) { pair(n); Atomics.add(workerData.shared, 1, 2); }
    db.close();
    `,
    { eval: true, workerData: { store, sqlite, shared } },
  );
  const exited = new Promise<void>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", () => resolve());
  });
  const stop = async () => {
    Atomics.store(shared, 0, 1);
    await exited;
    return Atomics.load(shared, 1);
  };
  cleanups.push(async () => void (await stop()));
  return { written: () => Atomics.load(shared, 1), stop };
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("backupStore", () => {
  it("copies a store while another connection keeps writing: a whole, consistent snapshot", async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    const writer = startWriter(store);
    await waitUntil(() => writer.written() >= 2_000);
    const before = writer.written();
    const summary = await backupStore({ store, to: join(dir, "backups", "..", "backup.sqlite") });
    const during = writer.written();
    const total = await writer.stop();

    const copied = callCount(summary.file);
    expect(copied).toBeGreaterThanOrEqual(before);
    expect(copied).toBeLessThanOrEqual(during);
    // Two rows per transaction: an odd count would be half a transaction.
    expect(copied % 2).toBe(0);
    // The writer went on after the backup was taken, and the store has it all.
    expect(total).toBeGreaterThan(copied);
    expect(callCount(store)).toBe(total);
    expect(summary).toMatchObject({ schemaVersion: LATEST_SCHEMA_VERSION, file: join(dir, "backup.sqlite") });
  });

  it("leaves one self-contained file readable by its owner only, and no partial file", async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    const { file } = await backupStore({ store, to: join(dir, "backup.sqlite") });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(["backup.sqlite", STORE_FILE_NAME].sort());
    const db = new Database(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("delete");
    db.close();
  });

  it("never overwrites an existing file, and says so", async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    writeFileSync(join(dir, "taken.sqlite"), "precious");
    await expect(backupStore({ store, to: join(dir, "taken.sqlite") })).rejects.toThrow(/exists already: name a new file/);
  });

  it("names DATA_DIR when there is no store", async () => {
    const dir = tempDir();
    await expect(backupStore({ store: join(dir, STORE_FILE_NAME), to: join(dir, "b.sqlite") })).rejects.toThrow(/no store at .*check DATA_DIR/);
    expect(existsSync(join(dir, STORE_FILE_NAME))).toBe(false);
  });
});

describe("restoreStore", () => {
  it("puts a backup taken under load back in place, keeps the store it replaces, and the bot opens it", async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    const writer = startWriter(store);
    await waitUntil(() => writer.written() >= 500);
    const { file } = await backupStore({ store, to: join(dir, "backup.sqlite") });
    const total = await writer.stop();
    const copied = callCount(file);

    const restored = await restoreStore({ from: file, store, now: new Date("2026-11-26T10:00:00Z") });
    expect(restored.keptAs).toBe(`${store}.before-restore-2026-11-26T10-00-00-000Z`);
    expect(callCount(restored.keptAs!)).toBe(total);
    const reopened = await Store.open({ path: store });
    try {
      expect(await reopened.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
      expect(await reopened.calls.list()).toHaveLength(copied);
    } finally {
      await reopened.close();
    }
    expect(statSync(store).mode & 0o777).toBe(0o600);
    // The backup itself is untouched and can be restored again.
    expect(callCount(file)).toBe(copied);
  });

  it("refuses while the bot has the store open, and changes nothing", async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    const { file } = await backupStore({ store, to: join(dir, "backup.sqlite") });
    const running = await Store.open({ path: store });
    cleanups.push(() => running.close());
    await running.calls.add({ recordedAt: new Date("2026-11-26T10:00:00Z"), recordedBy: "bot", customerName: "Jane", customerType: "user", issue: "x", callDate: "2026-11-26", route: "bug" });
    await expect(restoreStore({ from: file, store })).rejects.toThrow(/is in use: stop the bot first/);
    expect(readdirSync(dir).filter((name) => name.includes("before-restore") || name.endsWith(".restoring"))).toEqual([]);
    expect(await running.calls.list()).toHaveLength(1);
  });

  it("refuses a file that is not a store, a damaged one and one from a newer bot", async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    writeFileSync(join(dir, "notes.txt"), "not a database at all, just text that is long enough to look like a header........");
    await expect(restoreStore({ from: join(dir, "notes.txt"), store })).rejects.toThrow(/not a readable SQLite store/);

    const empty = join(dir, "empty.sqlite");
    new Database(empty).close();
    await expect(restoreStore({ from: empty, store })).rejects.toThrow(/not a support-bot store/);

    const newer = join(dir, "newer.sqlite");
    const db = new Database(newer);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    await expect(restoreStore({ from: newer, store })).rejects.toThrow(/made by a newer support-bot/);
    expect(readdirSync(dir).filter((name) => name.includes("before-restore"))).toEqual([]);
  });
});

describe("support-bot backup and restore", () => {
  function io(env: Record<string, string>): CliIo & { lines: string[]; errors: string[] } {
    const lines: string[] = [];
    const errors: string[] = [];
    return { env, lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line) };
  }

  it("backs up the store under DATA_DIR and restores it, one line each", async () => {
    const dir = tempDir();
    await newStore(dir);
    const backup = io({ DATA_DIR: dir });
    expect(await runCli(["backup", join(dir, "backups", "nightly.sqlite")], backup)).toBe(0);
    expect(backup.lines.join("\n")).toMatch(/^Backed up .*support-bot\.sqlite to .*nightly\.sqlite \(schema version \d+, [\d.]+ MB\)/);

    const restore = io({ DATA_DIR: dir });
    expect(await runCli(["restore", join(dir, "backups", "nightly.sqlite")], restore)).toBe(0);
    expect(restore.lines.join("\n")).toMatch(/^Restored .* into .*support-bot\.sqlite \(schema version \d+\)\.\nThe store it replaced is kept as .*before-restore-/);
  });

  it("takes the store from --store without any settings", async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    const run = io({ HTTP_PORT: "not a port" });
    expect(await runCli(["backup", "--store", store, join(dir, "b.sqlite")], run)).toBe(0);
    expect(existsSync(join(dir, "b.sqlite"))).toBe(true);
  });

  it("names bad settings, a missing file argument and a failed backup, with exit codes 2, 2 and 1", async () => {
    const dir = tempDir();
    const settings = io({ DATA_DIR: dir, HTTP_PORT: "not a port" });
    expect(await runCli(["backup", join(dir, "b.sqlite")], settings)).toBe(2);
    expect(settings.errors).toEqual(["support-bot backup: invalid configuration", expect.stringMatching(/^ {2}HTTP_PORT: /), "  (or name the store file with --store <file>)"]);

    const usage = io({ DATA_DIR: dir });
    expect(await runCli(["restore"], usage)).toBe(2);
    expect(usage.errors[0]).toMatch(/^support-bot restore: name one file\. Usage: support-bot restore \[--store <file>\] <backup-file>$/);

    const missing = io({ DATA_DIR: dir });
    expect(await runCli(["backup", join(dir, "b.sqlite")], missing)).toBe(1);
    expect(missing.errors[0]).toMatch(/^support-bot backup: there is no store at .*: check DATA_DIR/);
  });
});
