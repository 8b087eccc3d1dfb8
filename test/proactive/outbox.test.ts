import { afterEach, describe, expect, it } from "vitest";
import { buildNotificationKey } from "../../src/core/reminder-policy.js";
import { MINUTE, startEngineHarness, type EngineHarness } from "./engine-harness.js";

let h: EngineHarness;
afterEach(async () => {
  await h.close();
});

const newBugPings = () => h.notifier.postsIn("management").filter((post) => post.text.startsWith("**NEW bug**"));

describe("exactly once", () => {
  it("sends nothing twice after a restart: a new engine over the same store", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" } });
    await h.engine.runOnce();
    await h.tracker.createBug({ summary: "Merchant: template editor loses changes", description: "See title." });
    h.advance(MINUTE);
    await h.engine.runOnce();
    expect(newBugPings()).toHaveLength(1);
    const before = h.notifier.sent.length;

    await h.restart();
    await h.engine.runOnce();
    h.advance(MINUTE);
    await h.engine.runOnce();
    expect(h.notifier.sent).toHaveLength(before);
  });

  it("re-announces nothing when a cycle is read again after a crash before it was recorded", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" } });
    await h.engine.runOnce();
    const bug = await h.tracker.createBug({ summary: "Bank: statement export empty", description: "See title." });
    h.advance(MINUTE);
    await h.engine.runJob("watch-tracker");
    // The ping is queued in the same transaction that recorded the cycle; the process "dies" before delivery.
    expect(await h.store.outbox.get(buildNotificationKey({ kind: "new-bug", bugId: bug.id, recipient: "#management", period: (await h.bug(bug.id)).createdAt.toISOString() }).key)).toMatchObject({ state: "pending" });
    await h.restart();
    await h.engine.runOnce();
    await h.engine.runOnce();
    expect(newBugPings()).toHaveLength(1);
  });

  it("does not resend a notification whose send was cut off by a stop, and says so in the log", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" } });
    await h.engine.runOnce();
    await h.tracker.createBug({ summary: "Wallet: QR scanner freezes", description: "See title." });
    h.advance(MINUTE);
    await h.engine.runJob("watch-tracker");
    const [row] = await h.store.outbox.list({ kind: "new-bug" });
    // A send started and never confirmed: the process stopped during it.
    await h.store.outbox.markAttempt(await h.store.outbox.routes(row!.key), h.clock.now);

    await h.restart();
    await h.engine.runOnce();
    expect(newBugPings()).toEqual([]);
    expect(await h.store.outbox.get(row!.key)).toMatchObject({ state: "sent", lastError: expect.stringMatching(/interrupted/) });
    expect(h.log.records().some((record) => record.msg === "notifications interrupted during sending were not sent again")).toBe(true);
  });

  it("retries a failed send on the next run and then sends it once", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" } });
    await h.engine.runOnce();
    const bug = await h.tracker.createBug({ summary: "Exchange: audit lag", description: "See title." });
    h.advance(MINUTE);
    h.notifier.failWith = new Error("Mattermost answered 503");
    await h.engine.runOnce();
    const [row] = await h.store.outbox.list({ kind: "new-bug", bugId: bug.id });
    expect(row).toMatchObject({ state: "failed", attempts: 1, lastError: "Mattermost answered 503" });

    h.notifier.failWith = undefined;
    h.advance(MINUTE);
    await h.engine.runOnce();
    await h.engine.runOnce();
    expect(newBugPings()).toHaveLength(1);
    expect(await h.store.outbox.get(row!.key)).toMatchObject({ state: "sent", attempts: 2 });
  });

  it("gives up after NOTIFY_MAX_ATTEMPTS and logs it as an error", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none", NOTIFY_MAX_ATTEMPTS: "2" } });
    await h.engine.runOnce();
    await h.tracker.createBug({ summary: "Docs: broken link", description: "See title." });
    h.advance(MINUTE);
    h.notifier.failWith = new Error("chat is down");
    for (let run = 0; run < 4; run++) {
      await h.engine.runOnce();
      h.advance(MINUTE);
    }
    expect((await h.store.outbox.list({ kind: "new-bug" }))[0]).toMatchObject({ state: "failed", attempts: 2 });
    expect(h.log.records().filter((record) => record.msg === "notification given up after the last attempt")).toHaveLength(1);
  });
});

describe("catch-up after downtime", () => {
  it("merges overdue reminders into one message per recipient and sends the missed summary late, once", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    await h.engine.runOnce();
    h.advance(MINUTE);
    const ids: number[] = [];
    for (const summary of ["Wallet: slow sync", "Exchange: key rotation warning", "Merchant: refund rounding"]) {
      const bug = await h.tracker.createBug({ summary, description: "See title." });
      await h.tracker.updateBug(bug.id, { status: "feedback", handler: "bob" });
      ids.push(bug.id);
    }
    h.advance(MINUTE);
    await h.engine.runOnce();
    h.notifier.sent.length = 0;

    // Down from Thursday 10:02 until Tuesday 11:00: reminders, escalations and Monday's and Tuesday's summaries came due.
    await h.restart();
    h.at("2026-12-01T11:00:00Z");
    await h.engine.runOnce();

    const toBob = h.notifier.directsTo("bob");
    expect(toBob).toHaveLength(1);
    expect(toBob[0]!.text).toMatch(/^\*\*3 updates\*\*/);
    for (const id of ids) expect(toBob[0]!.text).toContain(`[#${id}]`);
    expect(toBob[0]!.buttons).toEqual(ids.map((id) => ({ label: `Snooze 1 day (#${id})`, command: `snooze ${id} 1d` })));

    const management = h.notifier.postsIn("management");
    const summaries = management.filter((post) => post.text.startsWith("#### Support queue"));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.text).toContain("#### Support queue, Tue 1.12.2026");
    const escalations = management.filter((post) => post.text.includes("**Feedback overdue**"));
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.text).toMatch(/^\*\*3 updates\*\*/);

    await h.engine.runOnce();
    h.advance(30 * MINUTE);
    await h.engine.runOnce();
    expect(h.notifier.postsIn("management").filter((post) => post.text.startsWith("#### Support queue"))).toHaveLength(1);
    expect(h.notifier.directsTo("bob")).toHaveLength(1);
  });
});
