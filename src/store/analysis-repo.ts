/**
 * Store records of the Analysis and Action stages that MantisBT has no field for: sub-feedback
 * asked with `ask` (which sub-bug waits for whom) and the history of estimates and deadlines
 * (`feedback`, `confirm`, `eta`), whose newest row says when a bug's estimate was last updated.
 */
import type { Store } from "./store.js";

/** A sub-bug opened with `ask`: the parent's feedback waits until it is answered. */
export interface SubFeedback {
  childBugId: number;
  parentBugId: number;
  /** Staff name of who asked. */
  askedBy: string;
  /** Staff name of who was asked. */
  askedOf: string;
  askedAt: Date;
  answeredAt?: Date;
  answeredBy?: string;
  /** `feedback`: answered with the command; `tracker`: resolved, closed or deleted in MantisBT by hand. */
  answeredHow?: "feedback" | "tracker";
}

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

interface SubFeedbackRow {
  child_bug_id: number;
  parent_bug_id: number;
  asked_by: string;
  asked_of: string;
  asked_at: string;
  answered_at: string | null;
  answered_by: string | null;
  answered_how: "feedback" | "tracker" | null;
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

function toSubFeedback(row: SubFeedbackRow): SubFeedback {
  return {
    childBugId: row.child_bug_id,
    parentBugId: row.parent_bug_id,
    askedBy: row.asked_by,
    askedOf: row.asked_of,
    askedAt: new Date(row.asked_at),
    ...(row.answered_at !== null ? { answeredAt: new Date(row.answered_at) } : {}),
    ...(row.answered_by !== null ? { answeredBy: row.answered_by } : {}),
    ...(row.answered_how !== null ? { answeredHow: row.answered_how } : {}),
  };
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

/** Records that `childBugId` was opened to ask `askedOf` for feedback on `parentBugId`. */
export function addSubFeedback(store: Store, record: { childBugId: number; parentBugId: number; askedBy: string; askedOf: string; askedAt: Date }): SubFeedback {
  store.db
    .prepare("INSERT INTO sub_feedback (child_bug_id, parent_bug_id, asked_by, asked_of, asked_at) VALUES (?, ?, ?, ?, ?)")
    .run(record.childBugId, record.parentBugId, record.askedBy, record.askedOf, record.askedAt.toISOString());
  return { ...record };
}

/** The sub-feedback record of a sub-bug, if the bug is one. */
export function getSubFeedback(store: Store, childBugId: number): SubFeedback | undefined {
  const row = store.db.prepare("SELECT * FROM sub_feedback WHERE child_bug_id = ?").get(childBugId) as SubFeedbackRow | undefined;
  return row && toSubFeedback(row);
}

/** Every sub-bug asked for a parent, oldest first. */
export function listSubFeedback(store: Store, parentBugId: number): SubFeedback[] {
  const rows = store.db.prepare("SELECT * FROM sub_feedback WHERE parent_bug_id = ? ORDER BY asked_at, child_bug_id").all(parentBugId) as SubFeedbackRow[];
  return rows.map(toSubFeedback);
}

/** Every sub-bug asked with `ask`, answered or not, as parent and child ids (for summaries of many bugs). */
export function listSubBugLinks(store: Store): { parentBugId: number; childBugId: number }[] {
  return store.db.prepare("SELECT parent_bug_id AS parentBugId, child_bug_id AS childBugId FROM sub_feedback ORDER BY child_bug_id").all() as {
    parentBugId: number;
    childBugId: number;
  }[];
}

/** Ids of the parent's sub-bugs that still wait for an answer (the `sub-feedback-collected` guard). */
export function listPendingSubFeedback(store: Store, parentBugId: number): number[] {
  return listSubFeedback(store, parentBugId)
    .filter((record) => record.answeredAt === undefined)
    .map((record) => record.childBugId);
}

/** Marks a sub-bug as answered; a second answer keeps the first one's time and author. */
export function markSubFeedbackAnswered(store: Store, childBugId: number, answer: { at: Date; by: string; how: "feedback" | "tracker" }): void {
  store.db
    .prepare("UPDATE sub_feedback SET answered_at = ?, answered_by = ?, answered_how = ? WHERE child_bug_id = ? AND answered_at IS NULL")
    .run(answer.at.toISOString(), answer.by, answer.how, childBugId);
}

/** Appends an estimate/deadline update to the bug's history. */
export function recordEstimate(store: Store, update: Omit<EstimateUpdate, "id">): EstimateUpdate {
  const result = store.db
    .prepare("INSERT INTO estimate_updates (bug_id, at, actor, source, estimate_min, deadline) VALUES (?, ?, ?, ?, ?, ?)")
    .run(update.bugId, update.at.toISOString(), update.actor, update.source, update.estimateMinutes ?? null, update.deadline ?? null);
  return { ...update, id: Number(result.lastInsertRowid) };
}

/** The newest estimate update of a bug: when its estimate was last brought up to date. */
export function latestEstimate(store: Store, bugId: number): EstimateUpdate | undefined {
  const row = store.db.prepare("SELECT * FROM estimate_updates WHERE bug_id = ? ORDER BY id DESC LIMIT 1").get(bugId) as EstimateRow | undefined;
  return row && toEstimate(row);
}

/** A bug's estimate history, oldest first. */
export function listEstimates(store: Store, bugId: number): EstimateUpdate[] {
  const rows = store.db.prepare("SELECT * FROM estimate_updates WHERE bug_id = ? ORDER BY id").all(bugId) as EstimateRow[];
  return rows.map(toEstimate);
}
