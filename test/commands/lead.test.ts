import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";
import { expectNoPersonalData, JANE } from "./incoming-helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("lead", () => {
  it("shows a sales contact from a call with the customer's details, only to the caller", async () => {
    await h.run("alice", `call name="${JANE.name}" type=bank phone="${JANE.phone}" email=${JANE.email} issue="Wants to offer Taler to its customers" route=sales`);
    const result = await h.run("bob", "lead S-1");
    expect(result.kind).toBe("ok");
    expect(result.reply.visibility).toBe("ephemeral");
    const callId = (await h.store.calls.list())[0]!.id;
    expect(result.reply.text).toBe(
      [
        "**S-1**: sales contact recorded 26.11.2026 by @alice",
        `- Customer: ${JANE.name} (bank)`,
        `- Phone: ${JANE.phone}`,
        `- E-mail: ${JANE.email}`,
        `- Date of contact: 26.11.2026 (phone call, support call ${callId})`,
        "- Request: Wants to offer Taler to its customers",
        "_Personal data: only you see this. Do not paste it into channels or public bug notes._",
      ].join("\n"),
    );
    // Shown to the caller only: nothing went to a channel or the log.
    await expectNoPersonalData(h, []);
  });

  it("may be run by management, and accepts a lower-case reference", async () => {
    await h.run("alice", `call name="${JANE.name}" type=bank phone="${JANE.phone}" issue="Onboarding" route=sales`);
    const result = await h.run("manager", "lead s-1");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain("- E-mail: not given");
  });

  it("shows a resolution record with the bug and the billing request", async () => {
    await h.store.sales.add({
      kind: "resolution",
      at: h.clock.now,
      payload: { bugId: 3, bugUrl: `${h.sim.url}view.php?id=3`, salesRef: "S-7", resolvedBy: "carol", startBilling: true },
    });
    const result = await h.run("alice", "lead S-1");
    expect(result.reply.text).toBe(
      [
        "**S-1**: resolution recorded 26.11.2026 by @carol",
        `- Bug: [#3](${h.sim.url}view.php?id=3), from sales contact S-7`,
        "- Invoicing / billing: to be started",
      ].join("\n"),
    );
  });

  it("shows a record of an unknown shape field by field", async () => {
    await h.store.sales.add({ kind: "contact", at: h.clock.now, payload: { note: "imported_from_crm" } });
    const result = await h.run("alice", "lead S-1");
    expect(result.reply.text).toContain("**S-1**: contact recorded 26.11.2026\n- note: imported\\_from\\_crm");
  });

  it.each([
    ["no reference", "lead", /^reference: missing/m],
    ["a bug number instead", "lead 12", /^reference: must be a sales reference such as S-3/m],
    ["a malformed reference", "lead S-x", /^reference: must be a sales reference such as S-3/m],
  ])("refuses %s with the usage", async (_case, command, message) => {
    const result = await h.run("alice", command);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    expect(result.reply.text).toContain("Usage: `/support lead <S-number>`");
  });

  it("says clearly when the record does not exist", async () => {
    const result = await h.run("alice", "lead S-99");
    expect(result).toMatchObject({ kind: "refused", reply: { text: "There is no sales record S-99." } });
  });

  it("refuses a chat user who is not linked to a staff account", async () => {
    await h.run("alice", `call name="${JANE.name}" type=bank phone="${JANE.phone}" issue="Onboarding" route=sales`);
    const result = await h.run("mallory", "lead S-1");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).not.toContain(JANE.name);
  });
});
