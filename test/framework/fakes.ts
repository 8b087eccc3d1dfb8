/**
 * Test doubles for the dispatcher's services: a tracker and a notifier that record what they were
 * asked, and a services builder with a small staff directory and an in-memory store.
 */
import type { Logger } from "pino";
import { ChannelErp } from "../../src/erp/channel-erp.js";
import type { ChannelKey, Notifier } from "../../src/chat/notifier.js";
import type { ProcessSettings } from "../../src/core/process-settings.js";
import { NotFoundError } from "../../src/errors.js";
import type { DispatchServices } from "../../src/framework/dispatcher.js";
import type { CommandRegistry } from "../../src/framework/registry.js";
import type { Message } from "../../src/framework/reply.js";
import { StaffDirectory, type StaffMember, type StaffMemberInput } from "../../src/identity.js";
import { Store } from "../../src/store/store.js";
import { openHarnessStore } from "../support/store-backends.js";
import type { Person } from "../../src/core/person.js";
import type { NewNote, Ticket, TicketNote } from "../../src/core/ticket.js";
import type { NewTicket, ProjectVersion, TicketChange, TrackerPort } from "../../src/process/tracker-port.js";
import { MANTIS_LIMITS, MANTIS_STAGE_LABELS, parseMantisReference, ticketState } from "../../src/tracker/mantis/mantis-tracker.js";
import { testProcessSettings } from "../support/settings.js";

export interface TrackerCall {
  method: keyof TrackerPort;
  /** Staff handle of the person the call was made for, when made through `actingAs`. */
  actingAs?: string;
  args: unknown[];
}

/** A TrackerPort over an in-memory map of tickets that records every call, in order (persons by handle). */
export class FakeTracker implements TrackerPort {
  readonly name = "MantisBT";
  readonly limits = MANTIS_LIMITS;
  readonly stageLabels = MANTIS_STAGE_LABELS;
  readonly reporterNoteEndsFeedback = false;

  constructor(
    readonly bugs = new Map<number, Ticket>(),
    readonly calls: TrackerCall[] = [],
    private readonly actor?: Person,
  ) {}

  private record(method: keyof TrackerPort, args: unknown[]): void {
    this.calls.push({ method, actingAs: this.actor?.name, args });
  }

  ticketUrl(id: number): string {
    return `https://bugs.example.com/view.php?id=${id}`;
  }

  parseReference(text: string): number | undefined {
    return parseMantisReference(text);
  }

  async getTicket(id: number): Promise<Ticket> {
    this.record("getTicket", [id]);
    return this.ticketQuietly(id);
  }

  async listTickets(page: { page: number; pageSize: number }): Promise<Ticket[]> {
    this.record("listTickets", [page]);
    return [...this.bugs.values()].slice((page.page - 1) * page.pageSize, page.page * page.pageSize);
  }

  async fileTicket(ticket: NewTicket): Promise<Ticket> {
    this.record("fileTicket", [ticket]);
    const created = makeBug({ id: this.bugs.size + 1, summary: ticket.summary, description: ticket.description });
    this.bugs.set(created.id, created);
    return created;
  }

  async changeTicket(ticket: Ticket, change: TicketChange): Promise<Ticket> {
    const { assignee, ...rest } = change;
    this.record("changeTicket", [ticket.id, { ...rest, ...(assignee !== undefined ? { assignee: assignee?.name ?? null } : {}) }]);
    const bug = this.ticketQuietly(ticket.id);
    const updated: Ticket = {
      ...bug,
      ...(change.priority ? { priority: change.priority } : {}),
      ...(assignee ? { handler: { name: assignee.name, handle: assignee.name } } : {}),
    };
    this.bugs.set(ticket.id, updated);
    return updated;
  }

  async deleteNote(ticketId: number, noteId: number): Promise<void> {
    this.record("deleteNote", [ticketId, noteId]);
    this.ticketQuietly(ticketId);
  }

  async findFiledByMarker(marker: string): Promise<Ticket | undefined> {
    this.record("findFiledByMarker", [marker]);
    return [...this.bugs.values()].find((bug) => bug.description.includes(marker));
  }

  async addNote(ticketId: number, note: NewNote): Promise<TicketNote> {
    this.record("addNote", [ticketId, note]);
    this.ticketQuietly(ticketId);
    const author = this.actor?.name ?? "bot";
    return { id: 1, author: { name: author, handle: author }, text: note.text, private: note.private, createdAt: new Date(0) };
  }

  async linkSubTicket(parentId: number, childId: number): Promise<void> {
    this.record("linkSubTicket", [parentId, childId]);
  }

  async mayHandle(people: readonly Person[]): Promise<Person[]> {
    this.record("mayHandle", [people.map((person) => person.name)]);
    return [];
  }

  async listVersionNames(): Promise<string[]> {
    this.record("listVersionNames", []);
    return [];
  }

  async listVersions(): Promise<ProjectVersion[]> {
    this.record("listVersions", []);
    return [];
  }

  async createVersion(name: string): Promise<ProjectVersion> {
    this.record("createVersion", [name]);
    return { id: 1, name, released: false, obsolete: false };
  }

  async markVersionReleased(versionId: number, on: Date): Promise<ProjectVersion> {
    this.record("markVersionReleased", [versionId, on]);
    return { id: versionId, name: `version #${versionId}`, released: true, obsolete: false, date: on };
  }

  actingAs(person: Person): TrackerPort {
    return new FakeTracker(this.bugs, this.calls, person);
  }

  private ticketQuietly(id: number): Ticket {
    const bug = this.bugs.get(id);
    if (!bug) throw new NotFoundError(`There is no bug #${id}.`);
    return bug;
  }
}

/** A ticket with plausible defaults; tests override what they care about. */
export function makeBug(fields: Partial<Ticket> & { id: number }): Ticket {
  return {
    summary: `Bug ${fields.id}`,
    description: "",
    state: ticketState({ status: "new" }),
    priority: "normal",
    private: false,
    tags: [],
    notes: [],
    subTicketIds: [],
    parentTicketIds: [],
    createdAt: new Date("2034-03-01T09:00:00Z"),
    updatedAt: new Date("2034-03-01T09:00:00Z"),
    ...fields,
  };
}

export type NotifierCall =
  | { kind: "direct"; recipient: string; message: Message }
  | { kind: "channel"; channel: ChannelKey; message: Message };

/** A Notifier that records what it would have sent. */
export class FakeNotifier implements Notifier {
  readonly sent: NotifierCall[] = [];

  async direct(recipient: StaffMember, message: Message): Promise<void> {
    this.sent.push({ kind: "direct", recipient: recipient.name, message });
  }

  async channel(channel: ChannelKey, message: Message): Promise<void> {
    this.sent.push({ kind: "channel", channel, message });
  }
}

export const TEST_STAFF: readonly StaffMemberInput[] = [
  { name: "manager", role: "management", displayName: "Maria Manager", accounts: { mantis: "manager", mattermost: "maria" } },
  { name: "alice", role: "staff", displayName: "Alice Developer", accounts: { mantis: "alice.m", matrix: "@alice:example.org" } },
  { name: "bob", role: "staff", displayName: "Bob Developer", accounts: { mantis: "bob", mattermost: "bob" } },
];

export const TEST_SETTINGS: ProcessSettings = testProcessSettings({ timeZone: "Europe/Zurich" });

export const TEST_NOW = new Date("2034-03-14T10:00:00Z");

export interface TestServices extends DispatchServices {
  tracker: FakeTracker;
  notifier: FakeNotifier;
}

/** Dispatcher services over fakes; close `store` when done. */
export async function makeServices(commands: CommandRegistry, logger: Logger): Promise<TestServices> {
  const tracker = new FakeTracker(new Map([[12, makeBug({ id: 12, summary: "Wallet shows wrong balance" })]]));
  const store = await openHarnessStore();
  const notifier = new FakeNotifier();
  return {
    commands,
    tracker,
    trackerFor: (member) => tracker.actingAs(member),
    staff: new StaffDirectory([...TEST_STAFF]),
    store,
    notifier,
    erp: new ChannelErp(store, notifier, () => TEST_NOW),
    settings: TEST_SETTINGS,
    now: () => TEST_NOW,
    logger,
    newRequestId: () => "req-0001",
  };
}
