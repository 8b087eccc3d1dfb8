/**
 * Store look-ups for the Review and Resolution stages: whether a bug came from a sales process, so
 * that resolving it updates the ERP and starts billing (seed: Resolution).
 */
import { salesReference } from "./sales-repo.js";
import type { Store } from "./store.js";

export interface SalesLink {
  /** The ERP reference of the sales contact (`S-3`), when one is known. */
  salesRef?: string;
}

/**
 * How the bug is tied to sales, or undefined when it is not: its process origin is `sales`, a call
 * record linked to it carries a sales reference, or a sales contact record names the bug.
 */
export function findSalesLink(store: Store, bugId: number): SalesLink | undefined {
  const call = store.db
    .prepare("SELECT sales_ref FROM calls WHERE bug_id = ? AND sales_ref IS NOT NULL ORDER BY id DESC LIMIT 1")
    .get(bugId) as { sales_ref: string } | undefined;
  if (call) return { salesRef: call.sales_ref };
  const record = store.db
    .prepare("SELECT id FROM sales_records WHERE kind = 'contact' AND json_extract(payload, '$.bugId') = ? ORDER BY id DESC LIMIT 1")
    .get(bugId) as { id: number } | undefined;
  if (record) return { salesRef: salesReference(record.id) };
  return store.getBugProcess(bugId)?.origin === "sales" ? {} : undefined;
}
