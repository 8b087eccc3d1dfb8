/**
 * Changes the bot makes in the tracker, each written to the bug's journal in the store
 * (who, what, when, from which command), which summaries and metrics read later.
 */
import type { CommandContext } from "../framework/command.js";
import type { Bug, BugChange, BugNote, NewBug } from "../tracker/tracker.js";

type ActionContext = Pick<CommandContext, "tracker" | "store" | "caller" | "now">;

export interface JournalRecord {
  /** What happened, in process terms: `grab`, `triage`, `feedback`, ... */
  action: string;
  /** The command that did it, if any (jobs leave it out). */
  command?: string;
  /** Extra facts; never personal data. */
  details?: Record<string, unknown>;
}

/** Updates the bug (guarded by its etag when known) and journals the change. */
export async function changeBug(ctx: ActionContext, bug: Bug, change: BugChange, record: JournalRecord): Promise<Bug> {
  const updated = await ctx.tracker.updateBug(bug.id, change, bug.etag ? { ifMatch: bug.etag } : {});
  ctx.store.appendJournal({
    bugId: bug.id,
    at: ctx.now(),
    actor: ctx.caller.name,
    action: record.action,
    command: record.command,
    details: { ...record.details, change, previousStatus: bug.status, previousHandler: bug.handler?.name ?? null },
  });
  return updated;
}

/** Adds a note and journals it (the journal keeps only whether it was private, not the text). */
export async function addBugNote(ctx: ActionContext, bugId: number, note: { text: string; private: boolean }, record: JournalRecord): Promise<BugNote> {
  const added = await ctx.tracker.addNote(bugId, note);
  ctx.store.appendJournal({
    bugId,
    at: ctx.now(),
    actor: ctx.caller.name,
    action: record.action,
    command: record.command,
    details: { ...record.details, noteId: added.id, private: note.private },
  });
  return added;
}

/** Files a bug and journals its creation. */
export async function fileBug(ctx: ActionContext, bug: NewBug, record: JournalRecord): Promise<Bug> {
  const created = await ctx.tracker.createBug(bug);
  ctx.store.appendJournal({
    bugId: created.id,
    at: ctx.now(),
    actor: ctx.caller.name,
    action: record.action,
    command: record.command,
    details: { ...record.details, private: Boolean(bug.private), tags: bug.tags ?? [] },
  });
  return created;
}
