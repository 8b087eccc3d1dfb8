/**
 * The tracker port contract: what every adapter of `TrackerPort` must do, as one set of cases run
 * against each (test/tracker/mantis-port.test.ts over the MantisBT simulator, memory-port.test.ts
 * over the in-memory tracker). A new tracker is done when these pass against it.
 *
 * The cases say nothing about a tracker's own names: they speak of stages, persons, tickets, and
 * read a tracker's limits, links and labels from the port itself.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Person } from "../../src/core/person.js";
import { STAGES, type Stage } from "../../src/core/stages.js";
import type { Ticket } from "../../src/core/ticket.js";
import { ConflictError, NotFoundError } from "../../src/errors.js";
import { TrackerRejectedError, type TrackerPort } from "../../src/process/tracker-port.js";

/** A tracker to hold to the contract, with what the cases need around it. */
export interface ContractWorld {
  /** The tracker as the bot itself. */
  tracker: TrackerPort;
  /** Two people who may handle tickets, one the tracker knows but who may not, one it does not know at all. */
  people: { alice: Person; bob: Person; rolf: Person; stranger: Person };
  /** Moves the tracker's clock on (changes in the same instant need not reorder tickets). */
  advance(ms: number): void;
  /** Puts the ticket in a state of the tracker's own that the process does not know, as someone would by hand. */
  setUnknownState(id: number): Promise<void>;
  close(): Promise<void>;
}

const SECOND = 1_000;

/** Registers the contract's cases for one adapter; `start` builds a fresh, empty tracker for each case. */
export function describePortContract(adapter: string, start: () => Promise<ContractWorld>): void {
  describe(`tracker port contract: ${adapter}`, () => {
    let world: ContractWorld;
    let tracker: TrackerPort;
    beforeEach(async () => {
      world = await start();
      tracker = world.tracker;
    });
    afterEach(async () => {
      await world.close();
    });

    /** A ticket filed as the bot, in triage, with a clock tick after it. */
    async function file(summary = "Wallet: balance shown twice", extra: Partial<Parameters<TrackerPort["fileTicket"]>[0]> = {}): Promise<Ticket> {
      const ticket = await tracker.fileTicket({ summary, description: "Seen on Android after a restore.", stage: "triage", ...extra });
      world.advance(SECOND);
      return ticket;
    }

    /** Moves a ticket to each stage in turn, reading it anew before each move. */
    async function walk(id: number, stages: readonly Stage[]): Promise<Ticket> {
      let ticket = await tracker.getTicket(id);
      for (const stage of stages) {
        ticket = await tracker.changeTicket(await tracker.getTicket(id), { stage });
        world.advance(SECOND);
      }
      return ticket;
    }

    describe("what it says about itself", () => {
      it("has a name, limits and a state label for every stage", () => {
        expect(tracker.name.trim()).not.toBe("");
        expect(tracker.limits.summaryLength).toBeGreaterThan(20);
        expect(tracker.limits.versionNameBytes).toBeGreaterThan(4);
        for (const stage of STAGES) expect(tracker.stageLabels[stage][0].trim(), stage).not.toBe("");
      });

      it("reads back its own references and links, and nothing else", () => {
        expect(tracker.parseReference("#12")).toBe(12);
        expect(tracker.parseReference("12")).toBe(12);
        expect(tracker.parseReference(` ${tracker.ticketUrl(34)} `)).toBe(34);
        for (const text of ["", "#0", "-3", "12a", "twelve", "https://example.com/?id=3"]) expect(tracker.parseReference(text), text).toBeUndefined();
      });
    });

    describe("filing", () => {
      it("files a ticket in the stage asked for, open, and reads it back the same", async () => {
        const filed = await file("Wallet: balance shown twice", { priority: "high", tags: ["Customer"] });
        expect(filed).toMatchObject({ summary: "Wallet: balance shown twice", description: "Seen on Android after a restore.", priority: "high", private: false });
        expect(filed.state.stages).toContain("triage");
        expect(filed.state.open).toBe(true);
        expect(filed.state.unknown).toBeUndefined();
        expect(filed.tags).toEqual(["Customer"]);
        expect(filed.handler).toBeUndefined();
        const read = await tracker.getTicket(filed.id);
        expect(read).toMatchObject({ id: filed.id, summary: filed.summary, priority: "high", tags: ["Customer"], subTicketIds: [], parentTicketIds: [] });
        expect(read.state.stages).toContain("triage");
      });

      it("files its notes with it, a private one private", async () => {
        const filed = await file("Exchange: KYC link broken", { private: true, notes: [{ text: "Customer: Jane, +41 79 555 01 23", private: true }] });
        const read = await tracker.getTicket(filed.id);
        expect(read.private).toBe(true);
        expect(read.notes).toEqual([expect.objectContaining({ private: true, text: expect.stringContaining("Customer: Jane, +41 79 555 01 23") })]);
      });

      it("files a ticket for an assignee, who then handles it", async () => {
        const filed = await tracker.fileTicket({ summary: "Merchant: refund button missing", description: "d", assignee: world.people.alice });
        expect(filed.handler?.handle).toBe("alice");
        expect((await tracker.getTicket(filed.id)).handler?.handle).toBe("alice");
      });

      it("files as the person it acts for", async () => {
        const filed = await tracker.actingAs(world.people.bob).fileTicket({ summary: "Docs: glossary", description: "Unclear terms." });
        const read = await tracker.getTicket(filed.id);
        const byLine = read.reporter?.handle === "bob" || read.description.includes(world.people.bob.displayName);
        expect(byLine).toBe(true);
      });

      it("refuses a summary longer than its limit, or empty, and files nothing", async () => {
        const fits = await file("x".repeat(tracker.limits.summaryLength));
        expect([...fits.summary]).toHaveLength(tracker.limits.summaryLength);
        const before = (await tracker.listTickets({ page: 1, pageSize: 50 })).length;
        await expect(tracker.fileTicket({ summary: "x".repeat(tracker.limits.summaryLength + 1), description: "d" })).rejects.toThrow(TrackerRejectedError);
        await expect(tracker.fileTicket({ summary: "  ", description: "d" })).rejects.toThrow(TrackerRejectedError);
        expect(await tracker.listTickets({ page: 1, pageSize: 50 })).toHaveLength(before);
      });

      it("refuses an assignee it has no account for, and files nothing", async () => {
        await expect(tracker.fileTicket({ summary: "Bank: import stalls", description: "d", assignee: world.people.stranger })).rejects.toThrow(NotFoundError);
        expect(await tracker.listTickets({ page: 1, pageSize: 50 })).toEqual([]);
      });
    });

    describe("changing", () => {
      it("moves a ticket through every stage of the process, each move read back as that stage", async () => {
        const filed = await file();
        const path: Stage[] = ["feedback", "timeline", "confirmed", "in-work", "review", "in-work", "review", "resolution", "resolved", "closed"];
        for (const stage of path) {
          const moved = await tracker.changeTicket(await tracker.getTicket(filed.id), { stage });
          world.advance(SECOND);
          expect(moved.state.stages, stage).toContain(stage);
          expect((await tracker.getTicket(filed.id)).state.stages, stage).toContain(stage);
          expect(moved.state.open, stage).toBe(stage !== "resolved" && stage !== "closed");
          expect(moved.state.label.trim()).not.toBe("");
        }
      });

      it("labels a moved ticket as its stage labels say", async () => {
        const filed = await file();
        for (const stage of ["feedback", "confirmed", "resolved"] as const) {
          const moved = await tracker.changeTicket(await tracker.getTicket(filed.id), { stage });
          world.advance(SECOND);
          expect(tracker.stageLabels[stage]).toContain(moved.state.label);
        }
      });

      it("assigns, reassigns and unassigns by person", async () => {
        const filed = await file();
        const assigned = await tracker.changeTicket(filed, { stage: "feedback", assignee: world.people.alice });
        expect(assigned.handler?.handle).toBe("alice");
        world.advance(SECOND);
        const reassigned = await tracker.changeTicket(assigned, { assignee: world.people.bob });
        expect(reassigned.handler?.handle).toBe("bob");
        expect(reassigned.state.stages).toContain("feedback");
        world.advance(SECOND);
        const unassigned = await tracker.changeTicket(reassigned, { assignee: null });
        expect(unassigned.handler).toBeUndefined();
      });

      it("changes priority, summary and fixed-in version, with notes in the same change", async () => {
        const filed = await file();
        const [version] = await tracker.listVersionNames();
        const name = version ?? (await tracker.createVersion("7.7.7")).name;
        const changed = await tracker.changeTicket(filed, {
          priority: "urgent",
          summary: `[4h, 14.3.2034] ${filed.summary}`,
          fixedInVersion: name,
          notes: [
            { text: "Deadline moved from 1.3.2034 to 14.3.2034.", private: false },
            { text: "Draft response to the customer: we fixed it.", private: true },
          ],
        });
        expect(changed).toMatchObject({ priority: "urgent", summary: `[4h, 14.3.2034] ${filed.summary}`, fixedInVersion: name });
        const read = await tracker.getTicket(filed.id);
        expect(read.notes.map((note) => [note.private, note.text.endsWith("Deadline moved from 1.3.2034 to 14.3.2034.") || note.text.endsWith("we fixed it.")])).toEqual([
          [false, true],
          [true, true],
        ]);
      });

      it("refuses a change to a ticket changed since it was read, and changes nothing", async () => {
        const filed = await file();
        const read = await tracker.getTicket(filed.id);
        await tracker.addNote(filed.id, { text: "Someone else was here.", private: false });
        world.advance(SECOND);
        await expect(tracker.changeTicket(read, { stage: "feedback", assignee: world.people.alice })).rejects.toThrow(ConflictError);
        const now = await tracker.getTicket(filed.id);
        expect(now.handler).toBeUndefined();
        expect(now.state.stages).toContain("triage");
      });

      it("refuses an assignee it has no account for, and changes nothing", async () => {
        const filed = await file();
        await expect(tracker.changeTicket(filed, { stage: "feedback", assignee: world.people.stranger })).rejects.toThrow(NotFoundError);
        const now = await tracker.getTicket(filed.id);
        expect(now.handler).toBeUndefined();
        expect(now.state.stages).toContain("triage");
      });

      it("refuses a summary over its limit, and changes nothing", async () => {
        const filed = await file();
        await expect(tracker.changeTicket(filed, { summary: "y".repeat(tracker.limits.summaryLength + 1), stage: "feedback" })).rejects.toThrow(TrackerRejectedError);
        expect((await tracker.getTicket(filed.id)).summary).toBe(filed.summary);
      });
    });

    describe("notes", () => {
      it("adds a public and a private note", async () => {
        const filed = await file();
        const pub = await tracker.addNote(filed.id, { text: "Reproduced on 0.9.", private: false });
        const priv = await tracker.addNote(filed.id, { text: "Customer's phone: +41 79 555 01 23", private: true });
        expect(pub.private).toBe(false);
        expect(priv.private).toBe(true);
        const notes = (await tracker.getTicket(filed.id)).notes;
        expect(notes.map((note) => note.id)).toEqual([pub.id, priv.id]);
        expect(notes.map((note) => note.private)).toEqual([false, true]);
      });

      it("writes a note as the person it acts for, whom the note then names", async () => {
        const filed = await file();
        const note = await tracker.actingAs(world.people.rolf).addNote(filed.id, { text: "Seen here too.", private: false });
        expect(note.author.handle === "rolf" || note.text.includes(world.people.rolf.displayName)).toBe(true);
        expect(note.text).toContain("Seen here too.");
      });

      it("refuses a note on a ticket that does not exist", async () => {
        await expect(tracker.addNote(99_999, { text: "Hello?", private: false })).rejects.toThrow(NotFoundError);
      });

      it("deletes a private note, leaving the others, and refuses a note it does not have", async () => {
        const filed = await file();
        const kept = await tracker.addNote(filed.id, { text: "Reproduced on 0.9.", private: false });
        const contact = await tracker.addNote(filed.id, { text: "Customer's phone: +41 79 555 01 23", private: true });
        await tracker.deleteNote(filed.id, contact.id);
        expect((await tracker.getTicket(filed.id)).notes.map((note) => note.id)).toEqual([kept.id]);
        await expect(tracker.deleteNote(filed.id, contact.id)).rejects.toThrow(NotFoundError);
        await expect(tracker.deleteNote(99_999, kept.id)).rejects.toThrow(NotFoundError);
      });
    });

    describe("finding a filed ticket by its marker", () => {
      it("finds the ticket whose description holds the marker, and none for a marker nobody filed", async () => {
        await file("Wallet: balance shown twice");
        const marked = await tracker.fileTicket({ summary: "Exchange: refund missing", description: "Seen twice.\n\n(support-bot filing F-7)", stage: "triage" });
        world.advance(SECOND);
        await file("Merchant backend: slow");
        expect((await tracker.findFiledByMarker("(support-bot filing F-7)"))?.id).toBe(marked.id);
        expect(await tracker.findFiledByMarker("(support-bot filing F-8)")).toBeUndefined();
      });
    });

    describe("sub-tickets", () => {
      it("links a sub-ticket to its parent, both ways, and linking again changes nothing", async () => {
        const parent = await file("Refund flow");
        const child = await file("Exchange: schema change?");
        await tracker.linkSubTicket(parent.id, child.id);
        world.advance(SECOND);
        await tracker.linkSubTicket(parent.id, child.id);
        expect((await tracker.getTicket(parent.id)).subTicketIds).toEqual([child.id]);
        expect((await tracker.getTicket(child.id)).parentTicketIds).toEqual([parent.id]);
        expect((await tracker.getTicket(child.id)).subTicketIds).toEqual([]);
      });

      it("refuses to resolve a parent while a sub-ticket is open, changing nothing; resolves it once the sub-ticket is", async () => {
        const parent = await file("Refund flow");
        const child = await file("Exchange: schema change?");
        await tracker.linkSubTicket(parent.id, child.id);
        world.advance(SECOND);
        await walk(parent.id, ["feedback", "timeline", "confirmed", "in-work", "review"]);
        await expect(tracker.changeTicket(await tracker.getTicket(parent.id), { stage: "resolved" })).rejects.toThrow(TrackerRejectedError);
        expect((await tracker.getTicket(parent.id)).state.stages).toContain("review");

        await walk(child.id, ["feedback", "resolved"]);
        const resolved = await tracker.changeTicket(await tracker.getTicket(parent.id), { stage: "resolved" });
        expect(resolved.state.stages).toContain("resolved");
        expect(resolved.state.open).toBe(false);
      });

      it("lets a sub-ticket be resolved while its parent is open", async () => {
        const parent = await file("Refund flow");
        const child = await file("Exchange: schema change?");
        await tracker.linkSubTicket(parent.id, child.id);
        world.advance(SECOND);
        expect((await walk(child.id, ["feedback", "resolved", "closed"])).state.stages).toContain("closed");
      });

      it("refuses a link to a ticket that does not exist", async () => {
        const parent = await file("Refund flow");
        await expect(tracker.linkSubTicket(parent.id, 99_999)).rejects.toThrow(NotFoundError);
        await expect(tracker.linkSubTicket(99_999, parent.id)).rejects.toThrow(NotFoundError);
      });
    });

    describe("reading", () => {
      it("refuses a ticket that does not exist", async () => {
        await expect(tracker.getTicket(99_999)).rejects.toThrow(NotFoundError);
        const filed = await file();
        await expect(tracker.changeTicket({ ...filed, id: 99_999 }, { stage: "feedback" })).rejects.toThrow(NotFoundError);
      });

      it("lists every ticket newest update first, a page at a time, closed ones too", async () => {
        const first = await file("First");
        const second = await file("Second");
        const third = await file("Third");
        await walk(first.id, ["feedback", "resolved", "closed"]);
        const pageOne = await tracker.listTickets({ page: 1, pageSize: 2 });
        const pageTwo = await tracker.listTickets({ page: 2, pageSize: 2 });
        expect(pageOne.map((ticket) => ticket.id)).toEqual([first.id, third.id]);
        expect(pageTwo.map((ticket) => ticket.id)).toEqual([second.id]);
        expect(await tracker.listTickets({ page: 3, pageSize: 2 })).toEqual([]);
        expect(pageOne[0]!.state.open).toBe(false);
      });

      it("reads a state the process does not know as unknown, naming the ones it knows", async () => {
        const filed = await file();
        await world.setUnknownState(filed.id);
        const read = await tracker.getTicket(filed.id);
        expect(read.state.unknown?.tracker).toBe(tracker.name);
        expect(read.state.unknown?.known.length).toBeGreaterThan(0);
        expect(read.state.stages.length).toBeGreaterThan(0);
        expect((await tracker.listTickets({ page: 1, pageSize: 10 })).find((ticket) => ticket.id === filed.id)?.state.unknown).toBeDefined();
      });
    });

    describe("persons", () => {
      it("says who may handle tickets, the same when asked anew", async () => {
        const { alice, bob, rolf, stranger } = world.people;
        expect((await tracker.mayHandle([alice, rolf, bob, stranger])).map((person) => person.name)).toEqual(["alice", "bob"]);
        expect((await tracker.mayHandle([rolf, alice], { fresh: true })).map((person) => person.name)).toEqual(["alice"]);
        expect(await tracker.mayHandle([])).toEqual([]);
      });

      it("refuses to act for someone it has no account for", async () => {
        await expect(async () => tracker.actingAs(world.people.stranger).getTicket(1)).rejects.toThrow(NotFoundError);
      });
    });

    describe("versions", () => {
      it("creates a version unreleased and marks it released on a day", async () => {
        const created = await tracker.createVersion("9.9.1");
        expect(created).toMatchObject({ name: "9.9.1", released: false });
        expect(await tracker.listVersionNames({ fresh: true })).toContain("9.9.1");
        const on = new Date("2026-11-26T10:00:00Z");
        const released = await tracker.markVersionReleased(created.id, on);
        expect(released).toMatchObject({ id: created.id, name: "9.9.1", released: true });
        expect((await tracker.listVersions()).find((version) => version.id === created.id)).toMatchObject({ released: true });
      });
    });
  });
}
