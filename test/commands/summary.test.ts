import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SUMMARY_SECTIONS } from "../../src/core/summary.js";
import { bringBugTo } from "../support/bring-bug-to.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const link = (id: number): string => `[#${id}](${h.sim.url}view.php?id=${id})`;

/** The lines of one section of the summary, without its heading. */
function section(text: string, title: string): string[] {
  const block = text.split("\n\n").find((part) => part.startsWith(`**${title} (`));
  return block ? block.split("\n").slice(1) : [];
}

describe("summary", () => {
  it("posts the open queue by stage in the channel", async () => {
    const result = await h.run("alice", "summary");
    expect(result.kind).toBe("ok");
    expect(result.reply.visibility).toBe("channel");
    const text = result.reply.text;
    expect(text.split("\n")[0]).toBe("#### Support queue, Thu 26.11.2026");
    expect(section(text, "NEW, awaiting triage").some((line) => line.startsWith(`- ${link(1)} Android wallet shows withdrawal`))).toBe(true);
    expect(section(text, "Feedback owed").some((line) => line.startsWith(`- ${link(5)} `) && line.includes("carol owes feedback"))).toBe(true);
    // Resolved and closed bugs are not part of the queue.
    for (const id of [19, 20, 21, 22, 23, 24]) expect(text).not.toContain(link(id));
  });

  it("shows work left, deadline and deadline risk from the subject tag", async () => {
    const text = (await h.run("alice", "summary")).reply.text;
    const overdue = section(text, "In work").find((line) => line.startsWith(`- ${link(13)} `));
    expect(overdue).toBe(`- ${link(13)} Exchange: wire fees for next year not published · alice · **urgent** · customer · 4h left · due 23.11.2026 · **OVERDUE**`);
  });

  it("judges deadline risk in the developer's own working calendar, as the daily summary does", async () => {
    const before = section((await h.run("alice", "summary")).reply.text, "In work").find((line) => line.startsWith(`- ${link(14)} `));
    expect(before).toMatch(/· \*\*at risk\*\*$/);
    expect((await h.run("bob", "settings days=mon-sun hours=06:00-22:00")).kind).toBe("ok");
    const after = section((await h.run("alice", "summary")).reply.text, "In work").find((line) => line.startsWith(`- ${link(14)} `));
    expect(after).toBeDefined();
    expect(after).not.toMatch(/at risk|OVERDUE/);
  });

  it("says which open sub-bugs a bug waits for, from MantisBT's relationships", async () => {
    // Seeded: #17 (in work) is parent-of #18 (NEW).
    const before = section((await h.run("alice", "summary")).reply.text, "In work").find((line) => line.startsWith(`- ${link(17)} `));
    expect(before).toMatch(new RegExp(` · waits for sub-bug \\[#18\\]\\(${h.sim.url}view\\.php\\?id=18\\)$`));
    await h.tracker.updateBug(18, { status: "resolved" });
    const after = section((await h.run("alice", "summary")).reply.text, "In work").find((line) => line.startsWith(`- ${link(17)} `));
    expect(after).toBeDefined();
    expect(after).not.toContain("waits for sub-bug");
  });

  it("puts bugs in review and bugs waiting for the customer to be told in their own sections", async () => {
    await bringBugTo(h, 16, { status: "feedback", handler: "bob", stage: "review", developer: "alice", reviewer: "bob" });
    await bringBugTo(h, 28, { status: "assigned", handler: "manager", stage: "resolution", communicator: "manager", draftText: "We fixed it." });
    const text = (await h.run("manager", "summary")).reply.text;
    expect(section(text, "In review")).toEqual([expect.stringMatching(new RegExp(`^- \\[#16\\]\\(.*\\) .* · bob reviewing · for 0m$`))]);
    expect(section(text, "Resolved, customer not yet notified")).toEqual([expect.stringMatching(/^- \[#28\]\(.*\) .* · manager to notify the customer · for 0m$/)]);
  });

  it("lists what changed in the last day from the journal", async () => {
    await h.tracker.updateBug(2, { status: "assigned", handler: "carol" });
    h.clock.now = new Date("2026-11-24T09:00:00Z");
    await h.run("carol", "review 2 @bob");
    h.clock.now = new Date("2026-11-26T09:30:00Z");
    await h.run("bob", "verdict 2 fail still failing");
    h.clock.now = new Date("2026-11-26T10:00:00Z");
    const text = (await h.run("alice", "summary")).reply.text;
    expect(section(text, "Changed since yesterday")).toEqual([
      `- 26.11. 09:30 ${link(2)} verdict-fail by bob: FEEDBACK → ASSIGNED`,
      `- 26.11. 09:30 ${link(2)} verdict-fail-note by bob`,
    ]);
  });

  it("never shows a customer's personal data", async () => {
    await h.store.calls.add({
      recordedAt: h.clock.now,
      recordedBy: "alice",
      customerName: "Hedwig Sommer",
      customerType: "merchant",
      phone: "+41 79 555 01 23",
      email: "hedwig@example.org",
      issue: "refund button missing",
      callDate: "2026-11-25",
      route: "bug",
      bugId: 3,
    });
    const result = await h.run("alice", "summary");
    for (const secret of ["Hedwig", "Sommer", "555 01 23", "hedwig@example.org"]) {
      expect(result.reply.text).not.toContain(secret);
      expect(h.log.text()).not.toContain(secret);
    }
  });

  it("shows per section its count, the most urgent items and the command for the rest, in one message", async () => {
    await h.close();
    h = await startHarness({ env: { SUMMARY_ITEMS_PER_SECTION: "2" } });
    const text = (await h.run("alice", "summary")).reply.text;
    // Seeded NEW bugs: #1 high and customer, the most urgent, then the others by priority and age.
    const triage = section(text, "NEW, awaiting triage");
    expect(triage).toHaveLength(3);
    expect(triage[0]).toMatch(new RegExp(`^- \\[#1\\]\\(.*\\) Android wallet shows withdrawal .* · \\*\\*high\\*\\* · customer · waiting `));
    const total = Number(/\*\*NEW, awaiting triage \((\d+)\)\*\*/.exec(text)![1]);
    expect(triage[2]).toBe(`- and ${total - 2} more: \`/support summary new\``);
    const work = section(text, "In work");
    expect(work[0]).toContain("**OVERDUE**");
    expect(work.at(-1)).toMatch(/^- and \d+ more: `\/support summary work`$/);
  });

  it("stays one message however long the queue", async () => {
    h.sim.addBulkBugs(600);
    const result = await h.run("alice", "summary");
    expect(result.kind).toBe("ok");
    expect(result.reply.visibility).toBe("channel");
    expect([...result.reply.text].length).toBeLessThanOrEqual(16_000);
    for (const title of ["NEW, awaiting triage", "Feedback owed", "Confirmed, not started", "In work"]) {
      const lines = section(result.reply.text, title);
      expect(lines.length, title).toBe(11);
      expect(lines.at(-1), title).toMatch(/^- and \d+ more: `\/support summary \w+`$/);
    }
  });

  it("lists a short section whole in the channel", async () => {
    const full = (await h.run("alice", "summary")).reply.text;
    const result = await h.run("alice", "summary FEEDBACK");
    expect(result.kind).toBe("ok");
    expect(result.reply.visibility).toBe("channel");
    const lines = result.reply.text.split("\n");
    expect(lines[0]).toBe("#### Support queue, Thu 26.11.2026");
    expect(section(result.reply.text, "Feedback owed")).toEqual(section(full, "Feedback owed"));
    expect(result.reply.text).not.toContain("**NEW, awaiting triage");
  });

  it("sends a section too long for one message to the caller alone, every bug in it", async () => {
    // Two sevenths of them acknowledged or confirmed: a section of about 170 bugs.
    h.sim.addBulkBugs(600);
    const capped = (await h.run("alice", "summary")).reply.text;
    const total = Number(/\*\*Confirmed, not started \((\d+)\)\*\*/.exec(capped)![1]);
    const result = await h.run("alice", "summary confirmed");
    expect(result.kind).toBe("ok");
    expect(result.reply.visibility).toBe("ephemeral");
    expect([...result.reply.text].length).toBeGreaterThan(16_000);
    expect(result.reply.text.split("\n")[0]).toBe("_The whole section is longer than one message, so it comes to you only._");
    const lines = section(result.reply.text, "Confirmed, not started");
    expect(lines).toHaveLength(total);
    // The capped summary's items are the first of the whole section.
    expect(lines.slice(0, 10)).toEqual(section(capped, "Confirmed, not started").slice(0, 10));
  });

  it("refuses an unknown section, listing the sections", async () => {
    const result = await h.run("alice", "summary today");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toContain("There is no section `today` in the summary. The sections are:");
    for (const key of SUMMARY_SECTIONS) expect(result.reply.text).toContain(`- \`${key}\`: `);
    expect(result.reply.text).toContain(`Usage: \`/support summary [${SUMMARY_SECTIONS.join("|")}]\``);
  });

  it("lists the sections on summary help", async () => {
    const result = await h.run("alice", "summary help");
    expect(result.kind).toBe("ok");
    expect(result.reply.text.split("\n")).toEqual([
      "`/support summary <section>` lists one section whole. The sections:",
      "- `new`: NEW, awaiting triage",
      "- `feedback`: Feedback owed",
      "- `confirmed`: Confirmed, not started",
      "- `work`: In work",
      "- `review`: In review",
      "- `notify`: Resolved, customer not yet notified",
      "- `changes`: Changed since yesterday",
    ]);
  });

  it("explains to an unknown chat user how to get linked", async () => {
    const result = await h.run("mallory", "summary");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/not linked/);
  });
});
