/**
 * The ERP port: where sales contacts and the resolution of sales-originated bugs are recorded
 * (seed: Incoming > Sales E-mail, Resolution). Adapters: the store plus a post to the sales
 * channel (default), or a generic JSON webhook with an HMAC-signed body.
 */
import type { CustomerType } from "../store/store.js";

/** A sales contact (e.g. a call routed to sales). Holds personal data: never put it in a channel or log. */
export interface SalesContact {
  callId?: number;
  customerName: string;
  customerType: CustomerType;
  phone?: string;
  email?: string;
  /** What the customer wants. */
  request: string;
  /** ISO date of the contact. */
  date: string;
  /** Staff handle of who recorded it. */
  recordedBy: string;
}

/** A sales-originated bug was resolved: the ERP is updated and billing may start. */
export interface SalesResolution {
  bugId: number;
  bugUrl: string;
  /** The ERP reference of the original contact, if known. */
  salesRef?: string;
  resolvedBy: string;
  /** Start invoicing / billing for this resolution. */
  startBilling: boolean;
}

/** What the ERP answered: its reference, and a sentence for the user when a follow-up step failed. */
export interface ErpReceipt {
  reference: string;
  /** Set when the record was kept but telling people about it failed (it must not be recorded twice). */
  notice?: string;
}

export interface ErpPort {
  /** Records a contact; resolves to the ERP's reference for it. */
  recordSalesContact(contact: SalesContact): Promise<ErpReceipt>;
  /** Records a resolution (and the billing request); resolves to the ERP's reference. */
  recordResolution(resolution: SalesResolution): Promise<ErpReceipt>;
}
