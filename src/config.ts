/**
 * All settings, read once at start-up from the environment (and `.env` if present), validated by one
 * zod schema, and passed down typed. Nothing else in the bot reads `process.env`.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { parsedSetting } from "./core/parse-result.js";
import { processEnvSchema, processSettingsFromEnv, type ProcessSettings } from "./core/process-settings.js";
import { ConfigError } from "./errors.js";
import { erpEnvSchema, erpSettingsFromEnv, type ErpWebhookSettings } from "./erp/settings.js";
import { storeEnvSchema, storeLocationFromEnv } from "./store/settings.js";
import type { StoreLocation } from "./store/store.js";
import { deriveActionSecret, parseChannelMap, parseTokenList, type MattermostSettings } from "./chat/mattermost/settings.js";
import { parseInviterList, parseRoomMap, type MatrixSettings } from "./chat/matrix/settings.js";
import { chatEnvSchema, chatSettingsFromEnv, type ChatSettings } from "./chat/kernel/settings.js";
import { proactiveEnvSchema, proactiveSettingsFromEnv, type ProactiveSettings } from "./proactive/settings.js";
import { leaderEnvSchema, leaderSettingsFromEnv, type LeaderSettings } from "./ha/settings.js";
import { testClockEnvSchema, testClockFromEnv } from "./ops/test-clock.js";

const booleanSetting = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"], { error: "must be true or false" })
  .transform((value) => ["true", "1", "yes", "on"].includes(value));

const optionalUrl = z.url({ error: "must be a URL such as https://host/path" }).optional();
const optionalSecret = z.string().min(1, "must not be empty").optional();

/**
 * Every variable the bot reads: the bot's own and the tracker's and chat platforms' here, the
 * process's, the engine's and the ERP's from their modules. Keep `.env.example` and README's table
 * in step with this (test/readme.test.ts checks).
 */
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
  ...processEnvSchema.shape,
  ...erpEnvSchema.shape,
  ...storeEnvSchema.shape,
  MATTERMOST_URL: optionalUrl,
  MATTERMOST_BOT_TOKEN: optionalSecret,
  MATTERMOST_COMMAND_TOKEN: optionalSecret,
  MATTERMOST_TEAM: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "must be the team's name from its URL, such as taler").optional(),
  MATTERMOST_CHANNELS: parsedSetting(parseChannelMap).default({}),
  MATTERMOST_PUBLIC_URL: optionalUrl,
  MATTERMOST_REGISTER_COMMAND: booleanSetting.default(false),
  MATTERMOST_ACTION_SECRET: z.string().min(16, "must be at least 16 characters (a long random string, e.g. openssl rand -hex 32)").optional(),
  MATRIX_HOMESERVER_URL: optionalUrl,
  MATRIX_ACCESS_TOKEN: optionalSecret,
  MATRIX_COMMAND_PREFIX: z.string().regex(/^\S+$/, "must be one word without spaces, such as !support").default("!support"),
  MATRIX_ROOMS: parsedSetting(parseRoomMap).default({}),
  MATRIX_ALLOWED_INVITERS: parsedSetting(parseInviterList).default([]),
  MATRIX_CONVERSATION_TIMEOUT_MINUTES: z.coerce.number({ error: "must be a number of minutes" }).min(1).max(1440).default(10),
  ...proactiveEnvSchema.shape,
  ...chatEnvSchema.shape,
  ...leaderEnvSchema.shape,
  ...testClockEnvSchema.shape,
});
export type Env = z.infer<typeof envSchema>;

/** How the bot reaches MantisBT (the adapter's settings). */
export interface MantisSettings {
  url: string;
  token: string;
  project: string;
  impersonate: boolean;
  timeoutMs: number;
}

export interface AppConfig {
  /** `sandbox`: nothing configured, run the terminal chat against the in-process simulator. */
  mode: "sandbox" | "live";
  mantis?: MantisSettings;
  dataDir: string;
  /** The SQLite file under DATA_DIR, or the PostgreSQL database of DATABASE_URL. */
  store: StoreLocation;
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
  /** The support process's settings, handed to commands and the engine. */
  process: ProcessSettings;
  /** The proactive engine's settings. */
  proactive: ProactiveSettings;
  /** What every chat platform does alike (the note word of bug threads). */
  chat: ChatSettings;
  /** How fast a standby replica takes over the leader's work (PostgreSQL store only). */
  leader: LeaderSettings;
  /** TEST_CLOCK_FILE: the file that sets the bot's clock (tests against simulators only; src/ops/test-clock.ts). */
  testClockFile?: string;
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
  const processSettings = processSettingsFromEnv(env, { category: env.MANTIS_CATEGORY });
  const proactive = proactiveSettingsFromEnv(env, processSettings);
  problems.push(...proactive.problems);
  const erp = erpSettingsFromEnv(env);
  problems.push(...erp.problems);
  const commandTokens = env.MATTERMOST_COMMAND_TOKEN === undefined ? { ok: true as const, value: [] } : parseTokenList(env.MATTERMOST_COMMAND_TOKEN);
  if (!commandTokens.ok) problems.push(`MATTERMOST_COMMAND_TOKEN: ${commandTokens.error}`);
  if (env.MATTERMOST_REGISTER_COMMAND && !env.MATTERMOST_PUBLIC_URL) {
    problems.push("MATTERMOST_PUBLIC_URL: missing (MATTERMOST_REGISTER_COMMAND=true registers /support with the URL at which Mattermost reaches the bot, e.g. http://support-bot:8080)");
  }
  const testClock = testClockFromEnv(env, [env.MANTIS_URL, env.MATTERMOST_URL, env.MATRIX_HOMESERVER_URL, env.ERP_WEBHOOK_URL]);
  problems.push(...testClock.problems);
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
    store: storeLocationFromEnv(env, env.DATA_DIR),
    httpPort: env.HTTP_PORT,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT ?? (options.isTTY ? "pretty" : "json"),
    usersFile: env.USERS_FILE,
    process: processSettings,
    proactive: proactive.settings,
    chat: chatSettingsFromEnv(env),
    leader: leaderSettingsFromEnv(env),
    ...(testClock.file !== undefined ? { testClockFile: testClock.file } : {}),
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
    erp: erp.settings,
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
