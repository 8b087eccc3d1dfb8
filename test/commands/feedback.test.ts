import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** [old, new] status ids of every status change MantisBT recorded for the bug. */
function statusChanges(harness: Harness, bugId: number): [number, number][] {
  return harness.sim.database
    .historyOf(bugId)
    .filter((row) => row.kind === "field-updated")
    .map((row) => JSON.parse(row.details) as { field: string; old: number; new: number })
    .filter((details) => details.field === "status")
    .map((details) => [details.old, details.new]);
}

const PATH = '"Clear: wallet-core ignores the confirmation; fix in wallet-core only"';

describe("feedback", () => {
  it("adds a public note, records the timeline, sets NEW (timeline) and tells management with a Confirm button", async () => {
    await h.run("manager", "triage 1 @alice priority=high");
    const result = await h.run("alice", `feedback 1 4h 10.12.2026 ${PATH}`);
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/your feedback on \[#1\]\(.*\) is a public note, the bug is NEW again/);
    expect(result.reply.text).toContain("Recorded: 4h of work, deadline 10.12.2026.");

    const bug = await h.bug(1);
    expect(bug.status).toBe("new");
    expect(bug.handler?.name).toBe("alice");
    const note = bug.notes.at(-1)!;
    expect(note.private).toBe(false);
    expect(note.reporter.name).toBe("alice");
    expect(note.text).toBe(
      "Developer feedback (analysis):\nPath to resolution: Clear: wallet-core ignores the confirmation; fix in wallet-core only\nConservative timeline: 4h of work, deadline 10.12.2026.",
    );

    expect(await h.store.bugProcess.get(1)).toMatchObject({ stage: "timeline", estimateMinutes: 240, deadline: "2026-12-10", developer: "alice" });
    expect(await h.store.estimates.latest(1)).toMatchObject({ source: "feedback", actor: "alice", estimateMinutes: 240, deadline: "2026-12-10" });
    expect((await h.store.journal.list(1)).map((entry) => [entry.actor, entry.action])).toEqual([
      ["manager", "triage"],
      ["alice", "feedback"],
      ["alice", "feedback"],
    ]);

    const [post] = h.notifier.postsIn("management");
    expect(post).toMatchObject({ bugId: 1, buttons: [{ label: "Confirm", command: "confirm 1" }] });
    expect(post!.text).toMatch(/Feedback is in for \[#1\].* from @alice: 4h of work, deadline 10\.12\.2026/);

    const show = await h.run("manager", "show 1");
    expect(show.reply.text).toMatch(/waits for a timeline/);
  });

  it("records where it is already fixed and sets MantisBT's fixed-in version for production", async () => {
    await h.run("manager", "triage 2 @bob");
    const result = await h.run("bob", 'feedback 2 0h 2026-11-27 "Retry on serialization failures was added" fixed-in="production v1.0.0"');
    expect(result.kind).toBe("ok");
    const bug = await h.bug(2);
    expect(bug.status).toBe("new");
    expect(bug.fixedInVersion).toBe("1.0.0");
    expect(bug.notes.at(-1)!.text).toContain("Already fixed in production (version 1.0.0).");
    expect(await h.store.bugProcess.get(2)).toMatchObject({ fixedIn: "production 1.0.0", estimateMinutes: 0 });
    expect(h.notifier.postsIn("management")[0]!.text).toMatch(/already fixed in production \(version 1\.0\.0\)/);
  });

  it("accepts git and testing without a version", async () => {
    await h.run("manager", "triage 2 @bob");
    const result = await h.run("bob", 'feedback 2 1h 27.11.2026 "Fixed on master" fixed-in=git');
    expect(result.kind).toBe("ok");
    expect((await h.store.bugProcess.get(2))?.fixedIn).toBe("git");
    expect((await h.bug(2)).fixedInVersion).toBeUndefined();
  });

  it("goes straight to NEW, although a separate note by the reporter would make MantisBT move the bug to ASSIGNED", async () => {
    // Bug 25 was reported by the manager; management may give feedback for the developer.
    await h.run("manager", "triage 25 @bob");
    const from = h.sim.requests.length;
    const result = await h.run("manager", `feedback 25 3h 10.12.2026 ${PATH}`);
    expect(result.kind).toBe("ok");
    // Note and status in one PATCH: MantisBT keeps the status sent (OBSERVED.md).
    expect(h.sim.requests.slice(from).filter((request) => request.method !== "GET").map((request) => `${request.method} ${request.path}`)).toEqual([
      "PATCH /api/rest/issues/25",
    ]);
    expect(statusChanges(h, 25)).toEqual([
      [10, 20], // triage: NEW -> FEEDBACK
      [20, 10], // feedback: -> NEW, never through ASSIGNED
    ]);
    expect((await h.bug(25)).status).toBe("new");
    expect((await h.store.bugProcess.get(25))?.stage).toBe("timeline");
  });

  it("warns when the estimate does not fit before the deadline, but keeps the feedback", async () => {
    await h.run("manager", "triage 1 @alice");
    const result = await h.run("alice", `feedback 1 2w 27.11.2026 ${PATH}`);
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/Note: 2w of work does not fit into the working time left before 27\.11\.2026/);
    expect((await h.bug(1)).status).toBe("new");
  });

  it("refuses someone who does not handle the bug, naming the handler", async () => {
    await h.run("manager", "triage 1 @alice");
    const result = await h.run("bob", `feedback 1 4h 10.12.2026 ${PATH}`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toBe(
      "Bug #1 is handled by @alice: only @alice or management can run `feedback` on it. Ask @alice, or management to reassign it.",
    );
    expect((await h.bug(1)).status).toBe("feedback");
    expect((await h.bug(1)).notes).toHaveLength(0);
  });

  it("refuses a bug that does not wait for feedback, with what it needs next", async () => {
    const result = await h.run("alice", `feedback 13 4h 10.12.2026 ${PATH}`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Bug #13 is ASSIGNED and is being worked on: .* `feedback` needs a bug in FEEDBACK/);
    expect((await h.bug(13)).status).toBe("assigned");
  });

  it("refuses a second feedback: the bug then waits for a timeline", async () => {
    await h.run("manager", "triage 1 @alice");
    await h.run("alice", `feedback 1 4h 10.12.2026 ${PATH}`);
    const result = await h.run("alice", `feedback 1 2h 10.12.2026 ${PATH}`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/waits for a timeline .*`confirm 1/);
  });

  it.each([
    ["a malformed estimate", `feedback 1 4x 10.12.2026 ${PATH}`, /estimate: `4x` is not a work estimate/],
    ["a deadline in the past", `feedback 1 4h 1.11.2026 ${PATH}`, /deadline: 1\.11\.2026 is in the past \(today is 26\.11\.2026\)/],
    ["an impossible date", `feedback 1 4h 31.2.2027 ${PATH}`, /deadline: /],
    ["no path", "feedback 1 4h 10.12.2026", /path: missing/],
    ["an unknown place", `feedback 1 4h 10.12.2026 ${PATH} fixed-in=staging`, /fixed-in: `staging` does not say where it is fixed/],
    ["production without a version", `feedback 1 4h 10.12.2026 ${PATH} fixed-in=production`, /fixed-in: say which version is in production/],
    ["an unknown version", `feedback 1 4h 10.12.2026 ${PATH} fixed-in="production 9.9"`, /MantisBT knows no version "9\.9" .*known: 1\.1\.0, 1\.0\.0, 0\.9\.0\)/],
  ])("refuses %s and changes nothing", async (_case, line, message) => {
    await h.run("manager", "triage 1 @alice");
    const result = await h.run("alice", line);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    const bug = await h.bug(1);
    expect(bug.status).toBe("feedback");
    expect(bug.notes).toHaveLength(0);
    expect((await h.store.bugProcess.get(1))?.stage).toBe("feedback");
  });

  it("says clearly when the bug does not exist", async () => {
    const result = await h.run("alice", `feedback 99999 4h 10.12.2026 ${PATH}`);
    expect(result).toMatchObject({ kind: "refused", reply: { text: expect.stringMatching(/#99999 does not exist/) } });
  });

  it("keeps the feedback when chat is down, and says so", async () => {
    await h.run("manager", "triage 1 @alice");
    h.notifier.failWith = new Error("chat down");
    const result = await h.run("alice", `feedback 1 4h 10.12.2026 ${PATH}`);
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/could not send the note to management/);
    expect((await h.bug(1)).status).toBe("new");
  });
});

describe("feedback without impersonation", () => {
  it("names the developer in the note and still ends with NEW on a bug the bot reported", async () => {
    const plain = await startHarness({ impersonate: false });
    try {
      // Bug 7 was reported by the bot's own account, so the bot's note triggers MantisBT's reassign-on-feedback.
      expect((await plain.bug(7)).reporter?.name).toBe("administrator");
      const result = await plain.run("alice", `feedback 7 2h 10.12.2026 ${PATH}`);
      expect(result.kind).toBe("ok");
      const bug = await plain.bug(7);
      expect(bug.status).toBe("new");
      expect(statusChanges(plain, 7)).toEqual([[20, 10]]);
      const note = bug.notes.at(-1)!;
      expect(note.reporter.name).toBe("administrator");
      expect(note.text).toMatch(/^\[by Alice Developer via .*\]\nDeveloper feedback \(analysis\):/);
    } finally {
      await plain.close();
    }
  });
});
