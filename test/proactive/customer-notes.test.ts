/**
 * Reporter replies reach the handler at once: a note on a bug by someone outside the team (not a
 * staff member's account, not the bot's) becomes one DM to the handler and one line in the bug's
 * thread, exactly once, also across restarts; MantisBT's own move of a FEEDBACK bug to ASSIGNED on
 * the reporter's note is explained.
 */
import { afterEach, describe, expect, it } from "vitest";
import { HOUR, MINUTE, startEngineHarness, trackerAs, type EngineHarness } from "./engine-harness.js";

let h: EngineHarness;
afterEach(async () => {
  await h.close();
});

/** A customer's bug, in FEEDBACK with alice, as the watcher last saw it. */
async function feedbackBugSeenByWatcher(): Promise<number> {
  const bug = await trackerAs(h, "reporter").createBug({ summary: "Wallet: top-up stuck at pending", description: "Since this morning." });
  await trackerAs(h, "manager").updateBug(bug.id, { status: "feedback", handler: "alice" });
  await h.engine.runOnce();
  h.notifier.sent.length = 0;
  h.advance(HOUR);
  return bug.id;
}

describe("watcher: notes from outside the team", () => {
  it("tells the handler in a DM and the bug's thread in one line when the reporter answers a FEEDBACK bug, and explains MantisBT's move to ASSIGNED", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    const id = await feedbackBugSeenByWatcher();

    await trackerAs(h, "reporter").addNote(id, { text: "It happened again at 10:15.\nThe app shows 'pending' since.", private: false });
    expect((await h.tracker.getBug(id)).status).toBe("assigned");
    h.advance(MINUTE);
    await h.engine.runOnce();

    const dms = h.notifier.directsTo("alice");
    expect(dms).toHaveLength(1);
    expect(dms[0]!.text).toContain(`**Note from the reporter** on [#${id}](${h.sim.url}view.php?id=${id}) Wallet: top-up stuck at pending:`);
    expect(dms[0]!.text).toContain("> It happened again at 10:15.\n> The app shows 'pending' since.");
    expect(dms[0]!.text).toContain("MantisBT moved it from FEEDBACK to ASSIGNED by itself: it does that when the reporter writes on a bug waiting for feedback. It is back with you.");
    const posts = h.notifier.postsIn("management");
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ bugId: id });
    expect(posts[0]!.text).toContain(`**Note from the reporter** on [#${id}](`);
    expect(posts[0]!.text).toContain("@alice has it in a direct message.");
    expect(posts[0]!.text).toContain("MantisBT moved it from FEEDBACK to ASSIGNED by itself");
    expect(posts[0]!.text).not.toContain("10:15");
    expect(h.notifier.sent).toHaveLength(2);
  });

  it("tells nobody twice: not on later cycles, not after a restart, not on the daily full scan", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" } });
    const id = await feedbackBugSeenByWatcher();
    await trackerAs(h, "reporter").addNote(id, { text: "Still broken.", private: false });
    await h.engine.runOnce();
    expect(h.notifier.sent).toHaveLength(2);

    h.advance(MINUTE);
    await h.engine.runOnce();
    await h.restart();
    h.advance(MINUTE);
    await h.engine.runOnce();
    h.at("2026-11-27T03:05:00Z");
    await h.engine.runOnce();
    expect(h.notifier.sent.filter((sent) => /Note from/.test(sent.message.text))).toHaveLength(2);
  });

  it("stays quiet about notes by staff and by the bot's own account, and explains no move that did not happen", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    const id = await feedbackBugSeenByWatcher();
    await trackerAs(h, "alice").addNote(id, { text: "Looking into it.", private: false });
    await h.tracker.addNote(id, { text: "Contact details on file.", private: true });
    h.advance(MINUTE);
    await h.engine.runOnce();
    expect(h.notifier.sent.filter((sent) => /Note from/.test(sent.message.text))).toEqual([]);

    // A note by the reporter on a bug in work: told, without a move to explain.
    await trackerAs(h, "manager").updateBug(id, { status: "assigned" });
    h.advance(MINUTE);
    await h.engine.runOnce();
    await trackerAs(h, "reporter").addNote(id, { text: "Any news?", private: false });
    h.advance(MINUTE);
    await h.engine.runOnce();
    const dms = h.notifier.directsTo("alice").filter((message) => /Note from/.test(message.text));
    expect(dms).toHaveLength(1);
    expect(dms[0]!.text).not.toContain("by itself");
  });

  it("keeps the reporter's first run notes to itself: only notes written after the watcher saw the bug count", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    const bug = await trackerAs(h, "reporter").createBug({ summary: "Merchant: refund button greyed out", description: "See title." });
    await trackerAs(h, "reporter").addNote(bug.id, { text: "Screenshot attached.", private: false });
    await h.engine.runOnce();
    h.advance(MINUTE);
    await h.engine.runOnce();
    expect(h.notifier.sent.filter((sent) => /Note from/.test(sent.message.text))).toEqual([]);
  });

  it("names that a private note came in the thread, and carries its text only to the handler", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    const id = await feedbackBugSeenByWatcher();
    // A customer account allowed to write private notes (an installation can lower the threshold).
    const note = await trackerAs(h, "reporter").addNote(id, { text: "Call me: +41 79 123 45 67", private: false });
    h.sim.database.updateNote(note.id, { text: note.text, view_state: 50, updated_at: Math.floor(h.clock.now.getTime() / 1000) });
    h.advance(MINUTE);
    await h.engine.runOnce();
    expect(h.notifier.directsTo("alice")[0]!.text).toContain("**Private note from the reporter**");
    expect(h.notifier.directsTo("alice")[0]!.text).toContain("+41 79 123 45 67");
    expect(h.notifier.postsIn("management")[0]!.text).toContain("**Private note from the reporter**");
    expect(h.notifier.postsIn("management")[0]!.text).not.toContain("+41");
  });
});

describe("watcher: notes from outside the team cost no request", () => {
  it("still reads MantisBT with ONE request in a quiet cycle", async () => {
    h = await startEngineHarness();
    await h.engine.runOnce();
    h.advance(MINUTE);
    const before = h.sim.requests.length;
    await h.engine.runJob("watch-tracker");
    expect(h.sim.requests.slice(before).map((request) => `${request.method} ${request.path}`)).toEqual(["GET /api/rest/issues"]);
  });
});
