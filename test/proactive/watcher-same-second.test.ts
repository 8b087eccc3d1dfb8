/**
 * MantisBT's `updated_at` has whole seconds: a bug changed again in the second the watcher last read
 * it keeps the same `updated_at`. The watcher must still see the change (issue 10, part 6). Every
 * test here keeps the shared clock of the bot and the simulator still between the read and the change.
 */
import { afterEach, describe, expect, it } from "vitest";
import { watchTracker, type WatcherDeps, type WatchHandlers } from "../../src/proactive/watcher.js";

import type { Bug, MantisClient } from "../../src/tracker/mantis/mantis-types.js";
import { startHarness, type Harness } from "../support/harness.js";
import { MINUTE, startEngineHarness, trackerAs } from "./engine-harness.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

function watcher(harness: Harness): { deps: WatcherDeps; handlers: WatchHandlers } {
  return {
    deps: { tracker: harness.port, store: harness.store, now: () => harness.clock.now, log: harness.log.log, pageSize: 10, feedbackRecorded: async () => false },
    handlers: { onEvents: async () => {}, onFirstRun: async () => {} },
  };
}

async function cycle(harness: Harness) {
  const { deps, handlers } = watcher(harness);
  return watchTracker(deps, handlers);
}

describe("watcher: a change within the second of the last read", () => {
  it("records a triage made in the second the NEW bug was announced", async () => {
    const e = await startEngineHarness({ simulator: { seed: false } });
    h = e;
    await e.engine.runOnce();
    e.advance(MINUTE);
    const bug = await e.tracker.createBug({ summary: "Wallet: balance shown twice after restore", description: "Seen on Android." });
    await e.engine.runOnce();
    expect(e.notifier.postsIn("management").filter((post) => post.bugId !== undefined).map((post) => post.bugId)).toEqual([bug.id]);

    await trackerAs(e, "manager").updateBug(bug.id, { status: "feedback", handler: "bob" });
    expect((await e.bug(bug.id)).updatedAt).toEqual((await e.store.mirror.get(bug.id))?.updatedAt);
    e.advance(MINUTE);
    await e.engine.runOnce();

    expect(await e.store.mirror.get(bug.id)).toMatchObject({ status: "feedback", handler: "bob" });
    const changes = (await e.store.mirror.changesSince(new Date(0))).filter((change) => change.bugId === bug.id);
    expect(changes.map((change) => change.change)).toEqual(["filed: NEW", "NEW → FEEDBACK, handler nobody → bob"]);
  });

  const changes: [string, (tracker: MantisClient, bug: Bug, other: Bug) => Promise<unknown>][] = [
    ["the status", (tracker, bug) => tracker.updateBug(bug.id, { status: "acknowledged" })],
    ["the handler", (tracker, bug) => tracker.updateBug(bug.id, { handler: "alice" })],
    ["the priority", (tracker, bug) => tracker.updateBug(bug.id, { priority: "urgent" })],
    ["the summary", (tracker, bug) => tracker.updateBug(bug.id, { summary: `[4h, 14.12.2026] ${bug.summary}` })],
    ["a note", (tracker, bug) => tracker.addNote(bug.id, { text: "Reproduced on 0.9.", private: false })],
    ["a tag", (tracker, bug) => tracker.addTags(bug.id, ["Customer"])],
    ["a relationship", (tracker, bug, other) => tracker.addRelationship(bug.id, { type: "parent-of", otherBugId: other.id })],
  ];

  it.each(changes)("sees %s changed after the read, in the same second", async (_what, change) => {
    h = await startHarness({ simulator: { seed: false } });
    const other = await h.tracker.createBug({ summary: "Exchange: fees rounded twice", description: "See title." });
    h.clock.now = new Date(h.clock.now.getTime() + MINUTE);
    const bug = await h.tracker.createBug({ summary: "Merchant: wrong VAT rate", description: "See title." });
    await cycle(h);
    const before = await h.store.mirror.get(bug.id);

    await change(trackerAs(h, "manager"), bug, other);
    const changed = await h.bug(bug.id);
    expect(changed.updatedAt).toEqual(before?.updatedAt);

    h.clock.now = new Date(h.clock.now.getTime() + MINUTE);
    await cycle(h);
    // Looked at again (seen now), and recorded as MantisBT has it now.
    expect(await h.store.mirror.get(bug.id)).toMatchObject({
      seenAt: h.clock.now,
      status: changed.status,
      handler: changed.handler?.name,
      priority: changed.priority,
      summary: changed.summary,
      tags: changed.tags,
    });
  });

  it("reads a bug of the last read's second as unchanged when nothing the bot follows changed", async () => {
    h = await startHarness({ simulator: { seed: false } });
    const bug = await h.tracker.createBug({ summary: "Docs: typo in the merchant tutorial", description: "See title." });
    await cycle(h);
    // A private note by the bot's own account changes nothing the bot follows but the notes count:
    // the next cycle sees that, and the one after it sees nothing new.
    await h.tracker.addNote(bug.id, { text: "Checked the tutorial sources.", private: true });
    h.clock.now = new Date(h.clock.now.getTime() + MINUTE);
    expect(await cycle(h)).toMatchObject({ changed: 1 });
    h.clock.now = new Date(h.clock.now.getTime() + MINUTE);
    expect(await cycle(h)).toMatchObject({ changed: 0 });
  });

  it("sees a change in the same second at the daily full scan too", async () => {
    h = await startHarness({ simulator: { seed: false } });
    const bug = await h.tracker.createBug({ summary: "Bank: conversion fee rounding", description: "See title." });
    await cycle(h);
    await trackerAs(h, "manager").updateBug(bug.id, { handler: "carol" });
    h.clock.now = new Date(h.clock.now.getTime() + MINUTE);
    const { deps, handlers } = watcher(h);
    expect(await watchTracker(deps, handlers, { reconcile: true })).toMatchObject({ mode: "reconcile", changed: 1 });
    expect((await h.store.mirror.get(bug.id))?.handler).toBe("carol");
  });
});
