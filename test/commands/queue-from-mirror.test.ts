/**
 * `mine` and `summary` read the proactive engine's mirror while the engine runs (no request to
 * MantisBT, no 2,000-bug cap) and MantisBT when it does not, or before its first read is done.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MINUTE, startEngineHarness, type EngineHarness } from "../proactive/engine-harness.js";

let h: EngineHarness;
afterEach(async () => {
  await h.close();
});

/** The engine runs with the default 60 s poll: listings read its mirror. */
function readFromMirror(): void {
  h.core.services.queueSource = { kind: "mirror", pollIntervalMs: MINUTE };
}

async function requestsDuring(run: () => Promise<unknown>): Promise<number> {
  const before = h.sim.requests.filter((request) => request.path === "/api/rest/issues").length;
  await run();
  return h.sim.requests.filter((request) => request.path === "/api/rest/issues").length - before;
}

describe("listings from the engine's mirror", () => {
  it("summary lists the same queue as MantisBT without reading it", async () => {
    h = await startEngineHarness();
    await h.run("alice", "grab 1");
    await h.engine.runOnce();
    const live = (await h.run("alice", "summary")).reply.text;
    expect(live).toMatch(/ · waits for sub-bug \[#18\]/);

    readFromMirror();
    let fromMirror = "";
    expect(await requestsDuring(async () => (fromMirror = (await h.run("alice", "summary")).reply.text))).toBe(0);
    // Sub-bugs too, also one linked by hand in MantisBT (seeded #17 parent-of #18).
    expect(fromMirror).toBe(live);
    expect(fromMirror).not.toMatch(/MantisBT was last read/);
  });

  it("mine lists the caller's bugs from the mirror, by stage, without reading MantisBT", async () => {
    h = await startEngineHarness();
    await h.run("alice", "grab 1");
    await h.engine.runOnce();
    const live = (await h.run("alice", "mine")).reply.text;

    readFromMirror();
    let fromMirror = "";
    expect(await requestsDuring(async () => (fromMirror = (await h.run("alice", "mine")).reply.text))).toBe(0);
    expect(fromMirror).toBe(live);
    expect(fromMirror).toContain("[#1]");
  });

  it("reads MantisBT until the engine's first read is done", async () => {
    h = await startEngineHarness();
    readFromMirror();
    let reply = "";
    expect(await requestsDuring(async () => (reply = (await h.run("carol", "mine")).reply.text))).toBeGreaterThan(0);
    expect(reply).toContain("**Your open bugs");
  });

  it("reads MantisBT while a mirror row from before migration 11 has no state, and the mirror after the next full scan", async () => {
    h = await startEngineHarness();
    await h.engine.runOnce();
    const row = (await h.store.mirror.get(1))!;
    // As migration 11 leaves an older row: no state, no fingerprint (so the full scan writes it again).
    await h.store.mirror.save({ ...row, state: undefined, fingerprint: undefined });
    readFromMirror();
    expect(await requestsDuring(() => h.run("alice", "mine"))).toBeGreaterThan(0);

    h.at("2026-11-27T04:00:00Z");
    await h.engine.runJob("watch-tracker");
    expect((await h.store.mirror.get(1))?.state).toMatchObject({ label: "NEW", open: true });
    expect(await requestsDuring(() => h.run("alice", "mine"))).toBe(0);
  });

  it("lists past the tracker's 2,000-bug cap", async () => {
    h = await startEngineHarness();
    h.sim.addBulkBugs(2_100);
    const live = (await h.run("alice", "mine")).reply.text;
    expect(live).toContain("_(Only the most recently updated bugs were read.)_");

    await h.engine.runJob("watch-tracker");
    readFromMirror();
    const fromMirror = (await h.run("alice", "mine")).reply.text;
    expect(fromMirror).not.toContain("Only the most recently updated bugs were read");
    const count = (text: string): number => Number(/\*\*Your open bugs \((\d+)\)\*\*/.exec(text)?.[1]);
    expect(count(fromMirror)).toBe((await h.store.mirror.list({ openOnly: true })).filter((row) => row.handler === "alice").length);
    expect(count(fromMirror)).toBeGreaterThan(count(live));
  });

  it("says how old the mirror is once MantisBT was not read for more than two poll intervals", async () => {
    h = await startEngineHarness();
    await h.engine.runOnce();
    readFromMirror();
    h.advance(2 * MINUTE);
    expect((await h.run("alice", "summary")).reply.text).not.toMatch(/MantisBT was last read/);

    h.advance(8 * MINUTE);
    expect((await h.run("alice", "summary")).reply.text).toContain("_(MantisBT was last read 10 minutes ago; later changes are missing.)_");
    expect((await h.run("alice", "mine")).reply.text).toContain("_(MantisBT was last read 10 minutes ago; later changes are missing.)_");

    await h.engine.runJob("watch-tracker");
    expect((await h.run("alice", "mine")).reply.text).not.toMatch(/MantisBT was last read/);
  });
});
