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

describe("file", () => {
  it("files a NEW unassigned Customer bug with the customer's name and contact only in a private note", async () => {
    const before = bugIds(h);
    const result = await h.run(
      "bob",
      `file "Android wallet: withdrawal pending although the bank transferred" details="Wallet 0.14.2, 50 CHF, pending for two days." customer="${JANE.name}" contact=${JANE.email}`,
    );
    expect(result.kind).toBe("ok");
    const bug = await h.bug(newBugId(h, before));
    expect(bug).toMatchObject({
      status: "new",
      summary: "Android wallet: withdrawal pending although the bank transferred",
      tags: ["Customer"],
      private: false,
    });
    expect(bug.handler).toBeUndefined();
    expect(bug.description).toContain("Wallet 0.14.2, 50 CHF, pending for two days.");
    expect(bug.description).toContain("Filed on behalf of a customer who wrote to support by e-mail.");
    expect(bug.notes).toEqual([expect.objectContaining({ private: true, text: expect.stringContaining(`Name: ${JANE.name}`) })]);
    expect(bug.notes[0]!.text).toContain(`Contact: ${JANE.email}`);
    expect(result.reply.text).toContain(`Filed [#${bug.id}](${h.sim.url}view.php?id=${bug.id}): NEW, unassigned, tagged Customer.`);
    expect(result.reply.text).toContain("in a private note on the bug");
    expect(await h.store.bugProcess.get(bug.id)).toMatchObject({ origin: "email", stage: "triage" });
    expect((await h.store.journal.list(bug.id)).map((entry) => [entry.actor, entry.action, entry.command])).toEqual([
      ["bob", "file", "file"],
      ["bob", "customer-contact", "file"],
    ]);
    await expectNoPersonalData(h, [bug.id]);
  });

  it("takes a phone number as contact", async () => {
    const before = bugIds(h);
    const result = await h.run("bob", `file "Wallet crashes on start" customer="${JANE.name}" contact="${JANE.phone}"`);
    expect(result.kind).toBe("ok");
    const bug = await h.bug(newBugId(h, before));
    expect(bug.notes[0]!.text).toContain(`Contact: ${JANE.phone}`);
    await expectNoPersonalData(h, [bug.id]);
  });

  it("adds no note when no personal data was given, and uses the summary as description", async () => {
    const before = bugIds(h);
    const result = await h.run("alice", 'file "Exchange returns 500 on /keys after key rotation"');
    expect(result.kind).toBe("ok");
    const bug = await h.bug(newBugId(h, before));
    expect(bug.notes).toEqual([]);
    expect(bug.description).toMatch(/^Exchange returns 500 on \/keys after key rotation\n/);
    expect(result.reply.text).not.toContain("private note");
  });

  it("makes the whole bug private with `private`, and warns not to send the link", async () => {
    const before = bugIds(h);
    const result = await h.run("alice", `file "Exchange accepts coins after their expiry" details="Found by a customer." customer="${JANE.name}" private`);
    expect(result.kind).toBe("ok");
    const bug = await h.bug(newBugId(h, before));
    expect(bug.private).toBe(true);
    expect(bug.tags).toEqual(["Customer"]);
    expect(h.sim.database.bugById(bug.id)!.view_state).toBe(50);
    expect(result.reply.text).toContain("(private)");
    expect(result.reply.text).toContain("The bug is private: the customer cannot see it, so do not send them the link.");
    // The reporter account (a customer's view) cannot read it at all.
    expect(await publicText(h, bug.id)).toBe("");
  });

  it("replaces the customer's name and contact in summary and details by placeholders, and says so", async () => {
    const before = bugIds(h);
    const result = await h.run(
      "alice",
      `file "Jane Doe cannot log in" details="Jane wrote from ${JANE.email} and asks to be called on +41 44 123 45 67." customer="${JANE.name}" contact=${JANE.email}`,
    );
    expect(result.kind).toBe("ok");
    const bug = await h.bug(newBugId(h, before));
    expect(bug.summary).toBe("[customer] cannot log in");
    expect(bug.description).toContain("[customer] wrote from [e-mail] and asks to be called on [phone].");
    expect(result.reply.text).toContain("I replaced personal data (name, phone number and e-mail address) in the summary or details");
    await expectNoPersonalData(h, [bug.id], [...Object.values(JANE), "+41 44 123 45 67"]);
  });

  it("may be run by management", async () => {
    const result = await h.run("manager", 'file "Wallet crashes on start"');
    expect(result.kind).toBe("ok");
  });
});

describe("file, refused", () => {
  it.each([
    ["no summary", "file", /^summary: missing/m],
    ["an empty summary", 'file ""', /^summary: must not be empty/m],
    ["a summary over 128 characters", `file "${"x".repeat(129)}"`, /^summary: must be at most 128 characters/m],
    ["empty details", 'file "Wallet crashes" details=""', /^details: must not be empty/m],
    ["an empty customer", 'file "Wallet crashes" customer=""', /^customer: must not be empty/m],
    ["a contact that is neither e-mail nor phone", 'file "Wallet crashes" contact=jane', /^contact: must be an e-mail address \(jane@example.com\) or a phone number/m],
    ["a value for the private switch", 'file "Wallet crashes" private=maybe', /^private: is a switch/m],
    ["a second text", 'file "Wallet crashes" "on start"', /Too many arguments/],
  ])("refuses %s, names the field, and files nothing", async (_case, command, message) => {
    const before = bugIds(h);
    const result = await h.run("alice", command);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    expect(result.reply.text).toContain('Usage: `/support file "<summary>"');
    expect(bugIds(h)).toEqual(before);
    expect(await h.store.journal.list(Math.max(...before) + 1)).toEqual([]);
  });

  it("refuses a chat user who is not linked to a staff account", async () => {
    const before = bugIds(h);
    const result = await h.run("mallory", 'file "Wallet crashes"');
    expect(result.kind).toBe("refused");
    expect(bugIds(h)).toEqual(before);
  });
});
