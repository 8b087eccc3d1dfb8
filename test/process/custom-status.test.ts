/**
 * A bug in a status MantisBT was configured with beyond its defaults (or the `@0@` a bad update
 * leaves) can be read, but process commands leave it alone until someone gives it a status the
 * process knows: the bot never overwrites a status it does not understand.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ simulator: { seed: false } });
});
afterEach(async () => {
  await h.close();
});

describe("a bug in a custom MantisBT status", () => {
  // The simulator knows no name for 60 and shows it as MantisBT does then; a real server would say e.g. 'testing'.
  it.each([
    ["@60@", 60, "manager", (id: number) => `triage ${id} @bob`],
    ["@0@", 0, "alice", (id: number) => `grab ${id}`],
  ])("refuses process commands on a bug in status %s and changes nothing", async (name, statusId, user, command) => {
    const bug = await h.tracker.createBug({ summary: "Wallet: QR scan fails", description: "See title." });
    h.sim.database.updateBug(bug.id, { status: statusId });
    const before = h.sim.requests.length;

    const result = await h.run(user, command(bug.id));

    expect(result).toMatchObject({
      kind: "refused",
      reply: {
        text: `Bug #${bug.id} has the MantisBT status '${name}', which the support process does not know: give it one of NEW, FEEDBACK, ACKNOWLEDGED, CONFIRMED, ASSIGNED, RESOLVED, CLOSED in MantisBT first.`,
      },
    });
    expect(h.sim.requests.slice(before).filter((request) => request.method !== "GET")).toEqual([]);
    expect(h.sim.database.bugById(bug.id)?.status).toBe(statusId);
  });
});
