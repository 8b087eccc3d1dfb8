/**
 * The MantisBT client over real loopback HTTP against the MantisBT simulator: every port method,
 * the error paths a real 2.28.4 server produces, and what went over the wire.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { BotError, ConfigError, ConflictError, ForbiddenError, NotFoundError, UpstreamUnavailableError } from "../../src/errors.js";
import { startMantisSimulator, type MantisSimulator, type RecordedRequest } from "../../src/simulators/mantis/server.js";
import { createMantisClient, type MantisClientOptions } from "../../src/tracker/mantis/mantis-client.js";
import { TrackerRejectedError } from "../../src/process/tracker-port.js";
import type { MantisClient } from "../../src/tracker/mantis/mantis-types.js";

let sim: MantisSimulator;

beforeEach(async () => {
  sim = await startMantisSimulator();
});

afterEach(async () => {
  await sim.close();
});

/** The bot's client, by default as the seeded `administrator` account on project "Taler". */
function client(options: Partial<MantisClientOptions> = {}): MantisClient {
  return createMantisClient({
    url: sim.url,
    token: sim.tokens["administrator"]!,
    project: "Taler",
    impersonate: false,
    timeoutMs: 5_000,
    category: "General",
    log: pino({ level: "silent" }),
    ...options,
  });
}

function tokenOf(name: string): string {
  const token = sim.tokens[name];
  if (!token) throw new Error(`the simulator has no token for ${name}`);
  return token;
}

function sent(method: string, pathEnd: string): RecordedRequest[] {
  return sim.requests.filter((request) => request.method === method && request.path.endsWith(pathEnd));
}

async function expectRejection(promise: Promise<unknown>, type: abstract new (...args: never[]) => BotError, userMessage: string | RegExp) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(type);
  if (typeof userMessage === "string") expect((error as BotError).userMessage).toBe(userMessage);
  else expect((error as BotError).userMessage).toMatch(userMessage);
}

describe("MantisBT client against the simulator: bugs", () => {
  it("files a bug and reads it back with its etag", async () => {
    const tracker = client();
    const created = await tracker.createBug({ summary: "[4h, 14.3.2034] Refund stuck", description: "Call log in the private note.", tags: ["Customer"] });
    const bug = await tracker.getBug(created.id);
    expect(bug).toMatchObject({
      id: created.id,
      summary: "[4h, 14.3.2034] Refund stuck",
      status: "new",
      priority: "normal",
      category: "General",
      private: false,
      tags: ["Customer"],
      reporter: { name: "administrator" },
      project: { id: 1, name: "Taler" },
    });
    expect(bug.handler).toBeUndefined();
    expect(bug.etag).toBeTruthy();
    // The project name was resolved once; the create carried its id, not its name.
    expect(sent("GET", "/api/rest/projects")).toHaveLength(1);
    expect(sent("POST", "/api/rest/issues")[0]?.body).toMatchObject({ project: { id: 1 }, category: { name: "General" } });
  });

  it("files an assigned bug when a handler is given, without sending a status", async () => {
    const bug = await client().createBug({ summary: "Exchange 500s", description: "x", handler: "bob", priority: "high", private: true });
    expect(bug).toMatchObject({ status: "assigned", handler: { name: "bob" }, priority: "high", private: true });
    const post = sent("POST", "/api/rest/issues")[0];
    expect(post?.body).toMatchObject({ handler: { id: expect.any(Number) }, priority: { id: 40 }, view_state: { id: 50 } });
    expect(post?.body).not.toHaveProperty("status");
  });

  it("refuses a 129-character summary without sending it", async () => {
    const summary = `[4h, 14.3.2034] ${"a".repeat(113)}`;
    await expectRejection(
      client().createBug({ summary, description: "x" }),
      TrackerRejectedError,
      "The summary is 129 characters long; MantisBT accepts at most 128. Shorten it and retry.",
    );
    expect(sent("POST", "/api/rest/issues")).toHaveLength(0);
  });

  it("says a bug does not exist", async () => {
    await expectRejection(client().getBug(99_999), NotFoundError, "Bug #99999 does not exist");
  });

  it("pages through the project's bugs, last updated first, until an empty page", async () => {
    const tracker = client();
    const seen: number[] = [];
    let previous: Date | undefined;
    for (let page = 1; page < 100; page += 1) {
      const bugs = await tracker.listBugs({ page, pageSize: 7 });
      if (bugs.length === 0) break;
      for (const bug of bugs) {
        if (previous) expect(bug.updatedAt.getTime()).toBeLessThanOrEqual(previous.getTime());
        previous = bug.updatedAt;
        seen.push(bug.id);
      }
    }
    expect(seen.length).toBeGreaterThan(7);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("reads a listed bug as it reads the bug alone, though the list asks MantisBT for fewer fields", async () => {
    const tracker = client();
    const listed = await tracker.listBugs({ page: 1, pageSize: 200 });
    // The seed has bugs with notes (public and private), tags, relationships, handlers and versions.
    expect(listed.some((bug) => bug.notes.length > 0 && bug.tags.length > 0)).toBe(true);
    expect(listed.some((bug) => bug.relationships.length > 0)).toBe(true);
    for (const bug of listed) {
      const { etag, ...alone } = await tracker.getBug(bug.id);
      expect(etag).toBeDefined();
      expect(bug).toEqual(alone);
    }
    // The list asked for what the client reads, and not for each bug's history (a query per bug in MantisBT).
    const select = sim.requests.find((request) => request.method === "GET" && request.path.endsWith("/issues"))?.query["select"]?.split(",");
    expect(select).toEqual(expect.arrayContaining(["notes", "relationships", "tags", "handler"]));
    expect(select).not.toContain("history");
  });

  it("lists unassigned bugs with the standard filter", async () => {
    const bugs = await client().listBugs({ page: 1, pageSize: 50, filter: "unassigned" });
    expect(bugs.length).toBeGreaterThan(0);
    for (const bug of bugs) {
      expect(bug.handler).toBeUndefined();
      expect(["resolved", "closed"]).not.toContain(bug.status);
    }
  });

  it("assigns by id with Content-Type set and returns the changed bug", async () => {
    const tracker = client();
    const { id } = await tracker.createBug({ summary: "Assign me", description: "x" });
    const bug = await tracker.updateBug(id, { status: "assigned", handler: "alice", priority: "urgent" });
    expect(bug).toMatchObject({ status: "assigned", handler: { name: "alice" }, priority: "urgent" });
    const patch = sent("PATCH", `/issues/${id}`)[0];
    expect(patch?.headers["content-type"]).toBe("application/json");
    expect(patch?.headers["authorization"]).toBe(tokenOf("administrator"));
    expect(patch?.body).toEqual({ status: { id: 50 }, handler: { id: expect.any(Number) }, priority: { id: 50 } });
    expect((await tracker.getBug(id)).handler?.name).toBe("alice");
  });

  it("sets the resolution by id when resolving, as the REST API does not do it by itself", async () => {
    const tracker = client();
    const { id } = await tracker.createBug({ summary: "Resolve me", description: "x" });
    await tracker.updateBug(id, { status: "resolved", resolution: "fixed" });
    expect(sent("PATCH", `/issues/${id}`)[0]?.body).toEqual({ status: { id: 80 }, resolution: { id: 20 } });
    const raw = (await (await fetch(`${sim.url}api/rest/issues/${id}`, { headers: { Authorization: tokenOf("administrator") } })).json()) as {
      issues: { resolution: { name: string } }[];
    };
    expect(raw.issues[0]?.resolution.name).toBe("fixed");
  });

  it("unassigns and leaves the status alone", async () => {
    const tracker = client();
    const { id } = await tracker.createBug({ summary: "Unassign me", description: "x", handler: "carol" });
    const bug = await tracker.updateBug(id, { handler: null });
    expect(bug.handler).toBeUndefined();
    expect(bug.status).toBe("assigned");
  });

  it("refuses an update based on a stale etag", async () => {
    const tracker = client();
    const { id } = await tracker.createBug({ summary: "Race", description: "x" });
    const read = await tracker.getBug(id);
    await client().updateBug(id, { priority: "high" });
    await expectRejection(tracker.updateBug(id, { status: "acknowledged" }, { ifMatch: read.etag! }), ConflictError, `Bug #${id} changed meanwhile: reload and retry`);
    expect((await tracker.getBug(id)).status).toBe("new");
    const fresh = await tracker.getBug(id);
    expect((await tracker.updateBug(id, { status: "acknowledged" }, { ifMatch: fresh.etag! })).status).toBe("acknowledged");
  });

  it("sets a fixed-in version from the project's versions and rejects an unknown one", async () => {
    const tracker = client();
    const versions = await tracker.listVersions();
    expect(versions).toEqual(expect.arrayContaining(["0.9.0", "1.0.0", "1.1.0"]));
    const { id } = await tracker.createBug({ summary: "Versioned", description: "x" });
    expect((await tracker.updateBug(id, { status: "resolved", fixedInVersion: "1.0.0" })).fixedInVersion).toBe("1.0.0");
    await expectRejection(tracker.updateBug(id, { fixedInVersion: "9.9" }), TrackerRejectedError, /^MantisBT refused the request: Version '9\.9'/);
  });

  it("keeps MantisBT's reason when a developer touches a resolved bug", async () => {
    const { id } = await client().createBug({ summary: "Readonly soon", description: "x", handler: "alice" });
    const alice = client({ token: tokenOf("alice") });
    await alice.updateBug(id, { status: "resolved" });
    await expectRejection(alice.updateBug(id, { status: "assigned" }), ForbiddenError, `MantisBT refused this: Issue '${id}' is readonly`);
  });

  it("changes the summary within the limit", async () => {
    const tracker = client();
    const { id } = await tracker.createBug({ summary: "Short", description: "x" });
    const summary = `[8h, 1.2.2035] ${"b".repeat(113)}`;
    expect((await tracker.updateBug(id, { summary })).summary).toBe(summary);
  });

  it("links to the bug's page in the web UI", async () => {
    const tracker = client();
    const { id } = await tracker.createBug({ summary: "Link me", description: "x" });
    expect(tracker.bugUrl(id)).toBe(`${sim.url}view.php?id=${id}`);
    const page = await fetch(tracker.bugUrl(id));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Link me");
  });
});

describe("MantisBT client against the simulator: notes, tags, relationships", () => {
  it("adds public and private notes", async () => {
    const tracker = client();
    const { id } = await tracker.createBug({ summary: "Notes", description: "x" });
    const note = await tracker.addNote(id, { text: "Customer called back.", private: true });
    await tracker.addNote(id, { text: "Fix is on the way.", private: false });
    expect(note).toMatchObject({ text: "Customer called back.", private: true, reporter: { name: "administrator" } });
    const bug = await tracker.getBug(id);
    expect(bug.notes.map((n) => [n.text, n.private])).toEqual([
      ["Customer called back.", true],
      ["Fix is on the way.", false],
    ]);
  });

  it("names the staff member in the note when it writes under its own account", async () => {
    const tracker = client();
    const { id } = await tracker.createBug({ summary: "By-line", description: "x" });
    const note = await tracker.actingAs({ trackerUser: "alice", displayName: "Alice Moreau" }).addNote(id, { text: "Reproduced on 0.14.2.", private: false });
    expect(note.text).toBe("[by Alice Moreau via support-bot]\nReproduced on 0.14.2.");
    expect(note.reporter.name).toBe("administrator");
    expect(sent("POST", `/issues/${id}/notes`)[0]?.headers["x-mantis-username"]).toBeUndefined();
  });

  it("writes as the staff member when impersonating", async () => {
    const tracker = client({ impersonate: true });
    const { id } = await tracker.createBug({ summary: "Impersonated", description: "x" });
    const alice = tracker.actingAs({ trackerUser: "alice", displayName: "Alice Moreau" });
    const note = await alice.addNote(id, { text: "Looking into it.", private: false });
    expect(note).toMatchObject({ text: "Looking into it.", reporter: { name: "alice" } });
    const bug = await alice.updateBug(id, { status: "assigned", handler: "bob" });
    expect(bug.handler?.name).toBe("bob");
    const acting = sim.requests.filter((request) => request.path.includes(`/issues/${id}`) && request.method !== "GET");
    expect(acting.map((request) => request.headers["x-mantis-username"])).toEqual(["alice", "alice"]);
    // The bug the bot filed for nobody in particular is reported by the bot itself.
    expect(sent("POST", "/api/rest/issues")[0]?.headers["x-mantis-username"]).toBeUndefined();
  });

  it("files a bug as the staff member when impersonating", async () => {
    const bug = await client({ impersonate: true }).actingAs({ trackerUser: "carol", displayName: "Carol" }).createBug({ summary: "Mine", description: "x" });
    expect(bug.reporter?.name).toBe("carol");
  });

  it("adds tags by name, creating a missing one", async () => {
    const tracker = client();
    const { id } = await tracker.createBug({ summary: "Tags", description: "x", tags: ["Customer"] });
    await tracker.addTags(id, ["customer-data", "needs-docs"]);
    expect((await tracker.getBug(id)).tags.sort()).toEqual(["Customer", "customer-data", "needs-docs"]);
  });

  it("relates two bugs, seen from both sides", async () => {
    const tracker = client();
    const parent = await tracker.createBug({ summary: "Parent", description: "x" });
    const child = await tracker.createBug({ summary: "Child", description: "x" });
    await tracker.addRelationship(parent.id, { type: "parent-of", otherBugId: child.id });
    expect((await tracker.getBug(parent.id)).relationships).toEqual([{ id: expect.any(Number), type: "parent-of", otherBugId: child.id }]);
    expect((await tracker.getBug(child.id)).relationships).toEqual([{ id: expect.any(Number), type: "child-of", otherBugId: parent.id }]);
  });

  it("names the missing bug when relating to one that does not exist", async () => {
    const tracker = client();
    const { id } = await tracker.createBug({ summary: "Lonely", description: "x" });
    await expectRejection(tracker.addRelationship(id, { type: "related-to", otherBugId: 99_999 }), NotFoundError, "Bug #99999 does not exist");
  });
});

describe("MantisBT client against the simulator: users and project", () => {
  it("looks users up by name", async () => {
    const tracker = client();
    expect(await tracker.getUser("alice")).toMatchObject({ name: "alice", id: expect.any(Number) });
    expect(await tracker.getUser("nobody-here")).toBeUndefined();
  });

  it("lists who may handle bugs", async () => {
    const names = (await client().listHandlers()).map((user) => user.name);
    expect(names).toEqual(expect.arrayContaining(["alice", "bob", "carol"]));
    expect(names).not.toContain("reporter");
  });

  it("assigns through a developer's own token, where user lookups are refused", async () => {
    const tracker = client();
    const { id } = await tracker.createBug({ summary: "Dev token", description: "x" });
    const bug = await client({ token: tokenOf("alice") }).updateBug(id, { handler: "bob", status: "assigned" });
    expect(bug.handler?.name).toBe("bob");
  });

  it("refuses to assign someone unknown without changing the bug", async () => {
    const tracker = client();
    const { id } = await tracker.createBug({ summary: "Nobody", description: "x" });
    await expectRejection(tracker.updateBug(id, { handler: "mallory" }), NotFoundError, "MantisBT has no user 'mallory'");
    expect(sent("PATCH", `/issues/${id}`)).toHaveLength(0);
  });

  it("accepts the project as an id", async () => {
    const bugs = await client({ project: "1" }).listBugs({ page: 1, pageSize: 5 });
    expect(bugs.every((bug) => bug.project.id === 1)).toBe(true);
    expect(sent("GET", "/api/rest/projects")).toHaveLength(0);
  });

  it("explains a project name that does not exist", async () => {
    const error = await client({ project: "Nope" }).listVersions().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain("MANTIS_PROJECT: MantisBT has no project named 'Nope'");
  });

  it("explains a project id that does not exist", async () => {
    await expectRejection(client({ project: 77 }).listVersions(), NotFoundError, "MantisBT has no project #77 that the bot can see (check MANTIS_PROJECT)");
  });
});

describe("MantisBT client against the simulator: failures", () => {
  it("hints at MANTIS_TOKEN when the token is wrong", async () => {
    const error = await client({ token: "not-a-token" }).getBug(1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).hint).toContain("MANTIS_TOKEN");
  });

  it("reports a 500 with an empty body as unavailable", async () => {
    sim.failNext(500, "");
    await expectRejection(client().getBug(1), UpstreamUnavailableError, "MantisBT failed (HTTP 500)");
  });

  it("reports a 503 maintenance page as unavailable", async () => {
    sim.failNext(503, "<html><body><h1>Down for maintenance</h1></body></html>", { reason: "Service Unavailable" });
    await expectRejection(client().listBugs({ page: 1, pageSize: 5 }), UpstreamUnavailableError, "MantisBT failed (HTTP 503)");
  });

  it("gives up on a slow server after the timeout", async () => {
    sim.setLatency(2_000);
    await expectRejection(client({ timeoutMs: 200, project: 1 }).getBug(1), UpstreamUnavailableError, "MantisBT did not answer within 0.2 s");
  });

  it("says the REST API is missing when the URL is not the MantisBT root", async () => {
    await expectRejection(client({ url: `${sim.url}wrong/` }).getBug(1), UpstreamUnavailableError, "MantisBT's REST API was not found");
  });

  it("reports a refused connection as unreachable", async () => {
    const url = sim.url;
    await sim.close();
    sim = await startMantisSimulator(); // afterEach closes this one
    await expectRejection(client({ url }).getBug(1), UpstreamUnavailableError, "MantisBT is unreachable");
  });
});
