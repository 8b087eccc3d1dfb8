/**
 * A fresh PostgreSQL database for a test file (or a test) on the run's cluster (test/support/postgres.ts):
 * created empty, dropped by `drop()`. Waits for the cluster, which starts in the background.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import pg from "pg";
import { inject } from "vitest";

/** A database of its own: `url` for `DATABASE_URL`, `drop()` in afterAll. */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** How long a test waits for the cluster to start (initdb and start take ~2 s on a quiet machine). */
const START_TIMEOUT_MS = 90_000;

/** Resolves when the run's cluster accepts connections; its admin URL. */
export async function testCluster(): Promise<string> {
  const { adminUrl, statusFile, logFile } = inject("testPostgres");
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const status = existsSync(statusFile) ? readFileSync(statusFile, "utf8") : "";
    if (status.startsWith("ready")) return adminUrl;
    if (status.startsWith("failed")) throw new Error(`The test PostgreSQL did not start (${status}); see ${logFile}: ${tail(logFile)}`);
    if (Date.now() > deadline) throw new Error(`The test PostgreSQL did not start within ${START_TIMEOUT_MS / 1000} s; see ${logFile}: ${tail(logFile)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Creates a database with a name of its own: empty, or a copy of `template`. */
export async function createTestDatabase(template?: string): Promise<TestDatabase> {
  const adminUrl = await testCluster();
  const name = `test_${randomBytes(6).toString("hex")}`;
  await admin(adminUrl, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    // FORCE: a pool a failed test left open must not keep the database.
    drop: () => admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-15).join("\n") : "(no log)";
}
