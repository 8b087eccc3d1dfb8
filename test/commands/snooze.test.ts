import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("snooze", () => {
  it("snoozes the caller's reminders about a bug for a day", async () => {
    const result = await h.run("carol", "snooze 5 1d");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain(`Reminders to you about [#5](${h.sim.url}view.php?id=5) iOS wallet crashes`);
    expect(result.reply.text).toContain("are snoozed until Fri 27.11. 10:00 (UTC). Management is still told if feedback stays overdue.");
    expect(await h.store.snoozes.get(5, "carol", h.clock.now)).toEqual(new Date("2026-11-27T10:00:00Z"));
    expect(await h.store.snoozes.get(5, "bob", h.clock.now)).toBeUndefined();
  });

  it.each([
    ["4h", "2026-11-26T14:00:00.000Z"],
    ["1d4h", "2026-11-27T14:00:00.000Z"],
    ["1w", "2026-12-03T10:00:00.000Z"],
    ["1.12.2026", "2026-12-01T09:00:00.000Z"],
    ["tomorrow", "2026-11-27T09:00:00.000Z"],
  ])("reads %s as a length or a date", async (length, until) => {
    const result = await h.run("carol", `snooze 5 ${length}`);
    expect(result.kind).toBe("ok");
    expect((await h.store.snoozes.get(5, "carol", h.clock.now))?.toISOString()).toBe(until);
  });

  it("ends a snooze with off", async () => {
    await h.run("carol", "snooze 5 2d");
    const result = await h.run("carol", "snooze 5 off");
    expect(result.reply.text).toBe("Reminders about #5 are on again.");
    expect(await h.store.snoozes.get(5, "carol", h.clock.now)).toBeUndefined();
    expect((await h.run("carol", "snooze 5 off")).reply.text).toBe("Reminders about #5 were not snoozed.");
  });

  it.each([
    ["snooze 5 soon", "is neither a length such as 4h, 1d or 1w nor a date"],
    ["snooze 5 1.1.2020", "is not in the future"],
    ["snooze 5 0h", "must last longer than 0"],
    ["snooze 5", "length"],
    ["snooze 99999 1d", "#99999 does not exist"],
  ])("refuses %s", async (line, problem) => {
    const result = await h.run("carol", line);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toContain(problem);
  });

  it("refuses a snooze longer than 30 days and points to management", async () => {
    const result = await h.run("carol", "snooze 5 6w");
    expect(result.reply.text).toContain("A snooze lasts at most 30 days");
    expect(await h.store.snoozes.get(5, "carol", h.clock.now)).toBeUndefined();
  });
});
