/** Picks the ERP adapter from the configuration: the webhook when ERP_WEBHOOK_URL is set, else store + sales channel. */
import type { Notifier } from "../chat/notifier.js";
import type { Store } from "../store/store.js";
import { ChannelErp } from "./channel-erp.js";
import type { ErpPort } from "./erp.js";
import type { ErpWebhookSettings } from "./settings.js";
import { WebhookErp } from "./webhook-erp.js";

/** The ERP adapter the configuration asks for; sandbox and live both build it here. */
export function createErp(config: { erp?: ErpWebhookSettings | undefined }, store: Store, notifier: Notifier, now: () => Date): ErpPort {
  if (config.erp) {
    return new WebhookErp({ url: config.erp.url, secret: config.erp.secret, timeoutMs: config.erp.timeoutMs, store, now });
  }
  return new ChannelErp(store, notifier, now);
}
