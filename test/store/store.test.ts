import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store } from "../../src/store/store.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { createTestDatabase } from "../support/postgres-database.js";
import { STORE_BACKENDS, useTestStore } from "../support/store-backends.js";

describe("Store on an SQLite file", () => {
  it("applies every migration once and survives reopening", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "support-bot-store-")), "bot.sqlite");
    const first = await Store.open({ path: file });
    const latest = Math.max(...MIGRATIONS.map((m) => m.version));
    expect(await first.schemaVersion()).toBe(latest);
    await first.kv.set("cursor", "42");
    await first.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();

    const again = await Store.open({ path: file });
    expect(await again.schemaVersion()).toBe(latest);
    expect(await again.kv.get("cursor")).toBe("42");
    await again.close();
  });

  it("applies only migrations newer than the file's version", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "support-bot-store-")), "bot.sqlite");
    await (await Store.open({ path: file }, MIGRATIONS.slice(0, 1))).close();
    const extra = { version: 999, description: "test", sql: "CREATE TABLE extra (x INTEGER);" };
    const store = await Store.open({ path: file }, [...MIGRATIONS, extra]);
    expect(await store.schemaVersion()).toBe(999);
    await store.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare("SELECT count(*) AS n FROM extra").get()).toEqual({ n: 0 });
    raw.close();
  });
});

describe("Store on PostgreSQL", () => {
  it("applies every migration once and survives reopening", async () => {
    const database = await createTestDatabase();
    try {
      const first = await Store.open({ databaseUrl: database.url });
      const latest = Math.max(...MIGRATIONS.map((m) => m.version));
      expect(first.backend).toBe("postgres");
      expect(await first.schemaVersion()).toBe(latest);
      await first.kv.set("cursor", "42");
      await first.close();
      const again = await Store.open({ databaseUrl: database.url });
      expect(await again.schemaVersion()).toBe(latest);
      expect(await again.kv.get("cursor")).toBe("42");
      await again.close();
    } finally {
      await database.drop();
    }
  });

  it("applies only migrations newer than the database's version", async () => {
    const database = await createTestDatabase();
    try {
      await (await Store.open({ databaseUrl: database.url }, MIGRATIONS.slice(0, 1))).close();
      const extra = { version: 999, description: "test", sql: "CREATE TABLE extra (x INTEGER);" };
      const store = await Store.open({ databaseUrl: database.url }, [...MIGRATIONS, extra]);
      expect(await store.schemaVersion()).toBe(999);
      await store.close();
    } finally {
      await database.drop();
    }
  });
});

describe.each(STORE_BACKENDS)("Store on %s", (backend) => {
  const opened = useTestStore(backend);

  it("lists the ids of mirror rows with some statuses, only those nobody handles when asked", async () => {
    const store = opened();
    const at = new Date("2026-11-26T10:00:00Z");
    const row = (id: number, status: string, handler?: string) => ({
      id,
      status,
      ...(handler !== undefined ? { handler } : {}),
      priority: "normal" as const,
      summary: `Bug ${id}`,
      tags: [],
      private: false,
      createdAt: at,
      updatedAt: at,
      statusSince: at,
      tagChangedAt: at,
      seenAt: at,
      announced: false,
    });
    for (const one of [row(4, "new"), row(1, "new"), row(2, "new", "alice"), row(3, "feedback", "bob"), row(5, "closed"), row(6, "new", "")]) await store.mirror.save(one);
    expect(await store.mirror.ids({ statuses: ["new"] })).toEqual([1, 2, 4, 6]);
    expect(await store.mirror.ids({ statuses: ["new"], unassigned: true })).toEqual([1, 4, 6]);
    expect(await store.mirror.ids({ statuses: ["feedback", "closed"] })).toEqual([3, 5]);
    expect(await store.mirror.ids({ statuses: [] })).toEqual([]);
  });

  it("keeps a call with its personal data and links it to a bug", async () => {
    const store = opened();
    const call = await store.calls.add({
      recordedAt: new Date("2026-11-26T10:00:00Z"),
      recordedBy: "alice",
      customerName: "Jane Doe",
      customerType: "merchant",
      phone: "+41 79 555 01 23",
      issue: "Payments time out",
      callDate: "2026-11-26",
      route: "bug",
    });
    await store.calls.setBug(call.id, 31);
    expect(await store.calls.get(call.id)).toMatchObject({ customerName: "Jane Doe", phone: "+41 79 555 01 23", bugId: 31, email: undefined });
  });

  it("merges process state and keeps the journal in order", async () => {
    const store = opened();
    await store.bugProcess.update(7, { origin: "call", stage: "analysis" });
    const state = await store.bugProcess.update(7, { estimateMinutes: 240, deadline: "2034-03-14" });
    expect(state).toMatchObject({ bugId: 7, origin: "call", stage: "analysis", estimateMinutes: 240, deadline: "2034-03-14" });
    await store.journal.append({ bugId: 7, at: new Date("2026-11-26T10:00:00Z"), actor: "manager", action: "triage", command: "triage", details: { handler: "alice" } });
    await store.journal.append({ bugId: 7, at: new Date("2026-11-26T11:00:00Z"), actor: "alice", action: "feedback", details: {} });
    expect((await store.journal.list(7)).map((e) => e.action)).toEqual(["triage", "feedback"]);
    expect((await store.journal.since(new Date("2026-11-26T10:30:00Z"))).map((e) => e.actor)).toEqual(["alice"]);
  });

  it("writes of several repositories land together, or not at all when the work throws", async () => {
    const store = opened();
    const at = new Date("2026-11-26T10:00:00Z");
    const id = await store.transaction(async () => {
      await store.bugProcess.update(7, { stage: "analysis" }, at);
      return (await store.journal.append({ bugId: 7, at, actor: "alice", action: "grab", details: {} })).id;
    });
    expect((await store.journal.list(7)).map((entry) => entry.id)).toEqual([id]);

    await expect(
      store.transaction(async () => {
        await store.bugProcess.update(8, { stage: "analysis" }, at);
        await store.journal.append({ bugId: 8, at, actor: "bob", action: "grab", details: {} });
        throw new Error("the tracker refused");
      }),
    ).rejects.toThrow("the tracker refused");
    expect(await store.bugProcess.get(8)).toBeUndefined();
    expect(await store.journal.list(8)).toEqual([]);
  });
});
