/**
 * Store access for the Incoming stage: documentation answers and the docs bugs filed for repeated
 * questions (migration 3), and the call-log changes the incoming commands need beyond Store's own.
 */
import type { Store } from "./store.js";

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

/** Records one documentation answer. */
export function addDocsQuestion(store: Store, question: Omit<DocsQuestion, "id">): DocsQuestion {
  const result = store.db
    .prepare("INSERT INTO docs_questions (question_key, question, url, asked_at, recorded_by) VALUES (?, ?, ?, ?, ?)")
    .run(question.questionKey, question.question, question.url, question.askedAt.toISOString(), question.recordedBy);
  return { ...question, id: Number(result.lastInsertRowid) };
}

/** The answers to a question since a moment, oldest first. */
export function listDocsQuestions(store: Store, questionKey: string, since: Date): DocsQuestion[] {
  const rows = store.db
    .prepare("SELECT * FROM docs_questions WHERE question_key = ? AND asked_at >= ? ORDER BY id")
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
export function countDocsQuestions(store: Store): number {
  return (store.db.prepare("SELECT COUNT(*) AS n FROM docs_questions").get() as { n: number }).n;
}

export function getDocsBug(store: Store, questionKey: string): DocsBug | undefined {
  const row = store.db.prepare("SELECT * FROM docs_bugs WHERE question_key = ?").get(questionKey) as
    | { question_key: string; bug_id: number | null; filed_at: string }
    | undefined;
  return row && { questionKey: row.question_key, bugId: row.bug_id ?? undefined, filedAt: new Date(row.filed_at) };
}

/**
 * Claims the question for filing its docs bug; false when it is already claimed or filed. The claim
 * is taken before the tracker is called, so two answers arriving together file one bug, not two.
 */
export function claimDocsBug(store: Store, questionKey: string, at: Date): boolean {
  const result = store.db.prepare("INSERT OR IGNORE INTO docs_bugs (question_key, bug_id, filed_at) VALUES (?, NULL, ?)").run(questionKey, at.toISOString());
  return result.changes === 1;
}

/** Completes a claim with the bug that was filed. */
export function setDocsBug(store: Store, questionKey: string, bugId: number): void {
  store.db.prepare("UPDATE docs_bugs SET bug_id = ? WHERE question_key = ?").run(bugId, questionKey);
}

/** Gives up a claim whose bug could not be filed, so the next answer tries again. */
export function releaseDocsBugClaim(store: Store, questionKey: string): void {
  store.db.prepare("DELETE FROM docs_bugs WHERE question_key = ? AND bug_id IS NULL").run(questionKey);
}

/** Links a call routed to sales to its ERP reference. */
export function setCallSalesRef(store: Store, callId: number, salesRef: string): void {
  store.db.prepare("UPDATE calls SET sales_ref = ? WHERE id = ?").run(salesRef, callId);
}

/** Removes a call whose bug or sales record could not be created, so a retry does not log it twice. */
export function deleteCall(store: Store, callId: number): void {
  store.db.prepare("DELETE FROM calls WHERE id = ?").run(callId);
}
