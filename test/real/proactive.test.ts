/**
 * The proactive engine on the real servers: a bug a reporter files straight in MantisBT is announced
 * to management once (not again on later cycles), and the developer who owes feedback gets a reminder
 * by DM, in a DM the bot opens and lists in its `m.direct`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyOf } from "./support/matrix-user.js";
import { isBotNotice, startRealWorld, type RealWorld } from "./support/real-world.js";

let w: RealWorld;
beforeAll(async () => {
  // The first feedback reminder 0.002 working hours (about 7 s) after a bug enters FEEDBACK.
  w = await startRealWorld({ env: { FEEDBACK_REMIND_AFTER: "0.002", FEEDBACK_REMIND_EVERY: "100", FEEDBACK_ESCALATE_AFTER: "100", NEW_REMIND_AFTER: "100" } });
});
afterAll(async () => {
  await w?.close();
});

/** Waits until the watcher has run `cycles` more times. */
async function watcherCycles(cycles: number): Promise<void> {
  const ran = () => w.bot.records().filter((record) => record["job"] === "watch-tracker" && record["msg"] === "job ran").length;
  const target = ran() + cycles;
  const deadline = Date.now() + 30_000;
  while (ran() < target) {
    if (Date.now() > deadline) throw new Error(`the watcher ran ${ran()} times, not ${target}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("the proactive engine against a real MantisBT", () => {
  it("announces a bug filed by a reporter in MantisBT once", async () => {
    const id = await w.fileAsReporter("Merchant backend: /orders answers 500 for a paid order");
    const ping = await w.people.manager.waitForEvent(w.managementRoom, (event) => isBotNotice(event, w.people.bot) && bodyOf(event).includes(`#${id}`), { what: `the NEW-bug ping for #${id}` });
    expect(bodyOf(ping)).toContain("NEW bug");
    await watcherCycles(3);
    const pings = (await w.people.manager.timeline(w.managementRoom)).filter((event) => isBotNotice(event, w.people.bot) && bodyOf(event).includes("NEW bug") && bodyOf(event).includes(`#${id}`));
    expect(pings).toHaveLength(1);
  });

  it("reminds the handler by DM that feedback is owed", async () => {
    const id = await w.fileAsReporter("Exchange: /keys slow after restart");
    const triage = await w.command(w.people.manager, w.managementRoom, `triage ${id} @bob`);
    expect(triage.outcome, triage.text).toBe("done");
    expect((await w.tracker.getBug(id)).status).toBe("feedback");
    // The bot opens a DM with bob (there is none yet) and invites him.
    const dm = await w.people.bob.acceptNextInvite(30_000);
    const reminder = await w.people.bob.waitForEvent(dm, (event) => isBotNotice(event, w.people.bot) && bodyOf(event).includes("Feedback needed") && bodyOf(event).includes(`#${id}`), {
      what: `the feedback reminder for #${id}`,
      timeoutMs: 40_000,
    });
    expect(bodyOf(reminder)).toContain(`feedback ${id}`);
    const direct = await w.people.bot.request<Record<string, string[]>>("GET", `user/${encodeURIComponent(w.people.bot.userId)}/account_data/m.direct`);
    expect(direct[w.people.bob.userId]).toContain(dm);
    expect(await w.people.bob.state(dm, "m.room.encryption")).toBeUndefined();
  });
});
