/** Every change the bot makes in the tracker (migration 1): who, what, when, from which command. */
import { orUndefined, type Db } from "./db.js";

/** One journal entry. */
export interface JournalEntry {
  id: number;
  bugId: number;
  at: Date;
  actor: string;
  action: string;
  command?: string;
  details: Record<string, unknown>;
}

interface JournalRow {
  id: number;
  bug_id: number;
  at: string;
  actor: string;
  action: string;
  command: string | null;
  details: string;
}

/** The bugs' journal. */
export class JournalRepository {
  constructor(private readonly db: Db) {}

  /** Appends an entry. */
  async append(entry: Omit<JournalEntry, "id">): Promise<JournalEntry> {
    const inserted = await this.db.get<{ id: number }>("INSERT INTO bug_journal (bug_id, at, actor, action, command, details) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [entry.bugId, entry.at.toISOString(), entry.actor, entry.action, entry.command ?? null, JSON.stringify(entry.details)]);
    return { ...entry, id: inserted!.id };
  }

  /** One bug's entries, oldest first. */
  async list(bugId: number): Promise<JournalEntry[]> {
    return (await this.db.all<JournalRow>("SELECT * FROM bug_journal WHERE bug_id = ? ORDER BY id", [bugId])).map(toJournal);
  }

  /** Journal entries of all bugs since a moment, oldest first (summaries read "what changed"). */
  async since(at: Date): Promise<JournalEntry[]> {
    return (await this.db.all<JournalRow>("SELECT * FROM bug_journal WHERE at >= ? ORDER BY id", [at.toISOString()])).map(toJournal);
  }
}

function toJournal(row: JournalRow): JournalEntry {
  return {
    id: row.id,
    bugId: row.bug_id,
    at: new Date(row.at),
    actor: row.actor,
    action: row.action,
    command: orUndefined(row.command),
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
