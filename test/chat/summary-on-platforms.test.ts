/**
 * The queue summary as each platform's renderer takes it: one message at any tracker size (10,000
 * bugs here), counts and "more" lines intact, and a whole section split by the chat kernel.
 */
import { describe, expect, it } from "vitest";
import { renderNotice } from "../../src/chat/matrix/render.js";
import { MATRIX_MESSAGE_LIMIT } from "../../src/chat/matrix/matrix-transport.js";
import { fitForMattermost, MATTERMOST_MESSAGE_LIMIT } from "../../src/chat/mattermost/render.js";
import { fitMessage, measureText, typedButtonsLine } from "../../src/chat/kernel/outbound.js";
import { composeSection, composeSummary, SUMMARY_SECTION_TITLES, SUMMARY_SECTIONS, type SummaryBug, type SummaryChange } from "../../src/core/summary.js";
import type { MessageLimit } from "../../src/framework/reply.js";
import { MAX_MESSAGE_BYTES } from "../../src/proactive/outbox.js";

const now = new Date("2034-03-14T08:00:00Z");
const bugUrl = (id: number): string => `https://bugs.taler.example/view.php?id=${id}`;
const STATUSES = ["new", "feedback", "confirmed", "assigned", "assigned", "acknowledged"] as const;

/** A big tracker: long subjects with umlauts and Markdown to escape, handlers, deadlines, risks, sub-bugs. */
function bigQueue(count: number): SummaryBug[] {
  return Array.from({ length: count }, (_, index) => {
    const id = 10_000 + index;
    const status = STATUSES[index % STATUSES.length]!;
    return {
      id,
      summary: `Zahlungsabwicklung für Händler *${index}* schlägt fehl, wenn der Betrag [EUR] über Grenzwert <${index % 97}> liegt; Übersetzung prüfen `.repeat(2),
      status,
      handler: status === "new" ? undefined : `developer-${index % 40}`,
      priority: (["normal", "high", "urgent", "low"] as const)[index % 4]!,
      customer: index % 3 === 0,
      createdAt: new Date(now.getTime() - (index + 1) * 3_600_000),
      updatedAt: new Date(now.getTime() - index * 60_000),
      ...(status === "assigned" ? { workLeftMinutes: 240, deadline: `2034-03-${String(10 + (index % 18)).padStart(2, "0")}`, risk: (["ok", "at-risk", "overdue", "stale"] as const)[index % 4]! } : {}),
      ...(index % 7 === 0 ? { stage: index % 2 === 0 ? "review" : "resolution" } : {}),
      ...(index % 50 === 0 ? { openSubBugs: Array.from({ length: 30 }, (_, sub) => 30_000 + index + sub) } : {}),
    };
  });
}

function changes(count: number): SummaryChange[] {
  return Array.from({ length: count }, (_, index) => ({ bugId: 10_000 + index, at: new Date(now.getTime() - index * 20_000), change: `grab by developer-${index % 40}: NEW → FEEDBACK` }));
}

const bugs = bigQueue(10_000);
const input = { bugs, changes: changes(3_000), now, timeZone: "Europe/Zurich", bugUrl };

/** Each heading's count, by section title. */
function counts(text: string): Map<string, number> {
  return new Map([...text.matchAll(/^\*\*(.+) \((\d+)\)\*\*$/gm)].map((match) => [match[1]!, Number(match[2])]));
}

const PLATFORMS: { name: string; limit: MessageLimit; parts: (text: string) => string[]; eventBytes: (text: string) => number }[] = [
  {
    name: "Mattermost",
    limit: MATTERMOST_MESSAGE_LIMIT,
    parts: (text) => fitForMattermost({ text }, { actionUrl: undefined }).map((part) => part.text),
    eventBytes: (text) => measureText(text, "code-points"),
  },
  {
    name: "Matrix",
    limit: MATRIX_MESSAGE_LIMIT,
    parts: (text) => fitMessage({ text }, { limit: MATRIX_MESSAGE_LIMIT, buttons: false, typedButtons: (buttons) => typedButtonsLine(buttons, "!support") }).map((part) => part.text),
    // The homeserver refuses events over 65,536 bytes; the notice carries the text as plain body and as HTML.
    eventBytes: (text) => Buffer.byteLength(JSON.stringify({ type: "m.room.message", content: renderNotice({ text }, "!support") }), "utf8"),
  },
];

describe.each(PLATFORMS)("the summary on $name", (platform) => {
  it("is one message over 10,000 bugs, the daily one and the one on demand", () => {
    const daily = composeSummary({ ...input, itemsPerSection: 10, limit: { length: MAX_MESSAGE_BYTES, measure: "utf8-bytes" } });
    const onDemand = composeSummary({ ...input, itemsPerSection: 10, limit: platform.limit, trigger: "/support" });
    for (const text of [daily, onDemand]) {
      expect(platform.parts(text)).toEqual([text]);
      expect(platform.eventBytes(text)).toBeLessThanOrEqual(platform.name === "Matrix" ? 65_536 : 16_383);
    }
  });

  it("shows every section's count, its most urgent items and the command for the rest", () => {
    const text = composeSummary({ ...input, itemsPerSection: 10, limit: platform.limit, trigger: "/support" });
    const seen = counts(text);
    const total = SUMMARY_SECTIONS.filter((key) => key !== "changes").reduce((sum, key) => sum + (seen.get(SUMMARY_SECTION_TITLES[key]) ?? 0), 0);
    expect(total).toBe(bugs.length);
    expect(seen.get("Changed since yesterday")).toBe(3_000);
    for (const key of SUMMARY_SECTIONS) {
      const title = SUMMARY_SECTION_TITLES[key];
      const block = text.split("\n\n").find((part) => part.startsWith(`**${title} (`))!;
      const items = block.split("\n").filter((line) => /^- (\[#|\d+\.\d+\. )/.test(line));
      expect(items.length, title).toBeGreaterThan(0);
      expect(items.length, title).toBeLessThanOrEqual(10);
      expect(block.split("\n").at(-1), title).toBe(`- and ${seen.get(title)! - items.length} more: \`/support summary ${key}\``);
    }
    // Work: overdue bugs before any merely at risk.
    const work = text.split("\n\n").find((part) => part.startsWith("**In work ("))!;
    expect(work.split("\n")[1]).toContain("**OVERDUE**");
  });

  it("lists a whole section in messages the platform takes, every bug once", () => {
    const section = composeSection(input, "work");
    const parts = platform.parts(section);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(measureText(part, platform.limit.measure)).toBeLessThanOrEqual(platform.limit.length);
      expect(platform.eventBytes(part)).toBeLessThanOrEqual(platform.name === "Matrix" ? 65_536 : 16_383);
    }
    const listed = parts.join("\n").split("\n").filter((line) => line.startsWith("- [#"));
    expect(listed).toHaveLength(counts(section).get("In work")!);
    expect(new Set(listed.map((line) => /^- \[#(\d+)\]/.exec(line)![1])).size).toBe(listed.length);
  });
});
