import { afterEach, describe, expect, it } from "vitest";
import { StoreStorageProvider } from "../../../src/chat/matrix/store-storage-provider.js";
import { Store } from "../../../src/store/store.js";

let store: Store;
afterEach(() => store.close());

describe("StoreStorageProvider", () => {
  it("keeps the sync token, filter and values per bot user", async () => {
    store = await Store.open({ path: ":memory:" });
    const first = new StoreStorageProvider(store.chat);
    first.bindUser("@bot:example.org");
    expect(await first.getSyncToken()).toBeNull();
    expect(await first.getFilter()).toBeNull();
    await first.setSyncToken("s42_1");
    await first.setFilter({ id: 3, filter: { room: { timeline: { limit: 5 } } } });
    await first.storeValue("k", "v");

    const again = new StoreStorageProvider(store.chat);
    again.bindUser("@bot:example.org");
    expect(await again.getSyncToken()).toBe("s42_1");
    expect(await again.getFilter()).toEqual({ id: 3, filter: { room: { timeline: { limit: 5 } } } });
    expect(await again.readValue("k")).toBe("v");

    const other = new StoreStorageProvider(store.chat);
    other.bindUser("@other:example.org");
    expect(await other.getSyncToken()).toBeNull();
  });

  it("stops writing once frozen, so a stopped client cannot move the sync position", async () => {
    store = await Store.open({ path: ":memory:" });
    const provider = new StoreStorageProvider(store.chat);
    provider.bindUser("@bot:example.org");
    await provider.setSyncToken("s1");
    provider.freeze();
    await provider.setSyncToken("s2");
    expect(await provider.getSyncToken()).toBe("s1");
  });

  it("refuses to work before it knows the bot's user id", async () => {
    store = await Store.open({ path: ":memory:" });
    await expect(new StoreStorageProvider(store.chat).getSyncToken()).rejects.toThrow(/bindUser/);
  });
});
