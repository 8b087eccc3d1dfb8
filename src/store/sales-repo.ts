/**
 * Sales records for the ERP (migration 2): contacts routed to sales and resolutions of
 * sales-originated bugs, and whether a bug is tied to sales (seed: Resolution starts billing).
 */
import type { BugProcessRepository } from "./bug-process-repo.js";
import type { CallsRepository } from "./calls-repo.js";
import { parseSalesReference, salesReference, type SalesRecord } from "../core/sales.js";
import { firstValue, type Db } from "./db.js";

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
    private readonly db: Db,
    private readonly related: { calls: CallsRepository; bugProcess: BugProcessRepository },
  ) {}

  /** Records a contact or resolution; the reference is made from its id. */
  async add(record: { kind: SalesRecord["kind"]; at: Date; payload: object }): Promise<SalesRecord> {
    const inserted = await this.db.get<{ id: number }>("INSERT INTO sales_records (kind, at, payload) VALUES (?, ?, ?) RETURNING id", [
      record.kind,
      record.at.toISOString(),
      JSON.stringify(record.payload),
    ]);
    const id = inserted!.id;
    return { id, reference: salesReference(id), kind: record.kind, at: record.at, payload: { ...record.payload } };
  }

  /** Replaces fields of a record's payload (a customer's data erased); false when there is no such record. */
  async replacePayloadFields(reference: string, fields: Record<string, unknown>): Promise<boolean> {
    const record = await this.get(reference);
    if (!record) return false;
    (await this.db.run("UPDATE sales_records SET payload = ? WHERE id = ?", [JSON.stringify({ ...record.payload, ...fields }), record.id]));
    return true;
  }

  /** The record behind a reference such as `S-3`. */
  async get(reference: string): Promise<SalesRecord | undefined> {
    const id = parseSalesReference(reference);
    if (id === undefined) return undefined;
    const row = await this.db.get<SalesRow>("SELECT * FROM sales_records WHERE id = ?", [id]);
    return row && { id: row.id, reference: salesReference(row.id), kind: row.kind, at: new Date(row.at), payload: JSON.parse(row.payload) as Record<string, unknown> };
  }

  /**
   * How the bug is tied to sales, or undefined when it is not: a call record linked to it carries a
   * sales reference, a sales contact record names the bug, or its process origin is `sales`.
   */
  async linkOf(bugId: number): Promise<SalesLink | undefined> {
    const callRef = await this.related.calls.salesRefOfBug(bugId);
    if (callRef !== undefined) return { salesRef: callRef };
    // The payload is JSON text in both backends; each reads a field of it in its own words.
    const payloadBugId = this.db.dialect === "postgres" ? "CAST(CAST(payload AS json)->>'bugId' AS BIGINT)" : "json_extract(payload, '$.bugId')";
    const recordId = await firstValue<number>(
      this.db,
      `SELECT id FROM sales_records WHERE kind = 'contact' AND ${payloadBugId} = ? ORDER BY id DESC LIMIT 1`,
      [bugId],
    );
    if (recordId !== undefined) return { salesRef: salesReference(recordId) };
    return (await this.related.bugProcess.get(bugId))?.origin === "sales" ? {} : undefined;
  }
}
