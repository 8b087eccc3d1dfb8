/**
 * The MantisBT client makes each change in as few requests as MantisBT 2.28.4 allows: notes travel
 * inside `POST /issues` and `PATCH /issues/{id}`, and user, handler and version look-ups are kept for
 * the process's lifetime, read again only after a miss.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";
import { createMantisClient, type MantisClientOptions } from "../../src/tracker/mantis/mantis-client.js";
import type { MantisClient } from "../../src/tracker/mantis/mantis-types.js";
import { createFakeFetch, issueJson, json } from "./fake-fetch.js";

let sim: MantisSimulator;

beforeEach(async () => {
  sim = await startMantisSimulator();
});

afterEach(async () => {
  await sim.close();
});

function client(options: Partial<MantisClientOptions> = {}): MantisClient {
  return createMantisClient({
    url: sim.url,
    token: sim.tokens["administrator"]!,
    project: 1,
    impersonate: true,
    timeoutMs: 5_000,
    category: "General",
    log: pino({ level: "silent" }),
    ...options,
  });
}

/** What the client sent since `from`, as `METHOD path` below the REST root. */
function sentSince(from: number): string[] {
  return sim.requests.slice(from).map((request) => `${request.method} ${request.path.replace("/api/rest/", "")}`);
}

describe("MantisBT client: notes inside the change", () => {
  it("creates a bug with its private note in one POST /issues", async () => {
    const alice = client().actingAs({ trackerUser: "alice", displayName: "Alice" });
    await alice.getBug(1); // who the token is, once
    const from = sim.requests.length;
    const bug = await alice.createBug({ summary: "Refund stuck", description: "See the private note.", notes: [{ text: "Customer: Max Muster", private: true }] });
    expect(sentSince(from)).toEqual(["POST issues"]);
    expect(sim.requests.at(-1)!.body).toMatchObject({ notes: [{ text: "Customer: Max Muster", view_state: { id: 50 } }] });
    expect(bug.notes).toEqual([expect.objectContaining({ text: "Customer: Max Muster", private: true, reporter: expect.objectContaining({ name: "alice" }) })]);
    expect((await client().getBug(bug.id)).notes).toEqual([expect.objectContaining({ text: "Customer: Max Muster", private: true })]);
  });

  it("sets a FEEDBACK bug's status and adds its reporter's note in one PATCH, keeping the status sent", async () => {
    // Bug 7 is in feedback and reported by the administrator, the account the bot acts as here.
    const bot = client({ impersonate: false });
    const from = sim.requests.length;
    const bug = await bot.updateBug(7, { status: "new", notes: [{ text: "Feedback: the path is clear.", private: false }] });
    expect(sentSince(from)).toEqual(["PATCH issues/7"]);
    expect(bug.status).toBe("new");
    expect(bug.notes.at(-1)).toMatchObject({ text: "Feedback: the path is clear.", private: false });
    expect((await bot.getBug(7)).status).toBe("new");
  });

  it("names the person in notes sent with a change when the bot cannot act as them", async () => {
    const alice = client({ impersonate: false }).actingAs({ trackerUser: "alice", displayName: "Alice Moreau" });
    const created = await alice.createBug({ summary: "Refund stuck", description: "x", notes: [{ text: "Contact in here", private: true }] });
    expect(created.notes[0]!.text).toBe("[by Alice Moreau via support-bot]\nContact in here");
    const updated = await alice.updateBug(created.id, { priority: "high", notes: [{ text: "Raised", private: false }] });
    expect(updated.notes.at(-1)!.text).toBe("[by Alice Moreau via support-bot]\nRaised");
  });

  it("adds a note on its own when a server leaves out the notes sent with the change", async () => {
    const fake = createFakeFetch((request) => {
      if (request.method === "PATCH" && request.route === "issues/42") return json({ issues: [issueJson({ status: { id: 10, name: "new", label: "new" } })] });
      if (request.method === "POST" && request.route === "issues/42/notes") {
        const body = request.body as { text: string };
        const note = { id: 9, reporter: { id: 1, name: "bot" }, text: body.text, view_state: { id: 10, name: "public", label: "public" }, attachments: [], type: "note", created_at: "2026-11-26T16:00:00+00:00", updated_at: "2026-11-26T16:00:00+00:00" };
        return json({ note, issue: issueJson() }, { status: 201 });
      }
      return undefined;
    });
    const bot = client({ impersonate: false, fetch: fake.fetch, url: "https://bugs.example.com/" });
    const bug = await bot.updateBug(42, { status: "new", notes: [{ text: "Feedback", private: false }] });
    expect(fake.requests.map((request) => `${request.method} ${request.route}`)).toEqual(["PATCH issues/42", "POST issues/42/notes"]);
    expect(bug.notes.at(-1)).toMatchObject({ id: 9, text: "Feedback" });
  });
});

describe("MantisBT client: look-ups kept for the process's lifetime", () => {
  it("reads the project's handlers once, and again when asked for a fresh list", async () => {
    const bot = client();
    const alice = bot.actingAs({ trackerUser: "alice", displayName: "Alice" });
    const from = sim.requests.length;
    await bot.listHandlers();
    await alice.listHandlers();
    expect(sentSince(from).filter((request) => request.endsWith("/handlers"))).toHaveLength(1);
    await alice.listHandlers({ fresh: true });
    expect(sentSince(from).filter((request) => request.endsWith("/handlers"))).toHaveLength(2);
  });

  it("reads a user once, and asks again for a name it did not find", async () => {
    const bot = client();
    const from = sim.requests.length;
    await bot.getUser("bob");
    await bot.getUser("bob");
    expect(await bot.getUser("nobody-here")).toBeUndefined();
    expect(await bot.getUser("nobody-here")).toBeUndefined();
    expect(sentSince(from)).toEqual(["GET users/username/bob", "GET users/username/nobody-here", "GET users/username/nobody-here"]);
  });

  it("keeps the version names, adds a version it created, and reads them again when asked", async () => {
    const bot = client();
    const from = sim.requests.length;
    expect(await bot.listVersions()).not.toContain("2.0");
    await bot.createVersion("2.0");
    expect(await bot.listVersions()).toContain("2.0");
    expect(sentSince(from)).toEqual(["GET projects/1", "POST projects/1/versions"]);
    await bot.listVersions({ fresh: true });
    expect(sentSince(from)).toEqual(["GET projects/1", "POST projects/1/versions", "GET projects/1"]);
  });
});
