import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

// Seed: bug 12 is CONFIRMED, handled by carol, subject "[2d, 10.1.2027] Wallet: show balances ...".
describe("start", () => {
  it("moves a CONFIRMED bug to ASSIGNED for its handler and reminds them to keep the tag current", async () => {
    const result = await h.run("carol", "start 12");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/\[#12\]\(.*\) is ASSIGNED: work has started\./);
    expect(result.reply.text).toContain("The subject says 2d of work left, deadline 10.1.2027.");
    expect(result.reply.text).toContain("`eta 12 <work left> <deadline>`");

    const bug = await h.bug(12);
    expect(bug).toMatchObject({ status: "assigned", handler: { name: "carol" } });
    expect(await h.store.bugProcess.get(12)).toMatchObject({ stage: "in-work", developer: "carol" });
    expect(await h.store.journal.list(12)).toEqual([expect.objectContaining({ actor: "carol", action: "start", command: "start" })]);
    expect(h.sim.requests.find((request) => request.method === "PATCH")!.headers["x-mantis-username"]).toBe("carol");
  });

  it("works after confirm, as the process goes", async () => {
    await h.run("manager", "triage 1 @alice");
    await h.run("alice", 'feedback 1 4h 10.12.2026 "fix in wallet-core"');
    await h.run("manager", "confirm 1");
    const result = await h.run("alice", "start 1");
    expect(result.kind).toBe("ok");
    expect((await h.bug(1)).status).toBe("assigned");
    expect((await h.run("alice", "show 1")).reply.text).toMatch(/is being worked on/);
  });

  it("lets management start it for the handler, who stays the handler", async () => {
    const result = await h.run("manager", "start 12");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain("(handled by @carol)");
    expect((await h.bug(12)).handler?.name).toBe("carol");
    expect((await h.store.bugProcess.get(12))?.developer).toBe("carol");
  });

  it("makes the caller the handler of a confirmed bug nobody handles", async () => {
    await h.tracker.updateBug(12, { handler: null });
    const result = await h.run("bob", "start 12");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/is ASSIGNED to you/);
    expect((await h.bug(12)).handler?.name).toBe("bob");
  });

  it("refuses someone who does not handle the bug", async () => {
    const result = await h.run("bob", "start 12");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Bug #12 is handled by @carol: only @carol or management can run `start` on it/);
    expect((await h.bug(12)).status).toBe("confirmed");
  });

  it("refuses a bug that is not CONFIRMED, with what it needs next", async () => {
    await h.run("manager", "triage 1 @alice");
    const result = await h.run("alice", "start 1");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Bug #1 is FEEDBACK and waits for developer feedback: .* `start` needs a CONFIRMED bug\./);
    expect((await h.bug(1)).status).toBe("feedback");
    expect(await h.store.journal.list(1)).toHaveLength(1);
  });

  it("refuses a malformed bug number with the usage line", async () => {
    const result = await h.run("carol", "start twelve");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/bug: must be a bug number such as #1234/);
    expect(result.reply.text).toContain("/support start <bug>");
  });

  it("says clearly when the bug does not exist", async () => {
    const result = await h.run("carol", "start 99999");
    expect(result).toMatchObject({ kind: "refused", reply: { text: expect.stringMatching(/#99999 does not exist/) } });
  });
});

describe("start without impersonation", () => {
  it("changes the bug as the bot and journals the developer", async () => {
    const plain = await startHarness({ impersonate: false });
    try {
      expect((await plain.run("carol", "start 12")).kind).toBe("ok");
      expect((await plain.bug(12)).status).toBe("assigned");
      expect(plain.sim.requests.find((request) => request.method === "PATCH")!.headers["x-mantis-username"]).toBeUndefined();
      expect(await plain.store.journal.list(12)).toEqual([expect.objectContaining({ actor: "carol", action: "start" })]);
    } finally {
      await plain.close();
    }
  });
});
