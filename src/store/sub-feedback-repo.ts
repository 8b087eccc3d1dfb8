/** Sub-bugs opened with `ask` (migration 4): which sub-bug waits for whose answer, for which parent. */
import type { Db } from "./db.js";
import { OPEN_BUG } from "./mirror-repo.js";

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
  constructor(private readonly db: Db) {}

  /** Records that `childBugId` was opened to ask `askedOf` for feedback on `parentBugId`. */
  async add(record: { childBugId: number; parentBugId: number; askedBy: string; askedOf: string; askedAt: Date }): Promise<SubFeedback> {
    await this.db.run("INSERT INTO sub_feedback (child_bug_id, parent_bug_id, asked_by, asked_of, asked_at) VALUES (?, ?, ?, ?, ?)", [record.childBugId, record.parentBugId, record.askedBy, record.askedOf, record.askedAt.toISOString()]);
    return { ...record };
  }

  /** The sub-feedback record of a sub-bug, if the bug is one. */
  async get(childBugId: number): Promise<SubFeedback | undefined> {
    const row = await this.db.get<SubFeedbackRow>("SELECT * FROM sub_feedback WHERE child_bug_id = ?", [childBugId]);
    return row && toSubFeedback(row);
  }

  /** Every sub-bug asked for a parent, oldest first. */
  async list(parentBugId: number): Promise<SubFeedback[]> {
    return (await this.db.all<SubFeedbackRow>("SELECT * FROM sub_feedback WHERE parent_bug_id = ? ORDER BY asked_at, child_bug_id", [parentBugId])).map(toSubFeedback);
  }

  /** Every sub-bug asked with `ask`, answered or not, as parent and child ids (for summaries of many bugs). */
  async links(): Promise<{ parentBugId: number; childBugId: number }[]> {
    // Snake-case columns mapped here: PostgreSQL folds unquoted aliases to lower case.
    const rows = await this.db.all<{ parent_bug_id: number; child_bug_id: number }>("SELECT parent_bug_id, child_bug_id FROM sub_feedback ORDER BY child_bug_id");
    return rows.map((row) => ({ parentBugId: row.parent_bug_id, childBugId: row.child_bug_id }));
  }

  /**
   * Of these parents, each one's sub-bugs (asked with `ask`) that are still open in the tracker mirror,
   * by id: the summary's "waits for sub-bugs".
   */
  async openSubBugs(parentBugIds: readonly number[]): Promise<Map<number, number[]>> {
    const byParent = new Map<number, number[]>();
    if (parentBugIds.length === 0) return byParent;
    const rows = await this.db.all<{ parent_bug_id: number; child_bug_id: number }>(
      `SELECT s.parent_bug_id, s.child_bug_id FROM sub_feedback s JOIN tracker_mirror t ON t.bug_id = s.child_bug_id
        WHERE ${OPEN_BUG} AND s.parent_bug_id IN (${parentBugIds.map(() => "?").join(", ")})
        ORDER BY s.child_bug_id`,
      [...parentBugIds],
    );
    for (const row of rows) byParent.set(row.parent_bug_id, [...(byParent.get(row.parent_bug_id) ?? []), row.child_bug_id]);
    return byParent;
  }

  /** Ids of the parent's sub-bugs that still wait for an answer (the `sub-feedback-collected` guard). */
  async pending(parentBugId: number): Promise<number[]> {
    return (await this.list(parentBugId))
      .filter((record) => record.answeredAt === undefined)
      .map((record) => record.childBugId);
  }

  /** Marks a sub-bug as answered; a second answer keeps the first one's time and author. */
  async markAnswered(childBugId: number, answer: { at: Date; by: string; how: "feedback" | "tracker" }): Promise<void> {
    await this.db.run("UPDATE sub_feedback SET answered_at = ?, answered_by = ?, answered_how = ? WHERE child_bug_id = ? AND answered_at IS NULL", [answer.at.toISOString(), answer.by, answer.how, childBugId]);
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
