/** What the bot knows about each bug beyond the tracker's own fields (migration 1): stage, estimate, people. */
import type { BugOrigin, BugProcessState } from "../core/bug-process.js";
import { orUndefined, type Db } from "./db.js";

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

/** The column of each field `update` may change (origin is written on creation and when given). */
const COLUMN_OF = {
  stage: "stage",
  estimateMinutes: "estimate_min",
  deadline: "deadline",
  fixedIn: "fixed_in",
  developer: "developer",
  reviewer: "reviewer",
  communicator: "communicator",
  confirmedBy: "confirmed_by",
  draftNoteId: "draft_note_id",
  draftText: "draft_text",
} as const satisfies Record<Exclude<keyof BugProcessState, "bugId" | "updatedAt" | "origin">, string>;

/** Per-bug process state. */
export class BugProcessRepository {
  constructor(private readonly db: Db) {}

  /** A bug's process state, if the bot knows the bug. */
  async get(bugId: number): Promise<BugProcessState | undefined> {
    const row = await this.db.get<BugProcessRow>("SELECT * FROM bug_process WHERE bug_id = ?", [bugId]);
    return row && toBugProcess(row);
  }

  /**
   * Merges the given fields into the bug's process state, creating it if needed. One statement
   * that writes only the given columns, so two commands changing different fields of one bug at
   * once (two replicas, or two awaits interleaving) both land.
   */
  async update(bugId: number, change: Partial<Omit<BugProcessState, "bugId" | "updatedAt">>, at: Date = new Date()): Promise<BugProcessState> {
    const given = (Object.keys(change) as (keyof typeof change)[]).filter((field) => field !== "origin");
    const columns = given.map((field) => COLUMN_OF[field]);
    const values = given.map((field) => change[field] ?? null);
    const updates = [...columns.map((column) => `${column} = excluded.${column}`), ...(change.origin ? ["origin = excluded.origin"] : []), "updated_at = excluded.updated_at"];
    const row = await this.db.get<BugProcessRow>(
      `INSERT INTO bug_process (bug_id, origin, ${[...columns, "updated_at"].join(", ")})
         VALUES (?, ?, ${[...columns, "updated_at"].map(() => "?").join(", ")})
         ON CONFLICT (bug_id) DO UPDATE SET ${updates.join(", ")}
         RETURNING *`,
      [bugId, change.origin ?? "tracker", ...values, at.toISOString()],
    );
    return toBugProcess(row!);
  }

  /** Every bug's process state, by id (the report reads them all at once). */
  async list(): Promise<BugProcessState[]> {
    return (await this.db.all<BugProcessRow>("SELECT * FROM bug_process ORDER BY bug_id")).map(toBugProcess);
  }

  /** The process facts of every bug the bot knows, by id (one query instead of one per bug). */
  async facts(): Promise<Map<number, ProcessFacts>> {
    const rows = (await this.db.all<unknown>("SELECT bug_id, stage, estimate_min, deadline, developer FROM bug_process")) as {
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
