/**
 * The call log (migration 1): who called, about what, and where the call went (a bug or sales). It is
 * the one place a customer's personal data is kept; it never leaves the store into a note or a chat.
 */
import type { CallRecord, CallRoute, CustomerType } from "../core/customer-call.js";
import { orUndefined, type Db } from "./db.js";

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
  constructor(private readonly db: Db) {}

  /** Records a call. */
  async add(call: Omit<CallRecord, "id">): Promise<CallRecord> {
    const inserted = await this.db.get<{ id: number }>(
        `INSERT INTO calls (recorded_at, recorded_by, customer_name, customer_type, phone, email, issue, call_date, route, bug_id, sales_ref)
         VALUES (@recordedAt, @recordedBy, @customerName, @customerType, @phone, @email, @issue, @callDate, @route, @bugId, @salesRef)
         RETURNING id`,
      {
        recordedAt: call.recordedAt.toISOString(),
        recordedBy: call.recordedBy,
        customerName: call.customerName,
        customerType: call.customerType,
        phone: call.phone ?? null,
        email: call.email ?? null,
        issue: call.issue,
        callDate: call.callDate,
        route: call.route,
        bugId: call.bugId ?? null,
        salesRef: call.salesRef ?? null,
      },
    );
    return { ...call, id: inserted!.id };
  }

  /** Links a call to the bug filed for it. */
  async setBug(callId: number, bugId: number): Promise<void> {
    await this.db.run("UPDATE calls SET bug_id = ? WHERE id = ?", [bugId, callId]);
  }

  /** Links a call routed to sales to its ERP reference. */
  async setSalesRef(callId: number, salesRef: string): Promise<void> {
    await this.db.run("UPDATE calls SET sales_ref = ? WHERE id = ?", [salesRef, callId]);
  }

  /** Removes a call whose bug or sales record could not be created, so a retry does not log it twice. */
  async delete(callId: number): Promise<void> {
    await this.db.run("DELETE FROM calls WHERE id = ?", [callId]);
  }

  /** One call. */
  async get(id: number): Promise<CallRecord | undefined> {
    const row = await this.db.get<CallRow>("SELECT * FROM calls WHERE id = ?", [id]);
    return row && toCall(row);
  }

  /** Every call, oldest first. */
  async list(): Promise<CallRecord[]> {
    return (await this.db.all<CallRow>("SELECT * FROM calls ORDER BY id")).map(toCall);
  }

  /** Erases the customer's name, phone and e-mail of a call; `issue` is the call's text with them replaced. */
  async erasePersonalData(callId: number, issue: string, at: Date): Promise<void> {
    await this.db.run("UPDATE calls SET customer_name = ?, phone = NULL, email = NULL, issue = ?, erased_at = ? WHERE id = ?", [ERASED_NAME, issue, at.toISOString(), callId]);
  }

  /** Calls filed as bugs, recorded before `before`, that still hold the customer's data (retention), oldest first. */
  async listKeptWithBugBefore(before: Date): Promise<CallRecord[]> {
    const rows = await this.db.all<CallRow>("SELECT * FROM calls WHERE erased_at IS NULL AND bug_id IS NOT NULL AND recorded_at < ? ORDER BY id", [before.toISOString()]);
    return rows.map(toCall);
  }

  /** The calls filed as the bug. */
  async listOfBug(bugId: number): Promise<CallRecord[]> {
    return (await this.db.all<CallRow>("SELECT * FROM calls WHERE bug_id = ? ORDER BY id", [bugId])).map(toCall);
  }

  /** The calls routed to sales as the record. */
  async listOfSalesRef(salesRef: string): Promise<CallRecord[]> {
    return (await this.db.all<CallRow>("SELECT * FROM calls WHERE sales_ref = ? ORDER BY id", [salesRef])).map(toCall);
  }

  /** The newest sales reference of a call linked to the bug, if any. */
  async salesRefOfBug(bugId: number): Promise<string | undefined> {
    const row = (await this.db.get<unknown>("SELECT sales_ref FROM calls WHERE bug_id = ? AND sales_ref IS NOT NULL ORDER BY id DESC LIMIT 1", [bugId])) as
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
