/** Records kept for the ERP (sales contacts, resolutions of sales-originated bugs) and the references people quote. */

/** One record kept for the ERP. */
export interface SalesRecord {
  id: number;
  /** `S-<id>`, the reference people quote. */
  reference: string;
  kind: "contact" | "resolution";
  at: Date;
  payload: Record<string, unknown>;
}

/** The reference people quote for a record id. */
export const salesReference = (id: number): string => `S-${id}`;

/** The record id in a reference such as `S-3`, or undefined when it is none. */
export function parseSalesReference(reference: string): number | undefined {
  const match = /^S-(\d+)$/i.exec(reference.trim());
  return match ? Number(match[1]) : undefined;
}
