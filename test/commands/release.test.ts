import { afterEach, beforeEach, describe, expect, it } from "vitest";
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

describe("release", () => {
  it("closes every RESOLVED bug, sets the fixed-in version where it is empty, and lists them with links", async () => {
    expect(await resolvedIds()).toEqual([19, 20, 21]);
    const result = await h.run("manager", "release 1.1.0");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toBe(
      [
        "**Closed with 1.1.0 (3):**",
        `- ${link(19)} Wallet: deposit fails for amounts with more than 8 fractional digits (fixed in 1.0.0, kept)`,
        `- ${link(20)} Merchant: PDF receipt rounds VAT per line instead of per order (fixed in 1.0.0, kept)`,
        `- ${link(21)} Exchange refuses coins of an old denomination right after key rotation`,
      ].join("\n"),
    );
    expect(await h.bug(19)).toMatchObject({ status: "closed", fixedInVersion: "1.0.0" });
    expect(await h.bug(21)).toMatchObject({ status: "closed", fixedInVersion: "1.1.0" });
    expect(await resolvedIds()).toEqual([]);
    expect(h.store.getBugProcess(21)?.stage).toBe("closed");
    expect(h.store.listJournal(21)).toEqual([expect.objectContaining({ actor: "manager", action: "release", command: "release", details: expect.objectContaining({ fixedIn: "1.1.0" }) })]);
    // Bugs in other states are left alone.
    expect((await h.bug(13)).status).toBe("assigned");
    expect((await h.bug(24)).status).toBe("closed");
    expect(h.store.listJournal(24)).toEqual([]);
  });

  it("uses the production version the developer's feedback named for a fix that was already out", async () => {
    h.store.updateBugProcess(21, { fixedIn: "production 1.0.0" });
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

  it("says so when nothing is RESOLVED", async () => {
    await h.run("manager", "release 1.1.0");
    const result = await h.run("manager", "release 1.1.0");
    expect(result).toEqual({ kind: "ok", reply: { text: "No RESOLVED bugs to close for 1.1.0.", visibility: "ephemeral" } });
  });

  it("refuses a version the project does not have, listing the known ones, and closes nothing", async () => {
    const result = await h.run("manager", "release 2.0");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toContain("version: `2.0` is not a version of the project in MantisBT (known: `1.1.0`, `1.0.0`, `0.9.0`). Add it in MantisBT first if it is new.");
    expect(result.reply.text).toContain("Usage: `/support release <version>`");
    expect(await resolvedIds()).toEqual([19, 20, 21]);
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
  ])("gives the usage line for %j", async (line, message) => {
    const result = await h.run("manager", line);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    expect(await resolvedIds()).toEqual([19, 20, 21]);
  });
});
