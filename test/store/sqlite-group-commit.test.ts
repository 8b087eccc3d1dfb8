/**
 * SQLite commits the transactions of one turn of the event loop together (src/store/sqlite-db.ts):
 * checked through a second connection to the same file, as another process would see it. A
 * transaction resolves only once it is committed; one that fails is rolled back alone; a statement
 * on its own that writes, or a transaction asked to, commits the group it joined at once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteDb } from "../../src/store/sqlite-db.js";

let directory: string;
let db: SqliteDb;
let observer: Database.Database;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), "support-bot-group-commit-"));
  const file = join(directory, "store.sqlite");
  db = new SqliteDb(file);
  await db.migrate([{ version: 1, description: "a table", sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)" }]);
  observer = new Database(file, { readonly: true });
});

afterEach(async () => {
  observer.close();
  await db.close();
  rmSync(directory, { recursive: true, force: true });
});

/** What another connection sees committed. */
const committedNames = (): string[] => (observer.prepare("SELECT name FROM items ORDER BY id").all() as { name: string }[]).map((row) => row.name);

describe("SQLite's group commit", () => {
  it("commits the transactions of one turn together, each resolving once it is stored", async () => {
    const names = Array.from({ length: 20 }, (_, index) => `item ${index}`);
    // What another connection sees when each transaction resolves: with one commit per transaction
    // the first would see only its own row; together, each sees all of them.
    const seenAtResolution = await Promise.all(names.map((name) => db.transaction(async () => db.run("INSERT INTO items (name) VALUES (?)", [name])).then(() => committedNames())));
    for (const seen of seenAtResolution) expect(seen).toEqual(names);
  });

  it("rolls back a failing transaction alone; the others of its group are stored", async () => {
    const outcomes = await Promise.allSettled([
      db.transaction(async () => db.run("INSERT INTO items (name) VALUES ('kept 1')")),
      db.transaction(async () => {
        await db.run("INSERT INTO items (name) VALUES ('undone')");
        throw new Error("the work failed");
      }),
      db.transaction(async () => {
        await db.transaction(async () => db.run("INSERT INTO items (name) VALUES ('kept 2')"));
        // A nested transaction that fails is undone within its outer one.
        await db.transaction(async () => {
          await db.run("INSERT INTO items (name) VALUES ('nested undone')");
          throw new Error("inner");
        }).catch(() => undefined);
      }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(committedNames()).toEqual(["kept 1", "kept 2"]);
  });

  it("commits at once for a write on its own and for a transaction asked to, with the group they joined", async () => {
    let turnEnded = false;
    setImmediate(() => (turnEnded = true));
    const grouped = db.transaction(async () => db.run("INSERT INTO items (name) VALUES ('in the group')"));
    // Let the grouped transaction run; it waits for the end of the turn to be committed.
    await Promise.resolve();
    await Promise.resolve();
    await db.run("INSERT INTO items (name) VALUES ('alone')");
    expect(turnEnded).toBe(false);
    expect(committedNames()).toEqual(["in the group", "alone"]);
    await grouped;

    turnEnded = false;
    setImmediate(() => (turnEnded = true));
    await db.transaction(async () => db.run("INSERT INTO items (name) VALUES ('now')"), { commitNow: true });
    expect(turnEnded).toBe(false);
    expect(committedNames()).toContain("now");
    expect(await db.all("SELECT name FROM items ORDER BY id")).toEqual([{ name: "in the group" }, { name: "alone" }, { name: "now" }]);
  });

  it("keeps a transaction's statements together while others wait, and orders them as they came", async () => {
    const order: string[] = [];
    await Promise.all([
      db.transaction(async () => {
        await db.run("INSERT INTO items (name) VALUES ('a1')");
        await new Promise((resolve) => setTimeout(resolve, 20));
        await db.run("INSERT INTO items (name) VALUES ('a2')");
        order.push("a");
      }),
      db.transaction(async () => {
        await db.run("INSERT INTO items (name) VALUES ('b')");
        order.push("b");
      }),
    ]);
    expect(order).toEqual(["a", "b"]);
    expect(committedNames()).toEqual(["a1", "a2", "b"]);
  });

  it("gives a transaction that cannot begin an error and the next one the store (another process held the write lock)", async () => {
    const other = new Database(join(directory, "store.sqlite"));
    other.exec("BEGIN IMMEDIATE");
    // SQLite waits busy_timeout (5 s) for the other writer, then refuses.
    await expect(db.transaction(async () => db.run("INSERT INTO items (name) VALUES ('blocked')"))).rejects.toThrow(/locked|busy/i);
    other.exec("ROLLBACK");
    other.close();
    await db.transaction(async () => db.run("INSERT INTO items (name) VALUES ('after')"));
    expect(committedNames()).toEqual(["after"]);
  }, 15_000);
});
