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

const DRAFT = "We fixed the wallet so that it shows confirmed withdrawals right away.\nUpdate to 0.14.3 to get the fix.";
const url = (id: number): string => `${h.sim.url}view.php?id=${id}`;

/** Bug #1 (tagged Customer) passed review and waits for carol to tell the customer. */
async function awaitingNotification(state: Parameters<Harness["store"]["bugProcess"]["update"]>[1] = {}): Promise<void> {
  await bringBugTo(h, 1, { status: "assigned", handler: "carol", origin: "call", stage: "resolution", developer: "alice", reviewer: "bob", communicator: "carol", draftText: DRAFT, ...state });
}

describe("notify", () => {
  it("gives the final text with the bug link, marks the bug RESOLVED and journals it", async () => {
    await awaitingNotification();
    const result = await h.run("carol", "notify 1");
    expect(result.kind).toBe("ok");
    expect(result.reply.visibility).toBe("ephemeral");
    expect(result.reply.text).toBe(
      [
        `[#1](${url(1)}) is RESOLVED; management closes it with the next release.`,
        "Send the customer this (based on the developer's draft; adjust the technical detail to what they want to know):",
        "```",
        `${DRAFT}\n\nDetails: ${url(1)}`,
        "```",
      ].join("\n"),
    );
    expect(await h.bug(1)).toMatchObject({ status: "resolved", handler: { name: "carol" } });
    expect((await h.store.bugProcess.get(1))?.stage).toBe("resolved");
    expect(await h.store.journal.list(1)).toEqual([expect.objectContaining({ actor: "carol", action: "notify", command: "notify" })]);
    expect(h.notifier.postsIn("sales")).toEqual([]);
  });


  it("refuses while a sub-bug is open, saying what it needs, and changes nothing", async () => {
    await awaitingNotification();
    await h.tracker.addRelationship(1, { type: "parent-of", otherBugId: 9 });
    const result = await h.run("carol", "notify 1");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/^Bug #1 waits for its sub-bug #9 to be resolved first \(the tracker resolves a bug only after its sub-bugs\); nothing was changed\.\n- #9 .*waits for triage: management triages it first \(`triage 9 @developer`\)/);
    expect(await h.bug(1)).toMatchObject({ status: "assigned", handler: { name: "carol" } });
    expect((await h.store.bugProcess.get(1))?.stage).toBe("resolution");
    expect(await h.store.journal.list(1)).toEqual([]);
  });
  it("leaves the link out for a private bug", async () => {
    await awaitingNotification();
    h.sim.database.sql.prepare("UPDATE bugs SET view_state = 50 WHERE id = 1").run();
    const result = await h.run("carol", "notify 1");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain(`\`\`\`\n${DRAFT}\n\`\`\``);
    expect(result.reply.text).toContain("The bug is private, so its link is left out");
  });

  it("points to the private note with the contact details, without showing them", async () => {
    await awaitingNotification();
    const call = await h.store.calls.add({
      recordedAt: h.clock.now,
      recordedBy: "alice",
      customerName: "Hedwig Sommer",
      customerType: "user",
      phone: "+41 79 555 01 23",
      issue: "withdrawal pending",
      callDate: "2026-11-20",
      route: "bug",
      bugId: 1,
    });
    const result = await h.run("carol", "notify 1");
    expect(result.reply.text).toContain(`The customer's name and contact are in the private note on the bug (support call ${call.id}).`);
    for (const secret of ["Hedwig", "Sommer", "555 01 23"]) {
      expect(result.reply.text).not.toContain(secret);
      expect(h.log.text()).not.toContain(secret);
    }
  });

  it("records the resolution in the ERP and asks for billing when the bug came from sales", async () => {
    const contact = await h.store.sales.add({ kind: "contact", at: h.clock.now, payload: { bugId: 1, request: "multi-exchange refunds" } });
    await awaitingNotification({ origin: "sales" });
    const result = await h.run("carol", "notify 1");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain(`This bug came from sales (${contact.reference}): send the response via the ERP.`);
    expect(result.reply.text).toMatch(/I recorded the resolution in the ERP \(S-2\) and asked for invoicing \/ billing to start\./);
    expect((await h.store.sales.get("S-2"))?.payload).toEqual({ bugId: 1, bugUrl: url(1), salesRef: contact.reference, resolvedBy: "carol", startBilling: true });
    expect(h.notifier.postsIn("sales")[0]?.text).toContain("Please start invoicing / billing.");
    expect((await h.bug(1)).status).toBe("resolved");
  });

  it("records a sales resolution without billing when management decided to fix it gratis", async () => {
    await awaitingNotification({ origin: "sales" });
    const result = await h.run("carol", "notify 1 gratis");
    expect(result.reply.text).toContain("I recorded the resolution in the ERP (S-1) without billing (gratis).");
    expect((await h.store.sales.get("S-1"))?.payload).toMatchObject({ startBilling: false });
  });

  it("keeps the bug RESOLVED when the ERP cannot be reached, and says what to do by hand", async () => {
    await awaitingNotification({ origin: "sales" });
    const unreachable = async (): Promise<never> => {
      throw new Error("ERP down");
    };
    h.core.services.erp = { recordSalesContact: unreachable, recordResolution: unreachable };
    const result = await h.run("carol", "notify 1");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain("(I could not record the resolution in the ERP: update the ERP record and start billing by hand. The bug itself is RESOLVED.)");
    expect((await h.bug(1)).status).toBe("resolved");
  });

  it("records the resolution even when the sales channel cannot be told, and says so", async () => {
    await awaitingNotification({ origin: "sales" });
    h.notifier.failWith = new Error("sales channel down");
    const result = await h.run("carol", "notify 1");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/Recorded as S-1, but I could not post it to the sales channel/);
    expect((await h.store.sales.get("S-1"))?.payload).toMatchObject({ startBilling: true });
    expect((await h.bug(1)).status).toBe("resolved");
  });

  it("refuses gratis for a bug that did not come from sales", async () => {
    await awaitingNotification();
    const result = await h.run("carol", "notify 1 gratis");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toBe("Bug #1 did not come from a sales process, so there is no billing to skip; run `notify 1`.");
    expect((await h.bug(1)).status).toBe("assigned");
  });

  it("lets management notify for the communicator", async () => {
    await awaitingNotification();
    expect((await h.run("manager", "notify 1")).kind).toBe("ok");
    expect((await h.bug(1)).status).toBe("resolved");
  });

  it("refuses someone who is neither the communicator nor management", async () => {
    await awaitingNotification();
    const result = await h.run("alice", "notify 1");
    expect(result).toMatchObject({ kind: "refused", reply: { text: "Only the staff member telling the customer of #1 (@carol) or management can notify." } });
    expect((await h.bug(1)).status).toBe("assigned");
  });

  it("refuses a bug that has not passed review, saying what it needs next", async () => {
    await bringBugTo(h, 1, { status: "assigned", handler: "carol", stage: "in-work", developer: "carol", draftText: DRAFT });
    const result = await h.run("carol", "notify 1");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/^Bug #1 is ASSIGNED and is being worked on: .* `notify` needs a reviewed bug waiting for the customer to be told \(ASSIGNED\)\.$/);
    expect((await h.bug(1)).status).toBe("assigned");
    expect(await h.store.journal.list(1)).toEqual([]);
  });

  it("refuses a second notify once the bug is RESOLVED", async () => {
    await awaitingNotification();
    await h.run("carol", "notify 1");
    const result = await h.run("carol", "notify 1");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/^Bug #1 is RESOLVED and waits to be closed with the next release/);
  });

  it.each([
    ["notify", /bug: missing/],
    ["notify abc", /bug: must be a bug number such as #1234/],
    ["notify 1 2", /Too many arguments/],
  ])("gives the usage line for %j", async (line, message) => {
    const result = await h.run("carol", line);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    expect(result.reply.text).toContain("Usage: `/support notify <bug> [gratis]`");
  });

  it("says clearly when the bug does not exist", async () => {
    const result = await h.run("carol", "notify 99999");
    expect(result).toMatchObject({ kind: "refused", reply: { text: expect.stringMatching(/#99999 does not exist/) } });
  });

  it("explains to an unknown chat user how to get linked, and changes nothing", async () => {
    await awaitingNotification();
    const before = (await h.bug(1)).status;
    const result = await h.run("mallory", "notify 1");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/not linked/);
    expect((await h.bug(1)).status).toBe(before);
  });
});
