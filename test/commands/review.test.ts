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

/** Bug #1 (tagged Customer) in work with alice, optionally with a drafted response. */
async function inWork(options: { draft?: boolean } = {}): Promise<void> {
  await bringBugTo(h, 1, { status: "assigned", handler: "alice", stage: "in-work", developer: "alice", fixedIn: "testing 1.1.0-rc1", ...(options.draft === false ? {} : { draftText: DRAFT }) });
}

describe("review", () => {
  it("hands the bug to the reviewer in FEEDBACK, records the stage and DMs them what to check", async () => {
    await inWork();
    const result = await h.run("alice", 'review 1 @bob "try a withdrawal of 50 CHF on staging"');
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toBe(`[#1](${h.sim.url}view.php?id=1) is now with @bob for review (status FEEDBACK). They have been sent what to check.`);
    const bug = await h.bug(1);
    expect(bug.status).toBe("feedback");
    expect(bug.handler?.name).toBe("bob");
    expect(await h.store.bugProcess.get(1)).toMatchObject({ stage: "review", reviewer: "bob", developer: "alice", draftText: DRAFT });
    expect(await h.store.journal.list(1)).toEqual([expect.objectContaining({ actor: "alice", action: "review", command: "review" })]);
    const [dm] = h.notifier.directsTo("bob");
    expect(dm?.bugId).toBe(1);
    expect(dm?.text).toContain("@alice asks you to review the fix for [#1](");
    expect(dm?.text).toContain("Android wallet shows withdrawal as pending");
    expect(dm?.text).toContain("try to reproduce the original issue");
    expect(dm?.text).toContain("- Where it is fixed: in testing (version 1.1.0-rc1)");
    expect(dm?.text).toContain("- Notes from the developer: try a withdrawal of 50 CHF on staging");
    expect(dm?.text).toContain(`  > ${DRAFT}`);
    expect(dm?.text).toContain('`verdict 1 pass` or `verdict 1 fail "what is still wrong"`');
    expect(dm?.buttons).toEqual([{ label: "Pass", command: "verdict 1 pass", style: "primary" }]);
  });

  it("lets management send someone's fix to review, keeping the developer", async () => {
    await inWork();
    const result = await h.run("manager", "review 1 @carol");
    expect(result.kind).toBe("ok");
    expect(await h.store.bugProcess.get(1)).toMatchObject({ stage: "review", reviewer: "carol", developer: "alice" });
    expect(h.notifier.directsTo("carol")[0]?.text).toContain("@manager (for @alice) asks you to review");
  });

  it("refuses the developer as their own reviewer, and changes nothing", async () => {
    await inWork();
    const result = await h.run("alice", "review 1 @alice");
    expect(result).toMatchObject({ kind: "refused", reply: { text: "@alice made the fix for #1; the review needs another staff member (@manager, @bob, @carol)." } });
    expect((await h.bug(1)).status).toBe("assigned");
    expect(await h.store.journal.list(1)).toEqual([]);
    expect(h.notifier.sent).toEqual([]);
  });

  it("refuses a customer's bug without a drafted response", async () => {
    await inWork({ draft: false });
    const result = await h.run("alice", "review 1 @bob");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toBe("Bug #1 came from a customer and has no drafted response yet: draft one first (`draft 1 ...`), then send it to review.");
    expect((await h.bug(1)).handler?.name).toBe("alice");
  });

  it("sends a bug without a customer to review without a draft", async () => {
    await h.tracker.updateBug(2, { status: "assigned", handler: "carol" });
    const result = await h.run("carol", "review 2 @bob");
    expect(result.kind).toBe("ok");
    expect(await h.bug(2)).toMatchObject({ status: "feedback", handler: { name: "bob" } });
    expect(await h.store.bugProcess.get(2)).toMatchObject({ stage: "review", reviewer: "bob", developer: "carol" });
  });

  it("refuses a staff member who does not handle the bug", async () => {
    await inWork();
    const result = await h.run("carol", "review 1 @bob");
    expect(result).toMatchObject({ kind: "refused", reply: { text: "Only the developer of #1 (@alice) or management can send it to review." } });
    expect((await h.bug(1)).status).toBe("assigned");
  });

  it("refuses a bug that is not in work, saying what it needs next", async () => {
    const result = await h.run("manager", "review 1 @bob");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/^Bug #1 is NEW and waits for triage: management triages it first .* `review` needs a bug being worked on \(ASSIGNED\)\.$/);
    expect((await h.bug(1)).status).toBe("new");
  });

  it("refuses a bug that is already in review", async () => {
    await inWork();
    await h.run("alice", "review 1 @bob");
    const result = await h.run("alice", "review 1 @carol");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/^Bug #1 is FEEDBACK and is in review: @bob tries to reproduce/);
    expect((await h.bug(1)).handler?.name).toBe("bob");
  });

  it.each([
    ["review 1", /reviewer: missing/],
    ["review x @bob", /bug: must be a bug number such as #1234/],
    ["review 1 bob!", /reviewer: must be a staff handle such as @alice/],
  ])("gives the usage line for %j", async (line, message) => {
    const result = await h.run("alice", line);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    expect(result.reply.text).toContain("Usage: `/support review <bug> @reviewer");
  });

  it("names the known staff when the reviewer is unknown", async () => {
    await inWork();
    const result = await h.run("alice", "review 1 @zoe");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/I know no staff member "@zoe"\. Known staff: @manager, @alice, @bob, @carol\./);
    expect((await h.bug(1)).status).toBe("assigned");
  });

  it("says clearly when the bug does not exist", async () => {
    const result = await h.run("alice", "review 99999 @bob");
    expect(result).toMatchObject({ kind: "refused", reply: { text: expect.stringMatching(/#99999 does not exist/) } });
  });

  it("keeps the review when the DM fails, and says so", async () => {
    await inWork();
    h.notifier.failWith = new Error("chat down");
    const result = await h.run("alice", "review 1 @bob");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain("(I could not send the review request to @bob yet; I will keep trying. The change itself is done.)");
    expect((await h.bug(1)).status).toBe("feedback");
  });

  it("explains to an unknown chat user how to get linked, and changes nothing", async () => {
    await inWork();
    const before = (await h.bug(1)).status;
    const result = await h.run("mallory", "review 1 @bob");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/not linked/);
    expect((await h.bug(1)).status).toBe(before);
  });
});
