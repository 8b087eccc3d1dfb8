/**
 * The call log (migration 1): who called, about what, and where the call went (a bug or sales). It is
 * the one place a customer's personal data is kept; it never leaves the store into a note or a chat.
 */
import type { CallRecord, CallRoute, CustomerType } from "../core/customer-call.js";
import { orUndefined, type Sql } from "./sql.js";

export { CUSTOMER_TYPES, type CallRecord, type CallRoute, type CustomerType } from "../core/customer-call.js";

/** What stands for the customer's name once it is erased (the column is NOT NULL). */
export const ERASED_NAME = "[erased]";

interface CallRow {
  id: number;
  recorded_at: string;
  recorded_by: string;
  customer_name: string;
  customer_type: CustomerType;
  phone: string | null;
  email: string | null;
  issue: string;
  call_date: string;
  route: CallRoute;
  bug_id: number | null;
  sales_ref: string | null;
  erased_at: string | null;
}

/** The call log. */
export class CallsRepository {
  constructor(private readonly sql: Sql) {}

  /** Records a call. */
  add(call: Omit<CallRecord, "id">): CallRecord {
    const result = this.sql
      .statement(
        `INSERT INTO calls (recorded_at, recorded_by, customer_name, customer_type, phone, email, issue, call_date, route, bug_id, sales_ref)
         VALUES (@recordedAt, @recordedBy, @customerName, @customerType, @phone, @email, @issue, @callDate, @route, @bugId, @salesRef)`,
      )
      .run({
        ...call,
        recordedAt: call.recordedAt.toISOString(),
        phone: call.phone ?? null,
        email: call.email ?? null,
        bugId: call.bugId ?? null,
        salesRef: call.salesRef ?? null,
      });
    return { ...call, id: Number(result.lastInsertRowid) };
  }

  /** Links a call to the bug filed for it. */
  setBug(callId: number, bugId: number): void {
    this.sql.statement("UPDATE calls SET bug_id = ? WHERE id = ?").run(bugId, callId);
  }

  /** Links a call routed to sales to its ERP reference. */
  setSalesRef(callId: number, salesRef: string): void {
    this.sql.statement("UPDATE calls SET sales_ref = ? WHERE id = ?").run(salesRef, callId);
  }

  /** Removes a call whose bug or sales record could not be created, so a retry does not log it twice. */
  delete(callId: number): void {
    this.sql.statement("DELETE FROM calls WHERE id = ?").run(callId);
  }

  /** One call. */
  get(id: number): CallRecord | undefined {
    const row = this.sql.statement("SELECT * FROM calls WHERE id = ?").get(id) as CallRow | undefined;
    return row && toCall(row);
  }

  /** Every call, oldest first. */
  list(): CallRecord[] {
    return (this.sql.statement("SELECT * FROM calls ORDER BY id").all() as CallRow[]).map(toCall);
  }

  /** Erases the customer's name, phone and e-mail of a call; `issue` is the call's text with them replaced. */
  erasePersonalData(callId: number, issue: string, at: Date): void {
    this.sql
      .statement("UPDATE calls SET customer_name = ?, phone = NULL, email = NULL, issue = ?, erased_at = ? WHERE id = ?")
      .run(ERASED_NAME, issue, at.toISOString(), callId);
  }

  /** Calls filed as bugs, recorded before `before`, that still hold the customer's data (retention), oldest first. */
  listKeptWithBugBefore(before: Date): CallRecord[] {
    const rows = this.sql
      .statement("SELECT * FROM calls WHERE erased_at IS NULL AND bug_id IS NOT NULL AND recorded_at < ? ORDER BY id")
      .all(before.toISOString()) as CallRow[];
    return rows.map(toCall);
  }

  /** The calls filed as the bug. */
  listOfBug(bugId: number): CallRecord[] {
    return (this.sql.statement("SELECT * FROM calls WHERE bug_id = ? ORDER BY id").all(bugId) as CallRow[]).map(toCall);
  }

  /** The calls routed to sales as the record. */
  listOfSalesRef(salesRef: string): CallRecord[] {
    return (this.sql.statement("SELECT * FROM calls WHERE sales_ref = ? ORDER BY id").all(salesRef) as CallRow[]).map(toCall);
  }

  /** The newest sales reference of a call linked to the bug, if any. */
  salesRefOfBug(bugId: number): string | undefined {
    const row = this.sql.statement("SELECT sales_ref FROM calls WHERE bug_id = ? AND sales_ref IS NOT NULL ORDER BY id DESC LIMIT 1").get(bugId) as
      | { sales_ref: string }
      | undefined;
    return row?.sales_ref;
  }
}

function toCall(row: CallRow): CallRecord {
  return {
    id: row.id,
    recordedAt: new Date(row.recorded_at),
    recordedBy: row.recorded_by,
    customerName: row.customer_name,
    customerType: row.customer_type,
    phone: orUndefined(row.phone),
    email: orUndefined(row.email),
    issue: row.issue,
    callDate: row.call_date,
    route: row.route,
    bugId: orUndefined(row.bug_id),
    salesRef: orUndefined(row.sales_ref),
    ...(row.erased_at !== null ? { erasedAt: new Date(row.erased_at) } : {}),
  };
}
