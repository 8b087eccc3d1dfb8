/**
 * Customers' personal data has a lifetime (issue 13, part 4). The bot's store keeps a customer's
 * name, phone and e-mail with each call (and with a filing until the tracker took it); the tracker
 * keeps them in the bot's private contact note on the bug.
 *
 * Decisions:
 * - Retention: a call recorded more than PII_RETENTION_DAYS ago whose bug is closed (or gone from the
 *   tracker) loses the customer's name, phone and e-mail in the store, and its text has them replaced
 *   by placeholders; the journal keeps the rest. A call routed to sales has no bug to close: the ERP
 *   owns that record. A filing given up (to be filed by hand) loses what it would have filed.
 * - `forget`: erases at once, whatever the bug's stage: the calls of the bug or sales record, the
 *   filings of those calls, the sales record's contact fields, and deletes the bot's private contact
 *   notes on the bug (found through the journal, which keeps their ids). The store is erased first,
 *   so a tracker that is down cannot keep the data in the bot; notes it could not delete are named in
 *   the reply, and `forget` again deletes them (a note already gone counts as deleted).
 * - Neither says any personal data in a reply, a log line or the journal: only ids.
 */
import type { Ticket } from "../core/ticket.js";
import { NotFoundError } from "../errors.js";
import type { ProcessContext } from "./context.js";
import type { CallRecord } from "../store/calls-repo.js";
import type { Store } from "../store/store.js";
import { appendEntry, type ActionContext } from "./bug-actions.js";
import { isTransientFailure } from "./pending-filings.js";
import { redactPersonalData } from "./personal-data.js";
import type { TrackerPort } from "./tracker-port.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Erases one call's personal data in the store; its text keeps what is not personal. */
async function eraseCall(store: Store, call: CallRecord, at: Date): Promise<void> {
  const issue = redactPersonalData(call.issue, { name: call.customerName, phone: call.phone, email: call.email }).text;
  await store.calls.erasePersonalData(call.id, issue, at);
  for (const filing of await store.pendingFilings.listOfCall(call.id)) await store.pendingFilings.eraseTicket(filing.id);
}

/** What the retention job runs with. */
export interface RetentionContext {
  store: Store;
  tracker: TrackerPort;
  /** PII_RETENTION_DAYS. */
  retentionDays: number;
  now: () => Date;
  log: ProcessContext["log"];
}

/** What one run of the retention job erased: ids only. */
export interface RetentionRun {
  calls: number[];
  filings: number[];
}

/**
 * Erases the personal data the store keeps past its lifetime (see the module's decisions). A
 * tracker that does not answer ends the run; the next run (daily, and at start) goes on.
 */
export async function erasePersonalDataPastRetention(ctx: RetentionContext): Promise<RetentionRun> {
  const now = ctx.now();
  const before = new Date(now.getTime() - ctx.retentionDays * DAY_MS);
  const run: RetentionRun = { calls: [], filings: [] };
  const closed = new Map<number, boolean>();
  for (const call of await ctx.store.calls.listKeptWithBugBefore(before)) {
    const bugId = call.bugId!;
    if (!closed.has(bugId)) {
      try {
        closed.set(bugId, isClosed(await ctx.tracker.getTicket(bugId)));
      } catch (error) {
        if (error instanceof NotFoundError) closed.set(bugId, true);
        else if (isTransientFailure(error)) {
          ctx.log.warn({ err: error }, "the tracker does not answer; the retention of personal data goes on at its next run");
          break;
        } else throw error;
      }
    }
    if (!closed.get(bugId)) continue;
    await eraseCall(ctx.store, call, now);
    run.calls.push(call.id);
  }
  for (const filing of await ctx.store.pendingFilings.listFailedHoldingDataBefore(before)) {
    if (await ctx.store.pendingFilings.eraseTicket(filing.id)) run.filings.push(filing.id);
  }
  if (run.calls.length + run.filings.length > 0) ctx.log.info({ calls: run.calls, filings: run.filings, retentionDays: ctx.retentionDays }, "erased customers' personal data past its retention");
  return run;
}

function isClosed(ticket: Ticket): boolean {
  return ticket.state.stages.includes("closed");
}

/** The retention job's timer: owned by whoever runs the bot (src/live.ts, src/sandbox.ts). */
export interface RetentionJob {
  /** Waits for a run in progress and stops the timer. */
  stop(): Promise<void>;
}

/** Runs the retention job at once and then once a day; runs never overlap. */
export function startRetentionJob(ctx: RetentionContext, options: { everyMs?: number } = {}): RetentionJob {
  let running: Promise<void> | undefined;
  const runNow = (): void => {
    if (running) return;
    running = erasePersonalDataPastRetention(ctx)
      .then(() => undefined)
      .catch((err: unknown) => ctx.log.error({ err }, "the retention of personal data failed"))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(runNow, options.everyMs ?? DAY_MS);
  timer.unref();
  runNow();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** Whose data `forget` erases: the customer of a bug, or of a sales record (`S-3`). */
export type ForgetTarget = { bugId: number } | { salesRef: string };

/** What `forget` erased, ids only, for the reply. */
export interface ForgetReport {
  calls: number[];
  filings: number[];
  salesRecords: string[];
  /** Contact notes deleted in the tracker (or found already gone), per bug. */
  notesDeleted: { bugId: number; noteId: number }[];
  /** Contact notes the tracker did not delete, and why. */
  notesLeft: { bugId: number; noteId: number; reason: string }[];
}

/** The sales record's fields that hold the customer's data. */
const SALES_PERSONAL_FIELDS = { customerName: "[erased]", phone: null, email: null } as const;

/**
 * Erases a customer's data at once (see the module's decisions): the store first, then the private
 * contact notes in the tracker; journals it on the bug without any of the data.
 */
export async function forgetCustomer(ctx: ActionContext & Pick<ProcessContext, "log">, target: ForgetTarget): Promise<ForgetReport> {
  const at = ctx.now();
  // What the transaction found is built inside it and kept only once it committed: on PostgreSQL a
  // transaction refused for a concurrent one runs again, and must not count twice.
  const { report, bugIds } = await ctx.store.transaction(async () => {
    const report: ForgetReport = { calls: [], filings: [], salesRecords: [], notesDeleted: [], notesLeft: [] };
    const bugIds = new Set<number>();
    const calls = "bugId" in target ? await ctx.store.calls.listOfBug(target.bugId) : await ctx.store.calls.listOfSalesRef(target.salesRef);
    if ("bugId" in target) bugIds.add(target.bugId);
    const salesRefs = new Set<string>("salesRef" in target ? [target.salesRef] : []);
    for (const call of calls) {
      if (call.salesRef) salesRefs.add(call.salesRef);
      if (call.erasedAt === undefined) report.calls.push(call.id);
      for (const filing of await ctx.store.pendingFilings.listOfCall(call.id)) if (await ctx.store.pendingFilings.eraseTicket(filing.id)) report.filings.push(filing.id);
      await eraseCall(ctx.store, call, at);
    }
    if ("bugId" in target) {
      const filing = await ctx.store.pendingFilings.findByBug(target.bugId);
      if (filing && (await ctx.store.pendingFilings.eraseTicket(filing.id))) report.filings.push(filing.id);
    }
    for (const reference of salesRefs) {
      const record = await ctx.store.sales.get(reference);
      if (!record) continue;
      const bugId = record.payload["bugId"];
      if (typeof bugId === "number") bugIds.add(bugId);
      if (record.payload["customerName"] !== SALES_PERSONAL_FIELDS.customerName) {
        const request = typeof record.payload["request"] === "string" ? redactPersonalData(record.payload["request"], personalDataOf(record.payload)).text : undefined;
        await ctx.store.sales.replacePayloadFields(reference, { ...SALES_PERSONAL_FIELDS, ...(request !== undefined ? { request } : {}) });
        report.salesRecords.push(reference);
      }
    }
    return { report, bugIds };
  });
  for (const bugId of bugIds) {
    for (const noteId of await contactNoteIds(ctx.store, bugId)) {
      try {
        await ctx.tracker.deleteNote(bugId, noteId);
        report.notesDeleted.push({ bugId, noteId });
      } catch (error) {
        if (error instanceof NotFoundError) report.notesDeleted.push({ bugId, noteId });
        else {
          ctx.log.warn({ err: error, bugId, noteId }, "could not delete a customer's contact note");
          report.notesLeft.push({ bugId, noteId, reason: error instanceof Error && "userMessage" in error ? String(error.userMessage) : "an error on the bot's side" });
        }
      }
    }
    const deleted = report.notesDeleted.filter((note) => note.bugId === bugId).map((note) => note.noteId);
    await appendEntry(ctx, bugId, { action: "forget", command: "forget" }, { calls: report.calls, deletedNotes: deleted });
  }
  ctx.log.info({ calls: report.calls, filings: report.filings, salesRecords: report.salesRecords, notes: report.notesDeleted.length }, "erased a customer's data on request");
  return report;
}

/** The customer's data a sales record's payload holds, to replace in its free text. */
function personalDataOf(payload: Record<string, unknown>): { name?: string; phone?: string; email?: string } {
  const text = (key: string): string | undefined => (typeof payload[key] === "string" ? (payload[key] as string) : undefined);
  return { name: text("customerName"), phone: text("phone"), email: text("email") };
}

/** The bot's private contact notes on a bug, as the journal recorded them, not yet deleted by an earlier `forget`. */
async function contactNoteIds(store: Store, bugId: number): Promise<number[]> {
  const entries = await store.journal.list(bugId);
  const deleted = new Set(entries.filter((entry) => entry.action === "forget").flatMap((entry) => (Array.isArray(entry.details["deletedNotes"]) ? entry.details["deletedNotes"] : [])));
  return entries
    .filter((entry) => entry.action === "customer-contact" && typeof entry.details["noteId"] === "number")
    .map((entry) => entry.details["noteId"] as number)
    .filter((noteId) => !deleted.has(noteId));
}
