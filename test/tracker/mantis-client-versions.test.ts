/**
 * The MantisBT client's version methods over real loopback HTTP against the simulator: reading the
 * project's versions with their released flag and date, creating one, marking one released.
 */
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ForbiddenError, NotFoundError } from "../../src/errors.js";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";
import { createMantisClient } from "../../src/tracker/mantis/mantis-client.js";
import { TrackerRejectedError } from "../../src/process/tracker-port.js";
import type { MantisClient } from "../../src/tracker/mantis/mantis-types.js";
import { captureLog, type CapturedLog } from "../support/capture-log.js";

const NOW = new Date("2026-11-26T10:00:00Z");
let sim: MantisSimulator;
beforeEach(async () => {
  sim = await startMantisSimulator({ now: () => NOW });
});
afterEach(async () => {
  await sim.close();
});

/** The bot's client with the administrator token, impersonating, acting as `user`. */
function trackerAs(user: string, options: { fetch?: typeof fetch; log?: CapturedLog } = {}): MantisClient {
  return createMantisClient({
    ...(options.fetch ? { fetch: options.fetch } : {}),
    url: sim.url,
    token: sim.tokens["administrator"]!,
    project: "Taler",
    impersonate: true,
    timeoutMs: 5_000,
    category: "General",
    log: options.log?.log ?? pino({ level: "silent" }),
  }).actingAs({ trackerUser: user, displayName: user });
}

describe("MantisBT client: project versions", () => {
  it("leaves out a version listed in a shape it does not understand, with a warning, and keeps the others", async () => {
    // MantisBT as seen through a proxy that spoils one version of the project's list.
    const spoil: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!/\/api\/rest\/projects\/\d+$/.test(String(input instanceof Request ? input.url : input))) return response;
      const body = (await response.json()) as { projects: { versions: Record<string, unknown>[] }[] };
      body.projects[0]!.versions[0]!["name"] = 42;
      return Response.json(body, { status: response.status, headers: response.headers });
    };
    const log = captureLog("warn");

    const names = await trackerAs("manager", { fetch: spoil, log }).listVersions();

    expect(names).toEqual(["1.0.0", "0.9.0"]);
    expect(log.records().map((record) => record["msg"])).toEqual(["skipped a version MantisBT listed in a shape the bot does not understand"]);
  });

  it("lists the versions with their released flag and date", async () => {
    const versions = await trackerAs("manager").listProjectVersions();
    expect(versions.map(({ name, released, obsolete }) => ({ name, released, obsolete }))).toEqual([
      { name: "1.1.0", released: false, obsolete: false },
      { name: "1.0.0", released: true, obsolete: false },
      { name: "0.9.0", released: true, obsolete: false },
    ]);
    expect(versions[0]?.date).toBeInstanceOf(Date);
  });

  it("creates an unreleased version and marks it released on a day, as the person acting", async () => {
    const tracker = trackerAs("manager");
    const created = await tracker.createVersion("2.0");
    expect(created).toMatchObject({ name: "2.0", released: false, obsolete: false });
    const createdRequest = sim.requests.at(-1)!;
    expect(createdRequest).toMatchObject({ method: "POST", path: "/api/rest/projects/1/versions", body: { name: "2.0", released: false, obsolete: false } });
    expect(createdRequest.headers["x-mantis-username"]).toBe("manager");

    const releasedOn = new Date("2026-11-27T08:30:00Z");
    const released = await tracker.markVersionReleased(created.id, releasedOn);
    expect(released).toEqual({ id: created.id, name: "2.0", released: true, obsolete: false, date: releasedOn });
    expect(sim.requests.at(-1)).toMatchObject({
      method: "PATCH",
      path: `/api/rest/projects/1/versions/${created.id}`,
      body: { released: true, timestamp: "2026-11-27T08:30:00+00:00" },
    });
    expect((await tracker.listProjectVersions()).find((version) => version.name === "2.0")).toEqual(released);
  });

  it("turns MantisBT's refusals into the bot's errors", async () => {
    await expect(trackerAs("manager").createVersion("1.0.0")).rejects.toThrow(TrackerRejectedError);
    await expect(trackerAs("manager").createVersion("1.0.0")).rejects.toMatchObject({ userMessage: "MantisBT refused the request: Version '1.0.0' already exists" });
    await expect(trackerAs("alice").createVersion("2.0")).rejects.toMatchObject({ name: ForbiddenError.name, userMessage: "MantisBT refused this: Access denied to add versions" });
    await expect(trackerAs("manager").markVersionReleased(99, NOW)).rejects.toMatchObject({ name: NotFoundError.name, userMessage: "Version with id '99' not found" });
  });
});
