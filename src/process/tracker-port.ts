/**
 * The tracker port: what the support process needs from a bug tracker, in the process's own terms
 * (tickets, stages, persons). An adapter maps these onto its tracker: which of its states a stage
 * is, which account a person has, which URL a ticket has. Adapters live in `src/tracker/<tracker>/`
 * and only the composition root imports them; test/tracker/port-contract.ts holds every adapter to
 * the same cases.
 *
 * It lives in `src/process` rather than `src/core` because it is the process operations' view of
 * an outside system (asynchronous I/O, failures, acting on someone's behalf), while `src/core`
 * stays plain data and pure rules; the values it passes (Ticket, Stage, Person) are core's.
 */
import { BotError } from "../errors.js";
import type { Person } from "../core/person.js";
import type { StageLabels, Stage } from "../core/stages.js";
import type { NewNote, Priority, Ticket, TicketNote } from "../core/ticket.js";

/**
 * The tracker refused a change as invalid (a summary over its limit, a parent resolved before its
 * sub-tickets), or answered success without applying all of it; the caller should reload before retrying.
 */
export class TrackerRejectedError extends BotError {
  override readonly name = "TrackerRejectedError";
  constructor(message: string, options: { cause?: unknown; hint?: string; logMessage?: string } = {}) {
    super("tracker-rejected", message, options);
  }
}

/** What a tracker takes at most; the process checks input against these before sending it. */
export interface TrackerLimits {
  /** Longest ticket summary, in code points. */
  summaryLength: number;
  /** Longest version name, in UTF-8 bytes. */
  versionNameBytes: number;
}

/** A ticket to file. */
export interface NewTicket {
  summary: string;
  description: string;
  /** The tracker's category; its default one when left out. */
  category?: string;
  tags?: readonly string[];
  private?: boolean;
  priority?: Priority;
  /**
   * Who handles it from the start. A tracker may then put it in a state of its own choosing (and
   * refuse `stage` with it): to have it in a stage, file it and then change it.
   */
  assignee?: Person;
  /** The stage it starts in (the tracker's state for it); the tracker's default when left out. */
  stage?: Stage;
  /** Notes filed with it, in the same request where the tracker allows (all or nothing). */
  notes?: readonly NewNote[];
}

/** A change of a ticket: only what is given changes, all in one request where the tracker allows. */
export interface TicketChange {
  /** Move to this stage: the adapter sets the tracker state (and resolution) the stage has. */
  stage?: Stage;
  /** The new handler, or null for nobody. */
  assignee?: Person | null;
  priority?: Priority;
  summary?: string;
  fixedInVersion?: string;
  /** Notes added with the change. */
  notes?: readonly NewNote[];
}

/** A version of the product as the tracker keeps it (the release command's view). */
export interface ProjectVersion {
  id: number;
  name: string;
  released: boolean;
  obsolete: boolean;
  /** The release date once released, the planned one before. */
  date?: Date;
}

/** The tracker, as the support process uses it. */
export interface TrackerPort {
  /** How people know the tracker, as replies name it ("in <name>"). */
  readonly name: string;
  readonly limits: TrackerLimits;
  /** The tracker's state labels per stage, for help and the docs' tables. */
  readonly stageLabels: StageLabels;
  /**
   * Whether the tracker itself moves a ticket waiting for feedback back to work when its reporter
   * adds a note (a rule of the tracker, not of the process): the watcher then explains the change.
   */
  readonly reporterNoteEndsFeedback: boolean;

  /** Link to the ticket in the tracker's web UI. */
  ticketUrl(id: number): string;
  /** The ticket id in `#12`, `12` or a link to the ticket as the tracker's web UI shows it; undefined for anything else. */
  parseReference(text: string): number | undefined;

  /** The ticket, read anew; NotFoundError when there is none. */
  getTicket(id: number): Promise<Ticket>;
  /** One page of every ticket, newest update first; a short or empty page is the last. */
  listTickets(page: { page: number; pageSize: number }): Promise<Ticket[]>;
  /** Files a ticket (with its notes) as the person the tracker acts as. */
  fileTicket(ticket: NewTicket): Promise<Ticket>;
  /**
   * Changes the ticket as read (refused with ConflictError when it changed since) and returns it as
   * it is now; TrackerRejectedError when the tracker will not make the change (a parent resolved
   * while a sub-ticket is open), NotFoundError for an assignee the tracker does not know.
   */
  changeTicket(ticket: Ticket, change: TicketChange): Promise<Ticket>;
  /** Adds a note. */
  addNote(ticketId: number, note: NewNote): Promise<TicketNote>;
  /** Deletes a note (a customer's contact note, when they ask to be forgotten); NotFoundError when the ticket or note does not exist. */
  deleteNote(ticketId: number, noteId: number): Promise<void>;
  /**
   * The ticket the bot filed with `marker` in its description, among the most recently updated
   * ones, or undefined: after a filing that timed out, the process looks before filing again.
   */
  findFiledByMarker(marker: string): Promise<Ticket | undefined>;
  /** Makes `childId` a sub-ticket of `parentId`: the parent waits for it. Linking the same pair again changes nothing. */
  linkSubTicket(parentId: number, childId: number): Promise<void>;

  /**
   * Those of `people` the tracker lets handle tickets. The answer may be kept for the process's
   * lifetime; `fresh` reads it anew (someone may have been given the right since).
   */
  mayHandle(people: readonly Person[], options?: { fresh?: boolean }): Promise<Person[]>;
  /** Names of the product's versions, kept like `mayHandle`; `fresh` after a miss. */
  listVersionNames(options?: { fresh?: boolean }): Promise<string[]>;
  /** The product's versions with their released flag and date, obsolete ones included; always read anew. */
  listVersions(): Promise<ProjectVersion[]>;
  /** Adds an unreleased version. */
  createVersion(name: string): Promise<ProjectVersion>;
  /** Marks a version released on the given day. */
  markVersionReleased(versionId: number, on: Date): Promise<ProjectVersion>;

  /** The same tracker acting for a person (as them, or naming them in what it writes); NotFoundError when the tracker has no account for them. */
  actingAs(person: Person): TrackerPort;
}
