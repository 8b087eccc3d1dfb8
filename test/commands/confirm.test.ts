import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** Triage to alice and give her feedback: the bug then waits for a timeline. */
async function withFeedback(harness: Harness, bugId: number, estimate = "4h", deadline = "10.12.2026"): Promise<void> {
  expect((await harness.run("manager", `triage ${bugId} @alice`)).kind).toBe("ok");
  expect((await harness.run("alice", `feedback ${bugId} ${estimate} ${deadline} "fix in wallet-core"`)).kind).toBe("ok");
}

describe("confirm", () => {
  it("sets CONFIRMED, writes the tag from the feedback, records who confirmed and shows the answer for the reporter", async () => {
    await withFeedback(h, 1);
    const result = await h.run("manager", "confirm 1");
    expect(result.kind).toBe("ok");

    const bug = await h.bug(1);
    expect(bug.status).toBe("confirmed");
    expect(bug.summary).toBe("[4h, 10.12.2026] Android wallet shows withdrawal as pending although the bank confirmed the transfer");
    expect(bug.handler?.name).toBe("alice");
    expect(await h.store.bugProcess.get(1)).toMatchObject({
      stage: "confirmed",
      estimateMinutes: 240,
      deadline: "2026-12-10",
      confirmedBy: "manager",
      communicator: "manager",
    });
    expect(await h.store.estimates.latest(1)).toMatchObject({ source: "confirm", actor: "manager" });
    expect((await h.store.journal.list(1)).at(-1)).toMatchObject({ actor: "manager", action: "confirm", command: "confirm" });

    const text = result.reply.text;
    expect(result.reply.visibility).toBe("ephemeral");
    expect(text).toMatch(/\[#1\]\(.*\) is CONFIRMED: 4h of work, deadline 10\.12\.2026/);
    expect(text).toContain("Tell the reporter we are investigating the issue; text to send:");
    expect(text).toContain("We are investigating the issue. You can follow our progress in our bug tracker: " + h.tracker.bugUrl(1));

    const [dm] = h.notifier.directsTo("alice").slice(-1);
    expect(dm).toMatchObject({ bugId: 1, buttons: [{ label: "Start", command: "start 1" }] });
    expect(dm!.text).toMatch(/@manager confirmed \[#1\].*: 4h of work, deadline 10\.12\.2026/);
  });

  it("uses management's estimate and deadline when given", async () => {
    await withFeedback(h, 1);
    const result = await h.run("manager", "confirm 1 deadline=2026-12-17 estimate=1d");
    expect(result.kind).toBe("ok");
    expect((await h.bug(1)).summary).toMatch(/^\[1d, 17\.12\.2026\] Android wallet/);
    expect(await h.store.bugProcess.get(1)).toMatchObject({ estimateMinutes: 480, deadline: "2026-12-17" });
  });

  it("gives no link for a private bug and says why", async () => {
    h.sim.database.updateBug(2, { view_state: 50 });
    await withFeedback(h, 2);
    const result = await h.run("manager", "confirm 2");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain("We are investigating the issue and will get back to you as soon as we know more.");
    expect(result.reply.text).not.toContain("follow our progress");
    expect(result.reply.text).toContain("#2 is private in MantisBT, so the reporter could not open a link to it; the text has none.");
  });

  it("asks another staff member to answer the reporter when a communicator is named", async () => {
    await withFeedback(h, 1);
    const result = await h.run("manager", "confirm 1 communicator=@carol");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain("@carol will tell the reporter we are investigating the issue");
    expect(await h.store.bugProcess.get(1)).toMatchObject({ confirmedBy: "manager", communicator: "carol" });
    const [dm] = h.notifier.directsTo("carol");
    expect(dm!.text).toMatch(/asks you to tell the reporter of \[#1\].* that we are investigating the issue/);
    expect(dm!.text).toContain(h.tracker.bugUrl(1));
  });

  it("keeps the tag within MantisBT's 128 characters by shortening the rest of the subject", async () => {
    h.sim.database.updateBug(2, { summary: "x".repeat(120) });
    await withFeedback(h, 2);
    expect((await h.run("manager", "confirm 2")).kind).toBe("ok");
    const summary = (await h.bug(2)).summary;
    expect(Array.from(summary)).toHaveLength(128);
    expect(summary).toMatch(/^\[4h, 10\.12\.2026\] x+…$/);
  });

  it("offers to confirm answered sub-bugs that wait for their timeline too", async () => {
    await h.run("manager", "triage 1 @alice");
    const asked = await h.run("alice", 'ask 1 @bob "schema change?"');
    const subId = Number(/Opened \[#(\d+)\]/.exec(asked.reply.text)![1]);
    await h.run("bob", `feedback ${subId} 2h 3.12.2026 "one new index"`);
    await h.run("alice", 'feedback 1 4h 10.12.2026 "fix in wallet-core"');
    const result = await h.run("manager", "confirm 1");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain(`Sub-bugs waiting for their timeline too: #${subId}.`);
    expect(result.reply.buttons).toEqual([{ label: `Confirm #${subId}`, command: `confirm ${subId}` }]);
    expect((await h.run("manager", `confirm ${subId}`)).kind).toBe("ok");
    expect((await h.bug(subId)).summary).toMatch(/^\[2h, 3\.12\.2026\] Feedback for #1/);
  });

  it("confirms answered sub-bugs along with the bug when asked, each with its own timeline", async () => {
    await h.run("manager", "triage 1 @alice");
    const subIds: number[] = [];
    for (const [developer, question] of [["bob", "schema change?"], ["carol", "docs change?"]] as const) {
      const asked = await h.run("alice", `ask 1 @${developer} "${question}"`);
      subIds.push(Number(/Opened \[#(\d+)\]/.exec(asked.reply.text)![1]));
    }
    const [bobs, carols] = subIds as [number, number];
    await h.run("bob", `feedback ${bobs} 2h 3.12.2026 "one new index"`);
    await h.run("carol", `feedback ${carols} 1d 8.12.2026 "a new page"`);
    await h.run("alice", 'feedback 1 4h 10.12.2026 "fix in wallet-core"');

    const result = await h.run("manager", "confirm 1 with-sub-bugs deadline=11.12.2026");
    expect(result.kind, result.reply.text).toBe("ok");
    expect(result.reply.text).toContain(
      [
        "Sub-bugs confirmed with it, each with its own timeline (2):",
        `- [#${bobs}](${h.sim.url}view.php?id=${bobs}) Feedback for #1: schema change?: 2h of work, deadline 3.12.2026`,
        `- [#${carols}](${h.sim.url}view.php?id=${carols}) Feedback for #1: docs change?: 1d of work, deadline 8.12.2026`,
      ].join("\n"),
    );
    expect(result.reply.buttons).toBeUndefined();
    expect(await h.bug(1)).toMatchObject({ status: "confirmed", summary: expect.stringMatching(/^\[4h, 11\.12\.2026\] /) });
    expect(await h.bug(bobs)).toMatchObject({ status: "confirmed", summary: expect.stringMatching(/^\[2h, 3\.12\.2026\] Feedback for #1/) });
    expect(await h.bug(carols)).toMatchObject({ status: "confirmed", summary: expect.stringMatching(/^\[1d, 8\.12\.2026\] Feedback for #1/) });
    expect(await h.store.bugProcess.get(bobs)).toMatchObject({ stage: "confirmed", estimateMinutes: 120, deadline: "2026-12-03", confirmedBy: "manager" });
    expect((await h.store.journal.list(bobs)).at(-1)).toMatchObject({ actor: "manager", action: "confirm", details: expect.objectContaining({ parentBugId: 1 }) });
    expect(h.notifier.directsTo("bob").at(-1)?.text).toMatch(new RegExp(`@manager confirmed \\[#${bobs}\\].*: 2h of work, deadline 3\\.12\\.2026\\. Start work`));
  });

  it("confirms nothing with its sub-bugs when one of them cannot be confirmed", async () => {
    await h.run("manager", "triage 1 @alice");
    const asked = await h.run("alice", 'ask 1 @bob "schema change?"');
    const subId = Number(/Opened \[#(\d+)\]/.exec(asked.reply.text)![1]);
    await h.run("bob", `feedback ${subId} 2h 27.11.2026 "one new index"`);
    await h.run("alice", 'feedback 1 4h 10.12.2026 "fix in wallet-core"');
    h.clock.now = new Date("2026-11-30T10:00:00Z");
    const result = await h.run("manager", "confirm 1 with-sub-bugs");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toBe(
      `Nothing was confirmed: the deadline from the feedback on sub-bug #${subId}, 27.11.2026, has passed. ` +
        `Confirm #${subId} on its own first (\`confirm ${subId} estimate=4h deadline=14.3.2034\`), or confirm #1 without \`with-sub-bugs\`.`,
    );
    expect((await h.bug(1)).status).toBe("new");
    expect((await h.bug(subId)).status).toBe("new");
  });

  it("refuses staff: only management confirms", async () => {
    await withFeedback(h, 1);
    const result = await h.run("alice", "confirm 1");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Only management can run `confirm`/);
    expect((await h.bug(1)).status).toBe("new");
  });

  it("refuses a bug without developer feedback, with what it needs next", async () => {
    const result = await h.run("manager", "confirm 2");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Bug #2 is NEW and waits for triage: .* `confirm` needs a NEW bug that has had developer feedback\./);
    const bug = await h.bug(2);
    expect(bug.status).toBe("new");
    expect(bug.summary).not.toMatch(/^\[/);
  });

  it("refuses a bug still waiting for feedback", async () => {
    await h.run("manager", "triage 1 @alice");
    const result = await h.run("manager", "confirm 1");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Bug #1 is FEEDBACK and waits for developer feedback/);
  });

  it("refuses when the feedback's deadline has passed in the meantime, and suggests a new one", async () => {
    await withFeedback(h, 1, "4h", "27.11.2026");
    h.clock.now = new Date("2026-12-01T10:00:00Z");
    const result = await h.run("manager", "confirm 1");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/The deadline from the feedback, 27\.11\.2026, has passed: give a new one, e\.g\. `confirm 1 deadline=8\.12\.2026`/);
    expect((await h.bug(1)).status).toBe("new");
  });

  it.each([
    ["a malformed estimate", "confirm 1 estimate=4x", /estimate: `4x` is not a work estimate/],
    ["a deadline in the past", "confirm 1 deadline=1.1.2026", /deadline: 1\.1\.2026 is in the past/],
    ["an unknown communicator", "confirm 1 communicator=@mallory", /communicator: I know no staff member "@mallory"/],
    ["an unknown option", "confirm 1 prio=high", /Unknown option "prio="/],
  ])("refuses %s and changes nothing", async (_case, line, message) => {
    await withFeedback(h, 1);
    const result = await h.run("manager", line);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    const bug = await h.bug(1);
    expect(bug.status).toBe("new");
    expect(bug.summary).not.toMatch(/^\[/);
  });

  it("says clearly when the bug does not exist", async () => {
    const result = await h.run("manager", "confirm 99999");
    expect(result).toMatchObject({ kind: "refused", reply: { text: expect.stringMatching(/#99999 does not exist/) } });
  });

  it("never names the reporter in the answer text or in chat", async () => {
    await withFeedback(h, 1);
    const result = await h.run("manager", "confirm 1");
    for (const personal of ["Rolf", "Berger", "rolf.berger@"]) {
      expect(result.reply.text).not.toContain(personal);
      expect(h.notifier.text()).not.toContain(personal);
      expect(h.log.text()).not.toContain(personal);
    }
  });
});

describe("confirm without impersonation", () => {
  it("confirms as the bot and still records the manager", async () => {
    const plain = await startHarness({ impersonate: false });
    try {
      await withFeedback(plain, 1);
      const result = await plain.run("manager", "confirm 1");
      expect(result.kind).toBe("ok");
      expect((await plain.bug(1)).status).toBe("confirmed");
      expect((await plain.store.bugProcess.get(1))?.confirmedBy).toBe("manager");
    } finally {
      await plain.close();
    }
  });
});
