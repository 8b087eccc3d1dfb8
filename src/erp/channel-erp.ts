/**
 * Default ERP adapter: the record stays in the bot's store (with its personal data) and the sales
 * channel gets a post with the reference only, so no customer data reaches a channel.
 */
import type { Notifier } from "../chat/notifier.js";
import { addSalesRecord } from "../store/sales-repo.js";
import type { Store } from "../store/store.js";
import type { ErpPort, SalesContact, SalesResolution } from "./erp.js";

export class ChannelErp implements ErpPort {
  constructor(
    private readonly store: Store,
    private readonly notifier: Notifier,
    private readonly now: () => Date,
  ) {}

  async recordSalesContact(contact: SalesContact): Promise<{ reference: string }> {
    const { reference } = addSalesRecord(this.store, { kind: "contact", at: this.now(), payload: contact });
    await this.notifier.channel("sales", {
      text: `New sales contact **${reference}** (${contact.customerType}) recorded by @${contact.recordedBy}. Details: \`/support lead ${reference}\` (staff only).`,
    });
    return { reference };
  }

  async recordResolution(resolution: SalesResolution): Promise<{ reference: string }> {
    const { reference } = addSalesRecord(this.store, { kind: "resolution", at: this.now(), payload: resolution });
    const billing = resolution.startBilling ? " Please start invoicing / billing." : "";
    await this.notifier.channel("sales", {
      text: `Bug [#${resolution.bugId}](${resolution.bugUrl}) from sales${resolution.salesRef ? ` (${resolution.salesRef})` : ""} is resolved by @${resolution.resolvedBy}: update the ERP record.${billing} (${reference})`,
      bugId: resolution.bugId,
    });
    return { reference };
  }
}
