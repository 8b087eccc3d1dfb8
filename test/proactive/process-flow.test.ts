import { afterEach, describe, expect, it } from "vitest";
import { HOUR, MINUTE, startEngineHarness, type EngineHarness } from "./engine-harness.js";

let h: EngineHarness;
afterEach(async () => {
  await h.close();
});

describe("the engine and the commands together", () => {
  it("announces, chases and hands over a bug as people work it through the buttons' commands", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "none" } });
    await h.engine.runOnce();
    const filed = await h.tracker.createBug({ summary: "Wallet: top-up stuck at 'waiting for bank'", description: "Seen twice.", tags: ["Customer"] });
    const id = filed.id;
    h.advance(MINUTE);
    await h.engine.runOnce();

    // The ping's buttons: "Triage…" answers with one button per developer, which completes the command.
    const ping = h.notifier.postsIn("management").at(-1)!;
    expect(ping.buttons?.map((button) => button.command)).toEqual([`grab ${id}`, `triage ${id}`]);
    const offer = await h.run("manager", `triage ${id}`);
    expect(offer.kind).toBe("ok");
    const bob = offer.reply.buttons?.find((button) => button.label === "@bob");
    expect(bob?.command).toBe(`triage ${id} @bob`);
    expect((await h.run("manager", bob!.command)).kind).toBe("ok");
    h.advance(MINUTE);
    await h.engine.runOnce();

    h.advance(4 * HOUR);
    await h.engine.runOnce();
    const reminder = h.notifier.directsTo("bob").find((message) => message.text.startsWith("**Feedback needed**"))!;
    expect(reminder.buttons).toEqual([{ label: "Snooze 1 day", command: `snooze ${id} 1d` }]);
    expect((await h.run("bob", reminder.buttons![0]!.command)).kind).toBe("ok");
    const remindersSoFar = h.notifier.directsTo("bob").length;

    h.advance(5 * HOUR);
    await h.engine.runOnce();
    expect(h.notifier.directsTo("bob")).toHaveLength(remindersSoFar);

    const feedback = await h.run("bob", `feedback ${id} 4h 10.12.2026 "Clear: the bank's callback is dropped by the proxy; fix in the exchange config"`);
    expect(feedback.kind).toBe("ok");
    h.advance(MINUTE);
    await h.engine.runOnce();
    const handover = h.notifier.postsIn("management").filter((post) => post.text.startsWith("**Feedback in**"));
    expect(handover).toHaveLength(1);
    expect(handover[0]!.text).toContain("Proposed: **4h** of work, deadline **10.12.2026**.");
    expect(handover[0]!.buttons).toEqual([{ label: "Confirm", command: `confirm ${id}`, style: "primary" }]);
    expect(h.notifier.postsIn("management").filter((post) => post.text.startsWith("**NEW bug**"))).toHaveLength(1);

    // The feedback is in: no reminder or escalation after the snooze ends.
    h.advance(3 * 24 * HOUR);
    await h.engine.runOnce();
    expect(h.notifier.directsTo("bob")).toHaveLength(remindersSoFar);
    expect(h.notifier.postsIn("management").filter((post) => post.text.includes("Feedback overdue"))).toEqual([]);

    expect((await h.run("manager", handover[0]!.buttons![0]!.command)).kind).toBe("ok");
    expect((await h.bug(id)).status).toBe("confirmed");
  });
});
