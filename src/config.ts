/**
 * All settings, read once at start-up from the environment (and `.env` if present), validated by one
 * zod schema, and passed down typed. Nothing else in the bot reads `process.env`.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { isTimeZone } from "./core/calendar.js";
import { ConfigError } from "./errors.js";
import { deriveActionSecret, parseChannelMap, parseTokenList, type MattermostSettings, type ParseOutcome as MattermostParseOutcome } from "./chat/mattermost/settings.js";
import { parseInviterList, parseRoomMap, type MatrixSettings, type ParseOutcome } from "./chat/matrix/settings.js";
import {
  buildProactiveConfig,
  parsedSetting,
  parseHolidays,
  parseRemindersMode,
  parseTimeRange,
  parseWeekdays,
  type ProactiveConfig,
} from "./proactive/preferences.js";

const booleanSetting = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"], { error: "must be true or false" })
  .transform((value) => ["true", "1", "yes", "on"].includes(value));

const optionalUrl = z.url({ error: "must be a URL such as https://host/path" }).optional();
const optionalSecret = z.string().min(1, "must not be empty").optional();

/** Every variable the bot reads. Keep `.env.example` and README's table in step with this. */
export const envSchema = z.object({
  MANTIS_URL: optionalUrl,
  MANTIS_TOKEN: optionalSecret,
  MANTIS_PROJECT: z.string().min(1, "must name a project (id or name)").optional(),
  MANTIS_CATEGORY: z.string().min(1).default("General"),
  MANTIS_IMPERSONATE: booleanSetting.default(false),
  MANTIS_TIMEOUT_MS: z.coerce.number({ error: "must be a number of milliseconds" }).int().min(100).max(120_000).default(10_000),
  DATA_DIR: z.string().min(1).default("./data"),
  HTTP_PORT: z.coerce.number({ error: "must be a port number" }).int().min(0).max(65_535).default(8080),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  USERS_FILE: z.string().min(1).optional(),
  TIMEZONE: z
    .string()
    .refine(isTimeZone, "must be an IANA time zone such as Europe/Zurich")
    .default("UTC"),
  CUSTOMER_TAG: z.string().min(1).default("Customer"),
  CUSTOMER_DATA_TAG: z.string().min(1).default("customer-data"),
  DOCS_REPEAT_THRESHOLD: z.coerce.number().int().min(1).max(100).default(3),
  DOCS_REPEAT_WINDOW_DAYS: z.coerce.number({ error: "must be a number of days" }).int("must be whole days").min(1, "must be at least 1 day").max(3650, "must be at most 3650 days").default(90),
  WORKDAY_HOURS: z.coerce.number().min(1).max(24).default(8),
  ERP_WEBHOOK_URL: optionalUrl,
  ERP_WEBHOOK_SECRET: z.string().min(16, "must be at least 16 characters (a long random string shared with the ERP)").optional(),
  ERP_WEBHOOK_TIMEOUT_MS: z.coerce.number({ error: "must be a number of milliseconds" }).int().min(100).max(120_000).default(10_000),
  MATTERMOST_URL: optionalUrl,
  MATTERMOST_BOT_TOKEN: optionalSecret,
  MATTERMOST_COMMAND_TOKEN: optionalSecret,
  MATTERMOST_TEAM: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "must be the team's name from its URL, such as taler").optional(),
  MATTERMOST_CHANNELS: mattermostListSetting(parseChannelMap).default({}),
  MATTERMOST_PUBLIC_URL: optionalUrl,
  MATTERMOST_REGISTER_COMMAND: booleanSetting.default(false),
  MATTERMOST_ACTION_SECRET: z.string().min(16, "must be at least 16 characters (a long random string, e.g. openssl rand -hex 32)").optional(),
  MATRIX_HOMESERVER_URL: optionalUrl,
  MATRIX_ACCESS_TOKEN: optionalSecret,
  MATRIX_COMMAND_PREFIX: z.string().regex(/^\S+$/, "must be one word without spaces, such as !support").default("!support"),
  MATRIX_ROOMS: matrixListSetting(parseRoomMap).default({}),
  MATRIX_ALLOWED_INVITERS: matrixListSetting(parseInviterList).default([]),
  MATRIX_CONVERSATION_TIMEOUT_MINUTES: z.coerce.number({ error: "must be a number of minutes" }).min(1).max(1440).default(10),
  // Proactive engine (docs/proactive.md). Hours are working hours of the person's calendar.
  PROACTIVE: z.enum(["on", "off", "auto"], { error: "must be on, off or auto" }).default("auto"),
  POLL_INTERVAL: z.coerce.number({ error: "must be a number of seconds" }).min(1).max(3600).default(60),
  CHECK_INTERVAL: z.coerce.number({ error: "must be a number of seconds" }).min(1).max(3600).default(60),
  WATCH_PAGE_SIZE: z.coerce.number({ error: "must be a number of bugs" }).int().min(1).max(1000).default(50),
  NEW_REMIND_AFTER: z.coerce.number({ error: "must be a number of working hours" }).positive().max(1000).default(4),
  FEEDBACK_REMIND_AFTER: z.coerce.number({ error: "must be a number of working hours" }).positive().max(1000).default(4),
  FEEDBACK_REMIND_EVERY: z.coerce.number({ error: "must be a number of working hours" }).positive().max(1000).default(4),
  FEEDBACK_ESCALATE_AFTER: z.coerce.number({ error: "must be a number of working hours" }).positive().max(1000).default(16),
  STALE_AFTER_DAYS: z.coerce.number({ error: "must be a number of working days" }).positive().max(365).default(3),
  WORK_DAYS: parsedSetting(parseWeekdays).optional(),
  WORK_HOURS: parsedSetting((text) => parseTimeRange(text, { spanMidnight: false })).optional(),
  HOLIDAYS: parsedSetting(parseHolidays).optional(),
  QUIET_HOURS: z.string().optional(),
  SUMMARY_CHANNELS: z.string().optional(),
  REMINDERS_DEFAULT: parsedSetting(parseRemindersMode).optional(),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number({ error: "must be a number" }).int().min(1).max(100).default(5),
});
export type Env = z.infer<typeof envSchema>;

/** A list-valued Matrix setting checked by its parser (src/chat/matrix/settings.ts). */
function matrixListSetting<T>(parse: (text: string) => ParseOutcome<T>) {
  return z.string().transform((text, ctx): T => {
    const parsed = parse(text);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  });
}

/** A list-valued Mattermost setting checked by its parser (src/chat/mattermost/settings.ts). */
function mattermostListSetting<T>(parse: (text: string) => MattermostParseOutcome<T>) {
  return z.string().transform((text, ctx): T => {
    const parsed = parse(text);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  });
}


/** Settings of the support process itself, handed to commands and jobs. */
export interface ProcessSettings {
  customerTag: string;
  customerDataTag: string;
  category: string;
  docsRepeatThreshold: number;
  docsRepeatWindowDays: number;
  workdayHours: number;
  timezone: string;
  /** The proactive engine's settings; filled by loadConfig, absent in hand-built test settings. */
  proactive?: ProactiveConfig;
}

export interface MantisSettings {
  url: string;
  token: string;
  project: string;
  impersonate: boolean;
  timeoutMs: number;
}

/** The ERP webhook (src/erp/webhook-erp.ts); absent: sales records go to the store and the sales channel. */
export interface ErpWebhookSettings {
  url: string;
  secret: string;
  timeoutMs: number;
}

export interface AppConfig {
  /** `sandbox`: nothing configured, run the terminal chat against the in-process simulator. */
  mode: "sandbox" | "live";
  mantis?: MantisSettings;
  dataDir: string;
  httpPort: number;
  logLevel: Env["LOG_LEVEL"];
  logFormat: "json" | "pretty";
  usersFile?: string;
  /** The Matrix adapter's settings, when MATRIX_HOMESERVER_URL is set. */
  matrix?: MatrixSettings;
  /** Where sales events go when ERP_WEBHOOK_URL is set. */
  erp?: ErpWebhookSettings;
  /** The Mattermost adapter's settings, when MATTERMOST_URL is set. */
  mattermost?: MattermostSettings;
  process: ProcessSettings;
  env: Env;
}

/** Reads `.env` from the working directory if present; real environment variables win. */
export function readEnvironment(environment: NodeJS.ProcessEnv, envFile = resolve(".env")): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, "utf8")) : {};
  return { ...fromFile, ...environment };
}

/**
 * Validates the environment. Throws ConfigError listing every problem, one line each,
 * naming the variable and what is wrong.
 */
export function loadConfig(environment: Record<string, string | undefined>, options: { isTTY?: boolean } = {}): AppConfig {
  // Empty values count as unset, as in most .env conventions.
  const cleaned = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const env = parsed.data;
  const problems: string[] = [];

  const trackerVars = [env.MANTIS_URL, env.MANTIS_TOKEN, env.MANTIS_PROJECT];
  const trackerConfigured = trackerVars.some(Boolean);
  const chatConfigured = Boolean(env.MATTERMOST_URL || env.MATRIX_HOMESERVER_URL);

  if (trackerConfigured) {
    if (!env.MANTIS_URL) problems.push("MANTIS_URL: missing (the MantisBT root URL, e.g. https://bugs.example.com/)");
    if (!env.MANTIS_TOKEN) problems.push("MANTIS_TOKEN: missing (an API token from MantisBT: My Account > API Tokens)");
    if (!env.MANTIS_PROJECT) problems.push("MANTIS_PROJECT: missing (the project id or name the bot files bugs in)");
  }
  if (env.MATTERMOST_URL && !env.MATTERMOST_BOT_TOKEN) problems.push("MATTERMOST_BOT_TOKEN: missing (the bot account's access token)");
  if (!env.MATTERMOST_URL && (env.MATTERMOST_BOT_TOKEN || env.MATTERMOST_COMMAND_TOKEN)) problems.push("MATTERMOST_URL: missing (the Mattermost site URL)");
  if (env.MATRIX_HOMESERVER_URL && !env.MATRIX_ACCESS_TOKEN) problems.push("MATRIX_ACCESS_TOKEN: missing (the bot user's access token)");
  if (!env.MATRIX_HOMESERVER_URL && env.MATRIX_ACCESS_TOKEN) problems.push("MATRIX_HOMESERVER_URL: missing (the homeserver URL)");
  if (trackerConfigured && !chatConfigured) {
    problems.push("MATTERMOST_URL or MATRIX_HOMESERVER_URL: missing (a tracker is configured but no chat platform; unset MANTIS_* to run the sandbox)");
  }
  if (chatConfigured && !trackerConfigured) {
    problems.push("MANTIS_URL: missing (a chat platform is configured but no tracker; the bot needs MANTIS_URL, MANTIS_TOKEN and MANTIS_PROJECT)");
  }
  const live = trackerConfigured && chatConfigured;
  if (live && !env.USERS_FILE) {
    problems.push("USERS_FILE: missing (a JSON file listing staff, their roles and chat names; see users.example.json)");
  }
  const proactive = buildProactiveConfig(env);
  problems.push(...proactive.problems);
  if (env.ERP_WEBHOOK_URL && !env.ERP_WEBHOOK_SECRET) problems.push("ERP_WEBHOOK_SECRET: missing (the shared secret the ERP checks the signature with)");
  if (!env.ERP_WEBHOOK_URL && env.ERP_WEBHOOK_SECRET) problems.push("ERP_WEBHOOK_URL: missing (where the ERP receives the bot's sales events)");
  const commandTokens = env.MATTERMOST_COMMAND_TOKEN === undefined ? { ok: true as const, value: [] } : parseTokenList(env.MATTERMOST_COMMAND_TOKEN);
  if (!commandTokens.ok) problems.push(`MATTERMOST_COMMAND_TOKEN: ${commandTokens.error}`);
  if (env.MATTERMOST_REGISTER_COMMAND && !env.MATTERMOST_PUBLIC_URL) {
    problems.push("MATTERMOST_PUBLIC_URL: missing (MATTERMOST_REGISTER_COMMAND=true registers /support with the URL at which Mattermost reaches the bot, e.g. http://support-bot:8080)");
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    mode: live ? "live" : "sandbox",
    mantis: live
      ? {
          url: env.MANTIS_URL!,
          token: env.MANTIS_TOKEN!,
          project: env.MANTIS_PROJECT!,
          impersonate: env.MANTIS_IMPERSONATE,
          timeoutMs: env.MANTIS_TIMEOUT_MS,
        }
      : undefined,
    dataDir: env.DATA_DIR,
    httpPort: env.HTTP_PORT,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT ?? (options.isTTY ? "pretty" : "json"),
    usersFile: env.USERS_FILE,
    process: {
      customerTag: env.CUSTOMER_TAG,
      customerDataTag: env.CUSTOMER_DATA_TAG,
      category: env.MANTIS_CATEGORY,
      docsRepeatThreshold: env.DOCS_REPEAT_THRESHOLD,
      docsRepeatWindowDays: env.DOCS_REPEAT_WINDOW_DAYS,
      workdayHours: env.WORKDAY_HOURS,
      timezone: env.TIMEZONE,
      proactive: proactive.config,
    },
    matrix:
      env.MATRIX_HOMESERVER_URL && env.MATRIX_ACCESS_TOKEN
        ? {
            homeserverUrl: env.MATRIX_HOMESERVER_URL,
            accessToken: env.MATRIX_ACCESS_TOKEN,
            commandPrefix: env.MATRIX_COMMAND_PREFIX,
            rooms: env.MATRIX_ROOMS,
            allowedInviters: env.MATRIX_ALLOWED_INVITERS,
            conversationTimeoutMs: env.MATRIX_CONVERSATION_TIMEOUT_MINUTES * 60_000,
          }
        : undefined,
    erp:
      env.ERP_WEBHOOK_URL && env.ERP_WEBHOOK_SECRET
        ? { url: env.ERP_WEBHOOK_URL, secret: env.ERP_WEBHOOK_SECRET, timeoutMs: env.ERP_WEBHOOK_TIMEOUT_MS }
        : undefined,
    mattermost:
      env.MATTERMOST_URL && env.MATTERMOST_BOT_TOKEN
        ? {
            url: env.MATTERMOST_URL.replace(/\/+$/, ""),
            botToken: env.MATTERMOST_BOT_TOKEN,
            commandTokens: commandTokens.ok ? commandTokens.value : [],
            team: env.MATTERMOST_TEAM?.toLowerCase(),
            channels: env.MATTERMOST_CHANNELS,
            publicUrl: env.MATTERMOST_PUBLIC_URL?.replace(/\/+$/, ""),
            registerCommand: env.MATTERMOST_REGISTER_COMMAND,
            actionSecret: env.MATTERMOST_ACTION_SECRET ?? deriveActionSecret(env.MATTERMOST_BOT_TOKEN),
          }
        : undefined,
    env,
  };
}
