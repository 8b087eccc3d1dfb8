/**
 * A real, unmodified Synapse 1.67.0 for the real-server suite, from a copy of
 * ../shared/servers/synapse-1.67.0 on Debian's Python 3.11 packages: SQLite in a throw-away data
 * directory, one client listener on a free loopback port, registration closed except by shared
 * secret (the admin API), rate limits a test suite does not hit, and no sync-response cache (an
 * initial /sync would otherwise miss an invite sent within the last two minutes).
 */
import { spawnSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { ensureDebianPackages, SYNAPSE_PACKAGES } from "./debian-packages.js";
import { freePort, startProcess, waitForHttp } from "./processes.js";

/** Where to reach the running Synapse; plain data, handed from the global setup to test files. */
export interface RealSynapseInfo {
  /** Homeserver base URL. */
  url: string;
  serverName: string;
  /** `server_version` from `/_synapse/admin/v1/server_version`. */
  version: string;
  /** For shared-secret registration of more users. */
  registrationSecret: string;
}

/** The running homeserver. */
export interface RealSynapse {
  info: RealSynapseInfo;
  stop(): Promise<void>;
}

/** A registered account with its access token. */
export interface RegisteredUser {
  userId: string;
  localpart: string;
  accessToken: string;
  deviceId: string;
}

/** Debian's interpreter: the packages above are installed for it, not for another Python on PATH. */
const PYTHON = "/usr/bin/python3";
const SERVER_NAME = "localhost";
const GENEROUS = { per_second: 100, burst_count: 1000 };

/** Configures and starts Synapse under `workDir`; `serversDir` holds the unmodified trees. */
export async function startRealSynapse(options: { serversDir: string; workDir: string; log: (line: string) => void }): Promise<RealSynapse> {
  ensureDebianPackages(SYNAPSE_PACKAGES, options.log);
  const dir = join(options.workDir, "synapse");
  const source = join(dir, "source");
  const data = join(dir, "data");
  mkdirSync(data, { recursive: true });
  cpSync(join(options.serversDir, "synapse-1.67.0"), source, { recursive: true });
  const env = { ...process.env, PYTHONPATH: `${source}:${join(source, "dist-info")}` };
  const configPath = join(data, "homeserver.yaml");

  const generated = spawnSync(
    PYTHON,
    ["-m", "synapse.app.homeserver", "--server-name", SERVER_NAME, "--config-path", configPath, "--generate-config", "--report-stats=no"],
    { cwd: data, env, encoding: "utf8" },
  );
  if (generated.status !== 0) {
    throw new Error(`Synapse could not generate its configuration (exit ${generated.status ?? generated.error?.message}):\n${`${generated.stdout}${generated.stderr}`.trim().split("\n").slice(-20).join("\n")}`);
  }
  const port = await freePort();
  const registrationSecret = randomBytes(24).toString("hex");
  const config = parse(readFileSync(configPath, "utf8")) as Record<string, unknown>;
  Object.assign(config, {
    listeners: [{ port, tls: false, type: "http", x_forwarded: false, bind_addresses: ["127.0.0.1"], resources: [{ names: ["client"], compress: false }] }],
    database: { name: "sqlite3", args: { database: join(data, "homeserver.db") } },
    enable_registration: false,
    registration_shared_secret: registrationSecret,
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    rc_message: GENEROUS,
    rc_registration: GENEROUS,
    rc_admin_redaction: GENEROUS,
    rc_login: { address: GENEROUS, account: GENEROUS, failed_attempts: GENEROUS },
    rc_joins: { local: GENEROUS, remote: GENEROUS },
    rc_invites: { per_room: GENEROUS, per_user: GENEROUS, per_issuer: GENEROUS },
    caches: { sync_response_cache_duration: 0 },
  });
  writeFileSync(configPath, stringify(config));

  const url = `http://127.0.0.1:${port}`;
  const synapse = startProcess({
    name: "Synapse",
    command: PYTHON,
    args: ["-m", "synapse.app.homeserver", "--config-path", configPath],
    cwd: data,
    env,
    logFile: join(dir, "synapse.out"),
  });
  try {
    await waitForHttp(`${url}/_matrix/client/versions`, synapse, 60_000);
    const answer = await fetch(`${url}/_synapse/admin/v1/server_version`);
    const version = ((await answer.json()) as { server_version?: string }).server_version ?? "unknown";
    return { info: { url, serverName: SERVER_NAME, version, registrationSecret }, stop: () => synapse.stop() };
  } catch (error) {
    await synapse.stop();
    throw error;
  }
}

/**
 * Registers `localpart` through the shared-secret admin API (`/_synapse/admin/v1/register`, a nonce
 * and an HMAC-SHA1 of `nonce\0user\0password\0admin|notadmin`); answers the new account's token.
 */
export async function registerUser(info: RealSynapseInfo, localpart: string, options: { admin?: boolean; displayName?: string } = {}): Promise<RegisteredUser> {
  const endpoint = `${info.url}/_synapse/admin/v1/register`;
  const { nonce } = (await (await fetch(endpoint)).json()) as { nonce: string };
  const password = randomBytes(12).toString("hex");
  const admin = options.admin ?? false;
  const mac = createHmac("sha1", info.registrationSecret)
    .update([nonce, localpart, password, admin ? "admin" : "notadmin"].join("\0"))
    .digest("hex");
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ nonce, username: localpart, password, admin, mac, ...(options.displayName ? { displayname: options.displayName } : {}) }),
  });
  const body = (await response.json()) as { user_id?: string; access_token?: string; device_id?: string; error?: string };
  if (!response.ok || !body.user_id || !body.access_token) throw new Error(`Synapse refused to register ${localpart}: ${response.status} ${body.error ?? ""}`);
  return { userId: body.user_id, localpart, accessToken: body.access_token, deviceId: body.device_id ?? "" };
}
