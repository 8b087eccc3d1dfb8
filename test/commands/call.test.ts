import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";
import { bugIds, expectNoPersonalData, JANE, newBugId, publicText } from "./incoming-helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const CALL = `call name="${JANE.name}" type=merchant phone="${JANE.phone}" email=${JANE.email}`;

describe("call, routed to the tracker (default)", () => {
  it("files a NEW unassigned Customer bug from the issue and keeps name and contact in a private note", async () => {
    const before = bugIds(h);
    const result = await h.run("alice", `${CALL} issue="Refund button missing for orders paid with coins from two exchanges"`);
    expect(result.kind).toBe("ok");
    const id = newBugId(h, before);
    const bug = await h.bug(id);
    expect(bug).toMatchObject({
      status: "new",
      summary: "Refund button missing for orders paid with coins from two exchanges",
      tags: ["Customer"],
      private: false,
    });
    expect(bug.handler).toBeUndefined();
    expect(bug.description).toContain("Reported by phone on 26.11.2026 by a customer (merchant).");
    expect(bug.notes).toHaveLength(1);
    expect(bug.notes[0]).toMatchObject({ private: true });
    expect(bug.notes[0]!.text).toContain(`Name: ${JANE.name}`);
    expect(bug.notes[0]!.text).toContain(`Phone: ${JANE.phone}`);
    expect(bug.notes[0]!.text).toContain(`E-mail: ${JANE.email}`);
    expect(result.reply.visibility).toBe("ephemeral");
    expect(result.reply.text).toContain(`Filed [#${id}](${h.sim.url}view.php?id=${id})`);
    expect(result.reply.text).toMatch(/NEW, unassigned, tagged Customer/);
    await expectNoPersonalData(h, [id]);
    expect(result.reply.text).not.toContain(JANE.phone);
    expect(result.reply.text).not.toContain(JANE.email);
  });

  it("keeps the full call in the store, links it to the bug and marks the bug as from a call", async () => {
    await h.run("alice", `${CALL} issue="Wallet shows the withdrawal as pending"`);
    const calls = await h.store.calls.list();
    expect(calls).toHaveLength(1);
    const bugId = calls[0]!.bugId!;
    expect(calls[0]).toMatchObject({
      recordedBy: "alice",
      customerName: JANE.name,
      customerType: "merchant",
      phone: JANE.phone,
      email: JANE.email,
      issue: "Wallet shows the withdrawal as pending",
      callDate: "2026-11-26",
      route: "bug",
    });
    expect(await h.store.bugProcess.get(bugId)).toMatchObject({ origin: "call", stage: "triage" });
    expect(await h.store.journal.list(bugId)).toEqual([
      expect.objectContaining({ actor: "alice", action: "file", command: "call" }),
      expect.objectContaining({ actor: "alice", action: "customer-contact", command: "call", details: expect.objectContaining({ private: true }) }),
    ]);
  });

  it("replaces the customer's name, phone and e-mail in the issue text by placeholders, and says so", async () => {
    const before = bugIds(h);
    const result = await h.run(
      "alice",
      `${CALL} issue="Jane Doe cannot withdraw; call her back on 0786324817 or write to ${JANE.email}. Mrs Doe is upset."`,
    );
    expect(result.kind).toBe("ok");
    const bug = await h.bug(newBugId(h, before));
    expect(bug.summary).toBe("[customer] cannot withdraw; call her back on [phone] or write to [e-mail]. Mrs [customer] is upset.");
    expect(bug.description).toContain("[customer] cannot withdraw");
    expect(result.reply.text).toContain("I replaced personal data (name, phone number and e-mail address) in the issue text by placeholders");
    await expectNoPersonalData(h, [bug.id]);
    // The store keeps what was said.
    expect((await h.store.calls.list())[0]!.issue).toContain("Jane Doe cannot withdraw");
  });

  it("needs no e-mail: a phone number is enough", async () => {
    const before = bugIds(h);
    const result = await h.run("alice", `call name="${JANE.name}" type=user phone="${JANE.phone}" issue="Wallet crashes on start"`);
    expect(result.kind).toBe("ok");
    const bug = await h.bug(newBugId(h, before));
    expect(bug.notes[0]!.text).not.toContain("E-mail");
    expect((await h.store.calls.list())[0]!.email).toBeUndefined();
  });

  it("takes the issue as a quoted text without issue=", async () => {
    const result = await h.run("alice", `call "Wallet crashes on start" name="${JANE.name}" type=user phone="${JANE.phone}"`);
    expect(result.kind).toBe("ok");
    expect((await h.store.calls.list())[0]!.issue).toBe("Wallet crashes on start");
  });

  it("may be run by management", async () => {
    const result = await h.run("manager", `${CALL} issue="Wallet crashes on start"`);
    expect(result.kind).toBe("ok");
    expect((await h.store.calls.list())[0]!.recordedBy).toBe("manager");
  });

  it.each([
    ["date=25.11.2026", "2026-11-25"],
    ["date=2026-11-20", "2026-11-20"],
    ["date=yesterday", "2026-11-25"],
  ])("records the call date from %s", async (date, expected) => {
    const result = await h.run("alice", `${CALL} issue="Wallet crashes" ${date}`);
    expect(result.kind).toBe("ok");
    expect((await h.store.calls.list())[0]!.callDate).toBe(expected);
  });

  it("defaults the date to today in the configured time zone", async () => {
    await h.close();
    // 23:30 UTC is already the next day in Zurich.
    h = await startHarness({ env: { TIMEZONE: "Europe/Zurich" }, now: new Date("2026-11-26T23:30:00Z") });
    await h.run("alice", `${CALL} issue="Wallet crashes"`);
    expect((await h.store.calls.list())[0]!.callDate).toBe("2026-11-27");
  });

  it("does not log the call when the tracker refuses it, so a retry does not log it twice", async () => {
    const before = bugIds(h);
    // A refusal that will not pass by waiting (a 503 keeps the call as pending: test/process/pending-filings.test.ts).
    h.sim.failNext(403, JSON.stringify({ message: "Access denied", code: 13, localized: "Access Denied." }), { times: 5 });
    const result = await h.run("alice", `${CALL} issue="Wallet crashes"`);
    expect(result.kind).toBe("failed");
    expect(await h.store.calls.list()).toEqual([]);
    expect(bugIds(h)).toEqual(before);
    await expectNoPersonalData(h, []);
  });
});

describe("call, routed to sales", () => {
  it("records the contact in the ERP, files no bug, and gives the reference", async () => {
    const before = bugIds(h);
    const result = await h.run("alice", `${CALL} issue="Wants to accept Taler in 40 shops" route=sales`);
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain("for sales as **S-1**");
    expect(result.reply.text).toContain("`lead S-1`");
    expect(bugIds(h)).toEqual(before);
    expect((await h.store.calls.list())[0]).toMatchObject({ route: "sales", salesRef: "S-1", bugId: undefined, phone: JANE.phone });
    expect((await h.store.sales.get("S-1"))?.payload).toMatchObject({
      customerName: JANE.name,
      customerType: "merchant",
      phone: JANE.phone,
      email: JANE.email,
      request: "Wants to accept Taler in 40 shops",
      date: "2026-11-26",
      recordedBy: "alice",
      callId: (await h.store.calls.list())[0]!.id,
    });
    expect(h.notifier.postsIn("sales")).toEqual([expect.objectContaining({ text: expect.stringContaining("S-1") })]);
    expect(result.reply.text).not.toContain(JANE.phone);
    await expectNoPersonalData(h, []);
  });
});

describe("call, refused", () => {
  const valid = { name: `name="${JANE.name}"`, type: "type=merchant", phone: `phone="${JANE.phone}"`, issue: 'issue="Wallet crashes"' };
  const line = (change: Partial<Record<keyof typeof valid | "extra", string | undefined>>): string => {
    const parts = { ...valid, ...change };
    return ["call", ...Object.values(parts).filter((part): part is string => part !== undefined)].join(" ");
  };

  it.each([
    ["no name", line({ name: undefined }), /^name: missing: the customer's name/m],
    ["an empty name", line({ name: 'name=""' }), /^name: must not be empty/m],
    ["no type", line({ type: undefined }), /^type: missing: the type of customer, one of user, merchant, bank, other/m],
    ["an unknown type", line({ type: "type=shop" }), /^type: must be one of user, merchant, bank, other/m],
    ["no phone", line({ phone: undefined }), /^phone: missing: a phone number to call the customer back, such as \+41 79 555 01 23/m],
    ["a phone that is no number", line({ phone: "phone=call-me" }), /^phone: must be a phone number such as \+41 79 555 01 23/m],
    ["a phone with too few digits", line({ phone: "phone=12345" }), /^phone: must be a phone number/m],
    ["a bad e-mail", line({ extra: "email=jane.example.com" }), /^email: must be an e-mail address such as jane@example.com/m],
    ["no issue", line({ issue: undefined }), /^issue: missing: what the call was about/m],
    ["an empty issue", line({ issue: 'issue=" "' }), /^issue: must not be empty/m],
    ["a bad date", line({ extra: "date=31.2.2026" }), /^date: `31.2.2026` is not a date: February 2026 has 28 days/m],
    ["a date in the future", line({ extra: "date=27.11.2026" }), /^date: 27.11.2026 is in the future/m],
    ["an unknown route", line({ extra: "route=erp" }), /^route: must be bug \(a problem for the tracker\) or sales/m],
    ["an unknown option", line({ extra: "mobile=123" }), /Unknown option "mobile="/],
  ])("refuses %s, names the field, and creates nothing", async (_case, command, message) => {
    const before = bugIds(h);
    const result = await h.run("alice", command);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    expect(result.reply.text).toContain("Usage: `/support call name=");
    expect(bugIds(h)).toEqual(before);
    expect(await h.store.calls.list()).toEqual([]);
  });

  it("never repeats a mistyped phone number or e-mail in the refusal", async () => {
    const result = await h.run("alice", line({ phone: 'phone="+41 78 632 48 17 ext 5"', extra: "email=jane@doe" }));
    expect(result.kind).toBe("refused");
    expect(result.reply.text).not.toContain("632 48 17");
    expect(result.reply.text).not.toContain("jane@doe");
    expect(h.log.text()).not.toContain("632 48 17");
  });

  it("refuses a chat user who is not linked to a staff account", async () => {
    const before = bugIds(h);
    const result = await h.run("mallory", line({}));
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/not linked/);
    expect(bugIds(h)).toEqual(before);
    expect(await h.store.calls.list()).toEqual([]);
  });
});

describe("the public view of a call's bug", () => {
  it("shows the reporter account nothing of the customer's data", async () => {
    const before = bugIds(h);
    await h.run("alice", `${CALL} issue="Wallet crashes when Jane Doe opens it"`);
    const id = newBugId(h, before);
    const text = await publicText(h, id);
    expect(text).toContain("Wallet crashes when [customer] opens it");
    expect(text).not.toContain("Jane");
  });
});
