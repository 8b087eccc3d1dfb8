import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { StaffDirectory } from "../../src/identity.js";
import { requireAssignableStaff } from "../../src/process/require-handler.js";
import { createMantisTracker } from "../../src/tracker/mantis/mantis-tracker.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("triage", () => {
  it("sets handler, priority and FEEDBACK, journals it and DMs the developer the exact feedback command", async () => {
    const result = await h.run("manager", "triage 2 @alice priority=urgent");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/\[#2\]\(.*\) is now handled by @alice, status FEEDBACK, priority urgent/);

    const bug = await h.bug(2);
    expect(bug).toMatchObject({ status: "feedback", priority: "urgent", handler: { name: "alice" } });
    expect(await h.store.bugProcess.get(2)).toMatchObject({ stage: "feedback", developer: "alice" });
    expect(await h.store.journal.list(2)).toEqual([expect.objectContaining({ actor: "manager", action: "triage", command: "triage" })]);

    const [dm, ...more] = h.notifier.directsTo("alice");
    expect(more).toEqual([]);
    expect(dm!.bugId).toBe(2);
    expect(dm!.text).toMatch(/urgent/);
    expect(dm!.text).toContain('`feedback 2 <work left, e.g. 4h> <deadline, e.g. 14.3.2034> "path to resolution"`');
  });

  it("keeps the priority when none is given", async () => {
    const before = await h.bug(3);
    await h.run("manager", "triage 3 @bob");
    const bug = await h.bug(3);
    expect(bug.priority).toBe(before.priority);
    expect(bug.handler?.name).toBe("bob");
  });

  it("acts as the manager in MantisBT", async () => {
    await h.run("manager", "triage 2 @alice");
    const patch = h.sim.requests.find((request) => request.method === "PATCH" && request.path.endsWith("/issues/2"))!;
    expect(patch.headers["x-mantis-username"]).toBe("manager");
  });

  it("overrides a handler set in MantisBT by hand and says who had it", async () => {
    await h.tracker.updateBug(2, { handler: "carol" });
    const result = await h.run("manager", "triage 2 @alice");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/it was handled by @carol/);
    expect((await h.bug(2)).handler?.name).toBe("alice");
  });

  it("refuses staff: only management triages", async () => {
    const result = await h.run("alice", "triage 2 @alice");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Only management can run `triage`/);
    expect((await h.bug(2)).status).toBe("new");
  });

  it("refuses a bug that is not waiting for triage, and says what it needs next", async () => {
    const result = await h.run("manager", "triage 13 @bob");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Bug #13 is ASSIGNED and is being worked on/);
    expect(result.reply.text).toMatch(/`triage` needs a NEW bug/);
    expect((await h.bug(13)).handler?.name).toBe("alice");
    expect(await h.store.journal.list(13)).toEqual([]);
  });

  it("refuses an unknown staff handle and lists the known ones", async () => {
    const result = await h.run("manager", "triage 2 @mallory");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/I know no staff member "@mallory"\. Known staff: @manager, @alice, @bob, @carol/);
    expect((await h.bug(2)).status).toBe("new");
    expect(h.notifier.sent).toEqual([]);
  });

  it("refuses a staff member whose MantisBT account may not handle bugs, naming who can", async () => {
    // The sandbox staff are all MantisBT handlers; a directory with a reporter-level account shows the refusal.
    const staff = new StaffDirectory([
      { name: "manager", role: "management", accounts: { mantis: "manager" } },
      { name: "alice", role: "staff", accounts: { mantis: "alice" } },
      { name: "rolf", role: "staff", accounts: { mantis: "reporter" } },
    ]);
    const tracker = createMantisTracker({ client: h.tracker, staff });
    const refusal = requireAssignableStaff({ staff, tracker }, "rolf");
    await expect(refusal).rejects.toThrow(UsageError);
    await expect(refusal).rejects.toThrow(/@rolf cannot handle bugs in MantisBT .* Who can: @manager, @alice\./);
    await expect(requireAssignableStaff({ staff, tracker }, "alice")).resolves.toMatchObject({ name: "alice" });
  });

  it("refuses a bad priority with the allowed names", async () => {
    const result = await h.run("manager", "triage 2 @alice priority=asap");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/priority: must be one of none, low, normal, high, urgent, immediate/);
  });

  it("offers one button per developer when none is named, and changes nothing", async () => {
    const result = await h.run("manager", "triage 2 priority=high");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/Who should look into \[#2\]/);
    expect(result.reply.buttons).toEqual([
      { label: "@alice", command: "triage 2 @alice priority=high" },
      { label: "@bob", command: "triage 2 @bob priority=high" },
      { label: "@carol", command: "triage 2 @carol priority=high" },
    ]);
    const bug = await h.bug(2);
    expect(bug.status).toBe("new");
    expect(bug.handler).toBeUndefined();
    expect(await h.store.journal.list(2)).toEqual([]);
  });

  it("completes the triage when a developer's button is clicked", async () => {
    const offer = await h.run("manager", "triage 2");
    const alice = offer.reply.buttons!.find((button) => button.label === "@alice")!;
    expect((await h.run("manager", alice.command)).kind).toBe("ok");
    expect((await h.bug(2)).handler?.name).toBe("alice");
  });

  it("still checks the bug's stage before offering developers", async () => {
    await h.run("manager", "triage 2 @alice");
    const result = await h.run("manager", "triage 2");
    expect(result.kind).toBe("refused");
    expect(result.reply.buttons).toBeUndefined();
  });

  it("says clearly when the bug does not exist", async () => {
    const result = await h.run("manager", "triage 99999 @alice");
    expect(result).toMatchObject({ kind: "refused", reply: { text: expect.stringMatching(/#99999 does not exist/) } });
  });

  it("keeps the change when the DM fails, and says so", async () => {
    h.notifier.failWith = new Error("chat down");
    const result = await h.run("manager", "triage 2 @alice");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/could not send the message to @alice/);
    expect((await h.bug(2)).status).toBe("feedback");
  });
});

describe("triage without impersonation", () => {
  it("changes the bug as the bot and still journals the manager", async () => {
    const plain = await startHarness({ impersonate: false });
    try {
      const result = await plain.run("manager", "triage 2 @alice");
      expect(result.kind).toBe("ok");
      expect((await plain.bug(2)).status).toBe("feedback");
      const patch = plain.sim.requests.find((request) => request.method === "PATCH" && request.path.endsWith("/issues/2"))!;
      expect(patch.headers["x-mantis-username"]).toBeUndefined();
      expect(await plain.store.journal.list(2)).toEqual([expect.objectContaining({ actor: "manager", action: "triage" })]);
    } finally {
      await plain.close();
    }
  });
});
