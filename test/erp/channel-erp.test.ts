import { describe, expect, it } from "vitest";
import { ChannelErp } from "../../src/erp/channel-erp.js";
import { Store } from "../../src/store/store.js";
import { RecordingNotifier } from "../support/recording-notifier.js";

const contact = {
  customerName: "Jane Doe",
  customerType: "merchant" as const,
  phone: "+41 79 555 01 23",
  request: "Wants a shop integration",
  date: "2026-11-26",
  recordedBy: "alice",
};

describe("ChannelErp", () => {
  it("keeps the contact in the store and tells the sales channel only the reference", async () => {
    const store = await Store.open({ path: ":memory:" });
    const notifier = new RecordingNotifier();
    const receipt = await new ChannelErp(store, notifier, () => new Date("2026-11-26T10:00:00Z")).recordSalesContact(contact);
    expect(receipt).toEqual({ reference: "S-1" });
    expect((await store.sales.get("S-1"))?.payload).toMatchObject({ customerName: "Jane Doe", phone: "+41 79 555 01 23" });
    expect(notifier.postsIn("sales")).toEqual([expect.objectContaining({ text: expect.stringContaining("S-1") })]);
    expect(notifier.text()).not.toMatch(/Jane|555/);
  });

  it("keeps the record and says so when the sales channel cannot be reached", async () => {
    const store = await Store.open({ path: ":memory:" });
    const notifier = new RecordingNotifier();
    notifier.failWith = new Error("chat down");
    const receipt = await new ChannelErp(store, notifier, () => new Date()).recordSalesContact(contact);
    expect(receipt.reference).toBe("S-1");
    expect(receipt.notice).toMatch(/could not post it to the sales channel/);
    expect(await store.sales.get("S-1")).toBeDefined();
  });
});
