import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

// Seed (clock 26.11.2026): bug 14 ASSIGNED to bob "[1d, 28.11.2026] Merchant: order status page ...";
// bug 13 ASSIGNED to alice, Customer, "[4h, 23.11.2026] Exchange: wire fees ..."; bug 16 ASSIGNED to
// alice without a tag; bug 12 CONFIRMED for carol.
const REST_14 = "Merchant: order status page does not refresh after payment in Safari";

describe("eta", () => {
  it("rewrites only the tag and records the update time; an earlier deadline needs no note", async () => {
    h.clock.now = new Date("2026-11-26T15:30:00Z");
    const result = await h.run("bob", "eta 14 4h 27.11.2026");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain(`now reads "\\[4h, 27.11.2026\\] ${REST_14}"`);

    const bug = await h.bug(14);
    expect(bug.summary).toBe(`[4h, 27.11.2026] ${REST_14}`);
    expect(bug.status).toBe("assigned");
    expect(bug.notes.filter((note) => note.text.includes("Deadline moved"))).toEqual([]);
    expect(await h.store.bugProcess.get(14)).toMatchObject({ estimateMinutes: 240, deadline: "2026-11-27" });
    expect(await h.store.estimates.latest(14)).toMatchObject({ source: "eta", actor: "bob", at: new Date("2026-11-26T15:30:00Z"), estimateMinutes: 240, deadline: "2026-11-27" });
    expect(await h.store.journal.list(14)).toEqual([expect.objectContaining({ actor: "bob", action: "eta", command: "eta" })]);
    expect(h.notifier.sent).toEqual([]);
  });

  it("puts a later deadline in writing: public note with the reason, and management is told", async () => {
    const result = await h.run("bob", 'eta 14 1d 4.12.2026 "the Safari fix needs a WebKit workaround"');
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/The deadline moved later, so it is now in writing, as the seed asks: a public note on #14 says so, and management has been told\./);

    const bug = await h.bug(14);
    expect(bug.summary).toBe(`[1d, 4.12.2026] ${REST_14}`);
    const note = bug.notes.at(-1)!;
    expect(note.private).toBe(false);
    expect(note.reporter.name).toBe("bob");
    expect(note.text).toBe("Deadline moved from 28.11.2026 to 4.12.2026 (work left: 1d).\nReason: the Safari fix needs a WebKit workaround");
    expect((await h.store.journal.list(14)).map((entry) => entry.action)).toEqual(["eta", "deadline-moved"]);

    const [post] = h.notifier.postsIn("management");
    expect(post!.bugId).toBe(14);
    expect(post!.text).toMatch(/@bob moved the deadline of \[#14\].* from 28\.11\.2026 to 4\.12\.2026 \(work left: 1d\)\. Reason: the Safari fix/);
  });

  it("suggests a reason when none was given, and reminds that a waiting customer may need to be told", async () => {
    const result = await h.run("alice", "eta 13 2h 1.12.2026");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain('(give a reason next time: `eta 13 2h 1.12.2026 "why"`)');
    expect(result.reply.text).toContain("A customer is waiting on this bug: whoever answered them may need to tell them.");
    expect((await h.bug(13)).notes.at(-1)!.text).toBe("Deadline moved from 23.11.2026 to 1.12.2026 (work left: 2h).");
  });

  it("names the communicator recorded by confirm", async () => {
    await h.run("manager", "triage 1 @alice");
    await h.run("alice", 'feedback 1 4h 1.12.2026 "fix in wallet-core"');
    await h.run("manager", "confirm 1 communicator=@carol");
    await h.run("alice", "start 1");
    const result = await h.run("alice", "eta 1 4h 8.12.2026");
    expect(result.reply.text).toContain("@carol may need to tell them");
    expect((await h.store.estimates.list(1)).map((update) => update.source)).toEqual(["feedback", "confirm", "eta"]);
  });

  it("adds a tag to a subject that has none", async () => {
    const before = await h.bug(16);
    const result = await h.run("alice", "eta 16 3h 2.12.2026");
    expect(result.kind).toBe("ok");
    expect((await h.bug(16)).summary).toBe(`[3h, 2.12.2026] ${before.summary}`);
    expect(h.notifier.sent).toEqual([]);
  });

  it("works on a CONFIRMED bug before work starts", async () => {
    const result = await h.run("carol", "eta 12 1d 10.1.2027");
    expect(result.kind).toBe("ok");
    expect((await h.bug(12)).summary).toMatch(/^\[1d, 10\.1\.2027\] Wallet: show balances/);
    expect((await h.bug(12)).status).toBe("confirmed");
  });

  it("records an unchanged estimate as an update without touching MantisBT", async () => {
    const result = await h.run("bob", "eta 14 1d 28.11.2026");
    expect(result.kind).toBe("ok");
    expect(h.sim.requests.filter((request) => request.method === "PATCH")).toEqual([]);
    expect(await h.store.journal.list(14)).toEqual([expect.objectContaining({ action: "eta", details: expect.objectContaining({ unchanged: true }) })]);
    expect(await h.store.estimates.latest(14)).toMatchObject({ estimateMinutes: 480, deadline: "2026-11-28" });
  });

  it("warns when the work left does not fit before the deadline", async () => {
    const result = await h.run("bob", "eta 14 3d 28.11.2026");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/Note: 3d of work does not fit into the working time left before 28\.11\.2026/);
  });

  it("refuses someone who does not handle the bug", async () => {
    const result = await h.run("alice", "eta 14 4h 27.11.2026");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Bug #14 is handled by @bob: only @bob or management can run `eta` on it/);
    expect((await h.bug(14)).summary).toMatch(/^\[1d, 28\.11\.2026\]/);
  });

  it("refuses a bug that is not confirmed or in work", async () => {
    const result = await h.run("manager", "eta 1 4h 10.12.2026");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Bug #1 is NEW and waits for triage: .* `eta` needs a CONFIRMED bug or one being worked on\./);
    expect((await h.bug(1)).summary).not.toMatch(/^\[/);
  });

  it.each([
    ["a deadline in the past", "eta 14 4h 20.11.2026", /deadline: 20\.11\.2026 is in the past/],
    ["a malformed estimate", "eta 14 soon 27.11.2026", /estimate: `soon` is not a work estimate/],
    ["no deadline", "eta 14 4h", /deadline: missing/],
  ])("refuses %s and changes nothing", async (_case, line, message) => {
    const result = await h.run("bob", line);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    expect((await h.bug(14)).summary).toBe(`[1d, 28.11.2026] ${REST_14}`);
    expect(await h.store.estimates.list(14)).toEqual([]);
  });

  it("says clearly when the bug does not exist", async () => {
    const result = await h.run("bob", "eta 99999 4h 27.11.2026");
    expect(result).toMatchObject({ kind: "refused", reply: { text: expect.stringMatching(/#99999 does not exist/) } });
  });
});

describe("eta without impersonation", () => {
  it("names the developer in the deadline note", async () => {
    const plain = await startHarness({ impersonate: false });
    try {
      expect((await plain.run("bob", "eta 14 1d 4.12.2026")).kind).toBe("ok");
      const note = (await plain.bug(14)).notes.at(-1)!;
      expect(note.reporter.name).toBe("administrator");
      expect(note.text).toMatch(/^\[by Bob Developer via .*\]\nDeadline moved from 28\.11\.2026 to 4\.12\.2026/);
    } finally {
      await plain.close();
    }
  });
});
