import { afterEach, describe, expect, it } from "vitest";
import { fitMessage } from "../../src/chat/kernel/outbound.js";
import { MATRIX_MESSAGE_LIMIT } from "../../src/chat/matrix/matrix-transport.js";
import { renderNotice } from "../../src/chat/matrix/render.js";
import { fitForMattermost } from "../../src/chat/mattermost/render.js";
import { MAX_MESSAGE_BYTES } from "../../src/proactive/outbox.js";
import { SEED_USERS } from "../../src/simulators/mantis/seed.js";
import { MINUTE, startEngineHarness, type EngineHarness } from "./engine-harness.js";

let h: EngineHarness;
afterEach(async () => {
  await h.close();
});

const summaries = (channel = "management") => h.notifier.postsIn(channel).filter((post) => post.text.startsWith("#### Support queue"));

async function runAt(iso: string): Promise<void> {
  h.at(iso);
  await h.engine.runOnce();
}

describe("daily channel summary", () => {
  it("posts the queue at the configured time on working days, once a day, with a link to every open bug", async () => {
    h = await startEngineHarness();
    await h.engine.runOnce();
    expect(summaries()).toEqual([]); // installed after today's 09:00: the first summary is tomorrow's

    await runAt("2026-11-27T08:59:00Z");
    expect(summaries()).toEqual([]);
    await runAt("2026-11-27T09:00:00Z");
    expect(summaries()).toHaveLength(1);
    const text = summaries()[0]!.text;
    expect(text).toMatch(/^#### Support queue, Fri 27\.11\.2026/);
    for (const section of ["NEW, awaiting triage", "Feedback owed", "Confirmed, not started", "In work"]) expect(text).toContain(`**${section} (`);
    const open = (await h.tracker.listBugs({ page: 1, pageSize: 100 })).filter((bug) => bug.status !== "resolved" && bug.status !== "closed");
    for (const bug of open) expect(text).toContain(`[#${bug.id}](${h.sim.url}view.php?id=${bug.id})`);
    expect(text).toMatch(/\*\*OVERDUE\*\*/);

    await runAt("2026-11-27T12:00:00Z");
    expect(summaries()).toHaveLength(1);
    await runAt("2026-11-28T09:30:00Z");
    await runAt("2026-11-29T09:30:00Z");
    expect(summaries()).toHaveLength(1); // the weekend is quiet
    await runAt("2026-11-30T09:00:00Z");
    expect(summaries()).toHaveLength(2);
  });

  it("lists what changed since the last summary, with who did it through the bot", async () => {
    h = await startEngineHarness();
    await h.engine.runOnce();
    await runAt("2026-11-27T09:00:00Z");
    h.at("2026-11-27T11:00:00Z");
    const grabbed = await h.run("bob", "grab 2");
    expect(grabbed.kind).toBe("ok");
    h.advance(MINUTE);
    await h.engine.runOnce();

    await runAt("2026-11-30T09:00:00Z");
    const text = summaries()[1]!.text;
    expect(text).toContain("**Changed since yesterday (1)**");
    expect(text).toContain(`- 27.11. 11:00 [#2](${h.sim.url}view.php?id=2) NEW → FEEDBACK, handler nobody → bob (bob, grab)`);
  });

  it("says which sub-bugs opened with ask a bug still waits for", async () => {
    h = await startEngineHarness();
    await h.engine.runOnce();
    await h.run("manager", "triage 1 @alice");
    const asked = await h.run("alice", 'ask 1 @bob "Does the exchange need a schema change?"');
    const subId = Number(/Opened \[#(\d+)\]/.exec(asked.reply.text)![1]);
    h.advance(MINUTE);
    await h.engine.runOnce();
    await runAt("2026-11-27T09:00:00Z");
    const parentLine = summaries()[0]!.text.split("\n").find((line) => line.startsWith(`- [#1](`));
    expect(parentLine).toMatch(new RegExp(`alice owes feedback · for .* · waits for sub-bug \\[#${subId}\\]\\(${h.sim.url}view\\.php\\?id=${subId}\\)$`));
  });

  it("says all clear when nothing needs anyone", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    await h.engine.runOnce();
    await runAt("2026-11-27T09:00:00Z");
    expect(summaries()[0]!.text).toBe("#### Support queue, Fri 27.11.2026\n\nAll clear: no bug needs anyone right now.");
  });

  it("posts to each configured channel at its own time and time zone", async () => {
    h = await startEngineHarness({ simulator: { seed: false }, env: { SUMMARY_CHANNELS: "management@09:00,support@09:30/America/New_York" } });
    await h.engine.runOnce();
    await runAt("2026-11-27T09:00:00Z");
    expect(summaries("management")).toHaveLength(1);
    await runAt("2026-11-27T14:29:00Z");
    expect(summaries("support")).toEqual([]);
    await runAt("2026-11-27T14:30:00Z");
    expect(summaries("support")).toHaveLength(1);
  });

  it("posts one message over 10,000 bugs, each section with its count and the command for the rest", async () => {
    h = await startEngineHarness({ env: { WATCH_PAGE_SIZE: "1000" } });
    h.sim.addBulkBugs(10_000);
    await h.engine.runOnce();
    await runAt("2026-11-27T09:00:00Z");
    expect(await h.store.outbox.list({ kind: "summary" })).toHaveLength(1);
    expect(summaries()).toHaveLength(1);
    const text = summaries()[0]!.text;
    expect(Buffer.byteLength(text, "utf8")).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    // One post on Mattermost and one event on Matrix, as their renderers cut it.
    expect(fitForMattermost({ text }, { actionUrl: undefined })).toHaveLength(1);
    expect(fitMessage({ text }, { limit: MATRIX_MESSAGE_LIMIT, buttons: false, typedButtons: () => "" })).toHaveLength(1);
    expect(Buffer.byteLength(JSON.stringify(renderNotice({ text }, "!support")), "utf8")).toBeLessThan(65_536);
    const open = await h.store.mirror.list({ openOnly: true });
    expect(open.length).toBeGreaterThan(7_000);
    const counted = [...text.matchAll(/^\*\*(?!Changed)(.+) \((\d+)\)\*\*$/gm)].reduce((sum, match) => sum + Number(match[2]), 0);
    expect(counted).toBe(open.length);
    for (const [title, key] of [["NEW, awaiting triage", "new"], ["Feedback owed", "feedback"], ["Confirmed, not started", "confirmed"], ["In work", "work"]] as const) {
      const block = text.split("\n\n").find((part) => part.startsWith(`**${title} (`))!;
      const lines = block.split("\n");
      expect(lines, title).toHaveLength(12);
      const total = Number(/\((\d+)\)/.exec(lines[0]!)![1]);
      expect(lines.at(-1), title).toBe(`- and ${total - 10} more: \`summary ${key}\``);
    }
  }, 60_000);

  it("never carries customer personal data: no call records, no private notes, no reporter names or e-mails", async () => {
    h = await startEngineHarness();
    await h.store.calls.add({
      recordedAt: h.clock.now,
      recordedBy: "manager",
      customerName: "Erika Mustermann",
      customerType: "merchant",
      phone: "+41 79 555 01 23",
      email: "erika@shop.example",
      issue: "Refunds fail",
      callDate: "2026-11-26",
      route: "bug",
      bugId: 3,
    });
    await h.engine.runOnce();
    for (const at of ["2026-11-26T15:00:00Z", "2026-11-27T09:00:00Z", "2026-11-27T14:00:00Z", "2026-11-30T10:00:00Z"]) await runAt(at);
    const everything = `${h.notifier.text()}\n${h.log.text()}`;
    expect(summaries().length).toBeGreaterThan(0);
    for (const secret of ["Erika", "Mustermann", "+41 79 555", "erika@shop.example", ...SEED_USERS.flatMap((user) => [user.realName, user.email])]) {
      expect(everything).not.toContain(secret);
    }
    const privateNotes = (await h.bug(11)).notes.filter((note) => note.private);
    expect(privateNotes.length).toBeGreaterThan(0);
    for (const note of privateNotes) expect(everything).not.toContain(note.text.slice(0, 40));
  });

  it("tells the channel when MantisBT has not answered for a while", async () => {
    h = await startEngineHarness({ simulator: { seed: false } });
    await h.engine.runOnce();
    h.at("2026-11-27T08:00:00Z");
    await h.engine.runOnce();
    h.sim.failNext(503, "<html>maintenance</html>", { times: 100 });
    h.at("2026-11-27T09:00:00Z");
    await h.engine.runOnce();
    expect(summaries()[0]!.text).toContain("_MantisBT has not answered since Fri 27.11. 08:00; later changes are missing._");
    expect(h.log.records().some((record) => record.msg === "job failed" && record.job === "watch-tracker")).toBe(true);
  });
});
