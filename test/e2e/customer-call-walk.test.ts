/**
 * One customer call walked through the whole support process, command by command, as the people
 * involved would type them: call, triage, feedback, confirm, start, eta, draft, review, a failed
 * verdict and a second review, verdict pass, notify, release. After each step MantisBT's state is checked; at the end the journal, and that
 * the customer's personal data never reached a public field, a channel post, a DM or the log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DispatchResult } from "../../src/framework/dispatcher.js";
import { expectBugState, journalSteps, publicFieldsText } from "../support/bug-checks.js";
import { startHarness, type Harness } from "../support/harness.js";

const CUSTOMER = { name: "Hedwig Sommer", phone: "+41 79 555 01 23", email: "hedwig.sommer@example.org" };
const PERSONAL_DATA = [CUSTOMER.name, "Hedwig", "Sommer", CUSTOMER.phone, "555 01 23", CUSTOMER.email];
const DRAFT = "We fixed the merchant backoffice so that the refund button also appears for orders paid with coins from two exchanges. Thank you for reporting it.";

let h: Harness;
let bugId: number;

beforeAll(async () => {
  h = await startHarness();
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

const expectTracker = (expected: { status: string; handler?: string }): Promise<void> => expectBugState(h, bugId, expected);

describe("a customer call, from the phone to the release", () => {
  it("call: files a NEW, unassigned Customer bug with the contact in a private note", async () => {
    await step(
      "alice",
      `call name="${CUSTOMER.name}" type=merchant phone="${CUSTOMER.phone}" email=${CUSTOMER.email} issue="Refund button missing for orders paid with coins from two exchanges. Call back on ${CUSTOMER.phone}." route=bug`,
    );
    const [call] = await h.store.calls.list();
    expect(call?.bugId).toBeDefined();
    bugId = call!.bugId!;
    await expectTracker({ status: "new", handler: undefined });
    const bug = await h.bug(bugId);
    expect(bug.tags).toContain("Customer");
    expect(bug.notes.filter((note) => note.private).some((note) => note.text.includes(CUSTOMER.phone))).toBe(true);
  });

  it("refuses to send the bug to review before it is even triaged", async () => {
    const result = await h.run("bob", `review ${bugId} @alice`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toContain(`Bug #${bugId} is NEW and waits for triage`);
    await expectTracker({ status: "new", handler: undefined });
  });

  it("triage: management gives it to bob, who owes feedback", async () => {
    await step("manager", `triage ${bugId} @bob priority=high`);
    await expectTracker({ status: "feedback", handler: "bob" });
    expect((await h.bug(bugId)).priority).toBe("high");
  });

  it("feedback: bob gives the path and a conservative timeline; back to NEW", async () => {
    await step("bob", `feedback ${bugId} 4h 4.12.2026 "Clear: the backoffice checks only the first exchange of an order; fix in the merchant SPA"`);
    await expectTracker({ status: "new", handler: "bob" });
  });

  it("confirm: management sets the timeline and asks carol to tell the customer", async () => {
    await step("manager", `confirm ${bugId} communicator=@carol`);
    await expectTracker({ status: "confirmed", handler: "bob" });
    expect((await h.bug(bugId)).summary).toMatch(/^\[4h, 4\.12\.2026\] /);
  });

  it("start and eta: bob works on it and updates the work left", async () => {
    await step("bob", `start ${bugId}`);
    await expectTracker({ status: "assigned", handler: "bob" });
    await step("bob", `eta ${bugId} 2h 4.12.2026`);
    await expectTracker({ status: "assigned", handler: "bob" });
    expect((await h.bug(bugId)).summary).toMatch(/^\[2h, 4\.12\.2026\] /);
  });

  it("draft: bob drafts the response to the customer", async () => {
    await step("bob", `draft ${bugId} "${DRAFT}"`);
    await expectTracker({ status: "assigned", handler: "bob" });
  });

  it("review: bob asks alice to review the fix (FEEDBACK)", async () => {
    await step("bob", `review ${bugId} @alice`);
    await expectTracker({ status: "feedback", handler: "alice" });
    expect(h.notifier.directsTo("alice").at(-1)?.text).toContain(DRAFT);
  });

  it("verdict fail: alice still sees the problem; back to bob in work, who sends it to review again", async () => {
    await step("alice", `verdict ${bugId} fail "the button is still missing for orders with three exchanges"`);
    await expectTracker({ status: "assigned", handler: "bob" });
    expect((await h.bug(bugId)).notes.at(-1)).toMatchObject({ private: false, text: expect.stringContaining("three exchanges") });
    await step("bob", `review ${bugId} @alice "now also for three and more exchanges"`);
    await expectTracker({ status: "feedback", handler: "alice" });
  });

  it("verdict pass: to carol, who told the customer before (ASSIGNED)", async () => {
    await step("alice", `verdict ${bugId} pass`);
    await expectTracker({ status: "assigned", handler: "carol" });
    expect(h.notifier.directsTo("carol").at(-1)?.buttons).toEqual([{ label: "Notify the customer", command: `notify ${bugId}` }]);
  });

  it("summary: shows the bug waiting for the customer to be told", async () => {
    const result = await step("bob", "summary");
    expect(result.reply.visibility).toBe("channel");
    expect(result.reply.text).toMatch(new RegExp(`\\*\\*Resolved, customer not yet notified \\(1\\)\\*\\*\\n- \\[#${bugId}\\]\\(.*\\) Refund button missing .* · carol to notify the customer`));
  });

  it("notify: carol gets the text to send and the bug is RESOLVED", async () => {
    const result = await step("carol", `notify ${bugId}`);
    expect(result.reply.text).toContain(`${DRAFT}\n\nDetails: ${h.sim.url}view.php?id=${bugId}`);
    await expectTracker({ status: "resolved", handler: "carol" });
  });

  it("release: management closes it with 1.1.0", async () => {
    const result = await step("manager", "release 1.1.0");
    expect(result.reply.text).toContain(`[#${bugId}](`);
    await expectTracker({ status: "closed", handler: "carol" });
    expect((await h.bug(bugId)).fixedInVersion).toBe("1.1.0");
    expect((await h.store.bugProcess.get(bugId))?.stage).toBe("closed");
  });

  it("journalled every step, by the person who did it", async () => {
    expect(await journalSteps(h.store, bugId)).toEqual([
      ["alice", "call"],
      ["manager", "triage"],
      ["bob", "feedback"],
      ["manager", "confirm"],
      ["bob", "start"],
      ["bob", "eta"],
      ["bob", "draft"],
      ["bob", "review"],
      ["alice", "verdict"],
      ["bob", "review"],
      ["alice", "verdict"],
      ["carol", "notify"],
      ["manager", "release"],
    ]);
    expect(JSON.stringify(await h.store.journal.list(bugId))).not.toMatch(/Hedwig|Sommer|555 01 23|example\.org/);
  });

  it("kept the customer's personal data out of public fields, chat and the log", async () => {
    const bug = await h.bug(bugId);
    const publicText = publicFieldsText(bug);
    for (const secret of PERSONAL_DATA) {
      expect(publicText, "public fields").not.toContain(secret);
      expect(h.notifier.text(), "channel posts and DMs").not.toContain(secret);
      expect(h.log.text(), "log").not.toContain(secret);
    }
    // ... while the private note still has it for the staff who call back.
    expect(bug.notes.some((note) => note.private && note.text.includes(CUSTOMER.name))).toBe(true);
  });
});
