import { afterEach, describe, expect, it } from "vitest";
import { HOUR, MINUTE, startEngineHarness, trackerAs, type EngineHarness } from "./engine-harness.js";

let h: EngineHarness;
afterEach(async () => {
  await h.close();
});

/** A bug that enters FEEDBACK for bob at Thu 26.11.2026 10:01 UTC, seen by the watcher at 10:02. */
async function bugInFeedback(env: Record<string, string> = {}): Promise<number> {
  h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none", ...env } });
  await h.engine.runOnce();
  h.advance(MINUTE);
  const bug = await h.tracker.createBug({ summary: "Exchange: reserve closes a day early", description: "See title." });
  await h.tracker.updateBug(bug.id, { status: "feedback", handler: "bob" });
  h.advance(MINUTE);
  await h.engine.runOnce();
  return bug.id;
}

async function runAt(iso: string): Promise<void> {
  h.at(iso);
  await h.engine.runOnce();
}

const reminders = (name: string) => h.notifier.directsTo(name).filter((message) => message.text.startsWith("**Feedback needed**"));
const escalations = () => h.notifier.postsIn("management").filter((message) => message.text.startsWith("**Feedback overdue**"));

describe("feedback reminders", () => {
  it("reminds the handler after 4 working hours, then every 4 working hours, saying how to answer and to snooze", async () => {
    const id = await bugInFeedback();
    await runAt("2026-11-26T14:00:00Z");
    expect(reminders("bob")).toEqual([]);

    await runAt("2026-11-26T14:02:00Z");
    expect(reminders("bob")).toHaveLength(1);
    const [first] = reminders("bob");
    expect(first!.text).toContain(`(reminder 1): [#${id}]`);
    expect(first!.text).toContain(`\`feedback ${id} <estimate> <deadline> "path to resolution"\``);
    expect(first!.text).toContain(`\`snooze ${id} 1d\``);
    expect(first!.buttons).toEqual([{ label: "Snooze 1 day", command: `snooze ${id} 1d` }]);

    // The next one counts 4 working hours from the first: 3 h on Thursday, 1 h on Friday morning.
    await runAt("2026-11-26T17:30:00Z");
    await runAt("2026-11-27T10:01:00Z");
    expect(reminders("bob")).toHaveLength(1);
    await runAt("2026-11-27T10:03:00Z");
    expect(reminders("bob").map((message) => /reminder (\d)/.exec(message.text)![1])).toEqual(["1", "2"]);
    expect(h.notifier.directsTo("alice")).toEqual([]);
  });

  it("stops as soon as the handler writes a note", async () => {
    const id = await bugInFeedback();
    await runAt("2026-11-26T14:02:00Z");
    expect(reminders("bob")).toHaveLength(1);

    h.at("2026-11-26T15:00:00Z");
    await trackerAs(h, "bob").addNote(id, { text: "Clear: the closing job uses the wrong time zone. 4h, by next Friday.", private: false });
    await runAt("2026-11-26T15:01:00Z");
    await runAt("2026-11-27T12:00:00Z");
    await runAt("2026-11-30T12:00:00Z");
    expect(reminders("bob")).toHaveLength(1);
    expect(escalations()).toEqual([]);
  });

  it("stops when the bug leaves FEEDBACK", async () => {
    const id = await bugInFeedback();
    await runAt("2026-11-26T14:02:00Z");
    h.at("2026-11-26T15:00:00Z");
    await h.tracker.updateBug(id, { status: "new" });
    await runAt("2026-11-26T15:01:00Z");
    await runAt("2026-11-30T12:00:00Z");
    expect(reminders("bob")).toHaveLength(1);
    expect(escalations()).toEqual([]);
  });

  it("escalates to management once after 16 working hours, and keeps reminding the handler", async () => {
    const id = await bugInFeedback();
    for (const at of ["2026-11-26T14:02:00Z", "2026-11-27T10:03:00Z", "2026-11-27T14:04:00Z", "2026-11-30T10:00:00Z"]) await runAt(at);
    expect(escalations()).toEqual([]);

    await runAt("2026-11-30T10:02:00Z");
    expect(escalations()).toHaveLength(1);
    expect(escalations()[0]).toMatchObject({ bugId: id });
    expect(escalations()[0]!.text).toContain(`@bob has owed feedback for 16 working hours (since Thu 26.11. 10:01; 3 reminders sent)`);

    await runAt("2026-11-30T16:00:00Z");
    await runAt("2026-12-01T16:00:00Z");
    expect(escalations()).toHaveLength(1);
    expect(reminders("bob").length).toBeGreaterThan(3);
  });

  it("holds a reminder due in the handler's quiet hours until they end, and does not drop it", async () => {
    const id = await bugInFeedback();
    await h.store.preferences.set("bob", { quiet: "12:00-15:00" }, h.clock.now);
    await runAt("2026-11-26T14:30:00Z");
    expect(reminders("bob")).toEqual([]);
    await runAt("2026-11-26T15:00:00Z");
    expect(reminders("bob")).toHaveLength(1);
    expect(reminders("bob")[0]!.bugId).toBe(id);
  });

  it("counts working hours in the handler's own calendar and time zone (settings tz and hours)", async () => {
    await bugInFeedback();
    // New York, 08:00-16:00 local: Thursday's work starts at 13:00 UTC, so 4 working hours end at 17:00 UTC.
    await h.store.preferences.set("bob", { tz: "America/New_York", hours: "08:00-16:00" }, h.clock.now);
    await runAt("2026-11-26T14:02:00Z");
    await runAt("2026-11-26T16:59:00Z");
    expect(reminders("bob")).toEqual([]);
    await runAt("2026-11-26T17:00:00Z");
    expect(reminders("bob")).toHaveLength(1);
  });

  it("waits over the weekend: nothing on Saturday, the reminder on Monday morning", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" }, now: new Date("2026-11-27T15:00:00Z") });
    await h.engine.runOnce();
    const bug = await h.tracker.createBug({ summary: "Wallet: crash on rotate", description: "See title." });
    await h.tracker.updateBug(bug.id, { status: "feedback", handler: "bob" });
    h.advance(MINUTE);
    await h.engine.runOnce();
    await runAt("2026-11-28T12:00:00Z");
    await runAt("2026-11-29T12:00:00Z");
    expect(reminders("bob")).toEqual([]);
    await runAt("2026-11-30T11:01:00Z");
    expect(reminders("bob")).toHaveLength(1);
  });

  it("does not remind a handler who snoozed the bug, but still escalates", async () => {
    const id = await bugInFeedback();
    await h.store.snoozes.set(id, "bob", new Date("2026-12-02T09:00:00Z"), h.clock.now);
    for (const at of ["2026-11-26T14:02:00Z", "2026-11-27T12:00:00Z", "2026-11-30T10:02:00Z", "2026-12-01T12:00:00Z"]) await runAt(at);
    expect(reminders("bob")).toEqual([]);
    expect(escalations()).toHaveLength(1);
    await runAt("2026-12-02T09:01:00Z");
    expect(reminders("bob")).toHaveLength(1);
  });

  it("sends no reminder DMs to someone with reminders=off", async () => {
    await bugInFeedback();
    await h.store.preferences.set("bob", { reminders: "off" }, h.clock.now);
    await runAt("2026-11-26T14:02:00Z");
    await runAt("2026-11-27T14:02:00Z");
    expect(h.notifier.directsTo("bob")).toEqual([]);
  });

  it("does not chase a reviewer: review is FEEDBACK too, but not the developer's urgent analysis", async () => {
    const id = await bugInFeedback();
    await h.store.bugProcess.update(id, { stage: "review", reviewer: "bob" }, h.clock.now);
    await runAt("2026-11-27T14:02:00Z");
    expect(reminders("bob")).toEqual([]);
  });

  it("starts counting at installation for a bug already in FEEDBACK then", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" } });
    const bug = await h.tracker.createBug({ summary: "Old feedback round", description: "See title." });
    await h.tracker.updateBug(bug.id, { status: "feedback", handler: "bob" });
    h.advance(30 * 24 * HOUR);
    h.at("2026-12-28T10:00:00Z");
    await h.engine.runOnce();
    expect(h.notifier.sent.filter((item) => item.kind === "direct")).toEqual([]);
    await runAt("2026-12-28T14:01:00Z");
    expect(reminders("bob")).toHaveLength(1);
  });
});

describe("daily digest", () => {
  it("holds reminders for a person with reminders=daily@09:00 and sends one digest at 09:00 instead", async () => {
    const id = await bugInFeedback();
    await h.store.preferences.set("bob", { reminders: "daily@09:00" }, h.clock.now);
    await runAt("2026-11-26T14:02:00Z");
    await runAt("2026-11-26T17:00:00Z");
    await runAt("2026-11-27T08:59:00Z");
    expect(h.notifier.directsTo("bob")).toEqual([]);

    await runAt("2026-11-27T09:00:00Z");
    const digests = h.notifier.directsTo("bob");
    expect(digests).toHaveLength(1);
    expect(digests[0]!.text).toContain("**Your open work, 27.11.2026**");
    expect(digests[0]!.text).toContain("**Feedback you owe (1)**");
    expect(digests[0]!.text).toContain(`[#${id}]`);

    await runAt("2026-11-27T16:00:00Z");
    expect(h.notifier.directsTo("bob")).toHaveLength(1);
  });
});
