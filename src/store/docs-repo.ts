/**
 * The Incoming stage's documentation answers (migration 3): each question answered with a link, and
 * the one docs bug filed for a question that keeps coming back.
 */
import type { Sql } from "./sql.js";

/** One question answered by pointing to the documentation. */
export interface DocsQuestion {
  id: number;
  /** The normalized question repeats are counted by. */
  questionKey: string;
  /** The question as typed. */
  question: string;
  url: string;
  askedAt: Date;
  recordedBy: string;
}

interface DocsQuestionRow {
  id: number;
  question_key: string;
  question: string;
  url: string;
  asked_at: string;
  recorded_by: string;
}

/** The docs bug of a question; `bugId` is undefined while the bug is being filed. */
export interface DocsBug {
  questionKey: string;
  bugId?: number;
  filedAt: Date;
}

/** Documentation answers and docs bugs. */
export class DocsRepository {
  constructor(private readonly sql: Sql) {}

  /** Records one documentation answer. */
  addQuestion(question: Omit<DocsQuestion, "id">): DocsQuestion {
    const result = this.sql
      .statement("INSERT INTO docs_questions (question_key, question, url, asked_at, recorded_by) VALUES (?, ?, ?, ?, ?)")
      .run(question.questionKey, question.question, question.url, question.askedAt.toISOString(), question.recordedBy);
    return { ...question, id: Number(result.lastInsertRowid) };
  }

  /** The answers to a question since a moment, oldest first. */
  listQuestions(questionKey: string, since: Date): DocsQuestion[] {
    const rows = this.sql
      .statement("SELECT * FROM docs_questions WHERE question_key = ? AND asked_at >= ? ORDER BY id")
      .all(questionKey, since.toISOString()) as DocsQuestionRow[];
    return rows.map((row) => ({
      id: row.id,
      questionKey: row.question_key,
      question: row.question,
      url: row.url,
      askedAt: new Date(row.asked_at),
      recordedBy: row.recorded_by,
    }));
  }

  /** How many documentation answers the store holds in all (tests and metrics). */
  countQuestions(): number {
    return this.sql.statement("SELECT COUNT(*) FROM docs_questions").pluck().get() as number;
  }

  /** The docs bug of a question, claimed or filed. */
  getBug(questionKey: string): DocsBug | undefined {
    const row = this.sql.statement("SELECT * FROM docs_bugs WHERE question_key = ?").get(questionKey) as
      | { question_key: string; bug_id: number | null; filed_at: string }
      | undefined;
    return row && { questionKey: row.question_key, bugId: row.bug_id ?? undefined, filedAt: new Date(row.filed_at) };
  }

  /**
   * Claims the question for filing its docs bug; false when it is already claimed or filed. The claim
   * is taken before the tracker is called, so two answers arriving together file one bug, not two.
   */
  claimBug(questionKey: string, at: Date): boolean {
    return this.sql.statement("INSERT OR IGNORE INTO docs_bugs (question_key, bug_id, filed_at) VALUES (?, NULL, ?)").run(questionKey, at.toISOString()).changes === 1;
  }

  /** Completes a claim with the bug that was filed. */
  setBug(questionKey: string, bugId: number): void {
    this.sql.statement("UPDATE docs_bugs SET bug_id = ? WHERE question_key = ?").run(bugId, questionKey);
  }

  /** Gives up a claim whose bug could not be filed, so the next answer tries again. */
  releaseClaim(questionKey: string): void {
    this.sql.statement("DELETE FROM docs_bugs WHERE question_key = ? AND bug_id IS NULL").run(questionKey);
  }
}
