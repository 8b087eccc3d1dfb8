/** A customer's phone call as the process records it: who called, about what, and where it went. */

export type CallRoute = "bug" | "sales";
export const CUSTOMER_TYPES = ["user", "merchant", "bank", "other"] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];

/** One recorded call. */
export interface CallRecord {
  id: number;
  recordedAt: Date;
  recordedBy: string;
  customerName: string;
  customerType: CustomerType;
  phone?: string;
  email?: string;
  issue: string;
  callDate: string;
  route: CallRoute;
  bugId?: number;
  salesRef?: string;
  /** When the customer's name, phone and e-mail were erased (retention or `forget`). */
  erasedAt?: Date;
}
