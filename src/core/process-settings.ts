/**
 * Settings of the support process itself, handed to commands and jobs: the tags it reads, the
 * documentation threshold, the units of estimates, when an estimate is stale, how many items each
 * section of the queue summary shows, and everyone's default working time
 * (src/core/people-settings.ts). config.ts composes `processEnvSchema` into the one environment
 * schema; tests build complete settings from the same schema.
 */
import { z } from "zod";
import { peopleDefaultsFromEnv, peopleEnvSchema, type PeopleDefaults } from "./people-settings.js";

/** The environment variables of the process, each with its documented default. */
export const processEnvSchema = z.object({
  CUSTOMER_TAG: z.string().min(1).default("Customer"),
  CUSTOMER_DATA_TAG: z.string().min(1).default("customer-data"),
  DOCS_REPEAT_THRESHOLD: z.coerce.number().int().min(1).max(100).default(3),
  DOCS_REPEAT_WINDOW_DAYS: z.coerce
    .number({ error: "must be a number of days" })
    .int("must be whole days")
    .min(1, "must be at least 1 day")
    .max(3650, "must be at most 3650 days")
    .default(90),
  WORKDAY_HOURS: z.coerce.number().min(1).max(24).default(8),
  STALE_AFTER_DAYS: z.coerce.number({ error: "must be a number of working days" }).positive().max(365).default(3),
  SUMMARY_ITEMS_PER_SECTION: z.coerce.number({ error: "must be a number of bugs" }).int("must be a whole number").min(0).max(100).default(10),
  PII_RETENTION_DAYS: z.coerce
    .number({ error: "must be a number of days" })
    .int("must be whole days")
    .min(1, "must be at least 1 day")
    .max(3650, "must be at most 3650 days")
    .default(365),
  ...peopleEnvSchema.shape,
});
/** The process's variables as the schema returns them. */
export type ProcessEnv = z.output<typeof processEnvSchema>;

/** Settings of the support process itself, handed to commands and jobs. */
export interface ProcessSettings extends PeopleDefaults {
  customerTag: string;
  customerDataTag: string;
  /** The category of the bugs the bot files (the tracker's setting, used when filing). */
  category: string;
  docsRepeatThreshold: number;
  docsRepeatWindowDays: number;
  /**
   * WORKDAY_HOURS: the hours of work that `1d` in an estimate stands for. It is a unit shared by
   * every subject tag (`[2d, ...]` must mean the same work whoever reads it), so it is one number for
   * everyone; WORK_HOURS and `settings hours=` are the windows in which working time is counted.
   * The defaults agree: 8 hours, 09:00-17:00.
   */
  workdayHours: number;
  /** STALE_AFTER_DAYS: an estimate not updated for this many working days is stale. */
  staleAfterDays: number;
  /**
   * SUMMARY_ITEMS_PER_SECTION: the summary (daily and `summary`) shows at most this many items per
   * section, the most urgent; `summary <section>` lists them all.
   */
  summaryItemsPerSection: number;
  /** PII_RETENTION_DAYS: calls and e-mails older than this, of closed bugs, lose the customer's name, phone and e-mail. */
  piiRetentionDays: number;
}

/** The process settings from the parsed environment and the tracker's category. */
export function processSettingsFromEnv(env: ProcessEnv, tracker: { category: string }): ProcessSettings {
  return {
    ...peopleDefaultsFromEnv(env),
    customerTag: env.CUSTOMER_TAG,
    customerDataTag: env.CUSTOMER_DATA_TAG,
    category: tracker.category,
    docsRepeatThreshold: env.DOCS_REPEAT_THRESHOLD,
    docsRepeatWindowDays: env.DOCS_REPEAT_WINDOW_DAYS,
    workdayHours: env.WORKDAY_HOURS,
    staleAfterDays: env.STALE_AFTER_DAYS,
    summaryItemsPerSection: env.SUMMARY_ITEMS_PER_SECTION,
    piiRetentionDays: env.PII_RETENTION_DAYS,
  };
}
