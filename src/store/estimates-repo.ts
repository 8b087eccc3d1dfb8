/**
 * Every estimate and deadline set through the bot (migration 4: `feedback`, `confirm`, `eta`): the
 * newest row says when a bug's estimate was last brought up to date, rows over time show moved deadlines.
 */
import type { Db } from "./db.js";

/** Where an estimate came from. */
export type EstimateSource = "feedback" | "confirm" | "eta";

/** One estimate and deadline as set through the bot. */
export interface EstimateUpdate {
  id: number;
  bugId: number;
  at: Date;
  /** Staff name. */
  actor: string;
  source: EstimateSource;
  estimateMinutes?: number;
  /** ISO date (yyyy-mm-dd). */
  deadline?: string;
}

interface EstimateRow {
  id: number;
  bug_id: number;
  at: string;
  actor: string;
  source: EstimateSource;
  estimate_min: number | null;
  deadline: string | null;
}

/** The history of estimates and deadlines. */
export class EstimatesRepository {
  constructor(private readonly db: Db) {}

  /** Appends an estimate/deadline update to the bug's history. */
  async record(update: Omit<EstimateUpdate, "id">): Promise<EstimateUpdate> {
    const inserted = await this.db.get<{ id: number }>("INSERT INTO estimate_updates (bug_id, at, actor, source, estimate_min, deadline) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [update.bugId, update.at.toISOString(), update.actor, update.source, update.estimateMinutes ?? null, update.deadline ?? null]);
    return { ...update, id: inserted!.id };
  }

  /** The newest estimate update of a bug: when its estimate was last brought up to date. */
  async latest(bugId: number): Promise<EstimateUpdate | undefined> {
    const row = await this.db.get<EstimateRow>("SELECT * FROM estimate_updates WHERE bug_id = ? ORDER BY id DESC LIMIT 1", [bugId]);
    return row && toEstimate(row);
  }

  /** A bug's estimate history, oldest first. */
  async list(bugId: number): Promise<EstimateUpdate[]> {
    return (await this.db.all<EstimateRow>("SELECT * FROM estimate_updates WHERE bug_id = ? ORDER BY id", [bugId])).map(toEstimate);
  }
}

function toEstimate(row: EstimateRow): EstimateUpdate {
  return {
    id: row.id,
    bugId: row.bug_id,
    at: new Date(row.at),
    actor: row.actor,
    source: row.source,
    ...(row.estimate_min !== null ? { estimateMinutes: row.estimate_min } : {}),
    ...(row.deadline !== null ? { deadline: row.deadline } : {}),
  };
}
