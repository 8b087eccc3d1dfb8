/** Sub-bugs opened with `ask` (migration 4): which sub-bug waits for whose answer, for which parent. */
import type { Sql } from "./sql.js";

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

/** Sub-feedback records. */
export class SubFeedbackRepository {
  constructor(private readonly sql: Sql) {}

  /** Records that `childBugId` was opened to ask `askedOf` for feedback on `parentBugId`. */
  add(record: { childBugId: number; parentBugId: number; askedBy: string; askedOf: string; askedAt: Date }): SubFeedback {
    this.sql
      .statement("INSERT INTO sub_feedback (child_bug_id, parent_bug_id, asked_by, asked_of, asked_at) VALUES (?, ?, ?, ?, ?)")
      .run(record.childBugId, record.parentBugId, record.askedBy, record.askedOf, record.askedAt.toISOString());
    return { ...record };
  }

  /** The sub-feedback record of a sub-bug, if the bug is one. */
  get(childBugId: number): SubFeedback | undefined {
    const row = this.sql.statement("SELECT * FROM sub_feedback WHERE child_bug_id = ?").get(childBugId) as SubFeedbackRow | undefined;
    return row && toSubFeedback(row);
  }

  /** Every sub-bug asked for a parent, oldest first. */
  list(parentBugId: number): SubFeedback[] {
    return (this.sql.statement("SELECT * FROM sub_feedback WHERE parent_bug_id = ? ORDER BY asked_at, child_bug_id").all(parentBugId) as SubFeedbackRow[]).map(toSubFeedback);
  }

  /** Every sub-bug asked with `ask`, answered or not, as parent and child ids (for summaries of many bugs). */
  links(): { parentBugId: number; childBugId: number }[] {
    return this.sql.statement("SELECT parent_bug_id AS parentBugId, child_bug_id AS childBugId FROM sub_feedback ORDER BY child_bug_id").all() as {
      parentBugId: number;
      childBugId: number;
    }[];
  }

  /** Ids of the parent's sub-bugs that still wait for an answer (the `sub-feedback-collected` guard). */
  pending(parentBugId: number): number[] {
    return this.list(parentBugId)
      .filter((record) => record.answeredAt === undefined)
      .map((record) => record.childBugId);
  }

  /** Marks a sub-bug as answered; a second answer keeps the first one's time and author. */
  markAnswered(childBugId: number, answer: { at: Date; by: string; how: "feedback" | "tracker" }): void {
    this.sql
      .statement("UPDATE sub_feedback SET answered_at = ?, answered_by = ?, answered_how = ? WHERE child_bug_id = ? AND answered_at IS NULL")
      .run(answer.at.toISOString(), answer.by, answer.how, childBugId);
  }
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
