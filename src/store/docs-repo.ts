/**
 * The Incoming stage's documentation answers (migration 3): each question answered with a link, and
 * the one docs bug filed for a question that keeps coming back.
 */
import { firstValue, type Db } from "./db.js";

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
  constructor(private readonly db: Db) {}

  /** Records one documentation answer. */
  async addQuestion(question: Omit<DocsQuestion, "id">): Promise<DocsQuestion> {
    const inserted = await this.db.get<{ id: number }>(
      "INSERT INTO docs_questions (question_key, question, url, asked_at, recorded_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
      [question.questionKey, question.question, question.url, question.askedAt.toISOString(), question.recordedBy],
    );
    return { ...question, id: inserted!.id };
  }

  /** The answers to a question since a moment, oldest first. */
  async listQuestions(questionKey: string, since: Date): Promise<DocsQuestion[]> {
    const rows = await this.db.all<DocsQuestionRow>("SELECT * FROM docs_questions WHERE question_key = ? AND asked_at >= ? ORDER BY id", [questionKey, since.toISOString()]);
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
  async countQuestions(): Promise<number> {
    return (await firstValue<number>(this.db, "SELECT COUNT(*) FROM docs_questions")) ?? 0;
  }

  /** The docs bug of a question, claimed or filed. */
  async getBug(questionKey: string): Promise<DocsBug | undefined> {
    const row = (await this.db.get<unknown>("SELECT * FROM docs_bugs WHERE question_key = ?", [questionKey])) as
      | { question_key: string; bug_id: number | null; filed_at: string }
      | undefined;
    return row && { questionKey: row.question_key, bugId: row.bug_id ?? undefined, filedAt: new Date(row.filed_at) };
  }

  /**
   * Claims the question for filing its docs bug; false when it is already claimed or filed. The claim
   * is taken before the tracker is called, so two answers arriving together file one bug, not two.
   */
  async claimBug(questionKey: string, at: Date): Promise<boolean> {
    return (await this.db.run("INSERT INTO docs_bugs (question_key, bug_id, filed_at) VALUES (?, NULL, ?) ON CONFLICT DO NOTHING", [questionKey, at.toISOString()])) === 1;
  }

  /** Completes a claim with the bug that was filed. */
  async setBug(questionKey: string, bugId: number): Promise<void> {
    await this.db.run("UPDATE docs_bugs SET bug_id = ? WHERE question_key = ?", [bugId, questionKey]);
  }

  /** Gives up a claim whose bug could not be filed, so the next answer tries again. */
  async releaseClaim(questionKey: string): Promise<void> {
    await this.db.run("DELETE FROM docs_bugs WHERE question_key = ? AND bug_id IS NULL", [questionKey]);
  }
}
