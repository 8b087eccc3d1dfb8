/**
 * The chat tables shared by every platform, and migration 10, which moves the rows of the older
 * per-platform tables (Mattermost's and Matrix's threads, handled events, Matrix's notices) into
 * them: after an upgrade nothing is answered again and no bug gets a second thread.
 */
import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { Store } from "../../src/store/store.js";
import { STORE_BACKENDS, useTestStore } from "../support/store-backends.js";

const opened: Store[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function open(path: string, migrations = MIGRATIONS): Promise<Store> {
  const store = await Store.open({ path }, migrations);
  opened.push(store);
  return store;
}

const AT = "2026-11-20T10:00:00.000Z";

describe("migration 10", () => {
  it("moves threads, processed events and notices of a version 9 store into the shared tables", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "support-bot-chat-")), "bot.sqlite");
    await open(path, MIGRATIONS.filter((migration) => migration.version <= 9));
    await opened.pop()!.close();
    const old = new Database(path);
    old.prepare("INSERT INTO mattermost_threads VALUES (?, ?, ?, ?, ?)").run("channel-1", 12, "root-post", AT, AT);
    old.prepare("INSERT INTO mattermost_handled_posts VALUES (?, ?, ?)").run("post-1", "dm-1", AT);
    old.prepare("INSERT INTO matrix_threads VALUES (?, ?, ?, ?, ?, ?)").run("!room:example.org", 12, "$root", "$last", AT, AT);
    old.prepare("INSERT INTO matrix_handled_events VALUES (?, ?, ?)").run("$event-1", "!room:example.org", AT);
    old.prepare("INSERT INTO matrix_notices VALUES (?, ?, ?)").run("unlinked", "@mallory:example.org", AT);
    old.prepare("INSERT INTO matrix_notices VALUES (?, ?, ?)").run("room-not-allowed", "!random:example.org", AT);
    old.close();

    const store = await open(path);
    expect(await store.schemaVersion()).toBe(Math.max(...MIGRATIONS.map((migration) => migration.version)));
    const chat = store.chat;
    const now = new Date("2026-11-21T10:00:00Z");
    // Processed before the upgrade: a replay of these is not run again.
    expect(await chat.claimEvent("mattermost", "post-1", "dm-1", now)).toBe(false);
    expect(await chat.claimEvent("matrix", "$event-1", "!room:example.org", now)).toBe(false);
    expect(await chat.claimEvent("matrix", "$event-2", "!room:example.org", now)).toBe(true);
    // The bugs' threads go on where they were.
    expect(await chat.thread("mattermost", "channel-1", 12)).toEqual({ platform: "mattermost", place: "channel-1", bugId: 12, rootId: "root-post", lastId: "root-post" });
    expect(await chat.thread("matrix", "!room:example.org", 12)).toEqual({ platform: "matrix", place: "!room:example.org", bugId: 12, rootId: "$root", lastId: "$last" });
    // The notices were given, so they are not given again.
    expect(await chat.claimNotice("matrix", "unlinked", "@mallory:example.org", now)).toBe(false);
    expect(await chat.claimNotice("matrix", "place-not-allowed", "!random:example.org", now)).toBe(false);
    const raw = new Database(path, { readonly: true });
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'mat%'").all();
    raw.close();
    expect(tables).toEqual([{ name: "mattermost_dm_channels" }]);
  });
});

describe.each(STORE_BACKENDS)("ChatRepository on %s", (backend) => {
  const store = useTestStore(backend);

  it("keeps the same event id apart on two platforms", async () => {
    const chat = store().chat;
    const at = new Date(AT);
    expect(await chat.claimEvent("matrix", "e1", "room", at)).toBe(true);
    expect(await chat.claimEvent("mattermost", "e1", "channel", at)).toBe(true);
    expect(await chat.claimEvent("matrix", "e1", "room", at)).toBe(false);
  });

  it("forgets processed events before a time, for one platform only", async () => {
    const chat = store().chat;
    await chat.claimEvent("matrix", "old", "room", new Date("2026-11-01T00:00:00Z"));
    await chat.claimEvent("mattermost", "old", "channel", new Date("2026-11-01T00:00:00Z"));
    await chat.claimEvent("matrix", "new", "room", new Date("2026-11-20T00:00:00Z"));
    expect(await chat.pruneEvents("matrix", new Date("2026-11-10T00:00:00Z"))).toBe(1);
    expect(await chat.claimEvent("matrix", "old", "room", new Date(AT))).toBe(true);
    expect(await chat.claimEvent("mattermost", "old", "channel", new Date(AT))).toBe(false);
    expect(await chat.claimEvent("matrix", "new", "room", new Date(AT))).toBe(false);
  });

  it("replaces a thread's root and newest post", async () => {
    const chat = store().chat;
    await chat.saveThread({ platform: "matrix", place: "room", bugId: 3, rootId: "r1", lastId: "r1" }, new Date(AT));
    await chat.saveThread({ platform: "matrix", place: "room", bugId: 3, rootId: "r1", lastId: "p2" }, new Date(AT));
    expect((await chat.thread("matrix", "room", 3))?.lastId).toBe("p2");
    expect(await chat.thread("mattermost", "room", 3)).toBeUndefined();
  });

  it("gives a notice back when sending it failed", async () => {
    const chat = store().chat;
    const at = new Date(AT);
    expect(await chat.claimNotice("matrix", "encrypted", "room", at)).toBe(true);
    await chat.releaseNotice("matrix", "encrypted", "room");
    expect(await chat.claimNotice("matrix", "encrypted", "room", at)).toBe(true);
  });
});
