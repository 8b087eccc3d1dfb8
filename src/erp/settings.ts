/**
 * The ERP webhook's settings (src/erp/webhook-erp.ts): its environment variables and the settings
 * the adapter is built with. Absent: sales records go to the store and the sales channel.
 */
import { z } from "zod";

/** Where sales events go when ERP_WEBHOOK_URL is set. */
export interface ErpWebhookSettings {
  url: string;
  secret: string;
  timeoutMs: number;
}

/** The environment variables of the ERP webhook; config.ts composes it. */
export const erpEnvSchema = z.object({
  ERP_WEBHOOK_URL: z.url({ error: "must be a URL such as https://host/path" }).optional(),
  ERP_WEBHOOK_SECRET: z.string().min(16, "must be at least 16 characters (a long random string shared with the ERP)").optional(),
  ERP_WEBHOOK_TIMEOUT_MS: z.coerce.number({ error: "must be a number of milliseconds" }).int().min(100).max(120_000).default(10_000),
});
/** The ERP's variables as the schema returns them. */
export type ErpEnv = z.output<typeof erpEnvSchema>;

/** The webhook's settings when both URL and secret are set; one problem line for each half missing. */
export function erpSettingsFromEnv(env: ErpEnv): { settings: ErpWebhookSettings | undefined; problems: string[] } {
  const problems: string[] = [];
  if (env.ERP_WEBHOOK_URL && !env.ERP_WEBHOOK_SECRET) problems.push("ERP_WEBHOOK_SECRET: missing (the shared secret the ERP checks the signature with)");
  if (!env.ERP_WEBHOOK_URL && env.ERP_WEBHOOK_SECRET) problems.push("ERP_WEBHOOK_URL: missing (where the ERP receives the bot's sales events)");
  const settings =
    env.ERP_WEBHOOK_URL && env.ERP_WEBHOOK_SECRET ? { url: env.ERP_WEBHOOK_URL, secret: env.ERP_WEBHOOK_SECRET, timeoutMs: env.ERP_WEBHOOK_TIMEOUT_MS } : undefined;
  return { settings, problems };
}
