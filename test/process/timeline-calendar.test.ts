/**
 * One calendar: a deadline given to `eta` or `feedback` is judged by the working calendar the
 * deadline-risk job uses for the same developer (WORK_DAYS, WORK_HOURS, HOLIDAYS, TIMEZONE and the
 * person's own `settings`), so for a developer's only bug the command warns exactly when the job
 * will flag it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MINUTE, startEngineHarness, type EngineHarness } from "../proactive/engine-harness.js";

let h: EngineHarness;
afterEach(async () => {
  await h.close();
});

const FIT_WARNING = "does not fit into the working time left before 27.11.2026";

/** Thu 26.11.2026 10:01 UTC: the engine is installed and bob handles a bug whose tag `eta` will set. */
async function bobsBug(env: Record<string, string> = {}): Promise<number> {
  h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none", ...env } });
  await h.engine.runOnce();
  h.advance(MINUTE);
  const bug = await h.tracker.createBug({ summary: "[1h, 31.12.2026] Merchant: instance export", description: "See title.", handler: "bob" });
  return bug.id;
}

/** What the deadline-risk job told management about the bug: its line in the report, if any. */
async function riskLineFor(bugId: number): Promise<string | undefined> {
  await h.engine.runOnce();
  const posts = h.notifier.postsIn("management").filter((message) => message.text.startsWith("**Deadlines at risk, overdue or with a stale estimate**"));
  return posts.flatMap((post) => post.text.split("\n")).find((line) => line.includes(`[#${bugId}]`));
}

describe("a deadline given to eta is judged in the developer's own working calendar", () => {
  // From Thu 10:01 UTC a standard week leaves 6h 59m on Thursday and 8h on Friday: 14h 59m.
  it.each<{ what: string; env: Record<string, string>; settings: string | undefined; estimate: string }>([
    { what: "a company holiday (HOLIDAYS)", env: { HOLIDAYS: "2026-11-27" }, settings: undefined, estimate: "10h" },
    { what: "a company day off (WORK_DAYS)", env: { WORK_DAYS: "mon-thu" }, settings: undefined, estimate: "10h" },
    { what: "the company's working window (WORK_HOURS)", env: { WORK_HOURS: "08:00-12:00" }, settings: undefined, estimate: "8h" },
    { what: "the developer's own working days", env: {}, settings: "settings days=mon-thu", estimate: "10h" },
    { what: "the developer's own working hours", env: {}, settings: "settings hours=09:00-12:00", estimate: "8h" },
    // 10:01 UTC is 19:01 in Tokyo: Thursday is over there, Friday 09:00-17:00 Tokyo is all that is left.
    { what: "the developer's own time zone", env: {}, settings: "settings tz=Asia/Tokyo", estimate: "10h" },
  ])("warns when the work does not fit because of $what, as the risk job then flags it", async ({ env, settings, estimate }) => {
    const bugId = await bobsBug(env);
    if (settings) expect((await h.run("bob", settings)).kind).toBe("ok");

    const result = await h.run("bob", `eta ${bugId} ${estimate} 27.11.2026`);
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain(FIT_WARNING);
    expect(await riskLineFor(bugId)).toContain("**at risk**");
  });

  it("stays quiet when the work fits in that calendar, and so does the risk job", async () => {
    const bugId = await bobsBug({ HOLIDAYS: "2026-11-27" });
    const result = await h.run("bob", `eta ${bugId} 6h 27.11.2026`);
    expect(result.kind).toBe("ok");
    expect(result.reply.text).not.toContain("does not fit");
    expect(await riskLineFor(bugId)).toBeUndefined();
  });

  it("judges the handler's calendar when management runs eta for them", async () => {
    const bugId = await bobsBug();
    expect((await h.run("bob", "settings days=mon-thu")).kind).toBe("ok");
    const result = await h.run("manager", `eta ${bugId} 10h 27.11.2026`);
    expect(result.reply.text).toContain("Note: 1d2h of work does not fit into @bob's working time left before 27.11.2026 (about 6h59m)");
    expect(await riskLineFor(bugId)).toContain("**at risk**");
  });

  it("refuses a deadline that has already passed in the developer's own time zone", async () => {
    const bugId = await bobsBug();
    expect((await h.run("bob", "settings tz=Asia/Tokyo")).kind).toBe("ok");
    // 20:00 UTC on Thursday is Friday 05:00 in Tokyo: Thursday is yesterday for bob.
    h.at("2026-11-26T20:00:00Z");
    const result = await h.run("bob", `eta ${bugId} 1h 26.11.2026`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toContain("26.11.2026 is in the past (today is 27.11.2026)");
  });
});

describe("a deadline given to feedback is judged in the developer's own working calendar", () => {
  it("warns when the work does not fit before a holiday, as the risk job flags it once confirmed", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none", HOLIDAYS: "2026-11-27" } });
    await h.engine.runOnce();
    h.advance(MINUTE);
    const bug = await h.tracker.createBug({ summary: "Exchange: wire transfer batching", description: "See title." });
    expect((await h.run("manager", `triage ${bug.id} @bob`)).kind).toBe("ok");

    const result = await h.run("bob", `feedback ${bug.id} 10h 27.11.2026 "Clear: batching is off by one in the exchange"`);
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain(FIT_WARNING);

    expect((await h.run("manager", `confirm ${bug.id}`)).kind).toBe("ok");
    expect(await riskLineFor(bug.id)).toContain("**at risk**");
  });
});
