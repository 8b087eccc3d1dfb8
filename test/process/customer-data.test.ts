/**
 * Customers' personal data has a lifetime (issue 13, part 4): retention after PII_RETENTION_DAYS
 * for closed bugs, `forget` at once, and the store file readable by the bot's user only.
 */
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { erasePersonalDataPastRetention } from "../../src/process/customer-data.js";
import { Store } from "../../src/store/store.js";
import { JANE } from "../commands/incoming-helpers.js";
import { startHarness, type Harness } from "../support/harness.js";

const CALL = `call name="${JANE.name}" type=merchant phone="${JANE.phone}" email=${JANE.email} issue="Jane Doe says the refund button is missing"`;
const DAY_MS = 24 * 60 * 60 * 1000;
/** MantisBT's `closed` status. */
const CLOSED = 90;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function logCall(harness: Harness, line = CALL): Promise<number> {
  const result = await harness.run("alice", line);
  expect(result.kind, result.reply.text).toBe("ok");
  return result.reply.bugId!;
}

function retention(harness: Harness, days = 365) {
  return erasePersonalDataPastRetention({ store: harness.store, tracker: harness.port, retentionDays: days, now: () => harness.clock.now, log: harness.log.log });
}

function expectNoPersonalDataIn(text: string): void {
  for (const value of [...Object.values(JANE), "Jane", "Doe"]) expect(text).not.toContain(value);
}

describe("PII_RETENTION_DAYS", () => {
  it("is 365 days unless set, and refuses what is not whole days", () => {
    expect(loadConfig({}).process.piiRetentionDays).toBe(365);
    expect(loadConfig({ PII_RETENTION_DAYS: "30" }).process.piiRetentionDays).toBe(30);
    expect(() => loadConfig({ PII_RETENTION_DAYS: "1.5" })).toThrow(/PII_RETENTION_DAYS/);
  });
});

describe("retention of customers' personal data", () => {
  it("erases name, phone and e-mail of calls older than the retention whose bug is closed, and nothing else", async () => {
    h = await startHarness();
    const old = await logCall(h);
    h.clock.now = new Date(h.clock.now.getTime() + 200 * DAY_MS);
    const recent = await logCall(h);
    const [oldCall, recentCall] = await h.store.calls.list();

    // 366 days after the first call: its bug is still open, so it keeps its data.
    h.clock.now = new Date(h.clock.now.getTime() + 166 * DAY_MS);
    expect(await retention(h)).toEqual({ calls: [], filings: [] });
    expect(await h.store.calls.get(oldCall!.id)).toMatchObject({ customerName: JANE.name, phone: JANE.phone, email: JANE.email });

    h.sim.database.updateBug(old, { status: CLOSED });
    h.sim.database.updateBug(recent, { status: CLOSED });
    const journalBefore = await h.store.journal.list(old);
    expect(await retention(h)).toEqual({ calls: [oldCall!.id], filings: [] });

    const erased = (await h.store.calls.get(oldCall!.id))!;
    expect(erased).toMatchObject({ customerName: "[erased]", phone: undefined, email: undefined, customerType: "merchant", bugId: old });
    expect(erased.erasedAt).toEqual(h.clock.now);
    expect(erased.issue).toBe("[customer] says the refund button is missing");
    expectNoPersonalDataIn(JSON.stringify(erased));
    // The younger call (166 days) keeps its data; the journal is untouched.
    expect(await h.store.calls.get(recentCall!.id)).toMatchObject({ customerName: JANE.name, phone: JANE.phone });
    expect(await h.store.journal.list(old)).toEqual(journalBefore);
    expectNoPersonalDataIn(h.log.text());

    // A second run finds nothing more.
    expect(await retention(h)).toEqual({ calls: [], filings: [] });
  });
});

describe("forget", () => {
  it("erases the customer's call in the store and deletes the private contact note in MantisBT; the journal stays", async () => {
    h = await startHarness();
    const bugId = await logCall(h);
    const note = (await h.bug(bugId)).notes.find((candidate) => candidate.private)!;
    expect(note.text).toContain(JANE.phone);

    const result = await h.run("manager", `forget #${bugId}`);
    expect(result.kind, result.reply.text).toBe("ok");
    const call = (await h.store.calls.list())[0]!;
    expect(result.reply.text).toBe(
      [
        `Erased the customer's data of #${bugId}:`,
        `- calls ${call.id} in the bot's store: name, phone and e-mail (the call's text keeps placeholders)`,
        `- the private contact note ${note.id} on #${bugId} in MantisBT (deleted)`,
        "The journal keeps what happened to the bug, without the customer's data.",
      ].join("\n"),
    );
    expect(result.reply.visibility).toBe("ephemeral");
    expect(call).toMatchObject({ customerName: "[erased]", phone: undefined, email: undefined });
    expect((await h.bug(bugId)).notes.map((candidate) => candidate.id)).not.toContain(note.id);
    expect(h.sim.database.notesOf(bugId).map((candidate) => candidate.text).join("\n")).not.toContain(JANE.phone);
    expect((await h.store.journal.list(bugId)).map((entry) => entry.action)).toEqual(["file", "customer-contact", "forget"]);
    expectNoPersonalDataIn(JSON.stringify(await h.store.journal.list(bugId)));
    expectNoPersonalDataIn(h.log.text());
    expectNoPersonalDataIn(h.notifier.text());

    // Again: nothing left to erase, and it says so.
    const again = await h.run("manager", `forget #${bugId}`);
    expect(again.reply.text).toContain(`The bot keeps no customer's data of #${bugId}`);
  });

  it("erases a sales contact by its S-number", async () => {
    h = await startHarness();
    const result = await h.run("alice", `${CALL} route=sales`);
    expect(result.reply.text).toContain("**S-1**");
    const forgot = await h.run("manager", "forget S-1");
    expect(forgot.reply.text).toContain("- sales records S-1 in the bot's store: name, phone and e-mail");
    expect((await h.store.sales.get("S-1"))?.payload).toMatchObject({ customerName: "[erased]", phone: null, email: null, request: "[customer] says the refund button is missing" });
    expect((await h.store.calls.list())[0]).toMatchObject({ customerName: "[erased]" });
  });

  it("is for management only, and refuses what is neither an S-number nor a bug", async () => {
    h = await startHarness();
    expect((await h.run("alice", "forget #1")).kind).toBe("refused");
    const wrong = await h.run("manager", "forget jane");
    expect(wrong.kind).toBe("refused");
    expect(wrong.reply.text).toContain("customer: must be a sales reference such as S-3 or a bug such as #1234");
  });
});

describe("the store file", () => {
  it("is created readable and writable by the bot's user only, and tightened when it was wider", async () => {
    const dir = mkdtempSync(join(tmpdir(), "store-mode-"));
    try {
      const path = join(dir, "data", "support-bot.sqlite");
      await (await Store.open({ path })).close();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      // An older bot's file, readable by everyone.
      chmodSync(path, 0o644);
      await (await Store.open({ path })).close();
      expect(statSync(path).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
