/**
 * Default ERP adapter: the record stays in the bot's store (with its personal data) and the sales
 * channel gets a post with the reference only, so no customer data reaches a channel.
 */
import { NotificationDelayedError, type Notifier } from "../chat/notifier.js";
import type { Message } from "../framework/reply.js";
import type { Store } from "../store/store.js";
import type { ErpPort, ErpReceipt, SalesContact, SalesResolution } from "./erp.js";

export class ChannelErp implements ErpPort {
  constructor(
    private readonly store: Store,
    private readonly notifier: Notifier,
    private readonly now: () => Date,
  ) {}

  async recordSalesContact(contact: SalesContact): Promise<ErpReceipt> {
    const { reference } = await this.store.sales.add({ kind: "contact", at: this.now(), payload: contact });
    return this.tellSales(reference, {
      text: `New sales contact **${reference}** (${contact.customerType}) recorded by @${contact.recordedBy}. Details: \`/support lead ${reference}\` (staff only).`,
    });
  }

  async recordResolution(resolution: SalesResolution): Promise<ErpReceipt> {
    const { reference } = await this.store.sales.add({ kind: "resolution", at: this.now(), payload: resolution });
    const billing = resolution.startBilling ? " Please start invoicing / billing." : "";
    return this.tellSales(reference, {
      text: `Bug [#${resolution.bugId}](${resolution.bugUrl}) from sales${resolution.salesRef ? ` (${resolution.salesRef})` : ""} is resolved by @${resolution.resolvedBy}: update the ERP record.${billing} (${reference})`,
      bugId: resolution.bugId,
    });
  }

  /** The record is kept whatever happens here: a failed post must not make anyone record it twice. */
  private async tellSales(reference: string, message: Message): Promise<ErpReceipt> {
    try {
      await this.notifier.channel("sales", message);
      return { reference };
    } catch (error) {
      // Queued in the outbox, which retries it: telling the sales team by hand would tell them twice.
      if (error instanceof NotificationDelayedError) {
        return { reference, notice: `(Recorded as ${reference}, but I could not post it to the sales channel yet; I will keep trying.)` };
      }
      return { reference, notice: `(Recorded as ${reference}, but I could not post it to the sales channel: tell the sales team yourself.)` };
    }
  }
}
