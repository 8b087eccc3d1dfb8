/**
 * Sub-bugs on a real MantisBT, which refuses to resolve a parent while a child is unresolved
 * (`allow_parent_of_unresolved_to_close = OFF`): `ask` opens a child; `verdict pass` on the parent (a
 * bug without a customer, so a passed review resolves it) is refused with the sub-bug named and
 * nothing changed; once the child is resolved, it passes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dateInDays, startRealWorld, type RealWorld } from "./support/real-world.js";

const inFourWeeks = dateInDays(28);

let w: RealWorld;
let parent: number;
let child: number;

beforeAll(async () => {
  w = await startRealWorld();
});
afterAll(async () => {
  await w?.close();
});

const step = (person: keyof RealWorld["people"], line: string) => w.step(person, line);

describe("sub-bugs through the process on a real MantisBT", () => {
  it("ask opens a child in FEEDBACK for bob, linked to the parent", async () => {
    // Not a customer's bug: a passed review resolves it at once, which is where MantisBT's rule bites.
    parent = await w.fileAsReporter("Wallet: refresh fails after exchange key rotation", "Seen with wallet 0.14.2");
    await step("manager", `triage ${parent} @alice`);
    const asked = await step("alice", `ask ${parent} @bob "Does the exchange sign the new keys with the old master key?"`);
    child = Number(/Opened \[?#(\d+)/.exec(asked)![1]);
    const sub = await w.tracker.getBug(child);
    expect(sub).toMatchObject({ status: "feedback", handler: { name: "bob" } });
    expect(sub.relationships).toEqual([expect.objectContaining({ type: "child-of", otherBugId: parent })]);
  });

  it("brings the parent to review while the child stays open", async () => {
    await step("bob", `feedback ${child} 0h ${inFourWeeks} "Yes, the old key signs the new ones; nothing to change in the exchange"`);
    await step("alice", `feedback ${parent} 4h ${inFourWeeks} "Fix the wallet's key check"`);
    await step("manager", `confirm ${parent}`);
    await step("alice", `start ${parent}`);
    await step("alice", `draft ${parent} "We fixed the wallet so that it accepts the exchange's new keys."`);
    await step("alice", `review ${parent} @bob`);
    expect(await w.tracker.getBug(parent)).toMatchObject({ status: "feedback", handler: { name: "bob" } });
    expect((await w.tracker.getBug(child)).status).not.toMatch(/resolved|closed/);
  });

  it("refuses verdict pass on the parent, naming the open sub-bug, and changes nothing", async () => {
    const before = await w.tracker.getBug(parent);
    const result = await w.command(w.people.bob, w.managementRoom, `verdict ${parent} pass`);
    expect(result.outcome).not.toBe("done");
    expect(result.text).toContain(`#${child}`);
    const after = await w.tracker.getBug(parent);
    expect(after).toMatchObject({ status: "feedback", handler: { name: "bob" } });
    expect(after.notes).toHaveLength(before.notes.length);
  });

  it("passes once the sub-bug is resolved in MantisBT", async () => {
    const resolved = await w.rest("manager", "PATCH", `issues/${child}`, { status: { name: "resolved" }, resolution: { name: "fixed" } });
    expect(resolved.status, JSON.stringify(resolved.json)).toBe(200);
    await step("bob", `verdict ${parent} pass`);
    expect((await w.tracker.getBug(parent)).status).toBe("resolved");
  });
});
