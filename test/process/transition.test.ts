/**
 * applyTransition: the one way a process command changes a ticket. It moves the ticket where the
 * rule says, journals the change and stores the stage together, and writes nothing to the store
 * when the tracker refuses. Run over the in-memory tracker: nothing here depends on MantisBT.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkTransition } from "../../src/core/stages.js";
import type { Ticket } from "../../src/core/ticket.js";
import { ConflictError } from "../../src/errors.js";
import { StaffDirectory, type StaffMember } from "../../src/identity.js";
import { describeBug } from "../../src/process/situation.js";
import { TrackerRejectedError } from "../../src/process/tracker-port.js";
import { applyTransition, type Transition } from "../../src/process/transition.js";
import { SANDBOX_STAFF } from "../../src/staff-file.js";
import { Store } from "../../src/store/store.js";
import { createMemoryTracker, type MemoryTracker } from "../support/memory-tracker.js";
import { TEST_SETTINGS } from "../framework/fakes.js";

const NOW = new Date("2026-11-26T10:00:00Z");
const staff = new StaffDirectory([...SANDBOX_STAFF]);
const member = (name: string): StaffMember => staff.find(name)!;

let store: Store;
let tracker: MemoryTracker;
const ctx = () => ({ tracker, store, caller: member("manager"), now: () => NOW });

beforeEach(async () => {
  store = await Store.open({ path: ":memory:" });
  tracker = createMemoryTracker({
    now: () => NOW,
    accounts: SANDBOX_STAFF.map((person) => ({ handle: person.name, account: `mem-${person.name}`, mayHandle: true })),
  });
});
afterEach(async () => {
  await store.close();
});

/** The transition the rules allow for `command` on the ticket as the store knows it. */
async function transitionFor(command: "triage" | "eta" | "verdict", ticket: Ticket, outcome?: "pass" | "fail"): Promise<Transition> {
  const check = checkTransition(command, describeBug(ticket, await store.bugProcess.get(ticket.id), TEST_SETTINGS), outcome);
  if (!check.ok) throw new Error(check.message);
  return check;
}

describe("applyTransition", () => {
  it("moves the ticket to the rule's target stage with the assignee, and journals and stores it together", async () => {
    const ticket = await tracker.fileTicket({ summary: "Wallet: crash", description: "d", stage: "triage" });
    const moved = await applyTransition(ctx(), ticket, await transitionFor("triage", ticket), {
      assignee: member("alice"),
      fields: { priority: "high" },
      processState: { developer: "alice" },
      record: { action: "triage", details: { developer: "alice" } },
    });

    expect(moved.state.stages).toEqual(["feedback"]);
    expect(moved).toMatchObject({ priority: "high", handler: { handle: "alice" } });
    expect(await store.bugProcess.get(ticket.id)).toMatchObject({ stage: "feedback", developer: "alice" });
    expect(await store.journal.list(ticket.id)).toEqual([
      expect.objectContaining({
        actor: "manager",
        action: "triage",
        command: "triage",
        details: {
          developer: "alice",
          fromStage: "triage",
          change: { stage: "feedback", assignee: "alice", priority: "high" },
          previousState: "UNTRIAGED",
          state: "ANALYSIS",
          previousHandler: null,
        },
      }),
    ]);
  });

  it("picks the target among several by the facts: a verdict without a customer resolves the ticket", async () => {
    const ticket = await tracker.fileTicket({ summary: "Docs: typo", description: "d", stage: "review" });
    const moved = await applyTransition(ctx(), ticket, await transitionFor("verdict", ticket, "pass"), { record: { action: "verdict-pass" } });
    expect(moved.state).toMatchObject({ stages: ["resolved"], open: false });
    expect((await store.bugProcess.get(ticket.id))?.stage).toBe("resolved");
  });

  it("journals the notes sent with the change, each after it", async () => {
    const ticket = await tracker.fileTicket({ summary: "Wallet: crash", description: "d", stage: "review" });
    await applyTransition(ctx(), ticket, await transitionFor("verdict", ticket, "fail"), {
      assignee: member("bob"),
      notes: [{ text: "Review: not fixed yet. Still crashes.", private: false, record: { action: "verdict-fail-note", command: "verdict" } }],
      record: { action: "verdict-fail" },
    });
    const journal = await store.journal.list(ticket.id);
    expect(journal.map((entry) => entry.action)).toEqual(["verdict-fail", "verdict-fail-note"]);
    expect(journal[1]!.details).toEqual({ noteId: (await tracker.getTicket(ticket.id)).notes[0]!.id, private: false });
  });

  it("changes only what is given when the rule keeps the stage, and with nothing to change only journals and stores", async () => {
    const ticket = await tracker.fileTicket({ summary: "Merchant: export", description: "d", stage: "in-work" });
    const tagged = await applyTransition(ctx(), ticket, await transitionFor("eta", ticket), {
      fields: { summary: "[4h, 14.12.2026] Merchant: export" },
      processState: { estimateMinutes: 240 },
      record: { action: "eta" },
    });
    expect(tagged.summary).toBe("[4h, 14.12.2026] Merchant: export");
    expect((await store.journal.list(ticket.id))[0]!.details["change"]).toEqual({ summary: "[4h, 14.12.2026] Merchant: export" });

    const revision = tagged.revision;
    const same = await applyTransition(ctx(), tagged, await transitionFor("eta", tagged), { processState: { estimateMinutes: 240 }, record: { action: "eta" } });
    expect(same.revision).toBe(revision);
    expect((await tracker.getTicket(ticket.id)).revision).toBe(revision);
    expect((await store.journal.list(ticket.id)).at(-1)).toMatchObject({ action: "eta", command: "eta", details: { unchanged: true } });
    expect(await store.bugProcess.get(ticket.id)).toMatchObject({ stage: "in-work", estimateMinutes: 240 });
  });

  /** Passes the verdict on `read` and expects `error`, with nothing written to the store. */
  async function expectNothingStored(read: Ticket, error: typeof ConflictError | typeof TrackerRejectedError): Promise<void> {
    const options = { processState: { communicator: "carol" }, record: { action: "verdict-pass" } };
    await expect(applyTransition(ctx(), read, await transitionFor("verdict", read, "pass"), options)).rejects.toThrow(error);
    expect(await store.journal.list(read.id)).toEqual([]);
    expect(await store.bugProcess.get(read.id)).toBeUndefined();
  }

  it("writes nothing to the store when the ticket changed since it was read", async () => {
    const ticket = await tracker.fileTicket({ summary: "Wallet: crash", description: "d", stage: "review" });
    await tracker.addNote(ticket.id, { text: "meanwhile", private: false });
    await expectNothingStored(ticket, ConflictError);
  });

  it("writes nothing to the store when the tracker refuses the change (a parent with an open sub-ticket)", async () => {
    const ticket = await tracker.fileTicket({ summary: "Wallet: crash", description: "d", stage: "review" });
    const sub = await tracker.fileTicket({ summary: "Exchange: schema?", description: "d" });
    await tracker.linkSubTicket(ticket.id, sub.id);
    await expectNothingStored(await tracker.getTicket(ticket.id), TrackerRejectedError);
  });
});
