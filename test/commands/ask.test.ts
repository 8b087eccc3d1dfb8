import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { startHarness, type Harness } from "../support/harness.js";
import { bugIds } from "./incoming-helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const QUESTION = '"Does the exchange need a schema change for this?"';

/** Triage bug 1 to alice and ask bob; returns the sub-bug's id. */
async function askBob(harness: Harness): Promise<number> {
  await harness.run("manager", "triage 1 @alice");
  const result = await harness.run("alice", `ask 1 @bob ${QUESTION}`);
  expect(result.kind).toBe("ok");
  const match = /Opened \[#(\d+)\]/.exec(result.reply.text);
  expect(match).not.toBeNull();
  return Number(match![1]);
}

describe("ask", () => {
  it("opens a sub-bug in FEEDBACK for the developer, as a child of the bug, and DMs them", async () => {
    const parent = await h.bug(1);
    const subId = await askBob(h);

    const sub = await h.bug(subId);
    expect(sub).toMatchObject({ status: "feedback", handler: { name: "bob" }, reporter: { name: "alice" }, priority: parent.priority, private: false });
    expect(sub.category).toBe(parent.category);
    expect(sub.tags).toEqual([]);
    expect(sub.summary).toBe("Feedback for #1: Does the exchange need a schema change for this?");
    expect(sub.description).toContain("Does the exchange need a schema change for this?");
    expect(sub.relationships).toEqual([expect.objectContaining({ type: "child-of", otherBugId: 1 })]);
    expect((await h.bug(1)).relationships).toEqual([expect.objectContaining({ type: "parent-of", otherBugId: subId })]);
    expect((await h.bug(1)).status).toBe("feedback");

    expect(await h.store.subFeedback.get(subId)).toMatchObject({ parentBugId: 1, askedBy: "alice", askedOf: "bob" });
    expect(await h.store.subFeedback.pending(1)).toEqual([subId]);
    expect(await h.store.bugProcess.get(subId)).toMatchObject({ origin: "sub-feedback", stage: "feedback", developer: "bob" });
    expect((await h.store.journal.list(subId)).map((entry) => entry.action)).toEqual(["ask", "ask", "ask"]);
    expect((await h.store.journal.list(1)).at(-1)).toMatchObject({ actor: "alice", action: "ask", details: { subBugId: subId, developer: "bob" } });

    const [dm] = h.notifier.directsTo("bob");
    expect(dm!.bugId).toBe(subId);
    expect(dm!.text).toMatch(/@alice asks for your feedback in \[#\d+\].* \(sub-bug of \[#1\]/);
    expect(dm!.text).toContain(`\`feedback ${subId} <work left, e.g. 4h> <deadline, e.g. 14.3.2034> "path to resolution"\``);
  });

  it("journals every write on the sub-bug like any other change: filed, sent to feedback, linked to its parent", async () => {
    const subId = await askBob(h);
    const journal = await h.store.journal.list(subId);
    expect(journal.map((entry) => [entry.actor, entry.action, entry.command])).toEqual([
      ["alice", "ask", "ask"],
      ["alice", "ask", "ask"],
      ["alice", "ask", "ask"],
    ]);
    expect(journal[0]!.details).toMatchObject({ parentBugId: 1, developer: "bob" });
    expect(journal[1]!.details).toMatchObject({ parentBugId: 1, change: { stage: "feedback" }, state: "FEEDBACK" });
    // The link to the parent is on the sub-bug's own journal, not only on the parent's.
    expect(journal[2]!.details).toMatchObject({ parentBugId: 1, developer: "bob" });
    expect((await h.store.journal.list(1)).filter((entry) => entry.details["subBugId"] === subId)).toHaveLength(1);
  });

  it("keeps a private parent's sub-bug private", async () => {
    h.sim.database.updateBug(2, { view_state: 50 });
    await h.run("manager", "triage 2 @alice");
    const result = await h.run("alice", `ask 2 @carol ${QUESTION}`);
    expect(result.kind).toBe("ok");
    const subId = Number(/Opened \[#(\d+)\]/.exec(result.reply.text)![1]);
    expect((await h.bug(subId)).private).toBe(true);
  });

  it("holds back the parent's feedback until the sub-bug is answered, then tells the parent's handler", async () => {
    const subId = await askBob(h);
    const early = await h.run("alice", 'feedback 1 4h 10.12.2026 "fix in wallet-core"');
    expect(early.kind).toBe("refused");
    expect(early.reply.text).toBe(`Bug #1 still waits for feedback on #${subId}; collect that feedback first, then give yours.`);
    expect((await h.bug(1)).status).toBe("feedback");

    const answer = await h.run("bob", `feedback ${subId} 2h 3.12.2026 "No schema change; one new index"`);
    expect(answer.kind).toBe("ok");
    expect(answer.reply.text).toMatch(/sub-bug of #1; its handler was told the answer is in/);
    expect((await h.bug(subId)).status).toBe("new");
    expect(await h.store.subFeedback.get(subId)).toMatchObject({ answeredBy: "bob", answeredHow: "feedback" });
    expect(await h.store.subFeedback.pending(1)).toEqual([]);
    const [dm] = h.notifier.directsTo("alice").slice(-1);
    expect(dm!.text).toMatch(new RegExp(`@bob answered in #${subId} \\(sub-bug of #1\\): 2h of work, deadline 3\\.12\\.2026`));
    expect(dm!.text).toContain("Path: No schema change; one new index");
    expect(dm!.text).toContain("Every sub-bug has answered: give your feedback with `feedback 1");

    const done = await h.run("alice", 'feedback 1 4h 10.12.2026 "fix in wallet-core"');
    expect(done.kind).toBe("ok");
    expect((await h.bug(1)).status).toBe("new");
  });

  it("counts a sub-bug resolved in MantisBT by hand as answered", async () => {
    const subId = await askBob(h);
    await h.tracker.updateBug(subId, { status: "resolved" });
    const result = await h.run("alice", 'feedback 1 4h 10.12.2026 "fix in wallet-core"');
    expect(result.kind).toBe("ok");
    expect(await h.store.subFeedback.get(subId)).toMatchObject({ answeredBy: "alice", answeredHow: "tracker" });
  });

  it("opens no second sub-bug when the same question is asked again, and finishes one a failure left half-way", async () => {
    await h.run("manager", "triage 1 @alice");
    h.sim.failNext(503, "", { after: 2 }); // read the bug, create the sub-bug, then the PATCH to FEEDBACK fails
    const first = await h.run("alice", `ask 1 @bob ${QUESTION}`);
    expect(first.kind).toBe("failed");
    const subId = Number(/opened sub-bug #(\d+) for @bob/.exec(first.reply.text)![1]);
    expect(first.reply.text).toContain(`Not done:\n- set #${subId} to FEEDBACK\n- link #${subId} as a sub-bug of #1\n- tell @bob`);
    expect(h.notifier.directsTo("bob")).toEqual([]);

    const again = await h.run("alice", `ask 1 @bob ${QUESTION}`);
    expect(again.reply.text).toMatch(new RegExp(`^Finished opening \\[#${subId}\\]`));
    expect(await h.bug(subId)).toMatchObject({ status: "feedback", relationships: [expect.objectContaining({ type: "child-of", otherBugId: 1 })] });
    expect(h.notifier.directsTo("bob")).toHaveLength(1);

    const bugs = bugIds(h);
    const third = await h.run("alice", `ask 1 @bob ${QUESTION}`);
    expect(third.reply.text).toMatch(new RegExp(`^You already asked @bob this in \\[#${subId}\\].*; nothing changed\\.`));
    expect(bugIds(h)).toEqual(bugs);
    expect(await h.store.subFeedback.pending(1)).toEqual([subId]);
    expect(h.notifier.directsTo("bob")).toHaveLength(1);
  });

  it("lets management ask on the handler's behalf", async () => {
    await h.run("manager", "triage 1 @alice");
    const result = await h.run("manager", `ask 1 @carol ${QUESTION}`);
    expect(result.kind).toBe("ok");
    expect(h.notifier.directsTo("carol")).toHaveLength(1);
  });

  it("refuses someone who does not handle the bug", async () => {
    await h.run("manager", "triage 1 @alice");
    const result = await h.run("carol", `ask 1 @bob ${QUESTION}`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Bug #1 is handled by @alice: only @alice or management can run `ask` on it/);
    expect((await h.bug(1)).relationships).toEqual([]);
  });

  it("refuses a bug that is not in FEEDBACK", async () => {
    const result = await h.run("alice", `ask 13 @bob ${QUESTION}`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Bug #13 is ASSIGNED .* `ask` needs a bug in FEEDBACK \(analysis or review\)/);
  });

  it.each([
    ["an unknown developer", `ask 1 @mallory ${QUESTION}`, /I know no staff member "@mallory"\. Known staff: @manager, @alice, @bob, @carol/],
    ["the handler themself", `ask 1 @alice ${QUESTION}`, /@alice already handles #1; ask another developer/],
    ["no question", "ask 1 @bob", /question: missing/],
    ["no developer", `ask 1 ${QUESTION}`, /developer: must be a staff handle such as @alice/],
  ])("refuses %s and opens nothing", async (_case, line, message) => {
    await h.run("manager", "triage 1 @alice");
    const before = (await h.tracker.listBugs({ page: 1, pageSize: 100 })).length;
    const result = await h.run("alice", line);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    expect((await h.tracker.listBugs({ page: 1, pageSize: 100 })).length).toBe(before);
  });

  it("says clearly when the bug does not exist", async () => {
    const result = await h.run("alice", `ask 99999 @bob ${QUESTION}`);
    expect(result).toMatchObject({ kind: "refused", reply: { text: expect.stringMatching(/#99999 does not exist/) } });
  });
});

describe("ask without impersonation", () => {
  it("files the sub-bug as the bot, and the answer still ends with NEW although the bot is its reporter", async () => {
    const plain = await startHarness({ impersonate: false });
    try {
      const subId = await askBob(plain);
      const sub = await plain.bug(subId);
      expect(sub.reporter?.name).toBe("administrator");
      expect(sub.description).toContain("@alice asks for feedback on #1");
      const answer = await plain.run("bob", `feedback ${subId} 0h 3.12.2026 "Nothing to change on the exchange"`);
      expect(answer.kind).toBe("ok");
      const answered = await plain.bug(subId);
      expect(answered.status).toBe("new");
      expect(answered.notes.at(-1)!.text).toMatch(/^\[by Bob Developer via .*\]\nDeveloper feedback/);
    } finally {
      await plain.close();
    }
  });
});
