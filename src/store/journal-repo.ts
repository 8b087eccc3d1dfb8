/** Every change the bot makes in the tracker (migration 1): who, what, when, from which command. */
import { orUndefined, type Sql } from "./sql.js";

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
  constructor(private readonly sql: Sql) {}

  /** Appends an entry. */
  append(entry: Omit<JournalEntry, "id">): JournalEntry {
    const result = this.sql
      .statement("INSERT INTO bug_journal (bug_id, at, actor, action, command, details) VALUES (?, ?, ?, ?, ?, ?)")
      .run(entry.bugId, entry.at.toISOString(), entry.actor, entry.action, entry.command ?? null, JSON.stringify(entry.details));
    return { ...entry, id: Number(result.lastInsertRowid) };
  }

  /** One bug's entries, oldest first. */
  list(bugId: number): JournalEntry[] {
    return (this.sql.statement("SELECT * FROM bug_journal WHERE bug_id = ? ORDER BY id").all(bugId) as JournalRow[]).map(toJournal);
  }

  /** Journal entries of all bugs since a moment, oldest first (summaries read "what changed"). */
  since(at: Date): JournalEntry[] {
    return (this.sql.statement("SELECT * FROM bug_journal WHERE at >= ? ORDER BY id").all(at.toISOString()) as JournalRow[]).map(toJournal);
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
