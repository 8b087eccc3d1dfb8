import { afterEach, describe, expect, it } from "vitest";
import { bringBugTo } from "../support/bring-bug-to.js";
import { HOUR, MINUTE, startEngineHarness, trackerAs, type EngineHarness } from "./engine-harness.js";

let h: EngineHarness;
afterEach(async () => {
  await h.close();
});

describe("watcher: first run", () => {
  it("records the whole tracker and sends one 'found N NEW bugs' message instead of a ping per bug", async () => {
    h = await startEngineHarness();
    const all = await h.tracker.listBugs({ page: 1, pageSize: 100 });
    const newUnassigned = all.filter((bug) => bug.status === "new" && !bug.handler);
    expect(newUnassigned.length).toBeGreaterThan(2);

    await h.engine.runOnce();

    expect(h.notifier.sent).toHaveLength(1);
    const [message] = h.notifier.postsIn("management");
    expect(message!.text).toContain(`Found **${newUnassigned.length} NEW bugs** waiting for triage`);
    expect(message!.text).toContain(`I am now watching MantisBT (${all.length} bugs recorded)`);
    for (const bug of newUnassigned) expect(message!.text).toContain(`[#${bug.id}](`);
    expect(await h.store.mirror.get(all[0]!.id)).toMatchObject({ id: all[0]!.id, status: all[0]!.status });
  });

  it("does not announce the first run's bugs again on later cycles", async () => {
    h = await startEngineHarness();
    await h.engine.runOnce();
    h.advance(5 * MINUTE);
    await h.engine.runOnce();
    h.advance(6 * HOUR);
    await h.engine.runOnce();
    expect(h.notifier.postsIn("management").filter((post) => /^\*\*(NEW bug|Still untriaged)\*\*/.test(post.text))).toEqual([]);
  });
});

describe("watcher: NEW bugs", () => {
  it("announces a bug that becomes NEW once, with priority, Customer mark and Grab/Triage buttons", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    await h.engine.runOnce();
    h.notifier.sent.length = 0;

    h.advance(MINUTE);
    const bug = await h.tracker.createBug({ summary: "Wallet: balance shown twice after restore", description: "Seen on Android.", tags: ["Customer"], priority: "high" });
    h.advance(MINUTE);
    await h.engine.runOnce();

    const posts = h.notifier.postsIn("management");
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      bugId: bug.id,
      buttons: [
        { label: "Grab", command: `grab ${bug.id}` },
        { label: "Triage…", command: `triage ${bug.id}` },
      ],
    });
    expect(posts[0]!.text).toContain(`**NEW bug** [#${bug.id}](${h.sim.url}view.php?id=${bug.id}) Wallet: balance shown twice after restore`);
    expect(posts[0]!.text).toContain("priority **high** · **Customer**");

    h.advance(MINUTE);
    await h.engine.runOnce();
    expect(h.notifier.postsIn("management")).toHaveLength(1);
  });

  it("raises a NEW bug once more when it is still untriaged after 4 working hours, then leaves it to the summary", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" } });
    await h.engine.runOnce();
    const bug = await h.tracker.createBug({ summary: "Exchange: /config lists a retired currency", description: "See title." });
    h.advance(MINUTE);
    await h.engine.runOnce();
    h.notifier.sent.length = 0;

    h.advance(3 * HOUR);
    await h.engine.runOnce();
    expect(h.notifier.sent).toEqual([]);

    h.advance(HOUR + MINUTE);
    await h.engine.runOnce();
    const posts = h.notifier.postsIn("management");
    expect(posts).toHaveLength(1);
    expect(posts[0]!.text).toMatch(/^\*\*Still untriaged\*\* after 4 working hours: \[#\d+\]/);
    expect(posts[0]!.bugId).toBe(bug.id);

    h.advance(8 * HOUR);
    await h.engine.runOnce();
    expect(h.notifier.postsIn("management")).toHaveLength(1);
  });

  it("does not count the night: a bug filed in the evening is raised again the next working morning", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" }, now: new Date("2026-11-26T16:00:00Z") });
    await h.engine.runOnce();
    await h.tracker.createBug({ summary: "Docs: typo in the merchant tutorial", description: "See title." });
    h.advance(MINUTE);
    await h.engine.runOnce();
    h.notifier.sent.length = 0;

    h.at("2026-11-27T11:59:00Z");
    await h.engine.runOnce();
    expect(h.notifier.sent).toEqual([]);
    h.at("2026-11-27T12:02:00Z");
    await h.engine.runOnce();
    expect(h.notifier.postsIn("management")).toHaveLength(1);
  });
});

describe("watcher: transitions", () => {
  it("sees changes made directly in MantisBT and keeps them for the summary", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    const bug = await h.tracker.createBug({ summary: "Merchant: wrong VAT rate", description: "See title." });
    await h.engine.runOnce();
    h.advance(MINUTE);
    await trackerAs(h, "manager").updateBug(bug.id, { status: "feedback", handler: "bob", priority: "urgent" });
    h.advance(MINUTE);
    await h.engine.runOnce();

    expect(await h.store.mirror.get(bug.id)).toMatchObject({ status: "feedback", handler: "bob", priority: "urgent", previousStatus: "new" });
    const changes = (await h.store.mirror.changesSince(new Date(0))).filter((change) => change.bugId === bug.id);
    expect(changes.map((change) => change.change)).toEqual(["NEW → FEEDBACK, handler nobody → bob, priority normal → urgent"]);
  });

  it("announces 'feedback in' with the proposed estimate, not a new bug, when a bug returns to NEW after the bot recorded feedback", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    const bug = await h.tracker.createBug({ summary: "Bank: conversion fee rounding", description: "See title." });
    await h.tracker.updateBug(bug.id, { status: "feedback", handler: "alice" });
    await h.engine.runOnce();
    h.notifier.sent.length = 0;

    h.advance(HOUR);
    await bringBugTo(h, bug.id, { status: "new", stage: "timeline", developer: "alice", estimateMinutes: 480, deadline: "2026-12-10" }, h.clock.now);
    h.advance(MINUTE);
    await h.engine.runOnce();

    const posts = h.notifier.postsIn("management");
    expect(posts).toHaveLength(1);
    expect(posts[0]!.text).toContain(`**Feedback in** from @alice for [#${bug.id}]`);
    expect(posts[0]!.text).toContain("Proposed: **1d** of work, deadline **10.12.2026**.");
    expect(posts[0]!.buttons).toEqual([{ label: "Confirm", command: `confirm ${bug.id}`, style: "primary" }]);
  });

  it("reads a return from FEEDBACK to NEW made directly in MantisBT as feedback in", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    const bug = await h.tracker.createBug({ summary: "[6h, 9.12.2026] Wallet: export fails", description: "See title." });
    await h.tracker.updateBug(bug.id, { status: "feedback", handler: "bob" });
    await h.engine.runOnce();
    h.notifier.sent.length = 0;
    h.advance(HOUR);
    await trackerAs(h, "bob").updateBug(bug.id, { status: "new" });
    h.advance(MINUTE);
    await h.engine.runOnce();

    const posts = h.notifier.postsIn("management");
    expect(posts.map((post) => post.text.split("\n")[0])).toEqual([`**Feedback in** from @bob for [#${bug.id}](${h.sim.url}view.php?id=${bug.id}) \\[6h, 9.12.2026\\] Wallet: export fails: ready for a timeline.`]);
    expect(posts[0]!.text).toContain("Proposed: **6h** of work, deadline **9.12.2026**.");
  });
});

describe("watcher: daily full scan", () => {
  it("forgets a bug deleted in MantisBT at the first cycle after 03:00, and says so in the change log", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" } });
    const kept = await h.tracker.createBug({ summary: "Kept", description: "See title." });
    const deleted = await h.tracker.createBug({ summary: "Deleted", description: "See title." });
    await h.engine.runOnce();
    h.sim.database.deleteBug(deleted.id);

    h.at("2026-11-27T02:59:00Z");
    await h.engine.runJob("watch-tracker");
    expect(await h.store.mirror.get(deleted.id)).toBeDefined();
    h.at("2026-11-27T03:01:00Z");
    await h.engine.runJob("watch-tracker");
    expect(await h.store.mirror.get(deleted.id)).toBeUndefined();
    expect(await h.store.mirror.get(kept.id)).toBeDefined();
    expect((await h.store.mirror.changesSince(new Date(0))).at(-1)).toMatchObject({ bugId: deleted.id, change: "no longer in MantisBT (deleted, moved or hidden)" });

    // Once a day: the next cycles are incremental again (one request each).
    h.advance(MINUTE);
    const before = h.sim.requests.length;
    await h.engine.runJob("watch-tracker");
    expect(h.sim.requests.length - before).toBe(1);
  });
});

describe("watcher: cost", () => {
  it("reads MantisBT with ONE request in a quiet cycle over a 10,000-bug tracker", async () => {
    h = await startEngineHarness();
    h.sim.addBulkBugs(10_000);
    await h.engine.runJob("watch-tracker");
    h.advance(MINUTE);

    const before = h.sim.requests.length;
    await h.engine.runOnce();
    expect(h.sim.requests.length - before).toBe(1);
    expect(h.sim.requests.at(-1)).toMatchObject({ method: "GET", path: "/api/rest/issues" });
  });

  it("reads only the changed bugs' page when one bug changed", async () => {
    h = await startEngineHarness();
    h.sim.addBulkBugs(2_000);
    await h.engine.runJob("watch-tracker");
    h.advance(MINUTE);
    await trackerAs(h, "manager").updateBug(1500, { priority: "high" });
    h.advance(MINUTE);

    const before = h.sim.requests.length;
    await h.engine.runJob("watch-tracker");
    expect(h.sim.requests.length - before).toBe(1);
    expect((await h.store.mirror.get(1500))?.priority).toBe("high");
  });
});
