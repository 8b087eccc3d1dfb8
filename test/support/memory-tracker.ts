/**
 * A second tracker, in memory: written against the tracker port contract alone
 * (test/tracker/port-contract.ts), to show that the process needs nothing MantisBT-specific and to
 * give tests a tracker without HTTP. It deliberately differs from MantisBT wherever the port lets it:
 * one state per stage (no ambiguity to resolve), its own account names and links, smaller limits.
 */
import { ConflictError, NotFoundError } from "../../src/errors.js";
import type { Person, PersonRef } from "../../src/core/person.js";
import { STAGES, type Stage, type StageLabels } from "../../src/core/stages.js";
import type { NewNote, Priority, Ticket, TicketNote, TicketState } from "../../src/core/ticket.js";
import { TrackerRejectedError, type NewTicket, type ProjectVersion, type TicketChange, type TrackerLimits, type TrackerPort } from "../../src/process/tracker-port.js";

/** Someone with an account in the memory tracker. */
export interface MemoryAccount {
  /** The staff handle of the person. */
  handle: string;
  /** The tracker's own name for the account. */
  account: string;
  /** Whether they may handle tickets. */
  mayHandle: boolean;
}

/** How the memory tracker names the state of each stage. */
const STATE_LABELS: StageLabels = {
  triage: ["UNTRIAGED"],
  feedback: ["ANALYSIS"],
  timeline: ["NEEDS TIMELINE"],
  confirmed: ["PLANNED"],
  "in-work": ["IN PROGRESS"],
  review: ["IN REVIEW"],
  resolution: ["TELL CUSTOMER"],
  resolved: ["DONE"],
  closed: ["SHIPPED"],
};

const LINK = /^memory:\/\/tickets\/(\d+)$/;

interface Stored {
  id: number;
  summary: string;
  description: string;
  stage: Stage;
  /** A state set by hand that the process does not know. */
  customState?: string;
  priority: Priority;
  reporter?: string;
  handler?: string;
  category: string;
  private: boolean;
  tags: string[];
  notes: TicketNote[];
  subTicketIds: number[];
  fixedInVersion?: string;
  createdAt: Date;
  updatedAt: Date;
  revision: number;
}

/** The tracker's data, shared by every person it acts for. */
class MemoryData {
  readonly tickets = new Map<number, Stored>();
  readonly versions: ProjectVersion[] = [];
  readonly categories = new Set(["General"]);
  nextNoteId = 1;

  constructor(
    readonly accounts: readonly MemoryAccount[],
    readonly now: () => Date,
  ) {}
}

/** Options of the memory tracker. */
export interface MemoryTrackerOptions {
  accounts: readonly MemoryAccount[];
  /** The clock tickets are stamped with; default the real one. */
  now?: () => Date;
  versions?: readonly string[];
}

/** A memory tracker acting as the bot itself. */
export function createMemoryTracker(options: MemoryTrackerOptions): MemoryTracker {
  const data = new MemoryData(options.accounts, options.now ?? (() => new Date()));
  for (const name of options.versions ?? []) data.versions.push({ id: data.versions.length + 1, name, released: false, obsolete: false });
  return new MemoryTracker(data, undefined);
}

/** The memory tracker; `setCustomState` stands for someone changing a ticket by hand. */
export class MemoryTracker implements TrackerPort {
  readonly name = "Memory Tracker";
  readonly limits: TrackerLimits = { summaryLength: 80, versionNameBytes: 32 };
  readonly stageLabels = STATE_LABELS;
  readonly reporterNoteEndsFeedback = false;

  constructor(
    private readonly data: MemoryData,
    private readonly actor: MemoryAccount | undefined,
  ) {}

  ticketUrl(id: number): string {
    return `memory://tickets/${id}`;
  }

  parseReference(text: string): number | undefined {
    const match = /^#?(\d+)$/.exec(text.trim()) ?? LINK.exec(text.trim());
    const id = match ? Number(match[1]) : 0;
    return id > 0 && Number.isSafeInteger(id) ? id : undefined;
  }

  async getTicket(id: number): Promise<Ticket> {
    return this.toTicket(this.stored(id));
  }

  async listTickets(page: { page: number; pageSize: number }): Promise<Ticket[]> {
    const all = [...this.data.tickets.values()].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || b.id - a.id);
    return all.slice((page.page - 1) * page.pageSize, page.page * page.pageSize).map((ticket) => this.toTicket(ticket));
  }

  async fileTicket(ticket: NewTicket): Promise<Ticket> {
    this.checkSummary(ticket.summary);
    const category = ticket.category ?? "General";
    if (!this.data.categories.has(category)) throw new NotFoundError(`Category '${category}' not found`);
    const handler = ticket.assignee ? this.accountOf(ticket.assignee).account : undefined;
    const notes = (ticket.notes ?? []).map((note) => this.makeNote(note));
    const now = this.data.now();
    const stored: Stored = {
      id: this.data.tickets.size + 1,
      summary: ticket.summary,
      description: ticket.description,
      stage: ticket.stage ?? "triage",
      priority: ticket.priority ?? "normal",
      ...(this.actor ? { reporter: this.actor.account } : {}),
      ...(handler ? { handler } : {}),
      category,
      private: ticket.private ?? false,
      tags: [...(ticket.tags ?? [])],
      notes,
      subTicketIds: [],
      createdAt: now,
      updatedAt: now,
      revision: 1,
    };
    this.data.tickets.set(stored.id, stored);
    return this.toTicket(stored);
  }

  async changeTicket(ticket: Ticket, change: TicketChange): Promise<Ticket> {
    const stored = this.stored(ticket.id);
    if (ticket.revision !== undefined && ticket.revision !== String(stored.revision)) throw new ConflictError(`Bug #${ticket.id} changed meanwhile: reload and retry`);
    // Every check before the first change: all or nothing.
    if (change.summary !== undefined) this.checkSummary(change.summary);
    const handler = change.assignee === undefined ? undefined : change.assignee === null ? null : this.accountOf(change.assignee).account;
    if (change.fixedInVersion !== undefined && !this.data.versions.some((version) => version.name === change.fixedInVersion)) {
      throw new TrackerRejectedError(`There is no version '${change.fixedInVersion}'`);
    }
    if ((change.stage === "resolved" || change.stage === "closed") && isOpenStage(stored.stage)) {
      const open = stored.subTicketIds.filter((id) => isOpenStage(this.stored(id).stage));
      if (open.length > 0) throw new TrackerRejectedError(`Bug #${ticket.id} has open sub-tickets (${open.map((id) => `#${id}`).join(", ")})`);
    }
    const notes = (change.notes ?? []).map((note) => this.makeNote(note));
    if (change.stage !== undefined) {
      stored.stage = change.stage;
      delete stored.customState;
    }
    if (handler === null) delete stored.handler;
    else if (handler !== undefined) stored.handler = handler;
    if (change.priority !== undefined) stored.priority = change.priority;
    if (change.summary !== undefined) stored.summary = change.summary;
    if (change.fixedInVersion !== undefined) stored.fixedInVersion = change.fixedInVersion;
    stored.notes.push(...notes);
    this.touch(stored);
    return this.toTicket(stored);
  }

  async deleteNote(ticketId: number, noteId: number): Promise<void> {
    const stored = this.stored(ticketId);
    const index = stored.notes.findIndex((note) => note.id === noteId);
    if (index < 0) throw new NotFoundError(`Bug #${ticketId} has no note ${noteId}`);
    stored.notes.splice(index, 1);
    this.touch(stored);
  }

  async findFiledByMarker(marker: string): Promise<Ticket | undefined> {
    const found = [...this.data.tickets.values()].find((ticket) => ticket.description.includes(marker));
    return found && this.toTicket(found);
  }

  async addNote(ticketId: number, note: NewNote): Promise<TicketNote> {
    const stored = this.stored(ticketId);
    const made = this.makeNote(note);
    stored.notes.push(made);
    this.touch(stored);
    return made;
  }

  async linkSubTicket(parentId: number, childId: number): Promise<void> {
    const parent = this.stored(parentId);
    this.stored(childId);
    if (parentId === childId) throw new TrackerRejectedError(`Bug #${parentId} cannot be its own sub-ticket`);
    if (parent.subTicketIds.includes(childId)) return;
    parent.subTicketIds.push(childId);
    this.touch(parent);
  }

  async mayHandle(people: readonly Person[]): Promise<Person[]> {
    return people.filter((person) => this.data.accounts.find((account) => account.handle === person.name)?.mayHandle === true);
  }

  async listVersionNames(): Promise<string[]> {
    return this.data.versions.map((version) => version.name);
  }

  async listVersions(): Promise<ProjectVersion[]> {
    return this.data.versions.map((version) => ({ ...version }));
  }

  async createVersion(name: string): Promise<ProjectVersion> {
    if (Buffer.byteLength(name) > this.limits.versionNameBytes) throw new TrackerRejectedError(`The version name '${name}' is too long`);
    if (this.data.versions.some((version) => version.name === name)) throw new TrackerRejectedError(`Version '${name}' exists already`);
    const version: ProjectVersion = { id: this.data.versions.length + 1, name, released: false, obsolete: false };
    this.data.versions.push(version);
    return { ...version };
  }

  async markVersionReleased(versionId: number, on: Date): Promise<ProjectVersion> {
    const version = this.data.versions.find((candidate) => candidate.id === versionId);
    if (!version) throw new NotFoundError(`There is no version #${versionId}`);
    version.released = true;
    version.date = on;
    return { ...version };
  }

  actingAs(person: Person): TrackerPort {
    return new MemoryTracker(this.data, this.accountOf(person));
  }

  /** Puts the ticket in a state someone made up in the tracker, which the process does not know. */
  setCustomState(id: number, name: string): void {
    const stored = this.stored(id);
    stored.customState = name;
    this.touch(stored);
  }

  private stored(id: number): Stored {
    const stored = this.data.tickets.get(id);
    if (!stored) throw new NotFoundError(`Bug #${id} does not exist`);
    return stored;
  }

  private accountOf(person: Person): MemoryAccount {
    const account = this.data.accounts.find((candidate) => candidate.handle === person.name);
    if (!account) throw new NotFoundError(`@${person.name} has no account in the ${this.name}`);
    return account;
  }

  private checkSummary(summary: string): void {
    if (summary.trim() === "") throw new TrackerRejectedError("The summary must not be empty");
    const length = [...summary].length;
    if (length > this.limits.summaryLength) throw new TrackerRejectedError(`The summary is ${length} characters long; at most ${this.limits.summaryLength} fit`);
  }

  private makeNote(note: NewNote): TicketNote {
    if (note.text.trim() === "") throw new TrackerRejectedError("A note needs some text");
    const author = this.actor?.account ?? "memory-bot";
    return { id: this.data.nextNoteId++, author: this.personOf(author), text: note.text, private: note.private, createdAt: this.data.now() };
  }

  private touch(stored: Stored): void {
    stored.updatedAt = this.data.now();
    stored.revision++;
  }

  private personOf(account: string): PersonRef {
    const known = this.data.accounts.find((candidate) => candidate.account === account);
    return known ? { name: account, handle: known.handle } : { name: account };
  }

  private state(stored: Stored): TicketState {
    const [label] = STATE_LABELS[stored.stage];
    const base = { key: stored.customState ?? stored.stage, stages: [stored.stage] as [Stage], open: isOpenStage(stored.stage) };
    if (stored.customState === undefined) return { ...base, label };
    return { ...base, label: stored.customState, unknown: { tracker: this.name, known: STAGES.map((stage) => STATE_LABELS[stage][0]) } };
  }

  private toTicket(stored: Stored): Ticket {
    const parents = [...this.data.tickets.values()].filter((candidate) => candidate.subTicketIds.includes(stored.id)).map((candidate) => candidate.id);
    return {
      id: stored.id,
      summary: stored.summary,
      description: stored.description,
      state: this.state(stored),
      priority: stored.priority,
      ...(stored.reporter ? { reporter: this.personOf(stored.reporter) } : {}),
      ...(stored.handler ? { handler: this.personOf(stored.handler) } : {}),
      category: stored.category,
      private: stored.private,
      tags: [...stored.tags],
      notes: stored.notes.map((note) => ({ ...note })),
      subTicketIds: [...stored.subTicketIds].sort((a, b) => a - b),
      parentTicketIds: parents.sort((a, b) => a - b),
      ...(stored.fixedInVersion ? { fixedInVersion: stored.fixedInVersion } : {}),
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
      revision: String(stored.revision),
    };
  }
}

function isOpenStage(stage: Stage): boolean {
  return stage !== "resolved" && stage !== "closed";
}
