import { afterEach, describe, expect, it } from "vitest";
import { StoreStorageProvider } from "../../../src/chat/matrix/store-storage-provider.js";
import { Store } from "../../../src/store/store.js";

let store: Store;
afterEach(() => store.close());

describe("StoreStorageProvider", () => {
  it("keeps the sync token, filter and values per bot user", () => {
    store = new Store(":memory:");
    const first = new StoreStorageProvider(store.chat);
    first.bindUser("@bot:example.org");
    expect(first.getSyncToken()).toBeNull();
    expect(first.getFilter()).toBeNull();
    first.setSyncToken("s42_1");
    first.setFilter({ id: 3, filter: { room: { timeline: { limit: 5 } } } });
    first.storeValue("k", "v");

    const again = new StoreStorageProvider(store.chat);
    again.bindUser("@bot:example.org");
    expect(again.getSyncToken()).toBe("s42_1");
    expect(again.getFilter()).toEqual({ id: 3, filter: { room: { timeline: { limit: 5 } } } });
    expect(again.readValue("k")).toBe("v");

    const other = new StoreStorageProvider(store.chat);
    other.bindUser("@other:example.org");
    expect(other.getSyncToken()).toBeNull();
  });

  it("stops writing once frozen, so a stopped client cannot move the sync position", () => {
    store = new Store(":memory:");
    const provider = new StoreStorageProvider(store.chat);
    provider.bindUser("@bot:example.org");
    provider.setSyncToken("s1");
    provider.freeze();
    provider.setSyncToken("s2");
    expect(provider.getSyncToken()).toBe("s1");
  });

  it("refuses to work before it knows the bot's user id", () => {
    store = new Store(":memory:");
    expect(() => new StoreStorageProvider(store.chat).getSyncToken()).toThrow(/bindUser/);
  });
});
