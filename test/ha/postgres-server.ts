/**
 * A database of their own for the election and replica tests, on the run's PostgreSQL cluster
 * (test/support/postgres.ts), with its connection spelled out for tests that put a proxy between a
 * replica and the server.
 */
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase } from "../support/postgres-database.js";

/** A database and how to reach it. */
export interface TestPostgres {
  connection: { host: string; port: number; user: string; password: string; database: string };
  url: string;
  stop(): Promise<void>;
}

/** A fresh empty database; `stop` drops it. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const database = await createTestDatabase();
  const url = new URL(database.url);
  return {
    connection: {
      host: url.hostname,
      port: Number(url.port),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1),
    },
    url: database.url,
    stop: () => database.drop(),
  };
}

/** Registers hooks that create a database before the describe's (or file's) tests and drop it after; the getter gives it. */
export function useTestPostgres(): () => TestPostgres {
  let postgres: TestPostgres | undefined;
  beforeAll(async () => {
    postgres = await startTestPostgres();
  }, 120_000);
  afterAll(async () => {
    await postgres?.stop();
  });
  return () => {
    if (!postgres) throw new Error("the test database exists only while its tests run");
    return postgres;
  };
}
