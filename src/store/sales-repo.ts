/**
 * Sales records for the ERP (migration 2): contacts routed to sales and resolutions of
 * sales-originated bugs, and whether a bug is tied to sales (seed: Resolution starts billing).
 */
import type { BugProcessRepository } from "./bug-process-repo.js";
import type { CallsRepository } from "./calls-repo.js";
import { parseSalesReference, salesReference, type SalesRecord } from "../core/sales.js";
import type { Sql } from "./sql.js";

export { parseSalesReference, salesReference, type SalesRecord } from "../core/sales.js";

/** How a bug is tied to sales. */
export interface SalesLink {
  /** The ERP reference of the sales contact (`S-3`), when one is known. */
  salesRef?: string;
}

interface SalesRow {
  id: number;
  kind: SalesRecord["kind"];
  at: string;
  payload: string;
}

/** Sales records. */
export class SalesRepository {
  constructor(
    private readonly sql: Sql,
    private readonly related: { calls: CallsRepository; bugProcess: BugProcessRepository },
  ) {}

  /** Records a contact or resolution; the reference is made from its id. */
  add(record: { kind: SalesRecord["kind"]; at: Date; payload: object }): SalesRecord {
    const result = this.sql.statement("INSERT INTO sales_records (kind, at, payload) VALUES (?, ?, ?)").run(record.kind, record.at.toISOString(), JSON.stringify(record.payload));
    const id = Number(result.lastInsertRowid);
    return { id, reference: salesReference(id), kind: record.kind, at: record.at, payload: { ...record.payload } };
  }

  /** Replaces fields of a record's payload (a customer's data erased); false when there is no such record. */
  replacePayloadFields(reference: string, fields: Record<string, unknown>): boolean {
    const record = this.get(reference);
    if (!record) return false;
    this.sql.statement("UPDATE sales_records SET payload = ? WHERE id = ?").run(JSON.stringify({ ...record.payload, ...fields }), record.id);
    return true;
  }

  /** The record behind a reference such as `S-3`. */
  get(reference: string): SalesRecord | undefined {
    const id = parseSalesReference(reference);
    if (id === undefined) return undefined;
    const row = this.sql.statement("SELECT * FROM sales_records WHERE id = ?").get(id) as SalesRow | undefined;
    return row && { id: row.id, reference: salesReference(row.id), kind: row.kind, at: new Date(row.at), payload: JSON.parse(row.payload) as Record<string, unknown> };
  }

  /**
   * How the bug is tied to sales, or undefined when it is not: a call record linked to it carries a
   * sales reference, a sales contact record names the bug, or its process origin is `sales`.
   */
  linkOf(bugId: number): SalesLink | undefined {
    const callRef = this.related.calls.salesRefOfBug(bugId);
    if (callRef !== undefined) return { salesRef: callRef };
    const recordId = this.sql
      .statement("SELECT id FROM sales_records WHERE kind = 'contact' AND json_extract(payload, '$.bugId') = ? ORDER BY id DESC LIMIT 1")
      .pluck()
      .get(bugId) as number | undefined;
    if (recordId !== undefined) return { salesRef: salesReference(recordId) };
    return this.related.bugProcess.get(bugId)?.origin === "sales" ? {} : undefined;
  }
}
