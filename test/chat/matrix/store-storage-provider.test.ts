import { afterEach, describe, expect, it } from "vitest";
import { StoreStorageProvider } from "../../../src/chat/matrix/store-storage-provider.js";
import { Store } from "../../../src/store/store.js";

let store: Store;
afterEach(() => store.close());

describe("StoreStorageProvider", () => {
  it("keeps the sync token, filter and values per bot user", () => {
    store = new Store(":memory:");
    const first = new StoreStorageProvider(store);
    first.bindUser("@bot:example.org");
    expect(first.getSyncToken()).toBeNull();
    expect(first.getFilter()).toBeNull();
    first.setSyncToken("s42_1");
    first.setFilter({ id: 3, filter: { room: { timeline: { limit: 5 } } } });
    first.storeValue("k", "v");

    const again = new StoreStorageProvider(store);
    again.bindUser("@bot:example.org");
    expect(again.getSyncToken()).toBe("s42_1");
    expect(again.getFilter()).toEqual({ id: 3, filter: { room: { timeline: { limit: 5 } } } });
    expect(again.readValue("k")).toBe("v");

    const other = new StoreStorageProvider(store);
    other.bindUser("@other:example.org");
    expect(other.getSyncToken()).toBeNull();
  });

  it("stops writing once frozen, so a stopped client cannot move the sync position", () => {
    store = new Store(":memory:");
    const provider = new StoreStorageProvider(store);
    provider.bindUser("@bot:example.org");
    provider.setSyncToken("s1");
    provider.freeze();
    provider.setSyncToken("s2");
    expect(provider.getSyncToken()).toBe("s1");
  });

  it("refuses to work before it knows the bot's user id", () => {
    store = new Store(":memory:");
    expect(() => new StoreStorageProvider(store).getSyncToken()).toThrow(/bindUser/);
  });
});

describe("matrix repository", () => {
  it("keeps one thread per room and bug with its newest event", () => {
    store = new Store(":memory:");
    const at = new Date("2026-11-26T10:00:00Z");
    store.matrix.saveThread({ roomId: "!r:x", bugId: 1, rootEventId: "$root", lastEventId: "$root" }, at);
    store.matrix.saveThread({ roomId: "!r:x", bugId: 1, rootEventId: "$ignored", lastEventId: "$two" }, at);
    expect(store.matrix.getThread("!r:x", 1)).toEqual({ roomId: "!r:x", bugId: 1, rootEventId: "$root", lastEventId: "$two" });
    expect(store.matrix.getThread("!other:x", 1)).toBeUndefined();
  });

  it("marks an event handled once and forgets old marks", () => {
    store = new Store(":memory:");
    expect(store.matrix.markEventHandled("$e", "!r:x", new Date("2026-11-01T00:00:00Z"))).toBe(true);
    expect(store.matrix.markEventHandled("$e", "!r:x", new Date("2026-11-01T00:00:00Z"))).toBe(false);
    expect(store.matrix.pruneHandledEvents(new Date("2026-11-20T00:00:00Z"))).toBe(1);
    expect(store.matrix.markEventHandled("$e", "!r:x", new Date("2026-11-26T00:00:00Z"))).toBe(true);
  });

  it("gives a notice once unless it was given back", () => {
    store = new Store(":memory:");
    const at = new Date();
    expect(store.matrix.claimNotice("unlinked", "@m:x", at)).toBe(true);
    expect(store.matrix.claimNotice("unlinked", "@m:x", at)).toBe(false);
    expect(store.matrix.claimNotice("encrypted", "@m:x", at)).toBe(true);
    store.matrix.releaseNotice("unlinked", "@m:x");
    expect(store.matrix.claimNotice("unlinked", "@m:x", at)).toBe(true);
  });
});
