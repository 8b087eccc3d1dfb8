import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bringBugTo } from "../support/bring-bug-to.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const DRAFT = "We fixed the wallet so that it shows confirmed withdrawals right away.";
const link = (id: number): string => `[#${id}](${h.sim.url}view.php?id=${id})`;

/** Bug #1 (tagged Customer) in review by bob, fixed by alice, confirmed by the manager. */
async function customerBugInReview(): Promise<void> {
  await bringBugTo(h, 1, { status: "feedback", handler: "bob", origin: "call", stage: "review", developer: "alice", reviewer: "bob", confirmedBy: "manager", draftText: DRAFT });
}

/** Bug #2 (no customer) in review by carol, fixed by alice. */
async function internalBugInReview(): Promise<void> {
  await bringBugTo(h, 2, { status: "feedback", handler: "carol", stage: "review", developer: "alice", reviewer: "carol" });
}

describe("verdict pass", () => {
  it("gives a customer's bug to whoever confirmed it (ASSIGNED, resolution) and DMs them the draft", async () => {
    await customerBugInReview();
    const result = await h.run("bob", "verdict 1 pass");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toBe(`${link(1)} passed review. It is now with @manager to tell the customer (ASSIGNED, resolution), with the developer's draft.`);
    expect(await h.bug(1)).toMatchObject({ status: "assigned", handler: { name: "manager" } });
    expect(await h.store.bugProcess.get(1)).toMatchObject({ stage: "resolution", communicator: "manager", developer: "alice", reviewer: "bob" });
    expect(await h.store.journal.list(1)).toEqual([expect.objectContaining({ actor: "bob", action: "verdict-pass", command: "verdict" })]);
    const [dm] = h.notifier.directsTo("manager");
    expect(dm?.text).toContain(`${link(1)} Android wallet shows withdrawal as pending`);
    expect(dm?.text).toContain("passed review (@bob). Please tell the customer that we fixed it.");
    expect(dm?.text).toContain(`> ${DRAFT}`);
    expect(dm?.text).toContain("Run `notify 1` when you send it");
    expect(dm?.buttons).toEqual([{ label: "Notify the customer", command: "notify 1" }]);
  });

  it("gives it to whoever told the customer we are investigating, when confirm named someone", async () => {
    await customerBugInReview();
    await h.store.bugProcess.update(1, { communicator: "carol" });
    await h.run("bob", "verdict 1 pass");
    expect((await h.bug(1)).handler?.name).toBe("carol");
    expect(h.notifier.directsTo("carol")).toHaveLength(1);
  });

  it("gives it to the staff member named instead", async () => {
    await customerBugInReview();
    const result = await h.run("bob", "verdict 1 pass @carol");
    expect(result.kind).toBe("ok");
    expect((await h.bug(1)).handler?.name).toBe("carol");
    expect((await h.store.bugProcess.get(1))?.communicator).toBe("carol");
    expect(h.notifier.directsTo("carol")).toHaveLength(1);
    expect(h.notifier.directsTo("manager")).toEqual([]);
  });

  it("falls back to management when nobody confirmed the bug", async () => {
    await customerBugInReview();
    await h.store.bugProcess.update(1, { confirmedBy: undefined });
    await h.run("bob", "verdict 1 pass");
    expect((await h.bug(1)).handler?.name).toBe("manager");
  });

  it("marks a bug without a customer RESOLVED directly and tells the developer", async () => {
    await internalBugInReview();
    const result = await h.run("carol", "verdict 2 pass");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toBe(`${link(2)} passed review and is RESOLVED (no customer to tell); management closes it with the next release.`);
    expect((await h.bug(2)).status).toBe("resolved");
    expect((await h.store.bugProcess.get(2))?.stage).toBe("resolved");
    expect(h.notifier.directsTo("alice")[0]?.text).toContain("@carol passed your fix for [#2](");
  });

  it("refuses a communicator for a bug without a customer", async () => {
    await internalBugInReview();
    const result = await h.run("carol", "verdict 2 pass @bob");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/^Bug #2 is not a customer's bug \(no Customer tag\)/);
    expect((await h.bug(2)).status).toBe("feedback");
  });

  it("lets management give the verdict for the reviewer", async () => {
    await customerBugInReview();
    const result = await h.run("manager", "verdict 1 pass @carol");
    expect(result.kind).toBe("ok");
    expect((await h.bug(1)).handler?.name).toBe("carol");
  });
});

describe("verdict with sub-bugs", () => {
  /** Bug #2 in review by carol, who asks bob in a sub-bug; returns the sub-bug's id. */
  async function reviewWithSubBug(): Promise<number> {
    await internalBugInReview();
    const asked = await h.run("carol", 'ask 2 @bob "Does the fix need a migration?"');
    expect(asked.kind).toBe("ok");
    return Number(/Opened \[#(\d+)\]/.exec(asked.reply.text)![1]);
  }

  it("refuses a pass while a sub-bug is open, naming it and what it needs, and changes nothing", async () => {
    const subId = await reviewWithSubBug();
    const result = await h.run("carol", "verdict 2 pass");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toBe(
      [
        `Bug #2 waits for its sub-bug #${subId} to be resolved first (the tracker resolves a bug only after its sub-bugs); nothing was changed.`,
        `- #${subId} (@bob) waits for developer feedback: @bob urgently gives feedback: is the problem clear, what is the path to a fix, and a realistic, conservative timeline (\`feedback ${subId} ...\`); other developers can be asked with \`ask ${subId} @developer\``,
      ].join("\n"),
    );
    expect(await h.bug(2)).toMatchObject({ status: "feedback", handler: { name: "carol" } });
    expect((await h.store.bugProcess.get(2))?.stage).toBe("review");
    expect((await h.store.journal.list(2)).map((entry) => entry.action)).toEqual(["ask"]);
  });

  it("passes once the sub-bug is resolved", async () => {
    const subId = await reviewWithSubBug();
    await h.tracker.updateBug(subId, { status: "resolved" });
    expect((await h.run("carol", "verdict 2 pass")).kind).toBe("ok");
    expect((await h.bug(2)).status).toBe("resolved");
  });

  it("lets a failed review go back to work while a sub-bug is open", async () => {
    await reviewWithSubBug();
    expect((await h.run("carol", 'verdict 2 fail "still slow"')).kind).toBe("ok");
    expect(await h.bug(2)).toMatchObject({ status: "assigned", handler: { name: "alice" } });
  });
});

describe("verdict fail", () => {
  it("hands the bug back to the developer in work, with the reason as a public note", async () => {
    await customerBugInReview();
    const result = await h.run("bob", 'verdict 1 fail "still pending after a reload"');
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toBe(`${link(1)} goes back to @alice (ASSIGNED, in work); your reason is a note on the bug and they have been told.`);
    const bug = await h.bug(1);
    expect(bug).toMatchObject({ status: "assigned", handler: { name: "alice" } });
    expect(bug.notes.at(-1)).toMatchObject({ text: "Review: not fixed yet. still pending after a reload", private: false, reporter: { name: "bob" } });
    expect(await h.store.bugProcess.get(1)).toMatchObject({ stage: "in-work", developer: "alice", draftText: DRAFT });
    expect((await h.store.journal.list(1)).map((entry) => entry.action)).toEqual(["verdict-fail", "verdict-fail-note"]);
    const [dm] = h.notifier.directsTo("alice");
    expect(dm?.text).toContain("**not fixed yet**");
    expect(dm?.text).toContain("> still pending after a reload");
    expect(dm?.text).toContain("`review 1 @bob`");
  });

  it("takes the reason without quotes too", async () => {
    await internalBugInReview();
    await h.run("carol", "verdict 2 fail still 500 under load");
    expect((await h.bug(2)).notes.at(-1)?.text).toBe("Review: not fixed yet. still 500 under load");
  });
});

describe("verdict refusals", () => {
  it("refuses someone who is neither the reviewer nor management", async () => {
    await customerBugInReview();
    const result = await h.run("alice", "verdict 1 pass");
    expect(result).toMatchObject({ kind: "refused", reply: { text: "Only the reviewer of #1 (@bob) or management can give its verdict." } });
    expect((await h.bug(1)).status).toBe("feedback");
  });

  it("refuses a bug that is not in review, saying what it needs next", async () => {
    await bringBugTo(h, 1, { status: "assigned", handler: "alice", stage: "in-work", developer: "alice" });
    const result = await h.run("alice", "verdict 1 pass");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/^Bug #1 is ASSIGNED and is being worked on: @alice fixes it, .* `verdict` needs a bug in review \(FEEDBACK\)\.$/);
    expect((await h.bug(1)).status).toBe("assigned");
    expect(await h.store.journal.list(1)).toEqual([]);
  });

  it("refuses a bug in FEEDBACK for analysis (not review)", async () => {
    const result = await h.run("manager", "verdict 6 pass");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/^Bug #6 is FEEDBACK and waits for developer feedback/);
  });

  it("asks for the outcome when it is missing", async () => {
    await customerBugInReview();
    const result = await h.run("bob", "verdict 1");
    expect(result).toMatchObject({ kind: "refused", reply: { text: "Say how the review of bug #1 went: `verdict 1 pass` or `verdict 1 fail`." } });
  });

  it.each([
    ["verdict 1 maybe", /outcome: must be pass or fail/],
    ["verdict 1 fail", /reason: missing: say what is still wrong/],
    ["verdict 1 pass @carol @bob", /communicator: a pass takes at most one @handle/],
    ["verdict 1 pass carol!", /communicator: must be a staff handle such as @carol/],
    ["verdict one pass", /bug: must be a bug number/],
  ])("gives the usage line for %j", async (line, message) => {
    await customerBugInReview();
    const result = await h.run("bob", line);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    expect(result.reply.text).toContain("Usage: `/support verdict <bug> pass|fail");
    expect((await h.bug(1)).status).toBe("feedback");
  });

  it("refuses an unknown communicator", async () => {
    await customerBugInReview();
    const result = await h.run("bob", "verdict 1 pass @zoe");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/I know no staff member "@zoe"/);
    expect((await h.bug(1)).status).toBe("feedback");
  });

  it("says clearly when the bug does not exist", async () => {
    const result = await h.run("bob", "verdict 99999 pass");
    expect(result).toMatchObject({ kind: "refused", reply: { text: expect.stringMatching(/#99999 does not exist/) } });
  });

  it("explains to an unknown chat user how to get linked, and changes nothing", async () => {
    await customerBugInReview();
    const before = (await h.bug(1)).status;
    const result = await h.run("mallory", "verdict 1 pass");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/not linked/);
    expect((await h.bug(1)).status).toBe(before);
  });
});
