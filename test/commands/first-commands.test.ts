import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatDuration } from "../../src/core/duration.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("show", () => {
  it("shows status, stage, handler, priority, tags, link and the next step", async () => {
    const result = await h.run("manager", "show #1");
    expect(result.kind).toBe("ok");
    const text = result.reply.text;
    expect(text).toContain(`[#1](${h.sim.url}view.php?id=1)`);
    expect(text).toMatch(/Status: \*\*NEW\*\*, waits for triage/);
    expect(text).toContain("Handler: nobody yet");
    expect(text).toContain("Tags: Customer");
    expect(text).toMatch(/Next: management triages it first/);
  });

  it("reads work left and deadline from the subject tag", async () => {
    const tagged = (await h.tracker.listBugs({ page: 1, pageSize: 100 })).find((bug) => /^\[\d+h, \d+\.\d+\.\d{4}\]/.test(bug.summary))!;
    const result = await h.run("alice", `show ${tagged.id}`);
    const [, hours, deadline] = /^\[(\d+)h, (\d+\.\d+\.\d{4})\]/.exec(tagged.summary)!;
    expect(result.reply.text).toContain(`Work left: ${formatDuration(Number(hours) * 60)}, deadline: ${deadline}`);
  });

  it("lists a bug's sub-bugs with their status, handler and stage, and names a sub-bug's parent", async () => {
    // Seeded: #17 (in work) is parent-of #18 (NEW); #18 gets bob's feedback and waits for its timeline.
    await h.run("manager", "triage 18 @bob");
    await h.run("bob", 'feedback 18 2h 10.12.2026 "fixture only"');
    const parent = await h.run("alice", "show 17");
    expect(parent.reply.text).toContain(`- Sub-bugs (1):\n  - [#18](${h.sim.url}view.php?id=18) **NEW**, @bob, waits for a timeline (the developer's feedback is in)`);
    const child = await h.run("alice", "show 18");
    expect(child.reply.text).toContain("- Sub-bug of #17");
    expect(child.reply.text).not.toContain("Sub-bugs (");
  });

  it("takes a link to the bug as the tracker shows it, and only the tracker's own links", async () => {
    const result = await h.run("manager", `show ${h.sim.url}view.php?id=1`);
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain(`[#1](${h.sim.url}view.php?id=1)`);
    const other = await h.run("manager", "show https://example.com/issues/1");
    expect(other.kind).toBe("refused");
    expect(other.reply.text).toMatch(/bug: must be a bug number such as #1234/);
  });

  it("says clearly when the bug does not exist", async () => {
    const result = await h.run("alice", "show 99999");
    expect(result).toMatchObject({ kind: "refused", reply: { text: expect.stringMatching(/#99999 does not exist/) } });
  });

  it("gives the usage line for a malformed bug number", async () => {
    const result = await h.run("alice", "show abc");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/bug: must be a bug number such as #1234/);
    expect(result.reply.text).toContain("/support show <bug>");
  });
});

describe("new", () => {
  it("lists the NEW unassigned bugs, oldest first, with links", async () => {
    const result = await h.run("manager", "new");
    expect(result.kind).toBe("ok");
    const all = await h.tracker.listBugs({ page: 1, pageSize: 100 });
    const expected = all.filter((bug) => bug.status === "new").map((bug) => bug.id);
    for (const id of expected) expect(result.reply.text).toContain(`[#${id}](`);
    const notNew = all.find((bug) => bug.status === "confirmed")!;
    expect(result.reply.text).not.toContain(`[#${notNew.id}](`);
  });

  it("offers staff a Grab button for the oldest bug", async () => {
    const result = await h.run("alice", "new");
    expect(result.reply.buttons?.[0]).toMatchObject({ command: expect.stringMatching(/^grab \d+$/) });
  });
});

describe("grab", () => {
  it("makes the caller the handler, sets FEEDBACK, journals it and tells management", async () => {
    const result = await h.run("alice", "grab 1");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/You now handle \[#1\]/);
    const bug = await h.bug(1);
    expect(bug.status).toBe("feedback");
    expect(bug.handler?.name).toBe("alice");
    expect(await h.store.bugProcess.get(1)).toMatchObject({ stage: "feedback", developer: "alice" });
    expect(await h.store.journal.list(1)).toEqual([expect.objectContaining({ actor: "alice", action: "grab", command: "grab" })]);
    expect(h.notifier.postsIn("management")).toEqual([expect.objectContaining({ bugId: 1, text: expect.stringMatching(/@alice grabbed \[#1\]/) })]);
  });

  it("acts as the caller in MantisBT (impersonation header)", async () => {
    await h.run("alice", "grab 1");
    const patch = h.sim.requests.find((request) => request.method === "PATCH" && request.path.endsWith("/issues/1"))!;
    expect(patch.headers["x-mantis-username"]).toBe("alice");
  });

  it("refuses a bug someone else already handles, and changes nothing", async () => {
    await h.run("alice", "grab 1");
    const result = await h.run("bob", "grab 1");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/#1/);
    expect((await h.bug(1)).handler?.name).toBe("alice");
    expect(await h.store.journal.list(1)).toHaveLength(1);
  });

  it("refuses a closed bug with what it needs", async () => {
    const closed = (await h.tracker.listBugs({ page: 1, pageSize: 100 })).find((bug) => bug.status === "closed")!;
    const result = await h.run("bob", `grab ${closed.id}`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/CLOSED/);
    expect((await h.bug(closed.id)).status).toBe("closed");
  });

  it("refuses bugs that touch customer data: management must assign them", async () => {
    const sensitive = await h.bug(2);
    expect(sensitive.status).toBe("new");
    expect(sensitive.handler).toBeUndefined();
    await h.tracker.addTags(sensitive.id, ["customer-data"]);
    const result = await h.run("bob", `grab ${sensitive.id}`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/customer accounts or data/);
    expect((await h.bug(sensitive.id)).status).toBe("new");
  });

  it("keeps the change when the chat notification fails, and says so", async () => {
    h.notifier.failWith = new Error("chat down");
    const result = await h.run("alice", "grab 1");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/could not send the note to management/);
    expect((await h.bug(1)).status).toBe("feedback");
  });

  it("explains to an unknown chat user how to get linked", async () => {
    const result = await h.run("mallory", "grab 1");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/not linked/);
    expect((await h.bug(1)).status).toBe("new");
  });
});

describe("mine", () => {
  it("lists the caller's open bugs grouped by stage", async () => {
    await h.run("alice", "grab 1");
    const result = await h.run("alice", "mine");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/Waits for developer feedback \(\d+\):\n(- .*\n)*- \[#1\]/);
    const all = await h.tracker.listBugs({ page: 1, pageSize: 100 });
    const bobs = all.find((bug) => bug.handler?.name === "bob" && bug.status !== "closed" && bug.status !== "resolved")!;
    expect(result.reply.text).not.toContain(`[#${bobs.id}](`);
  });

  it("says so when the caller handles nothing", async () => {
    const result = await h.run("carol", "mine");
    const all = await h.tracker.listBugs({ page: 1, pageSize: 100 });
    const carolHasOpen = all.some((bug) => bug.handler?.name === "carol" && !["resolved", "closed"].includes(bug.status));
    if (carolHasOpen) expect(result.reply.text).toMatch(/Your open bugs/);
    else expect(result.reply.text).toBe("You handle no open bugs right now.");
  });
});
