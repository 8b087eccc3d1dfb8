import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { BotError, ConfigError, ConflictError, ForbiddenError, NotFoundError, UpstreamUnavailableError } from "../../src/errors.js";
import { createMantisClient, type MantisClientOptions } from "../../src/tracker/mantis/mantis-client.js";
import { TrackerRejectedError } from "../../src/process/tracker-port.js";
import { captureLogger, createFakeFetch, hangingFetch, issueJson, json, type FakeHandler } from "./fake-fetch.js";

const TOKEN = "s3cr3t-token-value";

/** Checks the error's class and the exact text a chat user would see. */
async function expectRejection(promise: Promise<unknown>, type: abstract new (...args: never[]) => BotError, userMessage: string) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as BotError).userMessage).toBe(userMessage);
}

function tracker(handler: FakeHandler, options: Partial<MantisClientOptions> = {}) {
  const fake = createFakeFetch(handler);
  const port = createMantisClient({
    url: "https://bugs.example.com/mantis",
    token: TOKEN,
    project: 1,
    impersonate: false,
    timeoutMs: 5_000,
    category: "General",
    log: pino({ level: "silent" }),
    fetch: fake.fetch,
    ...options,
  });
  return { port, requests: fake.requests };
}

/** Answers like a small 2.28.4 server: bug 42, users alice (2) and bob (3), the bot account "bot". */
const server: FakeHandler = (request) => {
  const { method, route } = request;
  if (method === "GET" && route === "issues/42") return json({ issues: [issueJson()] }, { headers: { ETag: '"abc123"' } });
  if (method === "GET" && route === "users/me") return json({ id: 1, name: "bot", access_level: { id: 90, name: "administrator", label: "administrator" } });
  if (method === "GET" && route === "users/username/alice") return json({ users: [{ id: 2, name: "alice", real_name: "Alice Example" }] });
  if (method === "GET" && route === "users/username/bob") return json({ users: [{ id: 3, name: "bob" }] });
  if (method === "GET" && route.startsWith("users/username/")) {
    return json({ message: "User not found", code: 800, localized: "User not found" }, { status: 404, statusText: "User not found" });
  }
  if (method === "POST" && route === "issues/42/notes") {
    const body = request.body as { text: string; view_state: { id: number } };
    const note = {
      id: 7,
      reporter: { id: 1, name: "bot" },
      text: body.text,
      view_state: { id: body.view_state.id, name: body.view_state.id === 50 ? "private" : "public", label: "x" },
      attachments: [],
      type: "note",
      created_at: "2026-11-26T16:00:00+00:00",
      updated_at: "2026-11-26T16:00:00+00:00",
    };
    return json({ note, issue: issueJson() }, { status: 201 });
  }
  return undefined;
};

describe("MantisBT client: requests", () => {
  it("sends the API token bare, without a Bearer prefix", async () => {
    const { port, requests } = tracker(server);
    await port.getBug(42);
    expect(requests[0]?.headers.get("authorization")).toBe(TOKEN);
    expect(requests[0]?.url.href).toBe("https://bugs.example.com/mantis/api/rest/issues/42");
  });

  it("sends Content-Type application/json with every body", async () => {
    const { port, requests } = tracker((request) =>
      request.method === "PATCH" ? json({ issues: [issueJson({ priority: { id: 40, name: "high", label: "high" } })] }) : undefined,
    );
    await port.updateBug(42, { priority: "high" });
    expect(requests[0]?.headers.get("content-type")).toBe("application/json");
    expect(requests[0]?.body).toEqual({ priority: { id: 40 } });
  });

  it("sends no X-Mantis-Username when impersonation is off", async () => {
    const { port, requests } = tracker(server);
    await port.actingAs({ trackerUser: "alice", displayName: "Alice" }).getBug(42);
    expect(requests.every((request) => !request.headers.has("x-mantis-username"))).toBe(true);
  });

  it("acts as the staff member on every request when impersonating", async () => {
    const { port, requests } = tracker(server, { impersonate: true });
    const alice = port.actingAs({ trackerUser: "alice", displayName: "Alice" });
    await alice.getBug(42);
    const note = await alice.addNote(42, { text: "Called the customer back.", private: true });
    const work = requests.filter((request) => request.route !== "users/me");
    expect(work.map((request) => request.headers.get("x-mantis-username"))).toEqual(["alice", "alice"]);
    expect(note.text).toBe("Called the customer back.");
    // The bot's own name is asked once, without impersonation.
    const me = requests.filter((request) => request.route === "users/me");
    expect(me).toHaveLength(1);
    expect(me[0]?.headers.has("x-mantis-username")).toBe(false);
  });

  it("does not try to impersonate the bot's own account", async () => {
    const { port, requests } = tracker(server, { impersonate: true });
    await port.actingAs({ trackerUser: "bot", displayName: "Support bot" }).getBug(42);
    expect(requests.some((request) => request.headers.has("x-mantis-username"))).toBe(false);
  });

  it("names the person on the first line of a note when it cannot act as them", async () => {
    const { port, requests } = tracker(server);
    const note = await port.actingAs({ trackerUser: "alice", displayName: "Alice" }).addNote(42, { text: "Reproduced.", private: false });
    expect((requests[0]?.body as { text: string }).text).toBe("[by Alice via support-bot]\nReproduced.");
    expect(note.text.split("\n")[0]).toBe("[by Alice via support-bot]");
    expect(requests[0]?.body).toMatchObject({ view_state: { id: 10 } });
  });

  it("writes notes under its own name without a by-line when acting for nobody", async () => {
    const { port, requests } = tracker(server);
    await port.addNote(42, { text: "Reminder sent.", private: true });
    expect(requests[0]?.body).toEqual({ text: "Reminder sent.", view_state: { id: 50 } });
  });

  it("builds the web link from the MantisBT root", () => {
    const { port } = tracker(server, { url: "https://bugs.example.com/" });
    expect(port.bugUrl(42)).toBe("https://bugs.example.com/view.php?id=42");
    expect(tracker(server).port.bugUrl(7)).toBe("https://bugs.example.com/mantis/view.php?id=7");
  });
});

describe("MantisBT client: reading", () => {
  it("maps an issue to a Bug, enums by id, tag ids given as strings", async () => {
    const { port } = tracker(server);
    const bug = await port.getBug(42);
    expect(bug).toMatchObject({
      id: 42,
      status: "new",
      priority: "normal",
      reporter: { id: 2, name: "alice", realName: "Alice Example" },
      project: { id: 1, name: "Taler" },
      category: "General",
      private: false,
      tags: ["Customer"],
      notes: [],
      relationships: [],
      etag: '"abc123"',
    });
    expect(bug.handler).toBeUndefined();
    expect(bug.updatedAt.toISOString()).toBe("2026-11-26T15:00:00.000Z");
    // The reporter's e-mail address is not carried into the domain.
    expect(JSON.stringify(bug)).not.toContain("alice@example.com");
  });

  it("reads notes, private flags, handlers and relationships", async () => {
    const issue = issueJson({
      handler: { id: 3, name: "bob" },
      status: { id: 50, name: "zugewiesen", label: "zugewiesen" },
      view_state: { id: 50, name: "private", label: "privat" },
      fixed_in_version: { id: 4, name: "0.9.3" },
      notes: [
        {
          id: 1,
          reporter: { id: 3, name: "bob" },
          text: "Looking",
          view_state: { id: 50, name: "private", label: "private" },
          attachments: [],
          type: "note",
          created_at: "2026-11-26T14:20:00+00:00",
          updated_at: "2026-11-26T14:20:00+00:00",
        },
      ],
      relationships: [{ id: 9, type: { id: 2, name: "parent-of", label: "parent of" }, issue: { id: 40, status: { id: 10 }, summary: "x" } }],
    });
    const { port } = tracker(() => json({ issues: [issue] }));
    const bug = await port.getBug(42);
    expect(bug).toMatchObject({
      status: "assigned",
      handler: { id: 3, name: "bob" },
      private: true,
      fixedInVersion: "0.9.3",
      notes: [{ id: 1, text: "Looking", private: true, reporter: { name: "bob" } }],
      relationships: [{ id: 9, type: "parent-of", otherBugId: 40 }],
    });
  });

  it("lists a page of the project's bugs with the standard filter", async () => {
    const { port, requests } = tracker(() => json({ issues: [issueJson(), issueJson({ id: 41, tags: undefined })] }));
    const bugs = await port.listBugs({ page: 2, pageSize: 25, filter: "unassigned" });
    expect(bugs.map((bug) => bug.id)).toEqual([42, 41]);
    expect(bugs[1]?.tags).toEqual([]);
    expect(Object.fromEntries(requests[0]!.url.searchParams)).toEqual({
      project_id: "1",
      page: "2",
      page_size: "25",
      filter_id: "unassigned",
      // Only the fields the client reads: MantisBT leaves out the rest (history, attachments, ...).
      select: "id,summary,description,project,category,reporter,handler,status,priority,view_state,fixed_in_version,target_version,tags,notes,relationships,created_at,updated_at",
    });
  });

  it("reports an unknown filter name that MantisBT answers with 200 and a fault object", async () => {
    const { port } = tracker(() => json({ issues: { status_code: 404, fault_string: "Unknown filter 'x'" } }));
    await expectRejection(port.listBugs({ page: 1, pageSize: 10 }), NotFoundError, "Unknown filter 'x'");
  });

  it("resolves a project given by name once and reuses its id", async () => {
    const { port, requests } = tracker(
      (request) => {
        if (request.route === "projects") {
          return json({ projects: [{ id: 1, name: "Other" }, { id: 2, name: "Taler", subProjects: [{ id: 5, name: "Wallet" }] }] });
        }
        if (request.route === "issues") return json({ issues: [] });
        if (request.route === "projects/5") return json({ projects: [{ id: 5, name: "Wallet", versions: [{ id: 1, name: "1.0" }] }] });
        return undefined;
      },
      { project: "wallet" },
    );
    await port.listBugs({ page: 1, pageSize: 10 });
    await port.listBugs({ page: 2, pageSize: 10 });
    expect(await port.listVersions()).toEqual(["1.0"]);
    expect(requests.map((request) => request.route)).toEqual(["projects", "issues", "issues", "projects/5"]);
    expect(requests[1]?.url.searchParams.get("project_id")).toBe("5");
  });

  it("explains a project name the bot cannot see", async () => {
    const { port } = tracker(() => json({ projects: [{ id: 1, name: "Other" }] }), { project: "Taler" });
    const error = await port.listBugs({ page: 1, pageSize: 10 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      "MANTIS_PROJECT: MantisBT has no project named 'Taler' that the bot can see (visible: 'Other')",
    );
  });

  it("answers undefined for a user MantisBT does not know", async () => {
    const { port } = tracker(server);
    expect(await port.getUser("nobody")).toBeUndefined();
    expect(await port.getUser("alice")).toEqual({ id: 2, name: "alice", realName: "Alice Example" });
  });

  it("looks users up as the bot itself, even while impersonating", async () => {
    const { port, requests } = tracker(server, { impersonate: true });
    expect(await port.actingAs({ trackerUser: "alice", displayName: "Alice" }).getUser("bob")).toEqual({ id: 3, name: "bob" });
    const lookup = requests.find((request) => request.route === "users/username/bob");
    expect(lookup?.headers.has("x-mantis-username")).toBe(false);
  });

  it("finds a handler in the project's handler list when user lookups are refused", async () => {
    const { port, requests } = tracker((request) => {
      if (request.route.startsWith("users/username/")) {
        return json({ message: "Access denied to get other users", code: 13 }, { status: 403, statusText: "Access denied to get other users" });
      }
      if (request.route === "projects/1/handlers") return json({ users: [{ id: 3, name: "bob" }] });
      if (request.method === "PATCH") return json({ issues: [issueJson({ handler: { id: 3, name: "bob" } })] });
      return undefined;
    });
    expect((await port.updateBug(42, { handler: "bob" })).handler?.name).toBe("bob");
    expect(requests.find((request) => request.method === "PATCH")?.body).toEqual({ handler: { id: 3 } });
    await expectRejection(port.updateBug(42, { handler: "zoe" }), NotFoundError, "'zoe' is not a MantisBT user who may handle bugs in this project");
  });

  it("lists the project's handlers", async () => {
    const { port, requests } = tracker(() =>
      json({ users: [{ id: 1, name: "administrator", email: "root@localhost", access_level: { id: 90, name: "administrator", label: "a" } }, { id: 3, name: "bob" }] }),
    );
    expect(await port.listHandlers()).toEqual([
      { id: 1, name: "administrator" },
      { id: 3, name: "bob" },
    ]);
    expect(requests[0]?.route).toBe("projects/1/handlers");
  });
});

describe("MantisBT client: writing", () => {
  const created = (request: Parameters<FakeHandler>[0]) => {
    const body = request.body as Record<string, unknown>;
    const handler = body["handler"] as { id: number } | undefined;
    return json(
      {
        issue: issueJson({
          id: 43,
          ...(handler ? { handler: { id: handler.id, name: "bob" }, status: { id: 50, name: "assigned", label: "assigned" } } : {}),
          ...(body["priority"] ? { priority: { id: 40, name: "high", label: "high" } } : {}),
        }),
      },
      { status: 201 },
    );
  };

  it("creates a bug with ids, the default category and tags by name, and no status", async () => {
    const { port, requests } = tracker((request) => (request.method === "POST" && request.route === "issues" ? created(request) : undefined));
    const bug = await port.createBug({ summary: "Refund stuck", description: "Details in the call log.", tags: ["Customer", "customer"], priority: "high" });
    expect(requests[0]?.body).toEqual({
      summary: "Refund stuck",
      description: "Details in the call log.",
      project: { id: 1 },
      category: { name: "General" },
      view_state: { id: 10 },
      priority: { id: 40 },
      tags: [{ name: "Customer" }],
    });
    expect(bug.id).toBe(43);
  });

  it("creates an assigned bug by sending the handler's id, resolved from the name", async () => {
    const { port, requests } = tracker((request) =>
      request.method === "POST" && request.route === "issues" ? created(request) : server(request),
    );
    const bug = await port.createBug({ summary: "Refund stuck", description: "x", handler: "bob", private: true, category: "Wallet" });
    const post = requests.find((request) => request.method === "POST");
    expect(post?.body).toMatchObject({ handler: { id: 3 }, view_state: { id: 50 }, category: { name: "Wallet" } });
    expect(post?.body).not.toHaveProperty("status");
    expect(bug).toMatchObject({ status: "assigned", handler: { name: "bob" } });
  });

  it("refuses a summary over 128 characters before sending anything", async () => {
    const { port, requests } = tracker(server);
    const summary = `[4h, 14.3.2034] ${"x".repeat(113)}`;
    expect([...summary]).toHaveLength(129);
    await expectRejection(port.createBug({ summary, description: "x" }), TrackerRejectedError, "The summary is 129 characters long; MantisBT accepts at most 128. Shorten it and retry.");
    await expect(port.updateBug(42, { summary })).rejects.toBeInstanceOf(TrackerRejectedError);
    expect(requests).toHaveLength(0);
  });

  it("accepts a summary of exactly 128 characters, counting characters rather than bytes", async () => {
    const { port, requests } = tracker((request) => json({ issues: [issueJson({ summary: (request.body as { summary: string }).summary })] }));
    const summary = "ü".repeat(128);
    const bug = await port.updateBug(42, { summary });
    expect(bug.summary).toBe(summary);
    expect(requests).toHaveLength(1);
  });

  it("sends the etag as If-Match and turns 412 into a conflict", async () => {
    const { port, requests } = tracker((request) =>
      request.method === "PATCH" ? new Response("", { status: 412, statusText: "Precondition Failed" }) : server(request),
    );
    const bug = await port.getBug(42);
    const update = port.updateBug(42, { status: "acknowledged" }, { ifMatch: bug.etag! });
    await expectRejection(update, ConflictError, "Bug #42 changed meanwhile: reload and retry");
    expect(requests[1]?.headers.get("if-match")).toBe('"abc123"');
  });

  it("sends status, handler and priority as ids and returns the updated bug", async () => {
    const { port, requests } = tracker((request) =>
      request.method === "PATCH"
        ? json(
            { issues: [issueJson({ status: { id: 50, name: "assigned", label: "assigned" }, handler: { id: 2, name: "alice" } })] },
            { headers: { ETag: '"new"' } },
          )
        : server(request),
    );
    const bug = await port.updateBug(42, { status: "assigned", handler: "alice" });
    expect(requests.find((request) => request.method === "PATCH")?.body).toEqual({ status: { id: 50 }, handler: { id: 2 } });
    expect(bug).toMatchObject({ status: "assigned", handler: { name: "alice" }, etag: '"new"' });
  });

  it("unassigns with handler id 0", async () => {
    const { port, requests } = tracker(() => json({ issues: [issueJson()] }));
    const bug = await port.updateBug(42, { handler: null });
    expect(requests[0]?.body).toEqual({ handler: { id: 0 } });
    expect(bug.handler).toBeUndefined();
  });

  it("fails when MantisBT answers 200 but the status did not change", async () => {
    // A real server turns a status it does not understand into id 0 (`@0@`) and answers 200.
    const { port } = tracker(() => json({ issues: [issueJson({ status: { id: 0, name: "@0@", label: "@0@" } })] }));
    await expectRejection(port.updateBug(42, { status: "resolved" }), TrackerRejectedError, "MantisBT did not apply the change to bug #42: its status is '@0@', not 'resolved'");
  });

  it("fails when MantisBT answers 200 but ignored the handler", async () => {
    const { port } = tracker((request) => (request.method === "PATCH" ? json({ issues: [issueJson()] }) : server(request)));
    await expectRejection(port.updateBug(42, { handler: "bob" }), TrackerRejectedError, "MantisBT did not apply the change to bug #42: it is assigned to nobody");
  });

  it("refuses to assign a user MantisBT does not know, without sending the change", async () => {
    const { port, requests } = tracker(server);
    await expectRejection(port.updateBug(42, { handler: "mallory" }), NotFoundError, "MantisBT has no user 'mallory'");
    expect(requests.some((request) => request.method === "PATCH")).toBe(false);
  });

  it("looks a handler's id up once", async () => {
    const { port, requests } = tracker((request) =>
      request.method === "PATCH" ? json({ issues: [issueJson({ handler: { id: 3, name: "bob" } })] }) : server(request),
    );
    await port.updateBug(42, { handler: "bob" });
    await port.updateBug(42, { handler: "bob" });
    expect(requests.filter((request) => request.route === "users/username/bob")).toHaveLength(1);
  });

  it("adds tags by name through the tags route", async () => {
    const { port, requests } = tracker(() =>
      json({ issues: [issueJson({ tags: [{ id: "1", name: "Customer" }, { id: "4", name: "customer-data" }] })] }, { status: 201 }),
    );
    await port.addTags(42, ["customer-data"]);
    expect(requests[0]).toMatchObject({ method: "POST", route: "issues/42/tags", body: { tags: [{ name: "customer-data" }] } });
  });

  it("adds a relationship by type id", async () => {
    const { port, requests } = tracker(() => json({ issue: issueJson() }, { status: 201 }));
    await port.addRelationship(42, { type: "child-of", otherBugId: 40 });
    expect(requests[0]).toMatchObject({ route: "issues/42/relationships", body: { issue: { id: 40 }, type: { id: 3 } } });
  });

  it("fails when a note meant to be private was stored as public", async () => {
    const { port } = tracker(() =>
      json(
        {
          note: { id: 8, reporter: { id: 1, name: "bot" }, text: "x", view_state: { id: 10, name: "public", label: "public" }, created_at: "2026-11-26T16:00:00+00:00" },
        },
        { status: 201 },
      ),
    );
    await expect(port.addNote(42, { text: "x", private: true })).rejects.toBeInstanceOf(TrackerRejectedError);
  });
});

describe("MantisBT client: errors", () => {
  it.each([
    ["a JSON 404", json({ message: "Issue #42 not found", code: 1100, localized: "Issue 42 not found." }, { status: 404, statusText: "Issue #42 not found" })],
    ["an empty 404", new Response("", { status: 404 })],
  ])("says the bug does not exist on %s", async (_name, response) => {
    const { port } = tracker(() => response);
    await expectRejection(port.getBug(42), NotFoundError, "Bug #42 does not exist");
  });

  it("names the other bug when a relationship points to a missing one", async () => {
    const { port } = tracker(() => json({ message: "Issue #99 not found", code: 1100 }, { status: 404, statusText: "Issue #99 not found" }));
    await expectRejection(port.addRelationship(42, { type: "related-to", otherBugId: 99 }), NotFoundError, "Bug #99 does not exist");
  });

  it("hints at MANTIS_TOKEN on 401, even with an empty body", async () => {
    const { port } = tracker(() => new Response("", { status: 401, statusText: "Valid API token required" }));
    const error = await port.getBug(42).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).userMessage).toBe("MantisBT refused the bot's API token (Valid API token required)");
    expect((error as ForbiddenError).hint).toContain("MANTIS_TOKEN");
  });

  it("keeps MantisBT's reason on 403", async () => {
    const { port } = tracker(() =>
      json({ message: "Issue '42' is readonly", code: 13, localized: "Access denied" }, { status: 403, statusText: "Issue '42' is readonly" }),
    );
    await expectRejection(port.updateBug(42, { status: "closed" }), ForbiddenError, "MantisBT refused this: Issue '42' is readonly");
  });

  it("keeps the reason phrase on 403 when the body is empty", async () => {
    const { port } = tracker(() => new Response("", { status: 403, statusText: "Issue '42' is readonly" }));
    await expect(port.getBug(42)).rejects.toThrow("Issue '42' is readonly");
  });

  it("leaves out a standard reason phrase that adds nothing", async () => {
    const { port } = tracker(() => new Response("", { status: 500, statusText: "Internal Server Error" }));
    await expectRejection(port.getBug(42), UpstreamUnavailableError, "MantisBT failed (HTTP 500)");
  });

  it("turns a 400 into a rejection that quotes MantisBT", async () => {
    const { port } = tracker(() =>
      json({ message: "Version '1.0' does not exist in project 'Taler'.", code: 29 }, { status: 400, statusText: "Version '1.0' does not exist in project 'Taler'." }),
    );
    await expectRejection(port.updateBug(42, { fixedInVersion: "1.0" }), TrackerRejectedError, "MantisBT refused the request: Version '1.0' does not exist in project 'Taler'.");
  });

  it("turns 409 into a conflict", async () => {
    const { port } = tracker(() => new Response("", { status: 409, statusText: "Conflict" }));
    await expect(port.addTags(42, ["x"])).rejects.toBeInstanceOf(ConflictError);
  });

  it.each([
    ["500 with an empty body", () => new Response("", { status: 500 }), "MantisBT failed (HTTP 500)"],
    ["503 with an HTML page", () => new Response("<html><body>Maintenance</body></html>", { status: 503, headers: { "Content-Type": "text/html" } }), "MantisBT failed (HTTP 503)"],
    ["404 with an HTML page", () => new Response("<!DOCTYPE html><html>Not found</html>", { status: 404, headers: { "Content-Type": "text/html" } }), "MantisBT's REST API was not found"],
    ["405 with an HTML page", () => new Response("<html>Method not allowed</html>", { status: 405, headers: { "Content-Type": "text/html" } }), "MantisBT failed (HTTP 405)"],
    ["200 with an HTML login page", () => new Response("<html><form>login</form></html>", { status: 200, headers: { "Content-Type": "text/html" } }), "MantisBT answered with something that is not JSON"],
    ["200 with a body of the wrong shape", () => json({ issues: [{ id: "forty-two" }] }), "MantisBT answered in a shape the bot does not understand"],
    ["200 with an empty body", () => new Response("", { status: 200 }), "MantisBT answered in a shape the bot does not understand"],
  ])("reports the tracker as unavailable on %s", async (_name, respond, message) => {
    const { port } = tracker(() => respond());
    await expectRejection(port.getBug(42), UpstreamUnavailableError, message);
  });

  it("gives up after the timeout", async () => {
    const port = createMantisClient({
      url: "https://bugs.example.com/",
      token: TOKEN,
      project: 1,
      impersonate: false,
      timeoutMs: 100,
      category: "General",
      log: pino({ level: "silent" }),
      fetch: hangingFetch(),
    });
    const error = await port.getBug(42).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as UpstreamUnavailableError).userMessage).toBe("MantisBT did not answer within 0.1 s");
  });

  it("reports a refused connection as unreachable", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    const { port } = tracker(() => Promise.reject(new TypeError("fetch failed", { cause: refused })));
    const error = await port.getBug(42).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as UpstreamUnavailableError).userMessage).toBe("MantisBT is unreachable");
    expect((error as UpstreamUnavailableError).message).toContain("ECONNREFUSED");
  });

});

describe("MantisBT client: logging", () => {
  it("logs method, path, status and duration at debug, never bodies or the token", async () => {
    const { log, lines } = captureLogger();
    const { port } = tracker(server, { log });
    await port.addNote(42, { text: "Customer Jane Roe, +41 79 123 45 67", private: true });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 20, msg: "mantis request", method: "POST", path: "/mantis/api/rest/issues/42/notes", status: 201 });
    expect(typeof lines[0]?.["durationMs"]).toBe("number");
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain("Jane");
    expect(logged).not.toContain(TOKEN);
  });

  it("logs a request that never got an answer", async () => {
    const { log, lines } = captureLogger();
    const { port } = tracker(() => Promise.reject(new TypeError("fetch failed")), { log });
    await expect(port.getBug(42)).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(lines[0]).toMatchObject({ msg: "mantis request failed", method: "GET", failure: "TypeError" });
  });
});
