/**
 * Changes the bot makes in the tracker, each written to the bug's journal in the store
 * (who, what, when, from which command), which summaries and metrics read later. Commands change
 * tickets only through these (and `applyTransition`, built on them).
 */
import type { NewNote, Ticket, TicketNote } from "../core/ticket.js";
import type { ProcessContext } from "./context.js";
import type { BugProcessState, Store } from "../store/store.js";
import { TrackerRejectedError, type NewTicket, type TicketChange } from "./tracker-port.js";

/** What the journalled operations need of the command's context. */
export type ActionContext = Pick<ProcessContext, "tracker" | "store" | "caller" | "now">;

/** What a journal entry says besides who and when. */
export interface JournalRecord {
  /** What happened, in process terms: `grab`, `triage`, `feedback`, ... */
  action: string;
  /** The command that did it, if any (jobs leave it out). */
  command?: string;
  /** Extra facts; never personal data. */
  details?: Record<string, unknown>;
}

/** A note sent in the same request as a change or a new bug, journalled as its own step. */
export interface NoteWithRecord extends NewNote {
  record: JournalRecord;
}

/** What the bot keeps next to a ticket that the tracker has no field for (stage, estimate, people...). */
export type ProcessStateChange = Partial<Omit<BugProcessState, "bugId" | "updatedAt">>;

/** Options of the journalled writes: notes sent in the same request, what the store records with the journal. */
export interface WriteOptions {
  notes?: readonly NoteWithRecord[];
  /** Stored with the journal entries, in the same store transaction, once the tracker took the change. */
  processState?: ProcessStateChange;
  /** Further store writes about the written ticket, in that same transaction. */
  alsoRecord?: (ticket: Ticket) => Promise<unknown>;
}

/**
 * Changes the ticket (refused when it changed since it was read) and journals the change with the
 * state before and after; `notes` go in the same request, each journalled after the change as
 * `addTicketNote` would. Nothing is journalled or stored unless the tracker took the change; then
 * journal and process state are written together. A tracker that answers a move without making it
 * is reported, not hidden.
 */
export async function changeTicket(
  ctx: ActionContext,
  ticket: Ticket,
  change: Omit<TicketChange, "notes">,
  record: JournalRecord,
  options: WriteOptions = {},
): Promise<Ticket> {
  const notes = options.notes ?? [];
  const updated = await ctx.tracker.changeTicket(ticket, { ...change, ...(notes.length > 0 ? { notes: notes.map(toNewNote) } : {}) });
  await inOneTransaction(ctx.store, async () => {
    await appendEntry(ctx, ticket.id, record, {
      change: journalChange(change),
      previousState: ticket.state.label,
      state: updated.state.label,
      previousHandler: ticket.handler ? (ticket.handler.handle ?? ticket.handler.name) : null,
    });
    await journalNotes(ctx, updated, notes, new Set(ticket.notes.map((note) => note.id)));
    if (options.processState) await ctx.store.bugProcess.update(ticket.id, options.processState, ctx.now());
    await options.alsoRecord?.(updated);
  });
  if (change.stage !== undefined && !updated.state.stages.includes(change.stage)) {
    throw new TrackerRejectedError(`${ctx.tracker.name} left bug #${updated.id} in ${updated.state.label}, which is not ${change.stage}: change it by hand`);
  }
  return updated;
}

/**
 * Adds a note and journals it (the journal keeps only whether it was private, not the text);
 * `alsoRecord` stores what the bot keeps about the note in the same store transaction.
 */
export async function addTicketNote(
  ctx: ActionContext,
  ticketId: number,
  note: NewNote,
  record: JournalRecord,
  options: { alsoRecord?: (note: TicketNote) => Promise<unknown> } = {},
): Promise<TicketNote> {
  const added = await ctx.tracker.addNote(ticketId, note);
  await inOneTransaction(ctx.store, async () => {
    await journalNote(ctx, ticketId, added, note, record);
    await options.alsoRecord?.(added);
  });
  return added;
}

/** Files a ticket and journals its creation (and its stage, when given); `notes` are filed with it in the same request. */
export async function fileTicket(ctx: ActionContext, ticket: Omit<NewTicket, "notes">, record: JournalRecord, options: WriteOptions = {}): Promise<Ticket> {
  const notes = options.notes ?? [];
  const created = await ctx.tracker.fileTicket({ ...ticket, ...(notes.length > 0 ? { notes: notes.map(toNewNote) } : {}) });
  await recordFiledTicket(ctx, created, ticket, record, options);
  return created;
}

/**
 * Journals a ticket the tracker filed as `ticket` asked (and its notes, and the process state), as
 * `fileTicket` does after filing; also for a ticket found filed after an attempt that got no answer.
 */
export async function recordFiledTicket(ctx: ActionContext, created: Ticket, ticket: Omit<NewTicket, "notes">, record: JournalRecord, options: WriteOptions = {}): Promise<void> {
  await inOneTransaction(ctx.store, async () => {
    await appendEntry(ctx, created.id, record, {
      private: Boolean(ticket.private),
      tags: ticket.tags ?? [],
      state: created.state.label,
      ...(ticket.assignee ? { assignee: ticket.assignee.name } : {}),
    });
    await journalNotes(ctx, created, options.notes ?? [], new Set());
    const processState = { ...(ticket.stage !== undefined ? { stage: ticket.stage } : {}), ...options.processState };
    if (Object.keys(processState).length > 0) await ctx.store.bugProcess.update(created.id, processState, ctx.now());
    await options.alsoRecord?.(created);
  });
}

/**
 * Makes `childId` a sub-ticket of `parentId` and journals the link on both: the parent's journal
 * names its new sub-ticket, the sub-ticket's names its parent.
 */
export async function linkSubTicket(ctx: ActionContext, parentId: number, childId: number, record: JournalRecord): Promise<void> {
  await ctx.tracker.linkSubTicket(parentId, childId);
  await inOneTransaction(ctx.store, async () => {
    await appendEntry(ctx, parentId, record, { subBugId: childId });
    await appendEntry(ctx, childId, record, { parentBugId: parentId });
  });
}

/** Runs the store writes that follow one tracker change as one: all of them or none. */
export async function inOneTransaction(store: Store, write: () => Promise<void>): Promise<void> {
  await store.transaction(write);
}

/** Writes one journal entry about the ticket: the caller, now, the record and the facts of this write. */
export async function appendEntry(ctx: ActionContext, ticketId: number, record: JournalRecord, facts: Record<string, unknown>): Promise<void> {
  await ctx.store.journal.append({
    bugId: ticketId,
    at: ctx.now(),
    actor: ctx.caller.name,
    action: record.action,
    command: record.command,
    details: { ...record.details, ...facts },
  });
}

/** The change as the journal keeps it: persons by handle, never text beyond the summary. */
function journalChange(change: Omit<TicketChange, "notes">): Record<string, unknown> {
  return {
    ...(change.stage !== undefined ? { stage: change.stage } : {}),
    ...(change.assignee !== undefined ? { assignee: change.assignee === null ? null : change.assignee.name } : {}),
    ...(change.priority !== undefined ? { priority: change.priority } : {}),
    ...(change.summary !== undefined ? { summary: change.summary } : {}),
    ...(change.fixedInVersion !== undefined ? { fixedInVersion: change.fixedInVersion } : {}),
  };
}

function toNewNote(note: NoteWithRecord): NewNote {
  return { text: note.text, private: note.private };
}

/** Journals the notes sent with a request, each with the id the tracker gave it (a note not in `before`). */
async function journalNotes(ctx: ActionContext, ticket: Ticket, notes: readonly NoteWithRecord[], before: ReadonlySet<number>): Promise<void> {
  const added = ticket.notes.filter((note) => !before.has(note.id));
  for (const note of notes) {
    // The tracker may have put a "[by ...]" line above the text.
    const found = added.find((candidate) => candidate.text.trim().endsWith(note.text.trim()));
    await journalNote(ctx, ticket.id, found, note, note.record);
  }
}

async function journalNote(ctx: ActionContext, ticketId: number, added: TicketNote | undefined, note: NewNote, record: JournalRecord): Promise<void> {
  await appendEntry(ctx, ticketId, record, { ...(added ? { noteId: added.id } : {}), private: note.private });
}
