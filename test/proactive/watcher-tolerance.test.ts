/**
 * No single bug can stop the watcher (issue 10): not a release (version ids come as strings on every
 * closed bug afterwards), not a custom status, not a bug MantisBT answers in a shape the bot does not
 * understand.
 */
import { afterEach, describe, expect, it } from "vitest";
import { watchTracker } from "../../src/proactive/watcher.js";

import { createMantisTracker } from "../../src/tracker/mantis/mantis-tracker.js";
import { MINUTE, startEngineHarness, trackerAs, type EngineHarness } from "./engine-harness.js";

let h: EngineHarness;
afterEach(async () => {
  await h.close();
});

function newBugAnnouncements(harness: EngineHarness): (number | undefined)[] {
  return harness.notifier.postsIn("management").filter((post) => post.text.startsWith("**NEW bug**")).map((post) => post.bugId);
}

describe("watcher: bugs a real MantisBT answers oddly", () => {
  it("keeps announcing NEW bugs after a release closed a bug with its fixed-in version", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    const released = await h.tracker.createBug({ summary: "Wallet: export fails", description: "See title." });
    await h.engine.runOnce();
    h.advance(MINUTE);
    await h.tracker.updateBug(released.id, { status: "resolved", resolution: "fixed", fixedInVersion: "1.1.0" });
    await h.tracker.updateBug(released.id, { status: "closed" });
    h.advance(MINUTE);
    await h.engine.runOnce();

    h.advance(MINUTE);
    const filed = await h.tracker.createBug({ summary: "Exchange: /keys slow", description: "See title." });
    h.advance(MINUTE);
    await h.engine.runOnce();

    expect((await h.store.mirror.get(released.id))?.status).toBe("closed");
    expect(newBugAnnouncements(h)).toEqual([filed.id]);
    expect(h.log.records().filter((record) => record.level === 50)).toEqual([]);
  });

  it("keeps working with a bug in a custom status, which it follows as the nearest default one", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    await h.engine.runOnce();
    h.advance(MINUTE);
    const testing = await h.tracker.createBug({ summary: "Merchant: refund stuck", description: "See title.", handler: "alice" });
    // A status MantisBT was configured with beyond its defaults ("testing", 60).
    h.sim.database.updateBug(testing.id, { status: 60 });
    const filed = await h.tracker.createBug({ summary: "Bank: wire fee shown twice", description: "See title." });
    h.advance(MINUTE);
    await h.engine.runOnce();

    expect(await h.store.mirror.get(testing.id)).toMatchObject({ status: "assigned", handler: "alice" });
    expect(newBugAnnouncements(h)).toEqual([filed.id]);
  });

  it("skips one bug it cannot read with a warning that names it, and keeps the rest", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    const odd = await h.tracker.createBug({ summary: "Customer Erika Mustermann cannot log in", description: "See title." });
    const fine = await h.tracker.createBug({ summary: "Docs: broken link", description: "See title." });
    // MantisBT as seen through a proxy that spoils one bug's date in every list.
    const spoil: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input instanceof Request ? input.url : input).includes("/api/rest/issues?")) return response;
      const body = (await response.json()) as { issues: { id: number; created_at?: string }[] };
      for (const issue of body.issues) if (issue.id === odd.id) issue.created_at = "yesterday";
      return Response.json(body, { status: response.status, headers: response.headers });
    };
    const tracker = createMantisTracker({ client: trackerAs(h, "administrator", { fetch: spoil }), staff: h.staff });
    const deps = { tracker, store: h.store, now: () => h.clock.now, log: h.log.log, pageSize: 10, feedbackRecorded: async () => false };

    await watchTracker(deps, { onEvents: async () => {}, onFirstRun: async () => {} });

    expect(await h.store.mirror.get(fine.id)).toBeDefined();
    expect(await h.store.mirror.get(odd.id)).toBeUndefined();
    const warnings = h.log.records().filter((record) => record.level === 40);
    expect(warnings).toEqual([expect.objectContaining({ bugId: odd.id, fields: ["created_at: custom"] })]);
    expect(h.log.text()).not.toContain("Mustermann");
  });
});
