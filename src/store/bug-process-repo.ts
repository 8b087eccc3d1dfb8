/** What the bot knows about each bug beyond the tracker's own fields (migration 1): stage, estimate, people. */
import type { BugOrigin, BugProcessState } from "../core/bug-process.js";
import { orUndefined, type Sql } from "./sql.js";

export type { BugOrigin, BugProcessState } from "../core/bug-process.js";

/** What the check jobs need from the bot's per-bug process state, for all bugs in one query. */
export interface ProcessFacts {
  stage?: string;
  estimateMinutes?: number;
  deadline?: string;
  developer?: string;
}

interface BugProcessRow {
  bug_id: number;
  origin: BugOrigin;
  stage: string | null;
  estimate_min: number | null;
  deadline: string | null;
  fixed_in: string | null;
  developer: string | null;
  reviewer: string | null;
  communicator: string | null;
  confirmed_by: string | null;
  draft_note_id: number | null;
  draft_text: string | null;
  updated_at: string;
}

/** Per-bug process state. */
export class BugProcessRepository {
  constructor(private readonly sql: Sql) {}

  /** A bug's process state, if the bot knows the bug. */
  get(bugId: number): BugProcessState | undefined {
    const row = this.sql.statement("SELECT * FROM bug_process WHERE bug_id = ?").get(bugId) as BugProcessRow | undefined;
    return row && toBugProcess(row);
  }

  /** Merges the given fields into the bug's process state, creating it if needed. */
  update(bugId: number, change: Partial<Omit<BugProcessState, "bugId" | "updatedAt">>, at: Date = new Date()): BugProcessState {
    const merged = { ...this.get(bugId), ...change };
    this.sql
      .statement(
        `INSERT INTO bug_process (bug_id, origin, stage, estimate_min, deadline, fixed_in, developer, reviewer, communicator, confirmed_by, draft_note_id, draft_text, updated_at)
         VALUES (@bugId, @origin, @stage, @estimate, @deadline, @fixedIn, @developer, @reviewer, @communicator, @confirmedBy, @draftNoteId, @draftText, @updatedAt)
         ON CONFLICT (bug_id) DO UPDATE SET origin = excluded.origin, stage = excluded.stage, estimate_min = excluded.estimate_min,
           deadline = excluded.deadline, fixed_in = excluded.fixed_in, developer = excluded.developer, reviewer = excluded.reviewer,
           communicator = excluded.communicator, confirmed_by = excluded.confirmed_by, draft_note_id = excluded.draft_note_id,
           draft_text = excluded.draft_text, updated_at = excluded.updated_at`,
      )
      .run({
        bugId,
        origin: merged.origin ?? "tracker",
        stage: merged.stage ?? null,
        estimate: merged.estimateMinutes ?? null,
        deadline: merged.deadline ?? null,
        fixedIn: merged.fixedIn ?? null,
        developer: merged.developer ?? null,
        reviewer: merged.reviewer ?? null,
        communicator: merged.communicator ?? null,
        confirmedBy: merged.confirmedBy ?? null,
        draftNoteId: merged.draftNoteId ?? null,
        draftText: merged.draftText ?? null,
        updatedAt: at.toISOString(),
      });
    return this.get(bugId)!;
  }

  /** Every bug's process state, by id (the report reads them all at once). */
  list(): BugProcessState[] {
    return (this.sql.statement("SELECT * FROM bug_process ORDER BY bug_id").all() as BugProcessRow[]).map(toBugProcess);
  }

  /** The process facts of every bug the bot knows, by id (one query instead of one per bug). */
  facts(): Map<number, ProcessFacts> {
    const rows = this.sql.statement("SELECT bug_id, stage, estimate_min, deadline, developer FROM bug_process").all() as {
      bug_id: number;
      stage: string | null;
      estimate_min: number | null;
      deadline: string | null;
      developer: string | null;
    }[];
    return new Map(
      rows.map((row) => [
        row.bug_id,
        { stage: row.stage ?? undefined, estimateMinutes: row.estimate_min ?? undefined, deadline: row.deadline ?? undefined, developer: row.developer ?? undefined },
      ]),
    );
  }
}

function toBugProcess(row: BugProcessRow): BugProcessState {
  return {
    bugId: row.bug_id,
    origin: row.origin,
    stage: orUndefined(row.stage),
    estimateMinutes: orUndefined(row.estimate_min),
    deadline: orUndefined(row.deadline),
    fixedIn: orUndefined(row.fixed_in),
    developer: orUndefined(row.developer),
    reviewer: orUndefined(row.reviewer),
    communicator: orUndefined(row.communicator),
    confirmedBy: orUndefined(row.confirmed_by),
    draftNoteId: orUndefined(row.draft_note_id),
    draftText: orUndefined(row.draft_text),
    updatedAt: new Date(row.updated_at),
  };
}
