/**
 * What a release meets on a real MantisBT 2.28.4, through real HTTP against the simulator: a parent
 * cannot be resolved or closed while a child is unresolved (recorded/16-resolve-parent-with-open-child.json),
 * and project versions are created and changed by managers (recorded/17-version-create.json,
 * VersionAddCommand / VersionUpdateCommand at tag release-2.28.4).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callMantis, type MantisCall } from "../../src/simulators/mantis/call-mantis.js";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";

interface VersionJson {
  id: number;
  name: string;
  description?: string;
  released: boolean;
  obsolete: boolean;
  timestamp: string;
}

let sim: MantisSimulator;
beforeEach(async () => {
  sim = await startMantisSimulator({ now: () => new Date("2026-11-26T10:00:00Z") });
});
afterEach(async () => {
  await sim.close();
});

const call = (path: string, request: MantisCall = {}) => callMantis(sim, path, request);
const setStatus = (id: number, status: number, as = "manager") => call(`issues/${id}`, { method: "PATCH", as, body: { status: { id: status } } });
const statusOf = (id: number): number | undefined => sim.database.bugById(id)?.status;

describe("a parent with an unresolved child (seeded: #17 parent-of #18)", () => {
  it.each([
    ["resolved", 80],
    ["closed", 90],
  ])("cannot be %s: 400 Unresolved child issues., as a message-only JSON body, and nothing changes", async (_name, status) => {
    const updatedAt = sim.database.bugById(17)?.updated_at;
    const reply = await setStatus(17, status);
    expect(reply.status).toBe(400);
    expect(reply.reason).toBe("Unresolved child issues.");
    expect(reply.json).toEqual({ message: "Unresolved child issues." });
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    expect(reply.headers.has("x-mantis-username")).toBe(false);
    expect(statusOf(17)).toBe(50);
    expect(sim.database.bugById(17)?.updated_at).toBe(updatedAt);
  });

  it("can be resolved once the child is resolved; the child itself never waits for its parent", async () => {
    expect((await setStatus(18, 80)).status).toBe(200);
    expect((await setStatus(17, 80)).status).toBe(200);
    expect(statusOf(17)).toBe(80);
  });

  it("may still change other fields", async () => {
    const reply = await call("issues/17", { method: "PATCH", as: "manager", body: { priority: { id: 50 } } });
    expect(reply.status).toBe(200);
  });

  it("can be closed when it is already resolved, as MantisBT checks only the move to resolved", async () => {
    sim.database.updateBug(17, { status: 80 });
    expect((await setStatus(17, 90)).status).toBe(200);
  });
});

describe("POST /projects/{id}/versions", () => {
  it("creates an unreleased version for a manager, as recorded", async () => {
    const reply = await call("projects/1/versions", { method: "POST", as: "manager", body: { name: " 2.0 ", description: "release", released: false, obsolete: false } });
    expect(reply.status).toBe(201);
    const version = (reply.json as { version: VersionJson }).version;
    expect(reply.reason).toBe(`Version created with id ${version.id}`);
    expect(reply.headers.get("x-mantis-username")).toBe("manager");
    expect(version).toEqual({ id: expect.any(Number), name: "2.0", description: "release", released: false, obsolete: false, timestamp: "2026-11-26T10:00:00+00:00" });
    const project = (await call("projects/1")).json as { projects: { versions: VersionJson[] }[] };
    expect(project.projects[0]?.versions.map((known) => known.name)).toContain("2.0");
  });

  it("leaves out a blank description and takes released and a date when given", async () => {
    const reply = await call("projects/1/versions", { method: "POST", body: { name: "2.1", released: true, timestamp: "2026-12-01T12:00:00+00:00" } });
    expect((reply.json as { version: VersionJson }).version).toEqual({ id: expect.any(Number), name: "2.1", released: true, obsolete: false, timestamp: "2026-12-01T12:00:00+00:00" });
  });

  it.each<[string, MantisCall, number, string, number]>([
    ["a name the project has", { method: "POST", body: { name: "1.0.0" } }, 400, "Version '1.0.0' already exists", 1600],
    ["no name", { method: "POST", body: { description: "x" } }, 400, "Invalid version name", 29],
    ["a name over 64 bytes", { method: "POST", body: { name: "9".repeat(65) } }, 400, "Invalid version name", 29],
    ["an unreadable date", { method: "POST", body: { name: "2.0", timestamp: "soon" } }, 400, "Invalid date format 'soon'", 21],
    ["a developer", { method: "POST", as: "alice", body: { name: "2.0" } }, 403, "Access denied to add versions", 13],
  ])("refuses %s", async (_case, request, status, message, code) => {
    const reply = await call("projects/1/versions", request);
    expect({ status: reply.status, reason: reply.reason }).toEqual({ status, reason: message });
    expect(reply.json).toMatchObject({ message, code });
    expect(sim.database.versionByName(1, "2.0")).toBeUndefined();
  });

  it("answers 404 for a project that does not exist", async () => {
    const reply = await call("projects/99/versions", { method: "POST", body: { name: "2.0" } });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ message: "Project 99 not found", code: 700, localized: 'Project "99" not found.' });
  });
});

describe("PATCH /projects/{id}/versions/{version_id}", () => {
  const versionId = (name: string): number => sim.database.versionByName(1, name)!.id;

  it("marks a version released with its date and changes nothing else", async () => {
    const id = versionId("1.1.0");
    const reply = await call(`projects/1/versions/${id}`, { method: "PATCH", as: "manager", body: { released: true, timestamp: "2026-11-26T10:00:00+00:00" } });
    expect({ status: reply.status, reason: reply.reason }).toEqual({ status: 200, reason: "Version updated" });
    expect((reply.json as { version: VersionJson }).version).toEqual({ id, name: "1.1.0", released: true, obsolete: false, timestamp: "2026-11-26T10:00:00+00:00" });
  });

  it("carries a new name into the bugs that name the version", async () => {
    expect(sim.database.bugById(19)?.fixed_in_version).toBe("1.0.0");
    const reply = await call(`projects/1/versions/${versionId("1.0.0")}`, { method: "PATCH", body: { name: "1.0" } });
    expect(reply.status).toBe(200);
    expect(sim.database.bugById(19)?.fixed_in_version).toBe("1.0");
  });

  it.each<[string, string, MantisCall, number, string, number]>([
    ["a version that does not exist", "projects/1/versions/99", { method: "PATCH", body: { released: true } }, 404, "Version with id '99' not found", 1601],
    ["a version id that is no number", "projects/1/versions/x", { method: "PATCH", body: { released: true } }, 400, "'version_id' must be numeric", 29],
    ["an empty name", "projects/1/versions/1", { method: "PATCH", body: { name: " " } }, 400, "Version name can't be empty", 11],
    ["the name of another version", "projects/1/versions/1", { method: "PATCH", body: { name: "1.1.0" } }, 400, "Version '1.1.0' already exists", 1600],
    // MantisBT's own wording, copied from the delete command.
    ["a developer", "projects/1/versions/1", { method: "PATCH", as: "alice", body: { released: true } }, 403, "Access denied to delete version", 13],
  ])("refuses %s", async (_case, path, request, status, message, code) => {
    const before = sim.database.versionsOf(1);
    const reply = await call(path, request);
    expect({ status: reply.status, reason: reply.reason }).toEqual({ status, reason: message });
    expect(reply.json).toMatchObject({ message, code });
    expect(sim.database.versionsOf(1)).toEqual(before);
  });
});
