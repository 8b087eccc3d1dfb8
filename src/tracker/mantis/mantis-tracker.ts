/**
 * The MantisBT adapter of the tracker port: tickets, stages and persons in, MantisBT's statuses,
 * resolutions, relationships and user names out, over the REST client (`mantis-client.ts`).
 *
 * Decisions:
 * - Stages and statuses: each stage has the statuses in `STAGE_STATUSES`; a move to a stage sets its
 *   first one, and a bug read in a status can be in every stage that lists it (`new`: triage or
 *   timeline, `feedback`: feedback or review, `assigned`: in work or resolution). `acknowledged`
 *   (not used by the seed) counts as waiting for triage. A move to `resolved` also sets the
 *   resolution `fixed`: MantisBT's REST API does not set it when the status changes.
 * - A custom status (or `@0@` after a bad update) is read as the nearest default status below it,
 *   marked unknown so that process commands leave the bug alone.
 * - Persons: the staff directory gives each person's MantisBT user name (`accounts.mantis`), and
 *   each MantisBT user name read back the staff member it belongs to. Nobody else reads that field.
 * - Sub-tickets: a parent is `parent-of` its sub-tickets (MantisBT shows the sub-ticket `child-of`).
 */
import { NotFoundError } from "../../errors.js";
import type { StaffDirectory, StaffMember } from "../../identity.js";
import type { Person, PersonRef } from "../../core/person.js";
import { STAGES, type Stage, type StageLabels } from "../../core/stages.js";
import type { NewNote, Ticket, TicketNote, TicketState } from "../../core/ticket.js";
import { TrackerRejectedError, type NewTicket, type ProjectVersion, type TicketChange, type TrackerLimits, type TrackerPort } from "../../process/tracker-port.js";
import { MAX_SUMMARY_LENGTH, STATUS_NAMES, type Bug, type BugChange, type BugNote, type MantisClient, type StatusName, type TrackerUser } from "./mantis-types.js";

/** How replies name the tracker. */
export const MANTIS_NAME = "MantisBT";

/** MantisBT's limits: `summary` is `varchar(128)` (longer makes 2.28.4 answer 500), a version name 64 bytes. */
export const MANTIS_LIMITS: TrackerLimits = { summaryLength: MAX_SUMMARY_LENGTH, versionNameBytes: 64 };

/** The statuses a bug in each stage has in MantisBT; a move to the stage sets the first. */
export const STAGE_STATUSES: Readonly<Record<Stage, readonly [StatusName, ...StatusName[]]>> = {
  triage: ["new", "acknowledged"],
  feedback: ["feedback"],
  timeline: ["new"],
  confirmed: ["confirmed"],
  "in-work": ["assigned"],
  review: ["feedback"],
  resolution: ["assigned"],
  resolved: ["resolved"],
  closed: ["closed"],
};

/** A status as replies write it: NEW, FEEDBACK, ... */
export function statusLabel(status: StatusName): string {
  return status.toUpperCase();
}

/** The status labels of each stage, for help and the docs. */
export const MANTIS_STAGE_LABELS: StageLabels = Object.fromEntries(
  STAGES.map((stage) => {
    const [first, ...rest] = STAGE_STATUSES[stage];
    return [stage, [statusLabel(first), ...rest.map(statusLabel)]];
  }),
) as unknown as StageLabels;

/** The stages a bug in `status` can be in, in process order (the first is assumed when nothing else is known). */
export function stagesOfStatus(status: StatusName): [Stage, ...Stage[]] {
  const stages = STAGES.filter((stage) => STAGE_STATUSES[stage].includes(status));
  const [first, ...rest] = stages;
  if (first === undefined) throw new Error(`no stage has the MantisBT status ${status}`);
  return [first, ...rest];
}

/** A bug's status as the process sees it. */
export function ticketState(bug: Pick<Bug, "status" | "customStatus">): TicketState {
  const status = bug.status;
  return {
    key: status,
    label: bug.customStatus ? bug.customStatus.name : statusLabel(status),
    stages: stagesOfStatus(status),
    open: status !== "resolved" && status !== "closed",
    ...(bug.customStatus ? { unknown: { tracker: MANTIS_NAME, known: STATUS_NAMES.map(statusLabel) } } : {}),
  };
}

const BUG_ID = /^#?(\d+)$/;
/** A link to the bug in MantisBT's web UI, as people paste it from the browser. */
const BUG_LINK = /^https?:\/\/\S+\/view\.php\?id=(\d+)(?:[&#]\S*)?$/;

/** The bug id in `#1234`, `1234` or a `.../view.php?id=1234` link. */
export function parseMantisReference(text: string): number | undefined {
  const trimmed = text.trim();
  const match = BUG_ID.exec(trimmed) ?? BUG_LINK.exec(trimmed);
  if (!match) return undefined;
  const id = Number(match[1]);
  return id > 0 && Number.isSafeInteger(id) ? id : undefined;
}

/** How many of the most recently updated bugs `findFiledByMarker` reads: 4 pages of 50. */
const MARKER_SEARCH_PAGES = 4;
const MARKER_SEARCH_PAGE_SIZE = 50;

/** What the adapter is built from: the REST client (with the bot's credentials) and the staff directory. */
export interface MantisTrackerOptions {
  client: MantisClient;
  /** Who is who: each person's MantisBT user name, and the staff member behind a user name. */
  staff: StaffDirectory;
}

/** The tracker port over MantisBT. */
export function createMantisTracker(options: MantisTrackerOptions): TrackerPort {
  return new MantisTicketTracker(options.client, options.staff);
}

class MantisTicketTracker implements TrackerPort {
  readonly name = MANTIS_NAME;
  readonly limits = MANTIS_LIMITS;
  readonly stageLabels = MANTIS_STAGE_LABELS;
  /** MantisBT's `reassign_on_feedback` (on by default): a reporter's note sends a FEEDBACK bug to ASSIGNED, or NEW without a handler. */
  readonly reporterNoteEndsFeedback = true;

  constructor(
    private readonly client: MantisClient,
    private readonly staff: StaffDirectory,
  ) {}

  ticketUrl(id: number): string {
    return this.client.bugUrl(id);
  }

  parseReference(text: string): number | undefined {
    return parseMantisReference(text);
  }

  async getTicket(id: number): Promise<Ticket> {
    const bug = await this.client.getBug(id);
    await this.learnBotAccount([bug]);
    return this.toTicket(bug);
  }

  async listTickets(page: { page: number; pageSize: number }): Promise<Ticket[]> {
    // MantisBT has no status filter (see specs INDEX): every bug of the project, newest update first.
    const bugs = await this.client.listBugs({ page: page.page, pageSize: page.pageSize, filter: "any" });
    await this.learnBotAccount(bugs);
    return bugs.map((bug) => this.toTicket(bug));
  }

  async fileTicket(ticket: NewTicket): Promise<Ticket> {
    if (ticket.assignee && ticket.stage && STAGE_STATUSES[ticket.stage][0] !== "assigned") {
      // MantisBT would make it ASSIGNED anyway (auto_set_status_to_assigned), and the client would then refuse the answer.
      throw new TrackerRejectedError(`${MANTIS_NAME} files a bug with a handler as ASSIGNED: file it, then change it to ${ticket.stage}`);
    }
    const created = await this.client.createBug({
      summary: ticket.summary,
      description: ticket.description,
      ...(ticket.category !== undefined ? { category: ticket.category } : {}),
      ...(ticket.tags ? { tags: [...ticket.tags] } : {}),
      ...(ticket.private !== undefined ? { private: ticket.private } : {}),
      ...(ticket.priority ? { priority: ticket.priority } : {}),
      // MantisBT makes a bug created with a handler ASSIGNED (auto_set_status_to_assigned).
      ...(ticket.assignee ? { handler: this.accountOf(ticket.assignee) } : {}),
      ...(ticket.stage ? { status: STAGE_STATUSES[ticket.stage][0] } : {}),
      ...(ticket.notes && ticket.notes.length > 0 ? { notes: ticket.notes.map(copyNote) } : {}),
    });
    return this.toTicket(created);
  }

  async changeTicket(ticket: Ticket, change: TicketChange): Promise<Ticket> {
    const bugChange: BugChange = {
      ...(change.stage ? { status: STAGE_STATUSES[change.stage][0], ...(change.stage === "resolved" ? { resolution: "fixed" as const } : {}) } : {}),
      ...(change.assignee !== undefined ? { handler: change.assignee === null ? null : this.accountOf(change.assignee) } : {}),
      ...(change.priority ? { priority: change.priority } : {}),
      ...(change.summary !== undefined ? { summary: change.summary } : {}),
      ...(change.fixedInVersion !== undefined ? { fixedInVersion: change.fixedInVersion } : {}),
      ...(change.notes && change.notes.length > 0 ? { notes: change.notes.map(copyNote) } : {}),
    };
    const updated = await this.client.updateBug(ticket.id, bugChange, ticket.revision ? { ifMatch: ticket.revision } : {});
    return this.toTicket(updated);
  }

  async addNote(ticketId: number, note: NewNote): Promise<TicketNote> {
    return this.toNote(await this.client.addNote(ticketId, copyNote(note)));
  }

  async deleteNote(ticketId: number, noteId: number): Promise<void> {
    await this.client.deleteNote(ticketId, noteId);
  }

  async findFiledByMarker(marker: string): Promise<Ticket | undefined> {
    // MantisBT's REST API cannot search text: the bug filed moments before a timeout is among the
    // most recently updated ones, so a few pages of those are read (MARKER_SEARCH_PAGES).
    for (let page = 1; page <= MARKER_SEARCH_PAGES; page += 1) {
      const bugs = await this.client.listBugs({ page, pageSize: MARKER_SEARCH_PAGE_SIZE, filter: "any" });
      const found = bugs.find((bug) => bug.description.includes(marker));
      if (found) return this.toTicket(found);
      if (bugs.length < MARKER_SEARCH_PAGE_SIZE) return undefined;
    }
    return undefined;
  }

  async linkSubTicket(parentId: number, childId: number): Promise<void> {
    await this.client.addRelationship(parentId, { type: "parent-of", otherBugId: childId });
  }

  async mayHandle(people: readonly Person[], options: { fresh?: boolean } = {}): Promise<Person[]> {
    const handlers = new Set((await this.client.listHandlers(options)).map((user) => user.name.toLowerCase()));
    return people.filter((person) => {
      const account = this.memberOf(person)?.accounts.mantis;
      return account !== undefined && handlers.has(account.toLowerCase());
    });
  }

  listVersionNames(options: { fresh?: boolean } = {}): Promise<string[]> {
    return this.client.listVersions(options);
  }

  listVersions(): Promise<ProjectVersion[]> {
    return this.client.listProjectVersions();
  }

  createVersion(name: string): Promise<ProjectVersion> {
    return this.client.createVersion(name);
  }

  markVersionReleased(versionId: number, on: Date): Promise<ProjectVersion> {
    return this.client.markVersionReleased(versionId, on);
  }

  actingAs(person: Person): TrackerPort {
    return new MantisTicketTracker(this.client.actingAs({ trackerUser: this.accountOf(person), displayName: person.displayName }), this.staff);
  }

  /** The staff member behind a person, by handle. */
  private memberOf(person: Person): StaffMember | undefined {
    return this.staff.all().find((member) => member.name === person.name);
  }

  /** The person's MantisBT user name, from the staff directory. */
  private accountOf(person: Person): string {
    const member = this.memberOf(person);
    if (!member) throw new NotFoundError(`@${person.name} has no ${MANTIS_NAME} account in the staff file`);
    return member.accounts.mantis;
  }

  /**
   * Makes sure the bot's own account is known before notes are read whose author is no staff member:
   * answers name it (`X-Mantis-Username`), so this reads `GET /users/me` at most once, and only when
   * MantisBT did not say it (a proxy dropped the header).
   */
  private async learnBotAccount(bugs: readonly Bug[]): Promise<void> {
    if (this.client.botAccount() !== undefined) return;
    if (bugs.some((bug) => bug.notes.some((note) => !this.staff.byTrackerUser(note.reporter.name)))) await this.client.readBotAccount();
  }

  private personOf(user: TrackerUser): PersonRef {
    const member = this.staff.byTrackerUser(user.name);
    const bot = this.client.botAccount()?.toLowerCase() === user.name.toLowerCase();
    return { name: user.name, ...(member ? { handle: member.name } : {}), ...(bot ? { bot: true as const } : {}) };
  }

  private toNote(note: BugNote): TicketNote {
    return { id: note.id, author: this.personOf(note.reporter), text: note.text, private: note.private, createdAt: note.createdAt };
  }

  private toTicket(bug: Bug): Ticket {
    const related = (type: "parent-of" | "child-of"): number[] =>
      bug.relationships
        .filter((relationship) => relationship.type === type)
        .map((relationship) => relationship.otherBugId)
        .sort((a, b) => a - b);
    return {
      id: bug.id,
      summary: bug.summary,
      description: bug.description,
      state: ticketState(bug),
      priority: bug.priority,
      ...(bug.reporter ? { reporter: this.personOf(bug.reporter) } : {}),
      ...(bug.handler ? { handler: this.personOf(bug.handler) } : {}),
      ...(bug.category ? { category: bug.category } : {}),
      private: bug.private,
      tags: bug.tags,
      notes: bug.notes.map((note) => this.toNote(note)),
      subTicketIds: related("parent-of"),
      parentTicketIds: related("child-of"),
      ...(bug.fixedInVersion ? { fixedInVersion: bug.fixedInVersion } : {}),
      createdAt: bug.createdAt,
      updatedAt: bug.updatedAt,
      ...(bug.etag ? { revision: bug.etag } : {}),
    };
  }
}

function copyNote(note: NewNote): NewNote {
  return { text: note.text, private: note.private };
}
