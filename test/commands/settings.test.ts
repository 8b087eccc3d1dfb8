import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ env: { TIMEZONE: "Europe/Zurich" } });
});
afterEach(async () => {
  await h.close();
});

describe("settings", () => {
  it("shows the current settings, with where each comes from, when given no arguments", async () => {
    const result = await h.run("alice", "settings");
    expect(result.kind).toBe("ok");
    expect(result.reply.visibility).toBe("ephemeral");
    expect(result.reply.text.split("\n").slice(0, 7)).toEqual([
      "**Your settings:**",
      "- reminders: `on-change` (default): each reminder as it comes due",
      "- quiet: `18:00-08:00` (default), and your days off",
      "- tz: `Europe/Zurich` (default)",
      "- days: `mon-fri` (default)",
      "- hours: `09:00-17:00` (default)",
      "- holidays: none of your own",
    ]);
  });

  it("changes several settings at once and keeps them", async () => {
    const result = await h.run("alice", "settings reminders=daily@9:30 quiet=19:00-07:30 tz=America/New_York days=mon-thu hours=08:00-16:00 holidays=24.12.2026,2026-12-31");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain("**Changed reminders, quiet, tz, days, hours, holidays:**");
    expect(result.reply.text).toContain("- reminders: `daily@09:30` (yours): one digest each working day at 09:30; reminders wait for it");
    expect(result.reply.text).toContain("- days: `mon-thu` (yours)");
    expect(result.reply.text).toContain("- holidays: `2026-12-24,2026-12-31` (yours)");
    expect(await h.store.preferences.get("alice")).toEqual({
      reminders: "daily@09:30",
      quiet: "19:00-07:30",
      tz: "America/New_York",
      days: "mon-thu",
      hours: "08:00-16:00",
      holidays: ["2026-12-24", "2026-12-31"],
    });
    expect(await h.store.preferences.get("bob")).toEqual({});
  });

  it("turns quiet hours and reminders off, and goes back to the defaults with reset", async () => {
    await h.run("bob", "settings quiet=off reminders=off");
    const shown = await h.run("bob", "settings");
    expect(shown.reply.text).toContain("- quiet: `off` (yours)");
    expect(shown.reply.text).toContain("- reminders: `off` (yours): no reminder DMs (management is still told when feedback is overdue)");
    const reset = await h.run("bob", "settings reset");
    expect(reset.reply.text).toContain("**Back to the defaults:**");
    expect(await h.store.preferences.get("bob")).toEqual({});
  });

  it.each([
    ["settings tz=Mars/Base", "tz: \"Mars/Base\" is not an IANA time zone"],
    ["settings quiet=25:00-08:00", "quiet: \"25:00-08:00\" is not a time range"],
    ["settings reminders=weekly", "reminders: \"weekly\" is not a reminder mode; write on-change, daily@09:00 or off."],
    ["settings hours=17:00-09:00", "hours: \"17:00-09:00\": working hours must end after they start"],
    ["settings days=mon-xyz", "days: \"mon-xyz\" is not a weekday or range"],
    ["settings holidays=31.2.2027", "holidays:"],
    ["settings colour=blue", "colour"],
  ])("refuses %s and says what is wrong", async (line, problem) => {
    const result = await h.run("alice", line);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toContain(problem);
    expect(await h.store.preferences.get("alice")).toEqual({});
  });

  it("lists the caller's running snoozes", async () => {
    await h.run("alice", "snooze 7 1d");
    const result = await h.run("alice", "settings");
    expect(result.reply.text).toContain("Snoozed: #7 until Fri 27.11. 11:00 (`snooze <bug> off` ends one).");
  });
});
