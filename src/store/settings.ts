/**
 * Where the store lives (issue 16): an SQLite file under DATA_DIR, the default (one process,
 * nothing to install), or a shared PostgreSQL database named by DATABASE_URL (two or more replicas).
 */
import { join } from "node:path";
import { z } from "zod";
import type { StoreLocation } from "./store.js";

/** The store file's name under DATA_DIR. */
export const STORE_FILE_NAME = "support-bot.sqlite";

/** The store's environment variables; config.ts composes them. */
export const storeEnvSchema = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: "must be a PostgreSQL URL such as postgres://support-bot:secret@db:5432/support-bot" })
    .optional(),
});
/** The store's variables as the schema returns them. */
export type StoreEnv = z.output<typeof storeEnvSchema>;

/** PostgreSQL when DATABASE_URL is set, else the SQLite file under DATA_DIR. */
export function storeLocationFromEnv(env: StoreEnv, dataDir: string): StoreLocation {
  return env.DATABASE_URL !== undefined ? { databaseUrl: env.DATABASE_URL } : { path: join(dataDir, STORE_FILE_NAME) };
}
