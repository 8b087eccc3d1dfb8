/**
 * Customers' bugs waiting for the tracker (migration 12): a `call` or `file` the tracker could not
 * take is kept here as pending and filed when it answers again (src/process/pending-filings.ts).
 * What to file is kept as the process gave it (JSON, with the private contact note, so personal
 * data) until the tracker took it; then only the bug number stays.
 */
import type { FilingOrigin, FilingStatus } from "../core/pending-filing.js";
import type { Db } from "./db.js";

/** One filing, as the store keeps it. */
export interface PendingFiling {
  id: number;
  origin: FilingOrigin;
  /** The command that asked for it (`call`, `file`). */
  command: string;
  /** Handle of the staff member who ran the command; told the bug number once it is filed. */
  requestedBy: string;
  requestedAt: Date;
  /** The call record of a `call`. */
  callId?: number;
  /** What to file, as the process stored it; undefined once filed or erased. */
  ticket?: unknown;
  status: FilingStatus;
  /** Failed attempts so far. */
  attempts: number;
  lastAttemptAt?: Date;
  /** Why the last attempt failed, as the tracker's error said (no personal data). */
  lastError?: string;
  bugId?: number;
  /** When it was filed or given up. */
  doneAt?: Date;
}

/** A filing that is not done, without what it files (no personal data): for `summary` and `doctor`. */
export type WaitingFiling = Omit<PendingFiling, "ticket">;

interface FilingRow {
  id: number;
  origin: FilingOrigin;
  command: string;
  requested_by: string;
  requested_at: string;
  call_id: number | null;
  ticket: string | null;
  status: FilingStatus;
  attempts: number;
  last_attempt_at: string | null;
  last_error: string | null;
  bug_id: number | null;
  done_at: string | null;
}

/** The pending filings. */
export class PendingFilingsRepository {
  constructor(private readonly db: Db) {}

  /** Keeps a filing to make; `ticket` is stored as JSON. */
  async add(filing: { origin: FilingOrigin; command: string; requestedBy: string; requestedAt: Date; callId?: number; ticket: unknown }): Promise<PendingFiling> {
    const inserted = await this.db.get<{ id: number }>("INSERT INTO pending_filings (origin, command, requested_by, requested_at, call_id, ticket) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [filing.origin, filing.command, filing.requestedBy, filing.requestedAt.toISOString(), filing.callId ?? null, JSON.stringify(filing.ticket)]);
    return (await this.get(inserted!.id))!;
  }

  /** One filing. */
  async get(id: number): Promise<PendingFiling | undefined> {
    const row = await this.db.get<FilingRow>("SELECT * FROM pending_filings WHERE id = ?", [id]);
    return row && toFiling(row);
  }

  /** The filings still waiting for the tracker, oldest first. */
  async listPending(): Promise<PendingFiling[]> {
    return (await this.db.all<FilingRow>("SELECT * FROM pending_filings WHERE status = 'pending' ORDER BY id")).map(toFiling);
  }

  /** The filings not done (pending, or given up and to be filed by hand), oldest first, without their content. */
  async listWaiting(): Promise<WaitingFiling[]> {
    const rows = await this.db.all<FilingRow>("SELECT * FROM pending_filings WHERE status IN ('pending', 'failed') ORDER BY id");
    return rows.map((row) => {
      const { ticket: _ticket, ...rest } = toFiling(row);
      return rest;
    });
  }

  /** Notes that an attempt starts now: a bot stopped during it looks for the ticket before filing again. */
  async claim(id: number, at: Date): Promise<void> {
    await this.db.run("UPDATE pending_filings SET last_attempt_at = ? WHERE id = ?", [at.toISOString(), id]);
  }

  /** Counts one more failed attempt. */
  async recordFailure(id: number, at: Date, error: string): Promise<void> {
    await this.db.run("UPDATE pending_filings SET attempts = attempts + 1, last_attempt_at = ?, last_error = ? WHERE id = ?", [at.toISOString(), error, id]);
  }

  /** The tracker took it as `bugId`: what was filed is dropped (the bug and the call record keep it). */
  async markFiled(id: number, bugId: number, at: Date): Promise<void> {
    await this.db.run("UPDATE pending_filings SET status = 'filed', bug_id = ?, done_at = ?, ticket = NULL WHERE id = ? AND status = 'pending'", [bugId, at.toISOString(), id]);
  }

  /** The tracker refused it for good: kept, with the reason, for someone to file by hand. */
  async markFailed(id: number, at: Date, error: string): Promise<void> {
    await this.db.run("UPDATE pending_filings SET status = 'failed', last_error = ?, done_at = ? WHERE id = ?", [error, at.toISOString(), id]);
  }

  /** Removes a filing that was refused at once (the command failed; nothing is kept). */
  async delete(id: number): Promise<void> {
    await this.db.run("DELETE FROM pending_filings WHERE id = ?", [id]);
  }

  /** Drops what a filing would file (its personal data); returns whether there was anything. */
  async eraseTicket(id: number): Promise<boolean> {
    return (await this.db.run("UPDATE pending_filings SET ticket = NULL WHERE id = ? AND ticket IS NOT NULL", [id])) > 0;
  }

  /** Filings given up before `before` that still hold what they would file (retention). */
  async listFailedHoldingDataBefore(before: Date): Promise<PendingFiling[]> {
    const rows = await this.db.all<FilingRow>("SELECT * FROM pending_filings WHERE status = 'failed' AND ticket IS NOT NULL AND requested_at < ? ORDER BY id", [before.toISOString()]);
    return rows.map(toFiling);
  }

  /** The filings of a call. */
  async listOfCall(callId: number): Promise<PendingFiling[]> {
    return (await this.db.all<FilingRow>("SELECT * FROM pending_filings WHERE call_id = ? ORDER BY id", [callId])).map(toFiling);
  }

  /** The filing that became the bug. */
  async findByBug(bugId: number): Promise<PendingFiling | undefined> {
    const row = await this.db.get<FilingRow>("SELECT * FROM pending_filings WHERE bug_id = ? ORDER BY id DESC LIMIT 1", [bugId]);
    return row && toFiling(row);
  }
}

function toFiling(row: FilingRow): PendingFiling {
  return {
    id: row.id,
    origin: row.origin,
    command: row.command,
    requestedBy: row.requested_by,
    requestedAt: new Date(row.requested_at),
    ...(row.call_id !== null ? { callId: row.call_id } : {}),
    ...(row.ticket !== null ? { ticket: JSON.parse(row.ticket) as unknown } : {}),
    status: row.status,
    attempts: row.attempts,
    ...(row.last_attempt_at !== null ? { lastAttemptAt: new Date(row.last_attempt_at) } : {}),
    ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    ...(row.bug_id !== null ? { bugId: row.bug_id } : {}),
    ...(row.done_at !== null ? { doneAt: new Date(row.done_at) } : {}),
  };
}
