/**
 * Conformance both ways: the bot's own MantisBT client runs the same sequence of calls, one step per
 * kind of request it makes, against the real MantisBT 2.28.4 and against our simulator, both starting
 * from the same empty project. Every HTTP exchange is recorded on both sides and compared: method and
 * path, status, reason phrase, content type, the MantisBT headers present, the body's shape (JSON
 * types, envelopes, fields left out) and its values, key order included (dates aside). The client's
 * own results (bug, error class and message) must match too. A test also checks that every method of
 * the tracker port is exercised, so a new request cannot escape the comparison.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";
import { createMantisClient } from "../../src/tracker/mantis/mantis-client.js";
import type { Bug, ListBugsQuery, MantisClient } from "../../src/tracker/mantis/mantis-types.js";
import { compareJsonShapes } from "../support/json-shape.js";
import { resetRealMantis, type RealMantisInfo } from "./servers/mantis.js";

/** One HTTP exchange as the client saw it. */
interface Exchange {
  request: string;
  status: number;
  reason: string;
  contentType: string;
  /** MantisBT's own headers and ETag: which are present. */
  headers: string[];
  body: unknown;
}

/** What one step of the sequence produced on one server. */
interface StepRecord {
  exchanges: Exchange[];
  /** The client's result: a summary of the value, or the error's class and message. */
  outcome: string;
}

const WATCHED_HEADERS = ["etag", "x-mantis-username", "x-mantis-loginmethod", "x-mantis-version"];

/** A fetch that records every exchange into `sink()`'s current list. */
function recordingFetch(sink: () => Exchange[], apiRoot: string): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const text = await response.clone().text();
    let body: unknown = undefined;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        body = `(not JSON: ${text.trimStart().slice(0, 15)}...)`;
      }
    }
    const url = String(input instanceof Request ? input.url : input);
    sink().push({
      request: `${init?.method ?? "GET"} ${url.slice(apiRoot.length)}`,
      status: response.status,
      reason: response.statusText,
      contentType: (response.headers.get("content-type") ?? "(none)").split(";")[0]!.trim(),
      headers: WATCHED_HEADERS.filter((name) => response.headers.has(name)),
      body,
    });
    return response;
  };
}

/** A client's result in comparable words: no dates, no etags, nothing that differs by nature. */
function describeOutcome(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return JSON.stringify(value, (key, inner: unknown) => (key === "createdAt" || key === "updatedAt" || key === "etag" || key === "date" ? undefined : inner));
}

/** The tracker port's methods, each to be called by some step. */
type PortMethod = keyof MantisClient;

/**
 * Every method of the port and whether it talks to MantisBT. `satisfies` makes a new port method a
 * compile error here until it is listed, and the test below fails until a step calls it.
 */
const PORT_METHODS = {
  getBug: "requests",
  listBugs: "requests",
  createBug: "requests",
  updateBug: "requests",
  addNote: "requests",
  deleteNote: "requests",
  addTags: "requests",
  addRelationship: "requests",
  getUser: "requests",
  listHandlers: "requests",
  listVersions: "requests",
  listProjectVersions: "requests",
  createVersion: "requests",
  markVersionReleased: "requests",
  bugUrl: "local",
  actingAs: "local",
  botAccount: "local",
  // Usually no request: every answer names the bot's account; `GET /users/me` is covered by the steps that impersonate.
  readBotAccount: "local",
} as const satisfies Record<PortMethod, "requests" | "local">;

interface Clients {
  /** The bot's account, acting as itself. */
  bot: MantisClient;
  /** The bot's account impersonating alice (a developer). */
  alice: MantisClient;
  /** The bot's account impersonating someone MantisBT does not know. */
  stranger: MantisClient;
  /** A token MantisBT does not know. */
  unknownToken: MantisClient;
  /** The manager's own token: a bot account below user managers (manage_user_threshold). */
  manager: MantisClient;
}

interface Step {
  name: string;
  run(clients: Clients, bugs: Record<string, number>): Promise<unknown>;
}

/** A bug without the fields that differ by nature (dates, etag): compared whole between the servers. */
function comparable(bug: Bug): unknown {
  return { ...bug, createdAt: undefined, updatedAt: undefined, etag: undefined, notes: bug.notes.map((note) => ({ ...note, createdAt: undefined })) };
}

/** The day the steps release versions on. */
const RELEASE_DAY = new Date("2026-12-01T12:00:00Z");

/** A page of bugs, comparable and by id: bugs changed in the same second come in no fixed order on a real server. */
async function listed(tracker: MantisClient, query: ListBugsQuery): Promise<unknown[]> {
  return (await tracker.listBugs(query)).map(comparable).sort(byId);
}

/**
 * The sequence: every kind of request the client makes, successes and the refusals a real server gives.
 * Steps refer to bugs by the names given when they were created, never by id.
 */
const STEPS: Step[] = [
  { name: "who the token is and a user by name", run: ({ bot }) => bot.getUser("alice") },
  { name: "an unknown user by name", run: ({ bot }) => bot.getUser("nobody-here") },
  { name: "a user by name with a token below user managers (falls back to the handlers)", run: ({ manager }) => manager.getUser("bob") },
  { name: "the project's handlers", run: ({ bot }) => bot.listHandlers() },
  { name: "the project's version names", run: ({ bot }) => bot.listVersions() },
  { name: "the project's versions", run: ({ bot }) => bot.listProjectVersions() },
  {
    name: "create a minimal bug",
    run: async ({ bot }, bugs) => {
      const bug = await bot.createBug({ summary: "Wallet crashes on start", description: "Since 0.14.2" });
      bugs["minimal"] = bug.id;
      return comparable(bug);
    },
  },
  {
    name: "create a private, tagged, prioritised bug with a handler",
    run: async ({ bot }, bugs) => {
      const bug = await bot.createBug({ summary: "Exchange: expired coins accepted", description: "Security", tags: ["Customer", "conformance-new-tag"], private: true, priority: "high", handler: "bob" });
      bugs["full"] = bug.id;
      return comparable(bug);
    },
  },
  {
    name: "create a bug with an explicit status and a private note in the same request",
    run: async ({ bot }, bugs) => {
      const bug = await bot.createBug({ summary: "Merchant: refund stuck", description: "Order 42", status: "confirmed", notes: [{ text: "Customer: call back in the afternoon.", private: true }] });
      bugs["noted"] = bug.id;
      return comparable(bug);
    },
  },
  { name: "create a bug in a category the project does not have", run: ({ bot }) => bot.createBug({ summary: "Nowhere", description: "No such category", category: "no-such-category" }) },
  { name: "create a bug as alice (impersonated)", run: async ({ alice }) => comparable(await alice.createBug({ summary: "Docs: typo in the merchant API", description: "s/recieve/receive/", category: "documentation" })) },
  { name: "read a bug", run: async ({ bot }, bugs) => comparable(await bot.getBug(bugs["minimal"]!)) },
  { name: "read a bug that does not exist", run: ({ bot }) => bot.getBug(99_999) },
  { name: "status, handler and priority at once", run: async ({ bot }, bugs) => comparable(await bot.updateBug(bugs["minimal"]!, { status: "feedback", handler: "alice", priority: "urgent" })) },
  { name: "a public note", run: ({ bot }, bugs) => bot.addNote(bugs["minimal"]!, { text: "Reproduced on Android 14.", private: false }) },
  { name: "a private note", run: ({ bot }, bugs) => bot.addNote(bugs["minimal"]!, { text: "Customer: call back in the morning.", private: true }) },
  { name: "a note as alice (impersonated)", run: ({ alice }, bugs) => alice.addNote(bugs["minimal"]!, { text: "Looking into it.", private: false }) },
  { name: "a change as alice (impersonated)", run: async ({ alice }, bugs) => comparable(await alice.updateBug(bugs["minimal"]!, { status: "assigned" })) },
  { name: "a request as someone MantisBT does not know", run: ({ stranger }, bugs) => stranger.addNote(bugs["minimal"]!, { text: "hello", private: false }) },
  { name: "a request with a token MantisBT does not know", run: ({ unknownToken }, bugs) => unknownToken.getBug(bugs["minimal"]!) },
  { name: "a note on a bug that does not exist", run: ({ bot }) => bot.addNote(99_999, { text: "hello", private: false }) },
  {
    name: "delete a private note (a customer asked to be forgotten)",
    run: async ({ bot }, bugs) => {
      const note = await bot.addNote(bugs["minimal"]!, { text: "Customer: Jane Doe, +41 79 555 01 23", private: true });
      await bot.deleteNote(bugs["minimal"]!, note.id);
      return (await bot.getBug(bugs["minimal"]!)).notes.some((candidate) => candidate.id === note.id);
    },
  },
  { name: "delete a note that does not exist", run: ({ bot }, bugs) => bot.deleteNote(bugs["minimal"]!, 99_999) },
  {
    name: "a change and a note in the same request",
    run: async ({ bot }, bugs) => comparable(await bot.updateBug(bugs["noted"]!, { status: "feedback", handler: "carol", notes: [{ text: "Which order number?", private: false }] })),
  },
  { name: "add tags", run: ({ bot }, bugs) => bot.addTags(bugs["minimal"]!, ["Customer", "conformance-other-tag"]) },
  {
    name: "add a tag named in another case than MantisBT has it",
    run: async ({ bot }, bugs) => {
      await bot.addTags(bugs["noted"]!, ["CUSTOMER-data"]);
      return (await bot.getBug(bugs["noted"]!)).tags;
    },
  },
  {
    name: "a sub-bug linked as child",
    run: async ({ bot }, bugs) => {
      const child = await bot.createBug({ summary: "Feedback for the wallet crash", description: "Does the exchange change?", handler: "bob" });
      bugs["child"] = child.id;
      await bot.addRelationship(child.id, { type: "child-of", otherBugId: bugs["minimal"]! });
      return comparable(await bot.getBug(bugs["minimal"]!));
    },
  },
  { name: "the same relationship again", run: ({ bot }, bugs) => bot.addRelationship(bugs["child"]!, { type: "child-of", otherBugId: bugs["minimal"]! }) },
  { name: "a relationship to a bug that does not exist", run: ({ bot }, bugs) => bot.addRelationship(bugs["minimal"]!, { type: "related-to", otherBugId: 99_999 }) },
  { name: "unassign", run: async ({ bot }, bugs) => comparable(await bot.updateBug(bugs["full"]!, { handler: null })) },
  { name: "a subject tag in the summary", run: async ({ bot }, bugs) => comparable(await bot.updateBug(bugs["minimal"]!, { summary: "[4h, 1.1.2031] Wallet crashes on start" })) },
  { name: "resolve a parent with an open child", run: ({ bot }, bugs) => bot.updateBug(bugs["minimal"]!, { status: "resolved", resolution: "fixed" }) },
  { name: "resolve the child with a fixed-in version", run: async ({ bot }, bugs) => comparable(await bot.updateBug(bugs["child"]!, { status: "resolved", resolution: "fixed", fixedInVersion: "1.1.0" })) },
  { name: "a fixed-in version the project does not have", run: ({ bot }, bugs) => bot.updateBug(bugs["minimal"]!, { fixedInVersion: "7.7.7" }) },
  {
    name: "create a version and release it",
    run: async ({ bot }) => {
      const created = await bot.createVersion("2.0.0");
      return [created, await bot.markVersionReleased(created.id, RELEASE_DAY)].map((version) => ({ ...version, id: undefined, date: undefined }));
    },
  },
  { name: "a version the project already has", run: ({ bot }) => bot.createVersion("1.0.0") },
  { name: "a version created as alice (below managers)", run: ({ alice }) => alice.createVersion("9.9.9") },
  { name: "a version released as alice (below managers)", run: ({ alice }) => alice.markVersionReleased(1, RELEASE_DAY) },
  { name: "release a version that does not exist", run: ({ bot }) => bot.markVersionReleased(9_999, RELEASE_DAY) },
  { name: "the project's versions after a release", run: async ({ bot }) => (await bot.listProjectVersions()).map((version) => ({ ...version, date: undefined })) },
  { name: "the project's version names, read again", run: ({ bot }) => bot.listVersions({ fresh: true }) },
  { name: "resolve and close the parent with the new version", run: async ({ bot }, bugs) => comparable(await bot.updateBug(bugs["minimal"]!, { status: "closed", resolution: "fixed", fixedInVersion: "2.0.0" })) },
  { name: "read the closed bug (version ids)", run: async ({ bot }, bugs) => comparable(await bot.getBug(bugs["minimal"]!)) },
  { name: "a change of the closed bug as alice (read-only for developers)", run: ({ alice }, bugs) => alice.updateBug(bugs["minimal"]!, { priority: "low" }) },
  {
    name: "a change against a stale ETag",
    run: async ({ bot }, bugs) => {
      const read = await bot.getBug(bugs["full"]!);
      await bot.updateBug(bugs["full"]!, { priority: "low" });
      return bot.updateBug(bugs["full"]!, { priority: "normal" }, { ...(read.etag ? { ifMatch: read.etag } : {}) });
    },
  },
  { name: "list: everything", run: ({ bot }) => listed(bot, { page: 1, pageSize: 50 }) },
  { name: "list: a page past the end", run: ({ bot }) => bot.listBugs({ page: 3, pageSize: 50 }) },
  ...(["any", "assigned", "unassigned", "reported", "monitored"] as const).map((filter) => ({
    name: `list: filter ${filter}`,
    run: ({ bot }: Clients) => listed(bot, { page: 1, pageSize: 50, filter }),
  })),
  { name: "list: the bugs alice reported (impersonated)", run: ({ alice }) => listed(alice, { page: 1, pageSize: 50, filter: "reported" }) },
  { name: "the project's handlers, read again", run: ({ bot }) => bot.listHandlers({ fresh: true }) },
  { name: "list: a saved filter that does not exist", run: ({ bot }) => bot.listBugs({ page: 1, pageSize: 50, filter: 4242 }) },
];

function byId(a: unknown, b: unknown): number {
  return ((a as { id: number }).id ?? 0) - ((b as { id: number }).id ?? 0);
}

/** Sorts arrays of objects with ids by id: lists in the same second come in no fixed order on a real server. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalize);
    return items.every((item) => typeof item === "object" && item !== null && "id" in item) ? [...items].sort((a, b) => Number((a as { id: unknown }).id) - Number((b as { id: unknown }).id)) : items;
  }
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, normalize(inner)]));
  return value;
}

/** Runs every step against one server, recording each step's exchanges and outcome. */
async function runSequence(url: string, tokens: Record<string, string>): Promise<{ records: StepRecord[]; called: Set<PortMethod> }> {
  let current: Exchange[] = [];
  const called = new Set<PortMethod>();
  const make = (impersonate: boolean, token = tokens["administrator"]!) =>
    createMantisClient({ url, token, project: "Taler", impersonate, timeoutMs: 30_000, category: "General", log: pino({ level: "silent" }), fetch: recordingFetch(() => current, `${url}api/rest/`) });
  // Records which port methods the steps call, so the coverage test below can demand all of them.
  const watched = (port: MantisClient): MantisClient =>
    new Proxy(port, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== "function") return value;
        called.add(key as PortMethod);
        return (value as (...args: unknown[]) => unknown).bind(target);
      },
    });
  const clients: Clients = {
    bot: watched(make(false)),
    alice: watched(make(true).actingAs({ trackerUser: "alice", displayName: "Alice" })),
    stranger: watched(make(true).actingAs({ trackerUser: "nobody-here", displayName: "Nobody" })),
    unknownToken: watched(make(false, "not-a-token-mantisbt-knows-xxxxx")),
    manager: watched(make(false, tokens["manager"]!)),
  };
  const bugs: Record<string, number> = {};
  const records: StepRecord[] = [];
  for (const step of STEPS) {
    current = [];
    let outcome: string;
    try {
      outcome = describeOutcome(await step.run(clients, bugs));
    } catch (error) {
      outcome = describeOutcome(error);
    }
    records.push({ exchanges: current, outcome });
  }
  return { records, called };
}

/** A PHP `date('c')` date: they differ by nature. */
const PHP_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Every difference in value between two bodies of the same shape, dates aside: texts,
 * numbers, error messages and the order of keys (which MantisBT hashes into an ETag). Differences in
 * shape are left to `compareJsonShapes`.
 */
function valueDifferences(path: string, real: unknown, simulated: unknown): string[] {
  if (Array.isArray(real) && Array.isArray(simulated)) {
    return real.length === simulated.length ? real.flatMap((item, index) => valueDifferences(`${path}[${index}]`, item, simulated[index])) : [];
  }
  if (isJsonObject(real) && isJsonObject(simulated)) {
    const order = Object.keys(real).filter((key) => key in simulated);
    const otherOrder = Object.keys(simulated).filter((key) => key in real);
    const found = order.join() === otherOrder.join() ? [] : [`${path}: keys in the order ${order.join(", ")} real, ${otherOrder.join(", ")} simulator`];
    return [...found, ...order.flatMap((key) => valueDifferences(`${path}.${key}`, real[key], simulated[key]))];
  }
  if (typeof real === "string" && typeof simulated === "string" && PHP_DATE.test(real) && PHP_DATE.test(simulated)) return [];
  if (isJsonObject(real) || isJsonObject(simulated) || Array.isArray(real) || Array.isArray(simulated) || real === simulated) return [];
  return [`${path}: ${JSON.stringify(real)} real, ${JSON.stringify(simulated)} simulator`];
}

/** Every difference between the two servers' records of one step. */
function differences(real: StepRecord, simulated: StepRecord): string[] {
  const found: string[] = [];
  if (real.outcome !== simulated.outcome) found.push(`client result: real ${real.outcome}\n      simulator ${simulated.outcome}`);
  if (real.exchanges.length !== simulated.exchanges.length) {
    found.push(`requests: real ${real.exchanges.map((e) => e.request).join(", ")}; simulator ${simulated.exchanges.map((e) => e.request).join(", ")}`);
    return found;
  }
  real.exchanges.forEach((mine, index) => {
    const theirs = simulated.exchanges[index]!;
    const at = `${mine.request}`;
    if (mine.request !== theirs.request) found.push(`${at}: the simulator was asked ${theirs.request}`);
    if (mine.status !== theirs.status) found.push(`${at}: status ${mine.status} real, ${theirs.status} simulator`);
    if (mine.reason !== theirs.reason) found.push(`${at}: reason "${mine.reason}" real, "${theirs.reason}" simulator`);
    if (mine.contentType !== theirs.contentType) found.push(`${at}: content type ${mine.contentType} real, ${theirs.contentType} simulator`);
    if (mine.headers.join() !== theirs.headers.join()) found.push(`${at}: headers [${mine.headers.join(", ")}] real, [${theirs.headers.join(", ")}] simulator`);
    const [realBody, simulatedBody] = [normalize(mine.body), normalize(theirs.body)];
    for (const line of compareJsonShapes(realBody, simulatedBody, { expected: "real", actual: "simulator" })) found.push(`${at}: ${line}`);
    for (const line of valueDifferences("$", realBody, simulatedBody)) found.push(`${at}: ${line}`);
  });
  return found;
}

const versionListSchema = z.object({ versions: z.array(z.object({ name: z.string(), timestamp: z.string() })) });

/**
 * The set-up creates the real server's versions through the REST API, so each is dated the second it
 * was made (MantisBT's default when no timestamp is given): usually one second for all of them, which
 * MantisBT then lists in the order they were created. The simulator's world dates them on a roadmap.
 * The dates differ by nature; the order MantisBT derives from them must not: the simulator's versions
 * take the real dates, so a set-up that happened to cross a second boundary compares alike too.
 */
async function copyVersionDates(mantis: RealMantisInfo, simulator: MantisSimulator): Promise<void> {
  const response = await fetch(`${mantis.url}api/rest/projects/${mantis.project.id}/versions`, { headers: { Authorization: mantis.tokens["administrator"]! } });
  const { versions } = versionListSchema.parse(await response.json());
  const project = simulator.database.projectByName(mantis.project.name);
  for (const { name, timestamp } of versions) {
    const version = project && simulator.database.versionByName(project.id, name);
    if (!version) throw new Error(`the simulator's world has no version ${name} in ${mantis.project.name}`);
    simulator.database.updateVersion({ ...version, date_order: Date.parse(timestamp) / 1000 });
  }
}

let real: Awaited<ReturnType<typeof runSequence>>;
let simulated: Awaited<ReturnType<typeof runSequence>>;
let simulator: MantisSimulator;

beforeAll(async () => {
  const { mantis } = inject("realServers");
  await resetRealMantis(mantis);
  simulator = await startMantisSimulator({ seed: false });
  await copyVersionDates(mantis, simulator);
  real = await runSequence(mantis.url, mantis.tokens);
  simulated = await runSequence(simulator.url, simulator.tokens);
});
afterAll(async () => {
  await simulator?.close();
});

describe("the MantisBT simulator answers the client's requests as the real MantisBT 2.28.4 does", () => {
  it.each(STEPS.map((step, index) => [step.name, index] as const))("%s", (_name, index) => {
    const mine = real.records[index]!;
    expect(mine.exchanges.length + (mine.outcome ? 1 : 0)).toBeGreaterThan(0);
    expect(differences(mine, simulated.records[index]!)).toEqual([]);
  });

  it("exercises every method of the tracker port that talks to MantisBT", () => {
    const uncovered = Object.keys(PORT_METHODS).filter((name) => PORT_METHODS[name as PortMethod] === "requests" && !real.called.has(name as PortMethod));
    expect(uncovered).toEqual([]);
  });
});
