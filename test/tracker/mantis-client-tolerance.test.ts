/**
 * The MantisBT client's tolerant boundary (issue 10): ids as numbers or numeric strings, enum values
 * the bot does not know, one odd bug inside a list, and changes MantisBT applied but answered in a
 * shape the bot does not understand.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ForbiddenError, NotFoundError, UpstreamUnavailableError, type BotError } from "../../src/errors.js";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";
import { createMantisClient, type MantisClientOptions } from "../../src/tracker/mantis/mantis-client.js";
import { captureLogger, createFakeFetch, issueJson, json, type FakeHandler } from "./fake-fetch.js";

function tracker(handler: FakeHandler, options: Partial<MantisClientOptions> = {}) {
  const fake = createFakeFetch(handler);
  const { log, lines } = captureLogger();
  const port = createMantisClient({
    url: "https://bugs.example.com/",
    token: "token",
    project: 1,
    impersonate: false,
    timeoutMs: 5_000,
    category: "General",
    log,
    fetch: fake.fetch,
    ...options,
  });
  return { port, requests: fake.requests, lines };
}

async function rejection(promise: Promise<unknown>): Promise<BotError> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error as BotError,
  );
}

/** A note as MantisBT lists it inside an issue. */
function noteJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 7,
    reporter: { id: 2, name: "alice" },
    text: "Looking into it.",
    view_state: { id: 10, name: "public", label: "public" },
    attachments: [],
    type: "note",
    created_at: "2026-11-26T16:00:00+00:00",
    updated_at: "2026-11-26T16:00:00+00:00",
    ...overrides,
  };
}

describe("MantisBT client: ids and enums a real server sends", () => {
  it("reads version ids given as strings, as MantisBT 2.28.4 sends them on every issue after a release", async () => {
    const closed = issueJson({
      status: { id: 90, name: "closed", label: "closed", color: "#c9ccc4" },
      fixed_in_version: { id: "2", name: "0.9" },
      target_version: { id: "2", name: "0.9" },
      version: { id: "1", name: "0.8" },
    });
    const { port } = tracker(() => json({ issues: [closed] }));
    expect(await port.listBugs({ page: 1, pageSize: 10 })).toMatchObject([{ id: 42, status: "closed", fixedInVersion: "0.9", targetVersion: "0.9" }]);
  });

  it("reads every id given as a numeric string", async () => {
    const issue = issueJson({
      id: "42",
      project: { id: "1", name: "Taler" },
      category: { id: "1", name: "General" },
      reporter: { id: "2", name: "alice" },
      handler: { id: "3", name: "bob" },
      status: { id: "50", name: "assigned", label: "assigned" },
      priority: { id: "40", name: "high", label: "high" },
      view_state: { id: "50", name: "private", label: "private" },
      notes: [noteJson({ id: "7", reporter: { id: "3", name: "bob" }, view_state: { id: "50", name: "private", label: "private" } })],
      relationships: [{ id: "9", type: { id: "2", name: "parent-of", label: "parent of" }, issue: { id: "40" } }],
    });
    const { port } = tracker(() => json({ issues: [issue] }));
    expect(await port.getBug(42)).toMatchObject({
      id: 42,
      status: "assigned",
      priority: "high",
      private: true,
      project: { id: 1, name: "Taler" },
      handler: { id: 3, name: "bob" },
      notes: [{ id: 7, reporter: { id: 3, name: "bob" }, private: true }],
      relationships: [{ id: 9, type: "parent-of", otherBugId: 40 }],
    });
  });

  it.each([
    ["a custom status between assigned and resolved", { id: 60, name: "testing", label: "testing" }, "assigned", { id: 60, name: "testing" }],
    ["a custom status above resolved", { id: 85, name: "verified", label: "verified" }, "resolved", { id: 85, name: "verified" }],
    ["the @0@ a wrongly capitalised status name leaves", { id: 0, name: "@0@", label: "@0@" }, "new", { id: 0, name: "@0@" }],
  ])("reads %s as the nearest default status below it and keeps MantisBT's own", async (_case, status, expected, custom) => {
    const { port } = tracker(() => json({ issues: [issueJson({ status })] }));
    const bug = await port.getBug(42);
    expect({ status: bug.status, customStatus: bug.customStatus }).toEqual({ status: expected, customStatus: custom });
  });

  it("reads default statuses without a custom one", async () => {
    const { port } = tracker(() => json({ issues: [issueJson()] }));
    expect((await port.getBug(42)).customStatus).toBeUndefined();
  });

  it("reads an unknown priority as the nearest default below it and leaves out relationship types it does not know", async () => {
    const issue = issueJson({
      priority: { id: 45, name: "pressing", label: "pressing" },
      relationships: [
        { id: 8, type: { id: 7, name: "blocks-release", label: "blocks release" }, issue: { id: 39 } },
        { id: 9, type: { id: 1, name: "related-to", label: "related to" }, issue: { id: 40 } },
      ],
    });
    const { port } = tracker(() => json({ issues: [issue] }));
    expect(await port.getBug(42)).toMatchObject({ priority: "high", relationships: [{ id: 9, type: "related-to", otherBugId: 40 }] });
  });
});

describe("MantisBT client: one odd bug in a list", () => {
  it("skips the bug with one warning naming it and the field, never the value, and uses the rest", async () => {
    const odd = issueJson({ id: 43, summary: "Customer Max Muster cannot pay", created_at: "last Tuesday" });
    const { port, lines } = tracker(() => json({ issues: [issueJson({ id: 44 }), odd, issueJson({ id: 42 })] }));

    const bugs = await port.listBugs({ page: 1, pageSize: 10 });

    expect(bugs.map((bug) => bug.id)).toEqual([44, 42]);
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings).toEqual([
      expect.objectContaining({ msg: "skipped a bug MantisBT listed in a shape the bot does not understand", bugId: 43, fields: ["created_at: custom"] }),
    ]);
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain("last Tuesday");
    expect(logged).not.toContain("Max Muster");
  });

  it("names a listed bug it cannot even find the id of as unknown", async () => {
    const { port, lines } = tracker(() => json({ issues: [{ summary: "no id" }, issueJson()] }));
    expect((await port.listBugs({ page: 1, pageSize: 10 })).map((bug) => bug.id)).toEqual([42]);
    expect(lines.filter((line) => line.level === 40)).toEqual([expect.objectContaining({ bugId: "unknown" })]);
  });

  it("still fails a single read of a bug it cannot understand", async () => {
    const { port } = tracker(() => json({ issues: [issueJson({ created_at: "last Tuesday" })] }));
    expect((await rejection(port.getBug(42))).userMessage).toBe("MantisBT answered in a shape the bot does not understand");
  });
});

describe("MantisBT client: a change applied but answered in a shape the bot does not understand", () => {
  const unreadable = issueJson({ created_at: "last Tuesday" });

  it("confirms an update by reading the bug back and reports it done", async () => {
    const { port, requests, lines } = tracker((request) => {
      if (request.method === "PATCH") return json({ issues: [{ ...unreadable, status: { id: 80, name: "resolved" } }] });
      if (request.method === "GET") return json({ issues: [issueJson({ status: { id: 80, name: "resolved", label: "resolved" } })] }, { headers: { ETag: "e1" } });
      return undefined;
    });
    const bug = await port.updateBug(42, { status: "resolved" });
    expect({ status: bug.status, etag: bug.etag }).toEqual({ status: "resolved", etag: "e1" });
    expect(requests.map((request) => `${request.method} ${request.route}`)).toEqual(["PATCH issues/42", "GET issues/42"]);
    expect(lines.filter((line) => line.level === 40)).toEqual([expect.objectContaining({ bugId: 42, fields: ["issues.0.created_at: custom"] })]);
  });

  it("still refuses an update the bug read back shows was not applied", async () => {
    const { port } = tracker((request) => (request.method === "PATCH" ? json({ issues: [unreadable] }) : json({ issues: [issueJson()] })));
    expect((await rejection(port.updateBug(42, { status: "resolved" }))).userMessage).toBe(
      "MantisBT did not apply the change to bug #42: its status is 'new', not 'resolved'",
    );
  });

  it("finds a created bug by the id in the reason phrase when the answer has none it can read", async () => {
    const { port, requests } = tracker((request) => {
      if (request.method === "POST") return new Response("{}", { status: 201, statusText: "Issue Created with id 77", headers: { "Content-Type": "application/json" } });
      if (request.route === "issues/77") return json({ issues: [issueJson({ id: 77, summary: "Wallet: export fails" })] });
      return undefined;
    });
    const bug = await port.createBug({ summary: "Wallet: export fails", description: "See title." });
    expect({ id: bug.id, summary: bug.summary }).toEqual({ id: 77, summary: "Wallet: export fails" });
    expect(requests.map((request) => `${request.method} ${request.route}`)).toEqual(["POST issues", "GET issues/77"]);
  });

  it("finds a note it added on the bug read back", async () => {
    const { port } = tracker((request) => {
      if (request.method === "POST") return json({ note: noteJson({ id: 8, created_at: "now" }), issue: unreadable }, { status: 201 });
      return json({ issues: [issueJson({ notes: [noteJson(), noteJson({ id: 8, text: "Fixed in 0.9." })] })] });
    });
    expect(await port.addNote(42, { text: "Fixed in 0.9.", private: false })).toMatchObject({ id: 8, text: "Fixed in 0.9." });
  });

  it("confirms tags and relationships on the bug read back", async () => {
    const readBack = issueJson({
      tags: [{ id: "1", name: "Customer" }, { id: "2", name: "customer-data" }],
      relationships: [{ id: 9, type: { id: 2, name: "parent-of", label: "parent of" }, issue: { id: 40 } }],
    });
    const { port, requests } = tracker((request) =>
      request.method === "POST" ? json({ issues: [unreadable], issue: unreadable }, { status: 201 }) : json({ issues: [readBack] }),
    );
    await port.addTags(42, ["customer-data"]);
    await port.addRelationship(42, { type: "parent-of", otherBugId: 40 });
    expect(requests.map((request) => `${request.method} ${request.route}`)).toEqual([
      "POST issues/42/tags",
      "GET issues/42",
      "POST issues/42/relationships",
      "GET issues/42",
    ]);
  });

  it("says the change could not be confirmed when the bug cannot be read back either", async () => {
    const { port } = tracker(() => json({ issues: [unreadable] }));
    const error = await rejection(port.updateBug(42, { priority: "high" }));
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error.userMessage).toBe("MantisBT accepted the change to bug #42, but neither its answer nor the bug could be read: check bug #42 in MantisBT");
  });
});

describe("MantisBT client: empty answers PHP labels as HTML", () => {
  const emptyHtml = (status: number, reason: string): Response =>
    new Response("", { status, statusText: reason, headers: { "Content-Type": "text/html; charset=UTF-8" } });

  it("says which staff member MantisBT does not know when impersonation names an unknown user", async () => {
    const { port } = tracker((request) => (request.route === "users/me" ? json({ id: 1, name: "bot" }) : emptyHtml(404, "Invalid impersonation username")), {
      impersonate: true,
    });
    const error = await rejection(port.actingAs({ trackerUser: "alicia", displayName: "Alicia" }).getBug(42));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.userMessage).toBe("MantisBT has no user 'alicia' for the bot to act as");
  });

  it("says the token may not impersonate when MantisBT refuses it", async () => {
    const { port } = tracker((request) => (request.route === "users/me" ? json({ id: 4, name: "carol" }) : emptyHtml(403, "User can't impersonate other users")), {
      impersonate: true,
    });
    const error = await rejection(port.actingAs({ trackerUser: "alice", displayName: "Alice" }).getBug(42));
    expect(error.userMessage).toBe("MantisBT does not let the bot act as 'alice' (User can't impersonate other users)");
  });

  it("reads an empty 404 as a missing thing, not as a wrong URL", async () => {
    const { port } = tracker(() => emptyHtml(404, "Not Found"));
    const error = await rejection(port.getBug(42));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.userMessage).toBe("Bug #42 does not exist");
  });
});

describe("MantisBT client against the simulator after a release", () => {
  let sim: MantisSimulator;
  afterEach(async () => {
    await sim.close();
  });

  it("lists closed bugs with their fixed-in version", async () => {
    sim = await startMantisSimulator({ seed: false });
    const { log } = captureLogger();
    const port = createMantisClient({ url: sim.url, token: sim.tokens.administrator!, project: 1, impersonate: false, timeoutMs: 5_000, category: "General", log });
    const bug = await port.createBug({ summary: "Exchange: refund rounding", description: "See title." });
    await port.updateBug(bug.id, { status: "resolved", resolution: "fixed", fixedInVersion: "1.1.0" });
    await port.updateBug(bug.id, { status: "closed" });

    expect(await port.listBugs({ page: 1, pageSize: 10 })).toMatchObject([{ id: bug.id, status: "closed", fixedInVersion: "1.1.0" }]);
  });
});
