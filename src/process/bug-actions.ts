/**
 * Changes the bot makes in the tracker, each written to the bug's journal in the store
 * (who, what, when, from which command), which summaries and metrics read later.
 */
import type { CommandContext } from "../framework/command.js";
import type { Bug, BugChange, BugNote, NewBug, NewNote, RelationshipType } from "../tracker/tracker.js";

type ActionContext = Pick<CommandContext, "tracker" | "store" | "caller" | "now">;

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

/**
 * Updates the bug (guarded by its etag when known) and journals the change; `notes` go in the same
 * request (one PATCH), each journalled after the change as `addBugNote` would.
 */
export async function changeBug(
  ctx: ActionContext,
  bug: Bug,
  change: Omit<BugChange, "notes">,
  record: JournalRecord,
  options: { notes?: readonly NoteWithRecord[] } = {},
): Promise<Bug> {
  const notes = options.notes ?? [];
  const updated = await ctx.tracker.updateBug(
    bug.id,
    { ...change, ...(notes.length > 0 ? { notes: notes.map(toNewNote) } : {}) },
    bug.etag ? { ifMatch: bug.etag } : {},
  );
  ctx.store.journal.append({
    bugId: bug.id,
    at: ctx.now(),
    actor: ctx.caller.name,
    action: record.action,
    command: record.command,
    details: { ...record.details, change, previousStatus: bug.status, previousHandler: bug.handler?.name ?? null },
  });
  journalNotes(ctx, updated, notes, new Set(bug.notes.map((note) => note.id)));
  return updated;
}

/** Adds a note and journals it (the journal keeps only whether it was private, not the text). */
export async function addBugNote(ctx: ActionContext, bugId: number, note: NewNote, record: JournalRecord): Promise<BugNote> {
  const added = await ctx.tracker.addNote(bugId, note);
  journalNote(ctx, bugId, added, note, record);
  return added;
}

/** Files a bug and journals its creation; `notes` are created with it in the same request. */
export async function fileBug(
  ctx: ActionContext,
  bug: Omit<NewBug, "notes">,
  record: JournalRecord,
  options: { notes?: readonly NoteWithRecord[] } = {},
): Promise<Bug> {
  const notes = options.notes ?? [];
  const created = await ctx.tracker.createBug({ ...bug, ...(notes.length > 0 ? { notes: notes.map(toNewNote) } : {}) });
  ctx.store.journal.append({
    bugId: created.id,
    at: ctx.now(),
    actor: ctx.caller.name,
    action: record.action,
    command: record.command,
    details: { ...record.details, private: Boolean(bug.private), tags: bug.tags ?? [] },
  });
  journalNotes(ctx, created, notes, new Set());
  return created;
}

/** Links `bugId` to another bug (e.g. `parent-of` a sub-bug) and journals it on `bugId`. */
export async function linkBugs(
  ctx: ActionContext,
  bugId: number,
  relationship: { type: RelationshipType; otherBugId: number },
  record: JournalRecord,
): Promise<void> {
  await ctx.tracker.addRelationship(bugId, relationship);
  ctx.store.journal.append({
    bugId,
    at: ctx.now(),
    actor: ctx.caller.name,
    action: record.action,
    command: record.command,
    details: { ...record.details, relationship: relationship.type, otherBugId: relationship.otherBugId },
  });
}

function toNewNote(note: NoteWithRecord): NewNote {
  return { text: note.text, private: note.private };
}

/** Journals the notes sent with a request, each with the id MantisBT gave it (a note not in `before`). */
function journalNotes(ctx: ActionContext, bug: Bug, notes: readonly NoteWithRecord[], before: ReadonlySet<number>): void {
  const added = bug.notes.filter((note) => !before.has(note.id));
  for (const note of notes) {
    // The bot may have put a "[by ...]" line above the text.
    const found = added.find((candidate) => candidate.text.trim().endsWith(note.text.trim()));
    journalNote(ctx, bug.id, found, note, note.record);
  }
}

function journalNote(ctx: ActionContext, bugId: number, added: BugNote | undefined, note: NewNote, record: JournalRecord): void {
  ctx.store.journal.append({
    bugId,
    at: ctx.now(),
    actor: ctx.caller.name,
    action: record.action,
    command: record.command,
    details: { ...record.details, ...(added ? { noteId: added.id } : {}), private: note.private },
  });
}
