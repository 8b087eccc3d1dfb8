import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProjectVersion } from "../../src/tracker/mantis/mantis-types.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const link = (id: number): string => `[#${id}](${h.sim.url}view.php?id=${id})`;

async function resolvedIds(): Promise<number[]> {
  const bugs = await h.tracker.listBugs({ page: 1, pageSize: 100 });
  return bugs.filter((bug) => bug.status === "resolved").map((bug) => bug.id).sort((a, b) => a - b);
}

/** The project's version of that name as MantisBT has it now. */
async function version(name: string): Promise<ProjectVersion | undefined> {
  return (await h.tracker.listProjectVersions()).find((candidate) => candidate.name === name);
}

describe("release", () => {
  it("closes every RESOLVED bug, sets the fixed-in version where it is empty, lists them with links and marks the version released", async () => {
    expect(await resolvedIds()).toEqual([19, 20, 21]);
    const result = await h.run("manager", "release 1.1.0");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toBe(
      [
        "**Closed with 1.1.0 (3):**",
        `- ${link(19)} Wallet: deposit fails for amounts with more than 8 fractional digits (fixed in 1.0.0, kept)`,
        `- ${link(20)} Merchant: PDF receipt rounds VAT per line instead of per order (fixed in 1.0.0, kept)`,
        `- ${link(21)} Exchange refuses coins of an old denomination right after key rotation`,
        "1.1.0 is marked released in MantisBT, dated 26.11.2026.",
      ].join("\n"),
    );
    expect(await h.bug(19)).toMatchObject({ status: "closed", fixedInVersion: "1.0.0" });
    expect(await h.bug(21)).toMatchObject({ status: "closed", fixedInVersion: "1.1.0" });
    expect(await resolvedIds()).toEqual([]);
    expect(await version("1.1.0")).toMatchObject({ released: true, date: h.clock.now });
    expect((await h.store.bugProcess.get(21))?.stage).toBe("closed");
    expect(await h.store.journal.list(21)).toEqual([
      expect.objectContaining({ actor: "manager", action: "release", command: "release", details: expect.objectContaining({ version: "1.1.0", fixedIn: "1.1.0" }) }),
    ]);
    // Bugs in other states are left alone.
    expect((await h.bug(13)).status).toBe("assigned");
    expect((await h.bug(24)).status).toBe("closed");
    expect(await h.store.journal.list(24)).toEqual([]);
  });

  it("creates a version the project does not have yet, closes the bugs with it and releases it", async () => {
    expect(await version("2.0")).toBeUndefined();
    const result = await h.run("manager", "release 2.0");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/^Created version 2\.0 in MantisBT\.\n\*\*Closed with 2\.0 \(3\):\*\*\n/);
    expect(result.reply.text).toContain(`- ${link(21)} Exchange refuses coins of an old denomination right after key rotation\n`);
    expect(result.reply.text).toMatch(/\n2\.0 is marked released in MantisBT, dated 26\.11\.2026\.$/);
    expect(await h.bug(21)).toMatchObject({ status: "closed", fixedInVersion: "2.0" });
    expect(await version("2.0")).toMatchObject({ released: true, obsolete: false, date: h.clock.now });
    // Created as the manager, who may manage versions in MantisBT.
    expect(h.sim.requests.find((request) => request.method === "POST" && request.path.endsWith("/versions"))?.headers["x-mantis-username"]).toBe("manager");
  });

  it("changes nothing when the version is already released, and says so", async () => {
    await h.run("manager", "release 1.1.0");
    await h.tracker.updateBug(13, { status: "resolved" });
    h.clock.now = new Date("2026-11-30T10:00:00Z");
    const again = await h.run("manager", "release 1.1.0");
    expect(again).toEqual({
      kind: "ok",
      reply: { text: "1.1.0 was already released on 26.11.2026; nothing changed. Bugs resolved since then go with the next release.", visibility: "ephemeral" },
    });
    expect((await h.bug(13)).status).toBe("resolved");
    expect(await version("1.1.0")).toMatchObject({ released: true, date: new Date("2026-11-26T10:00:00Z") });
    const older = await h.run("manager", "release 1.0.0");
    expect(older.reply.text).toMatch(/^1\.0\.0 was already released on \d+\.\d+\.2026; nothing changed\./);
  });

  it("releases a version with nothing RESOLVED and says there was nothing to close", async () => {
    for (const id of await resolvedIds()) await h.tracker.updateBug(id, { status: "closed" });
    const result = await h.run("manager", "release 1.1.0");
    expect(result.reply.text).toBe("No RESOLVED bugs to close for 1.1.0.\n1.1.0 is marked released in MantisBT, dated 26.11.2026.");
    expect((await version("1.1.0"))?.released).toBe(true);
  });

  it("uses the production version the developer's feedback named for a fix that was already out", async () => {
    await h.store.bugProcess.update(21, { fixedIn: "production 1.0.0" });
    const result = await h.run("manager", "release 1.1.0");
    expect(result.reply.text).toContain(`- ${link(21)} Exchange refuses coins of an old denomination right after key rotation (fixed in 1.0.0, as reported in the feedback)`);
    expect(await h.bug(21)).toMatchObject({ status: "closed", fixedInVersion: "1.0.0" });
  });

  it("reads every page of the tracker", async () => {
    const bulk = h.sim.addBulkBugs(250);
    const result = await h.run("manager", "release 1.1.0");
    expect(result.kind).toBe("ok");
    // Every seventh bulk bug is RESOLVED; they were updated before all seeded bugs, so on later pages.
    const resolvedBulk = bulk.filter((_, index) => index % 7 === 5);
    expect(resolvedBulk.length).toBeGreaterThan(30);
    for (const id of resolvedBulk) expect(result.reply.text).toContain(link(id));
    expect((await h.bug(resolvedBulk.at(-1)!)).status).toBe("closed");
  });

  it("closes sub-bugs before their parents", async () => {
    await h.tracker.addRelationship(19, { type: "parent-of", otherBugId: 21 });
    const result = await h.run("manager", "release 1.1.0");
    expect(result.reply.text).toMatch(/^\*\*Closed with 1\.1\.0 \(3\):\*\*\n- \[#21\].*\n- \[#19\].*\n- \[#20\]/);
    const closes = h.sim.requests.filter((request) => request.method === "PATCH" && /\/issues\/\d+$/.test(request.path)).map((request) => Number(request.path.split("/").at(-1)));
    expect(closes).toEqual([21, 19, 20]);
    for (const id of [19, 20, 21]) expect((await h.bug(id)).status).toBe("closed");
  });

  it("leaves a bug with an open sub-bug RESOLVED, says what the sub-bug needs, and releases the rest", async () => {
    await h.tracker.addRelationship(21, { type: "parent-of", otherBugId: 5 });
    const result = await h.run("manager", "release 1.1.0");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain(
      [
        "**Not closed, their sub-bugs are open (1); they go with a later release:**",
        `- ${link(21)}: #5 (@carol) waits for developer feedback: @carol urgently gives feedback: is the problem clear, what is the path to a fix, and a realistic, conservative timeline (\`feedback 5 ...\`); other developers can be asked with \`ask 5 @developer\``,
        "1.1.0 is marked released in MantisBT, dated 26.11.2026.",
      ].join("\n"),
    );
    expect(result.reply.text).toContain(`- ${link(19)} Wallet`);
    expect(await h.bug(21)).toMatchObject({ status: "resolved" });
    expect((await h.bug(21)).fixedInVersion).toBeUndefined();
    expect(await h.store.journal.list(21)).toEqual([]);
    expect((await h.bug(19)).status).toBe("closed");
  });

  it("leaves the version unreleased when MantisBT refuses to close a bug; running it again finishes", async () => {
    // A summary over MantisBT's 128 characters (made in the database) makes every change of the bug fail with 500.
    const summary = (await h.bug(20)).summary;
    h.sim.database.updateBug(20, { summary: "x".repeat(130) });
    const first = await h.run("manager", "release 1.1.0");
    expect(first.kind).toBe("ok");
    expect(first.reply.text).toContain(`**Could not close (1), still RESOLVED:**\n- ${link(20)}: MantisBT failed (HTTP 500)`);
    expect(first.reply.text).toMatch(/\n1\.1\.0 is not marked released yet: run `release 1\.1\.0` again to close the rest and release it\.$/);
    expect((await h.bug(19)).status).toBe("closed");
    expect((await h.bug(20)).status).toBe("resolved");
    expect((await version("1.1.0"))?.released).toBe(false);

    h.sim.database.updateBug(20, { summary });
    const second = await h.run("manager", "release 1.1.0");
    expect(second.reply.text).toBe(
      [`**Closed with 1.1.0 (1):**`, `- ${link(20)} ${summary} (fixed in 1.0.0, kept)`, "1.1.0 is marked released in MantisBT, dated 26.11.2026."].join("\n"),
    );
    expect((await version("1.1.0"))?.released).toBe(true);
  });

  it("is for management only", async () => {
    const result = await h.run("alice", "release 1.1.0");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toBe("Only management can run `release`; you are linked as staff.");
    expect(await resolvedIds()).toEqual([19, 20, 21]);
  });

  it.each([
    ["release", /version: missing/],
    ['release ""', /version: must not be empty/],
    ["release 1.1.0 1.2.0", /Too many arguments/],
    [`release ${"9".repeat(65)}`, /version: is too long: MantisBT takes at most 64 bytes for a version name/],
  ])("gives the usage line for %j", async (line, message) => {
    const result = await h.run("manager", line);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    expect(await resolvedIds()).toEqual([19, 20, 21]);
  });
});
