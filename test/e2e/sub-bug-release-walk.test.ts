/**
 * A bug with a sub-bug walked to a release that MantisBT does not have yet (issue 10, "Done when"):
 * the reviewer opens a sub-bug with `ask`, `verdict pass` on the bug is refused with the sub-bug named
 * and nothing changed, the sub-bug goes through the process to RESOLVED, `verdict pass` then succeeds,
 * and `release 2.0` creates the version, closes the sub-bug before the bug and marks 2.0 released.
 * The watcher runs alongside and still announces a NEW bug filed after the release.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DispatchResult } from "../../src/framework/dispatcher.js";
import { MINUTE, startEngineHarness, type EngineHarness } from "../proactive/engine-harness.js";
import { expectBugState, journalSteps } from "../support/bug-checks.js";

let h: EngineHarness;
let bugId: number;
let subId: number;

beforeAll(async () => {
  h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" } });
  await h.engine.runOnce();
});
afterAll(async () => {
  await h.close();
});

/** Runs a command and fails with the bot's reply when it did not succeed. */
async function step(user: string, line: string): Promise<DispatchResult> {
  const result = await h.run(user, line);
  expect(result.kind, `${user}: ${line}\n${result.reply.text}`).toBe("ok");
  return result;
}

/** One watcher cycle a minute later. */
async function watch(): Promise<void> {
  h.advance(MINUTE);
  await h.engine.runOnce();
}

const newBugPings = (id: number) => h.notifier.postsIn("management").filter((post) => post.text.startsWith("**NEW bug**") && post.text.includes(`[#${id}](`));
const link = (id: number): string => `[#${id}](${h.sim.url}view.php?id=${id})`;

describe("a bug with a sub-bug, from review to a new release", () => {
  it("takes the bug to review", async () => {
    bugId = (await h.tracker.createBug({ summary: "Exchange: wire fees rounded per transfer instead of per batch", description: "Seen in the auditor report." })).id;
    await watch();
    expect(newBugPings(bugId)).toHaveLength(1);
    await step("manager", `triage ${bugId} @alice`);
    await step("alice", `feedback ${bugId} 4h 4.12.2026 "Clear: round once per batch in the wire gateway"`);
    await step("manager", `confirm ${bugId}`);
    await step("alice", `start ${bugId}`);
    await step("alice", `review ${bugId} @carol`);
    await expectBugState(h, bugId, { status: "feedback", handler: "carol" });
  });

  it("ask: the reviewer opens a sub-bug for bob", async () => {
    const result = await step("carol", `ask ${bugId} @bob "Does the bank gateway round the same way?"`);
    subId = Number(/Opened \[#(\d+)\]/.exec(result.reply.text)![1]);
    await expectBugState(h, subId, { status: "feedback", handler: "bob" });
    expect((await h.bug(bugId)).relationships).toEqual([expect.objectContaining({ type: "parent-of", otherBugId: subId })]);
  });

  it("verdict pass on the bug is refused while the sub-bug is open, naming it, and nothing changes", async () => {
    const before = await h.bug(bugId);
    const result = await h.run("carol", `verdict ${bugId} pass`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toContain(`Bug #${bugId} waits for its sub-bug #${subId} to be resolved first`);
    expect(result.reply.text).toContain(`- #${subId} (@bob) waits for developer feedback: @bob urgently gives feedback`);
    const after = await h.bug(bugId);
    expect(after).toMatchObject({ status: "feedback", handler: { name: "carol" }, summary: before.summary });
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect((await h.store.bugProcess.get(bugId))?.stage).toBe("review");
    const show = await step("carol", `show ${bugId}`);
    expect(show.reply.text).toContain(`- Sub-bugs (1):\n  - ${link(subId)} **FEEDBACK**, @bob, waits for developer feedback`);
  });

  it("the sub-bug goes through the process to RESOLVED", async () => {
    await step("bob", `feedback ${subId} 1h 3.12.2026 "Yes, same rounding; one line in the gateway"`);
    await step("manager", `confirm ${subId}`);
    await step("bob", `start ${subId}`);
    await step("bob", `review ${subId} @alice`);
    await step("alice", `verdict ${subId} pass`);
    await expectBugState(h, subId, { status: "resolved", handler: "alice" });
  });

  it("verdict pass on the bug now succeeds (RESOLVED, no customer)", async () => {
    await step("carol", `verdict ${bugId} pass`);
    await expectBugState(h, bugId, { status: "resolved", handler: "carol" });
    await watch();
  });

  it("release 2.0 creates the version, closes the sub-bug before the bug and marks 2.0 released", async () => {
    expect((await h.tracker.listProjectVersions()).map((version) => version.name)).not.toContain("2.0");
    const result = await step("manager", "release 2.0");
    expect(result.reply.text).toBe(
      [
        "Created version 2.0 in MantisBT.",
        "**Closed with 2.0 (2):**",
        `- ${link(subId)} \\[1h, 3.12.2026\\] Feedback for #${bugId}: Does the bank gateway round the same way?`,
        `- ${link(bugId)} \\[4h, 4.12.2026\\] Exchange: wire fees rounded per transfer instead of per batch`,
        "2.0 is marked released in MantisBT, dated 26.11.2026.",
      ].join("\n"),
    );
    for (const id of [subId, bugId]) {
      expect(await h.bug(id)).toMatchObject({ status: "closed", fixedInVersion: "2.0" });
      expect((await h.store.bugProcess.get(id))?.stage).toBe("closed");
    }
    expect((await h.tracker.listProjectVersions()).find((version) => version.name === "2.0")).toMatchObject({ released: true, date: h.clock.now });

    const again = await step("manager", "release 2.0");
    expect(again.reply.text).toBe("2.0 was already released on 26.11.2026; nothing changed. Bugs resolved since then go with the next release.");
  });

  it("the watcher keeps working after the release: a NEW bug filed afterwards is announced", async () => {
    await watch();
    const filed = (await h.tracker.createBug({ summary: "Wallet: backup restore loses the exchange list", description: "After restoring a backup." })).id;
    await watch();
    expect(newBugPings(filed)).toHaveLength(1);
    expect(h.log.records().filter((record) => typeof record.level === "number" && record.level >= 50)).toEqual([]);
  });

  it("journalled every step, by the person who did it", async () => {
    expect(await journalSteps(h.store, bugId)).toEqual([
      ["manager", "triage"],
      ["alice", "feedback"],
      ["manager", "confirm"],
      ["alice", "start"],
      ["alice", "review"],
      ["carol", "ask"],
      ["carol", "verdict"],
      ["manager", "release"],
    ]);
    expect(await journalSteps(h.store, subId)).toEqual([
      ["carol", "ask"],
      ["bob", "feedback"],
      ["manager", "confirm"],
      ["bob", "start"],
      ["bob", "review"],
      ["alice", "verdict"],
      ["manager", "release"],
    ]);
  });
});
