import { afterEach, describe, expect, it } from "vitest";
import { MINUTE, startEngineHarness, type EngineHarness } from "./engine-harness.js";

let h: EngineHarness;
afterEach(async () => {
  await h.close();
});

/**
 * Bob (UTC, 09:00-17:00, Mon-Fri) at Thu 26.11.2026 10:01 has 15 working hours left until Friday's
 * close and 23 until Monday's. #A needs 14h by Friday: it fits. #B needs 10h by Monday: alone it fits,
 * but A comes first, so B needs 24h by Monday: at risk.
 */
async function twoBugsForBob(): Promise<{ a: number; b: number }> {
  h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" } });
  await h.engine.runOnce();
  h.advance(MINUTE);
  const a = await h.tracker.createBug({ summary: "[14h, 27.11.2026] Exchange: wire transfer batching", description: "See title.", handler: "bob" });
  const b = await h.tracker.createBug({ summary: "[10h, 30.11.2026] Merchant: instance export", description: "See title.", handler: "bob" });
  expect((await h.bug(a.id)).status).toBe("assigned");
  return { a: a.id, b: b.id };
}

const riskDms = (name: string) => h.notifier.directsTo(name).filter((message) => message.text.startsWith("**Deadlines need your attention**"));
const riskPosts = () => h.notifier.postsIn("management").filter((message) => message.text.startsWith("**Deadlines at risk, overdue or with a stale estimate**"));

describe("deadlines at risk", () => {
  it("finds a bug at risk only because an earlier-due bug of the same developer comes first (EDF)", async () => {
    const { a, b } = await twoBugsForBob();
    await h.engine.runOnce();

    const [dm] = riskDms("bob");
    expect(riskDms("bob")).toHaveLength(1);
    expect(dm!.text).toContain(`[#${b}]`);
    expect(dm!.text).not.toContain(`[#${a}](`);
    expect(dm!.text).toContain(`**at risk**: needs 24h by 30.11.2026 counting #${a} due earlier, but only 22h 59m of working time are left`);
    expect(dm!.text).toContain(`\`eta ${b} <work left> <deadline>\``);
    expect(dm!.text).toContain("put the delay in writing");
    expect(dm!.buttons).toEqual([{ label: `Snooze #${b} 1 day`, command: `snooze ${b} 1d` }]);

    const [post] = riskPosts();
    expect(riskPosts()).toHaveLength(1);
    expect(post!.text).toContain(`- @bob: [#${b}]`);
  });

  it("reports again only when the state worsens or on the next day", async () => {
    const { a, b } = await twoBugsForBob();
    await h.engine.runOnce();
    h.advance(30 * MINUTE);
    await h.engine.runOnce();
    expect(riskDms("bob")).toHaveLength(1);
    expect(riskPosts()).toHaveLength(1);

    // Worse the same day: B's deadline moves to yesterday, so it is overdue.
    await h.tracker.updateBug(b, { summary: "[10h, 25.11.2026] Merchant: instance export" });
    h.advance(MINUTE);
    await h.engine.runOnce();
    expect(riskDms("bob")).toHaveLength(2);
    expect(riskDms("bob")[1]!.text).toContain(`[#${b}](${h.sim.url}view.php?id=${b}) \\[10h, 25.11.2026\\] Merchant: instance export: **overdue**`);

    // The next working day everything still wrong is reported again, A now included (7h left for 14h).
    h.at("2026-11-27T10:00:00Z");
    await h.engine.runOnce();
    expect(riskDms("bob")).toHaveLength(3);
    expect(riskDms("bob")[2]!.text).toContain(`[#${a}]`);
    expect(riskDms("bob")[2]!.text).toContain(`[#${b}]`);
  });

  it("says nothing outside working time, and reports when the day starts", async () => {
    const { b } = await twoBugsForBob();
    h.at("2026-11-26T19:00:00Z");
    await h.engine.runOnce();
    expect(riskDms("bob")).toEqual([]);
    expect(riskPosts()).toEqual([]);
    h.at("2026-11-27T09:00:00Z");
    await h.engine.runOnce();
    expect(riskDms("bob")[0]!.text).toContain(`[#${b}]`);
  });

  it("leaves a snoozed bug out of the developer's DM but still tells management", async () => {
    const { b } = await twoBugsForBob();
    await h.store.snoozes.set(b, "bob", new Date("2026-11-27T10:00:00Z"), h.clock.now);
    await h.engine.runOnce();
    expect(riskDms("bob")).toEqual([]);
    expect(riskPosts()[0]!.text).toContain(`[#${b}]`);
  });

  it("flags an estimate not updated for STALE_AFTER_DAYS working days", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none", STALE_AFTER_DAYS: "2" } });
    await h.engine.runOnce();
    h.advance(MINUTE);
    const bug = await h.tracker.createBug({ summary: "[2h, 31.12.2026] Docs: glossary", description: "See title.", handler: "carol" });
    await h.engine.runOnce();
    expect(riskDms("carol")).toEqual([]);

    h.at("2026-11-30T10:00:00Z");
    await h.engine.runOnce();
    expect(riskDms("carol")).toEqual([]);
    h.at("2026-11-30T10:05:00Z");
    await h.engine.runOnce();
    expect(riskDms("carol")).toHaveLength(1);
    expect(riskDms("carol")[0]!.text).toContain(`[#${bug.id}](${h.sim.url}view.php?id=${bug.id}) \\[2h, 31.12.2026\\] Docs: glossary: estimate not updated`);
    expect(riskDms("carol")[0]!.text).toContain("the estimate was not updated for 2 working days");

    // Updating the tag is an update of the estimate: fine again.
    await h.tracker.updateBug(bug.id, { summary: "[1h, 31.12.2026] Docs: glossary" });
    h.advance(MINUTE);
    await h.engine.runOnce();
    h.at("2026-12-01T10:00:00Z");
    await h.engine.runOnce();
    expect(riskDms("carol")).toHaveLength(1);
  });

  it("does not report the risks that existed at installation on the first day", async () => {
    h = await startEngineHarness();
    await h.engine.runOnce();
    h.advance(30 * MINUTE);
    await h.engine.runOnce();
    expect(riskPosts()).toEqual([]);
    expect(h.notifier.sent.filter((item) => item.kind === "direct")).toEqual([]);

    h.at("2026-11-27T10:00:00Z");
    await h.engine.runOnce();
    expect(riskPosts()).toHaveLength(1);
    expect(riskPosts()[0]!.text).toMatch(/\*\*overdue\*\*/);
  });
});
