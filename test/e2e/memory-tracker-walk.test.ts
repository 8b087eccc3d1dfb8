/**
 * The whole process walk on a second tracker: the bot's core wired to the in-memory tracker instead
 * of MantisBT, run command by command from an e-mail to a release, a sub-bug included. Proof that the
 * commands need only the tracker port: the replies name that tracker's states and never MantisBT.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBotCore, type BotCore } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { ChannelErp } from "../../src/erp/channel-erp.js";
import { StaffDirectory } from "../../src/identity.js";
import { SANDBOX_STAFF } from "../../src/staff-file.js";
import { Store } from "../../src/store/store.js";
import { captureLog } from "../support/capture-log.js";
import { createMemoryTracker, type MemoryTracker } from "../support/memory-tracker.js";
import { RecordingNotifier } from "../support/recording-notifier.js";

const clock = { now: new Date("2026-11-26T10:00:00Z") };
let store: Store;
let tracker: MemoryTracker;
let core: BotCore;
const replies: string[] = [];

beforeEach(async () => {
  store = await Store.open({ path: ":memory:" });
  tracker = createMemoryTracker({
    now: () => clock.now,
    accounts: SANDBOX_STAFF.map((person) => ({ handle: person.name, account: `mem-${person.name}`, mayHandle: true })),
  });
  const notifier = new RecordingNotifier();
  core = createBotCore({
    config: loadConfig({}),
    logger: captureLog("warn").log,
    store,
    staff: new StaffDirectory([...SANDBOX_STAFF]),
    tracker,
    notifier,
    erp: new ChannelErp(store, notifier, () => clock.now),
    now: () => clock.now,
  });
});
afterEach(async () => {
  await store.close();
});

/** Runs a command, expects it to succeed, and keeps its reply. */
async function step(user: string, line: string): Promise<string> {
  clock.now = new Date(clock.now.getTime() + 60_000);
  const result = await core.run("sandbox", user, line);
  expect(result.kind, `${line}\n${result.reply.text}`).toBe("ok");
  replies.push(result.reply.text);
  return result.reply.text;
}

const stagesOf = async (id: number) => (await tracker.getTicket(id)).state.stages;

describe("the support process on the in-memory tracker", () => {
  it("walks a customer's bug with a sub-bug from the e-mail to the release", async () => {
    const filed = await step("alice", 'file "Wallet shows a withdrawal as pending" customer="Jane Doe" contact=jane@example.com');
    const bugId = Number(/#(\d+)/.exec(filed)![1]);
    expect(filed).toContain("memory://tickets/");
    expect(await tracker.getTicket(bugId)).toMatchObject({ state: { label: "UNTRIAGED" }, tags: ["Customer"], notes: [expect.objectContaining({ private: true })] });

    expect(await step("manager", `triage ${bugId} @alice priority=high`)).toContain("status ANALYSIS");
    const asked = await step("alice", `ask ${bugId} @bob "Does the exchange need a schema change?"`);
    const subId = Number(/Opened \[#(\d+)\]/.exec(asked)![1]);
    // This tracker files a ticket with a handler in triage, so `ask` moves it to analysis itself.
    expect(await tracker.getTicket(subId)).toMatchObject({ state: { stages: ["feedback"] }, handler: { handle: "bob" }, parentTicketIds: [bugId] });

    await step("bob", `feedback ${subId} 2h 10.12.2026 "No schema change, one index"`);
    await step("alice", `feedback ${bugId} 4h 14.12.2026 "Clear: the wallet ignores the bank's confirmation"`);
    expect(await stagesOf(bugId)).toEqual(["timeline"]);
    const confirmed = await step("manager", `confirm ${bugId} with-sub-bugs`);
    expect(confirmed).toContain("is PLANNED");
    expect((await tracker.getTicket(bugId)).summary).toBe("[4h, 14.12.2026] Wallet shows a withdrawal as pending");
    expect(await stagesOf(subId)).toEqual(["confirmed"]);

    await step("bob", `start ${subId}`);
    await step("bob", `review ${subId} @carol`);
    await step("carol", `verdict ${subId} pass`);
    expect((await tracker.getTicket(subId)).state).toMatchObject({ stages: ["resolved"], open: false });

    await step("alice", `start ${bugId}`);
    await step("alice", `draft ${bugId} "We fixed the pending withdrawal; thank you for your patience."`);
    await step("alice", `review ${bugId} @bob`);
    await step("bob", `verdict ${bugId} pass`);
    expect(await tracker.getTicket(bugId)).toMatchObject({ state: { stages: ["resolution"] }, handler: { handle: "manager" } });
    expect(await step("manager", `notify ${bugId}`)).toContain("is DONE");

    const released = await step("manager", "release 2.0");
    expect(released).toContain("Created version 2.0 in Memory Tracker.");
    expect(released).toContain("2.0 is marked released in Memory Tracker");
    expect(await stagesOf(subId)).toEqual(["closed"]);
    expect(await tracker.getTicket(bugId)).toMatchObject({ state: { stages: ["closed"] }, fixedInVersion: "2.0" });
    expect((await store.bugProcess.get(bugId))?.stage).toBe("closed");

    expect(replies.join("\n")).not.toMatch(/mantis|view\.php/i);
  });

  it("refuses a summary longer than this tracker takes, with its own limit", async () => {
    const result = await core.run("sandbox", "alice", `file "${"x".repeat(tracker.limits.summaryLength + 1)}"`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toContain(`summary: must be at most ${tracker.limits.summaryLength} characters`);
    expect(await tracker.listTickets({ page: 1, pageSize: 10 })).toEqual([]);
  });

  it("reads this tracker's links as bug references", async () => {
    await step("alice", 'file "Wallet: crash on start"');
    expect(await step("manager", "show memory://tickets/1")).toContain("[#1](memory://tickets/1)");
  });
});
