/** Sales records for the ERP (contacts routed to sales, resolutions of sales-originated bugs). */
import type { Store } from "./store.js";

export interface SalesRecord {
  id: number;
  /** `S-<id>`, the reference people quote. */
  reference: string;
  kind: "contact" | "resolution";
  at: Date;
  payload: Record<string, unknown>;
}

interface SalesRow {
  id: number;
  kind: SalesRecord["kind"];
  at: string;
  payload: string;
}

/** The reference people quote for a record id, and back. */
export const salesReference = (id: number): string => `S-${id}`;
export function parseSalesReference(reference: string): number | undefined {
  const match = /^S-(\d+)$/i.exec(reference.trim());
  return match ? Number(match[1]) : undefined;
}

export function addSalesRecord(store: Store, record: { kind: SalesRecord["kind"]; at: Date; payload: object }): SalesRecord {
  const result = store.db
    .prepare("INSERT INTO sales_records (kind, at, payload) VALUES (?, ?, ?)")
    .run(record.kind, record.at.toISOString(), JSON.stringify(record.payload));
  const id = Number(result.lastInsertRowid);
  return { id, reference: salesReference(id), kind: record.kind, at: record.at, payload: { ...record.payload } };
}

export function getSalesRecord(store: Store, reference: string): SalesRecord | undefined {
  const id = parseSalesReference(reference);
  if (id === undefined) return undefined;
  const row = store.db.prepare("SELECT * FROM sales_records WHERE id = ?").get(id) as SalesRow | undefined;
  return row && { id: row.id, reference: salesReference(row.id), kind: row.kind, at: new Date(row.at), payload: JSON.parse(row.payload) as Record<string, unknown> };
}
