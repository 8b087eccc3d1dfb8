import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store } from "../../src/store/store.js";
import { MIGRATIONS } from "../../src/store/migrations.js";

describe("Store", () => {
  it("applies every migration once and survives reopening", () => {
    const file = join(mkdtempSync(join(tmpdir(), "support-bot-store-")), "bot.sqlite");
    const first = new Store(file);
    const latest = Math.max(...MIGRATIONS.map((m) => m.version));
    expect(first.schemaVersion).toBe(latest);
    first.kv.set("cursor", "42");
    first.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();

    const again = new Store(file);
    expect(again.schemaVersion).toBe(latest);
    expect(again.kv.get("cursor")).toBe("42");
    again.close();
  });

  it("applies only migrations newer than the file's version", () => {
    const file = join(mkdtempSync(join(tmpdir(), "support-bot-store-")), "bot.sqlite");
    new Store(file, MIGRATIONS.slice(0, 1)).close();
    const extra = { version: 999, description: "test", sql: "CREATE TABLE extra (x INTEGER);" };
    const store = new Store(file, [...MIGRATIONS, extra]);
    expect(store.schemaVersion).toBe(999);
    store.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare("SELECT count(*) AS n FROM extra").get()).toEqual({ n: 0 });
    raw.close();
  });

  it("keeps a call with its personal data and links it to a bug", () => {
    const store = new Store(":memory:");
    const call = store.calls.add({
      recordedAt: new Date("2026-11-26T10:00:00Z"),
      recordedBy: "alice",
      customerName: "Jane Doe",
      customerType: "merchant",
      phone: "+41 79 555 01 23",
      issue: "Payments time out",
      callDate: "2026-11-26",
      route: "bug",
    });
    store.calls.setBug(call.id, 31);
    expect(store.calls.get(call.id)).toMatchObject({ customerName: "Jane Doe", phone: "+41 79 555 01 23", bugId: 31, email: undefined });
  });

  it("merges process state and keeps the journal in order", () => {
    const store = new Store(":memory:");
    store.bugProcess.update(7, { origin: "call", stage: "analysis" });
    const state = store.bugProcess.update(7, { estimateMinutes: 240, deadline: "2034-03-14" });
    expect(state).toMatchObject({ bugId: 7, origin: "call", stage: "analysis", estimateMinutes: 240, deadline: "2034-03-14" });
    store.journal.append({ bugId: 7, at: new Date("2026-11-26T10:00:00Z"), actor: "manager", action: "triage", command: "triage", details: { handler: "alice" } });
    store.journal.append({ bugId: 7, at: new Date("2026-11-26T11:00:00Z"), actor: "alice", action: "feedback", details: {} });
    expect(store.journal.list(7).map((e) => e.action)).toEqual(["triage", "feedback"]);
    expect(store.journal.since(new Date("2026-11-26T10:30:00Z")).map((e) => e.actor)).toEqual(["alice"]);
  });
});

describe("store.transaction", () => {
  it("writes of several repositories land together, or not at all when the work throws", () => {
    const store = new Store(":memory:");
    const at = new Date("2026-11-26T10:00:00Z");
    const id = store.transaction(() => {
      store.bugProcess.update(7, { stage: "analysis" }, at);
      return store.journal.append({ bugId: 7, at, actor: "alice", action: "grab", details: {} }).id;
    });
    expect(store.journal.list(7).map((entry) => entry.id)).toEqual([id]);

    expect(() =>
      store.transaction(() => {
        store.bugProcess.update(8, { stage: "analysis" }, at);
        store.journal.append({ bugId: 8, at, actor: "bob", action: "grab", details: {} });
        throw new Error("the tracker refused");
      }),
    ).toThrow("the tracker refused");
    expect(store.bugProcess.get(8)).toBeUndefined();
    expect(store.journal.list(8)).toEqual([]);
    store.close();
  });
});
