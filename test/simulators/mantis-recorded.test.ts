/**
 * Replays every exchange recorded from a real MantisBT 2.28.4 against the simulator, in recording
 * order, after bringing the simulator to the state the recording starts from (same users, projects,
 * category and version, no bugs, so the ids in the requests line up). Each answer must match the
 * recorded one in status, reason phrase, the presence of the headers clients read, and the shape of
 * its body: envelope, JSON type of every field, fields left out when empty.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCESS } from "../../src/simulators/mantis/constants.js";
import { MantisDatabase } from "../../src/simulators/mantis/database.js";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";
import { compareJsonShapes } from "../support/json-shape.js";
import { loadMantisRecordings, type RecordedExchange } from "../support/mantis-recordings.js";

/** The second of the recording; every date in it is this one (the values are not compared, only their type). */
const RECORDED_AT = new Date("2026-12-02T22:22:48Z");

/** The headers a client looks at; only their presence is compared (values hold hashes, dates, names). */
const HEADERS_READ_BY_CLIENTS = ["content-type", "etag", "x-mantis-username", "x-mantis-version"];

/**
 * The state the recording starts from, as its first answers show it: five accounts (tokens are the
 * recording's placeholders), projects Taler and GNU Taler Wallet, the global category General and
 * version 1.0 in Taler. Written into a file the simulator then opens instead of seeding its own.
 */
function writeRecordedStartState(file: string): void {
  const db = new MantisDatabase(file);
  const created = Date.parse("2026-12-02T21:59:35Z") / 1000;
  const users = [
    { name: "administrator", real_name: "", email: "root@localhost", access_level: ACCESS.administrator, token: "<admin-token>" },
    { name: "alice", real_name: "Alice Anderson", email: "alice@example.org", access_level: ACCESS.developer, token: "<alice-token>" },
    { name: "bob", real_name: "Bob Brown", email: "bob@example.org", access_level: ACCESS.developer, token: "<bob-token>" },
    { name: "carol", real_name: "Carol Clark", email: "carol@example.org", access_level: ACCESS.manager, token: "<carol-token>" },
    { name: "dave", real_name: "Dave Davis", email: "dave@example.org", access_level: ACCESS.reporter, token: "<dave-token>" },
  ];
  for (const user of users) db.insertUser({ ...user, created_at: created });
  db.insertProject({ id: 1, name: "Taler", description: "GNU Taler payment system", status: 10, view_state: 10 });
  db.insertProject({ id: 2, name: "GNU Taler Wallet", description: "", status: 10, view_state: 10 });
  // Project 0: a global category, inherited by every project (a default install's "General").
  db.insertCategory({ project_id: 0, name: "General" });
  db.insertVersion({ project_id: 1, name: "1.0", description: "first", released: 0, obsolete: 0, date_order: Date.parse("2026-12-02T22:07:16Z") / 1000 });
  db.close();
}

interface Replayed {
  status: number;
  reason: string;
  headers: Headers;
  body: unknown;
}

async function replay(simulator: MantisSimulator, exchange: RecordedExchange): Promise<Replayed> {
  const { method, path, headers, body } = exchange.request;
  // Bytes, not a string: fetch would add a text/plain Content-Type where the recording sent none.
  const payload = body === null ? undefined : new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body));
  const response = await fetch(new URL(path.slice(1), simulator.url), { method, headers, body: payload });
  const text = await response.text();
  return { status: response.status, reason: response.statusText, headers: response.headers, body: text === "" ? null : (JSON.parse(text) as unknown) };
}

/** Every way the simulator's answer differs from the recorded one, one line each. */
function differences(recorded: RecordedExchange["response"], replayed: Replayed): string[] {
  const found: string[] = [];
  if (replayed.status !== recorded.status) found.push(`status: ${recorded.status} recorded, ${replayed.status} from the simulator`);
  if (replayed.reason !== recorded.reason) found.push(`reason: "${recorded.reason}" recorded, "${replayed.reason}" from the simulator`);
  const recordedHeaders = new Set(Object.keys(recorded.headers).map((name) => name.toLowerCase()));
  for (const name of HEADERS_READ_BY_CLIENTS) {
    if (recordedHeaders.has(name) !== replayed.headers.has(name)) {
      found.push(`header ${name}: ${recordedHeaders.has(name) ? "only in the recording" : "only from the simulator"}`);
    }
  }
  found.push(...compareJsonShapes(recorded.body, replayed.body, { expected: "the recording", actual: "the simulator" }));
  return found;
}

const exchanges = loadMantisRecordings();
const results = new Map<string, Replayed | Error>();
let directory: string;
let simulator: MantisSimulator;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "mantis-recorded-"));
  const file = join(directory, "mantis.sqlite");
  writeRecordedStartState(file);
  simulator = await startMantisSimulator({ database: file, now: () => RECORDED_AT });
  // In order, once: each exchange depends on the state the ones before it left.
  for (const exchange of exchanges) {
    results.set(exchange.name, await replay(simulator, exchange).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
  }
});

afterAll(async () => {
  await simulator?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("MantisBT simulator replays the exchanges recorded from MantisBT 2.28.4", () => {
  it("has all 35 recordings to replay", () => {
    expect(exchanges).toHaveLength(35);
  });

  for (const exchange of exchanges) {
    it(`${exchange.name}: ${exchange.why}`, () => {
      const result = results.get(exchange.name);
      if (result instanceof Error) throw result;
      expect(result, "not replayed").toBeDefined();
      expect(differences(exchange.response, result!)).toEqual([]);
    });
  }
});
