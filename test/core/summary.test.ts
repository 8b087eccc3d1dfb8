import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  composeSection,
  composeSummary,
  fitsLimit,
  splitMarkdown,
  SUMMARY_SECTIONS,
  type ComposeSummaryOptions,
  type SummaryBug,
} from "../../src/core/summary.js";

// Tuesday 14 March 2034, 09:00 in Zurich (+01:00).
const at = (text: string): Date => new Date(text);
const now = at("2034-03-14T09:00+01:00");
const bugUrl = (id: number): string => `https://bugs.example/view.php?id=${id}`;
const link = (id: number): string => `[#${id}](${bugUrl(id)})`;

function bug(id: number, fields: Partial<SummaryBug> & Pick<SummaryBug, "summary" | "status">): SummaryBug {
  return {
    id,
    priority: "normal",
    customer: false,
    createdAt: at("2034-03-01T09:00+01:00"),
    updatedAt: at("2034-03-13T09:00+01:00"),
    ...fields,
  };
}

const queue: SummaryBug[] = [
  bug(106, { summary: "Refund button missing", status: "assigned", handler: "bob", risk: "ok", workLeftMinutes: 240, deadline: "2034-03-20" }),
  bug(101, { summary: "Wallet crashes on start", status: "new", customer: true, createdAt: at("2034-03-13T06:00+01:00") }),
  bug(110, { summary: "Bank import stalls", status: "assigned", stage: "Resolution", handler: "frank", customer: true, statusSince: at("2034-03-14T08:00+01:00") }),
  bug(102, { summary: "Exchange rejects deposit", status: "new", priority: "urgent", createdAt: at("2034-03-14T07:30+01:00") }),
  bug(103, { summary: "Docs: KYC flow unclear", status: "feedback", handler: "alice", statusSince: at("2034-03-13T15:00+01:00") }),
  bug(107, { summary: "Slow TOS page", status: "assigned", handler: "dave", customer: true, risk: "at-risk", workLeftMinutes: 720, deadline: "2034-03-15" }),
  bug(104, { summary: "Fix rounding in fees", status: "feedback", stage: "review", handler: "carol", statusSince: at("2034-03-13T09:00+01:00") }),
  bug(105, { summary: "Merchant backend timeout", status: "confirmed", priority: "high", updatedAt: at("2034-03-10T09:00+01:00") }),
  bug(109, { summary: "Upgrade libgnunet", status: "assigned", handler: "erin" }),
  bug(108, { summary: "Auditor report wrong", status: "assigned", handler: "bob", risk: "overdue", workLeftMinutes: 120, deadline: "2034-03-13" }),
  bug(111, { summary: "Typo in footer", status: "resolved" }),
  bug(112, { summary: "Old crash", status: "closed" }),
];

const options: ComposeSummaryOptions = {
  bugs: queue,
  changes: [
    { bugId: 111, at: at("2034-03-13T14:05+01:00"), change: "assigned → resolved" },
    { bugId: 105, at: at("2034-03-13T10:00+01:00"), change: "new → confirmed" },
  ],
  now,
  timeZone: "Europe/Zurich",
  bugUrl,
  itemsPerSection: 10,
};

const expectedSummary = [
  "#### Support queue, Tue 14.3.2034",
  "",
  "**NEW, awaiting triage (2)**",
  `- ${link(102)} Exchange rejects deposit · **urgent** · waiting 1h`,
  `- ${link(101)} Wallet crashes on start · customer · waiting 1d 3h`,
  "",
  "**Feedback owed (1)**",
  `- ${link(103)} Docs: KYC flow unclear · alice owes feedback · for 18h`,
  "",
  "**Confirmed, not started (1)**",
  `- ${link(105)} Merchant backend timeout · **high** · confirmed 4d ago`,
  "",
  "**In work (4)**",
  `- ${link(108)} Auditor report wrong · bob · 2h left · due 13.3.2034 · **OVERDUE**`,
  `- ${link(107)} Slow TOS page · dave · customer · 12h left · due 15.3.2034 · **at risk**`,
  `- ${link(106)} Refund button missing · bob · 4h left · due 20.3.2034`,
  `- ${link(109)} Upgrade libgnunet · erin · no estimate or deadline in the subject`,
  "",
  "**In review (1)**",
  `- ${link(104)} Fix rounding in fees · carol reviewing · for 1d`,
  "",
  "**Resolved, customer not yet notified (1)**",
  `- ${link(110)} Bank import stalls · frank to notify the customer · for 1h`,
  "",
  "**Changed since yesterday (2)**",
  `- 13.3. 14:05 ${link(111)} assigned → resolved`,
  `- 13.3. 10:00 ${link(105)} new → confirmed`,
].join("\n");

describe("composeSummary", () => {
  it("lists every section in process order, at-risk work first, resolved and closed bugs left out", () => {
    expect(composeSummary(options)).toBe(expectedSummary);
  });

  it("gives the same text whatever order the bugs and changes come in", () => {
    expect(composeSummary({ ...options, bugs: [...queue].reverse(), changes: [...(options.changes ?? [])].reverse() })).toBe(expectedSummary);
  });

  it("says all clear when nothing needs anyone", () => {
    expect(composeSummary({ bugs: [], now, bugUrl, itemsPerSection: 10 })).toBe("#### Support queue, Tue 14.3.2034\n\nAll clear: no bug needs anyone right now.");
  });

  it("still reports yesterday's changes when all is clear", () => {
    const text = composeSummary({ bugs: [queue[10]!], changes: [options.changes![0]!], now, timeZone: "Europe/Zurich", bugUrl, itemsPerSection: 10 });
    expect(text).toBe(
      [
        "#### Support queue, Tue 14.3.2034",
        "",
        "All clear: no bug needs anyone right now.",
        "",
        "**Changed since yesterday (1)**",
        `- 13.3. 14:05 ${link(111)} assigned → resolved`,
      ].join("\n"),
    );
  });

  it("says which open sub-bugs a bug waits for", () => {
    const parent = bug(120, { summary: "Refund flow", status: "feedback", stage: "review", handler: "carol", statusSince: now, openSubBugs: [131, 130] });
    const single = bug(121, { summary: "Fee table", status: "assigned", handler: "bob", workLeftMinutes: 60, deadline: "2034-03-20", openSubBugs: [132] });
    const lines = composeSummary({ bugs: [parent, single], now, bugUrl, itemsPerSection: 10 }).split("\n");
    expect(lines).toContain(`- ${link(120)} Refund flow · carol reviewing · for 0m · waits for sub-bugs ${link(130)}, ${link(131)}`);
    expect(lines).toContain(`- ${link(121)} Fee table · bob · 1h left · due 20.3.2034 · waits for sub-bug ${link(132)}`);
  });

  it("keeps a hostile subject on one line, escaped, and unable to ping the channel", () => {
    const hostile = bug(666, { summary: "Pay **now** @channel\nsee [this](http://evil.example) <b>", status: "new", createdAt: now });
    const line = composeSummary({ bugs: [hostile], now, bugUrl, itemsPerSection: 10 }).split("\n").find((text) => text.includes("#666"));
    expect(line).toBe(`- ${link(666)} Pay \\*\\*now\\*\\* @\u200Bchannel see \\[this\\](http://evil.example) \\<b\\> · waiting 0m`);
  });

  it("shows only bug fields, even when a caller hands over more", () => {
    const withContact = { ...bug(5, { summary: "Card declined", status: "new" }), reporterEmail: "jane@example.com", phone: "+41 79 000 00 00" };
    const text = composeSummary({ bugs: [withContact], now, bugUrl, itemsPerSection: 10 });
    expect(text).not.toContain("jane@example.com");
    expect(text).not.toContain("+41");
  });

  it("leaves nothing out when the queue is small and fits", () => {
    expect(composeSummary({ ...options, limit: { length: 16_000, measure: "code-points" } })).toBe(expectedSummary);
  });
});

describe("composeSummary, capped", () => {
  it("shows per section the count, the most urgent items and the command that lists the rest", () => {
    expect(composeSummary({ ...options, itemsPerSection: 1, trigger: "!support" })).toBe(
      [
        "#### Support queue, Tue 14.3.2034",
        "",
        "**NEW, awaiting triage (2)**",
        `- ${link(102)} Exchange rejects deposit · **urgent** · waiting 1h`,
        "- and 1 more: `!support summary new`",
        "",
        "**Feedback owed (1)**",
        `- ${link(103)} Docs: KYC flow unclear · alice owes feedback · for 18h`,
        "",
        "**Confirmed, not started (1)**",
        `- ${link(105)} Merchant backend timeout · **high** · confirmed 4d ago`,
        "",
        "**In work (4)**",
        `- ${link(108)} Auditor report wrong · bob · 2h left · due 13.3.2034 · **OVERDUE**`,
        "- and 3 more: `!support summary work`",
        "",
        "**In review (1)**",
        `- ${link(104)} Fix rounding in fees · carol reviewing · for 1d`,
        "",
        "**Resolved, customer not yet notified (1)**",
        `- ${link(110)} Bank import stalls · frank to notify the customer · for 1h`,
        "",
        "**Changed since yesterday (2)**",
        `- 13.3. 14:05 ${link(111)} assigned → resolved`,
        "- and 1 more: `!support summary changes`",
      ].join("\n"),
    );
  });

  it("shows counts only when no items are wanted", () => {
    const text = composeSummary({ ...options, itemsPerSection: 0 });
    expect(text.split("\n\n")[4]).toBe("**In work (4)**\n- all 4: `summary work`");
    expect(text).not.toContain("[#");
  });

  it("puts customers' bugs first among NEW bugs of one priority, then the longest waiting", () => {
    const older = bug(201, { summary: "Older", status: "new", createdAt: at("2034-03-10T09:00+01:00") });
    const customer = bug(202, { summary: "Customer", status: "new", customer: true, createdAt: at("2034-03-13T09:00+01:00") });
    const newer = bug(203, { summary: "Newer", status: "new", createdAt: at("2034-03-12T09:00+01:00") });
    const lines = composeSection({ bugs: [newer, older, customer], now, bugUrl }, "new").split("\n").filter((line) => line.startsWith("- "));
    expect(lines.map((line) => /#(\d+)/.exec(line)![1])).toEqual(["202", "201", "203"]);
  });

  it("shows fewer items when they would not fit in the message, never leaving out a count", () => {
    const long = Array.from({ length: 40 }, (_, index) => bug(300 + index, { summary: `${"Very long subject ".repeat(8)}${index}`, status: index % 2 ? "new" : "feedback", handler: "alice" }));
    const limit = { length: 2_000, measure: "utf8-bytes" as const };
    const text = composeSummary({ bugs: long, now, bugUrl, itemsPerSection: 10, limit, notes: ["_MantisBT has not answered since 08:00._"] });
    expect(fitsLimit(text, limit)).toBe(true);
    expect(text).toContain("**NEW, awaiting triage (20)**");
    expect(text).toContain("**Feedback owed (20)**");
    const shown = text.split("\n").filter((line) => line.startsWith("- [#")).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(20);
    expect(text).toMatch(/- and \d+ more: `summary feedback`/);
    expect(text.endsWith("_MantisBT has not answered since 08:00._")).toBe(true);
  });

  it("links at most five sub-bugs of a bug and counts the rest", () => {
    const parent = bug(400, { summary: "Epic", status: "assigned", handler: "bob", openSubBugs: Array.from({ length: 12 }, (_, index) => 500 + index) });
    const line = composeSummary({ bugs: [parent], now, bugUrl, itemsPerSection: 10 }).split("\n").find((text) => text.startsWith(`- ${link(400)}`));
    expect(line).toMatch(new RegExp(`waits for sub-bugs ${[500, 501, 502, 503, 504].map((id) => link(id).replace(/[[\]().?]/g, "\\$&")).join(", ")} and 7 more$`));
  });
});

describe("composeSection", () => {
  it("lists one section whole, in the summary's order", () => {
    expect(composeSection(options, "work")).toBe(["#### Support queue, Tue 14.3.2034", "", ...expectedSummary.split("\n\n")[4]!.split("\n")].join("\n"));
  });

  it("says so when a section is empty", () => {
    expect(composeSection({ ...options, bugs: [] }, "review")).toBe("#### Support queue, Tue 14.3.2034\n\n**In review (0)**\nNobody waits here right now.");
  });

  it("has a typeable name for every section", () => {
    for (const key of SUMMARY_SECTIONS) expect(key).toMatch(/^[a-z]+$/);
  });
});

describe("splitMarkdown", () => {
  it("cuts between sections, and between lines inside a section too long for one message", () => {
    const markdown = "# T\n\n**A (5)**\n- a1\n- a2\n- a3\n- a4\n- a5\n\n**B (1)**\n- b1";
    expect(splitMarkdown(markdown, { maxLength: 26 })).toEqual([
      "# T\n\n**A (5)**\n- a1\n- a2",
      "**A (5)** (continued)\n- a3",
      "**A (5)** (continued)\n- a4",
      "**A (5)** (continued)\n- a5",
      "**B (1)**\n- b1",
    ]);
  });

  it("never leaves a heading alone at the end of a message", () => {
    // "intro line" + "**Head**" would fit in 30, but the heading's first item would not.
    expect(splitMarkdown("intro line\n\n**Head**\n- item one\n- item two\n- item three", { maxLength: 30 })).toEqual([
      "intro line",
      "**Head**\n- item one\n- item two",
      "- item three",
    ]);
  });

  it.each([0, 40, 200])("keeps every line whole at a limit of the longest line + %i", (extra) => {
    const full = composeSummary(options);
    const lines = full.split("\n").filter((line) => line !== "");
    const maxLength = Math.max(...lines.map((line) => [...line].length)) + extra;
    const messages = splitMarkdown(full, { maxLength });
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect([...message].length).toBeLessThanOrEqual(maxLength);
    const received = messages.flatMap((message) => message.split("\n")).filter((line) => line !== "" && !line.endsWith(" (continued)"));
    expect(received).toEqual(lines);
  });

  it("counts UTF-8 bytes when asked to, as Matrix does", () => {
    const markdown = "aaaaaa\n\näääää";
    expect(splitMarkdown(markdown, { maxLength: 16 })).toEqual([markdown]);
    expect(splitMarkdown(markdown, { maxLength: 16, measure: "utf8-bytes" })).toEqual(["aaaaaa", "äääää"]);
  });

  it("shortens a single line longer than a whole message", () => {
    expect(splitMarkdown(`short\n${"x".repeat(40)}`, { maxLength: 20 })).toEqual(["short", `${"x".repeat(19)}…`]);
  });

  it("refuses a limit too small for any message", () => {
    expect(() => splitMarkdown("text", { maxLength: 10 })).toThrow(RangeError);
  });

  it("splits exactly where measuring each whole message would (it measures each piece once)", () => {
    const line = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("**Head**", "**Other (3)**", "- ä€😀 item", "- item"));
    const markdown = fc.array(fc.array(line, { minLength: 1, maxLength: 8 }).map((lines) => lines.join("\n")), { maxLength: 8 }).map((blocks) => blocks.join("\n\n"));
    fc.assert(
      fc.property(markdown, fc.integer({ min: 16, max: 80 }), fc.constantFrom("code-points" as const, "utf8-bytes" as const), (text, maxLength, measure) => {
        expect(splitMarkdown(text, { maxLength, measure })).toEqual(splitByWholeMessages(text, maxLength, measure));
      }),
    );
  });
});

/** splitMarkdown's rules written plainly, measuring the whole message at every step: the reference. */
function splitByWholeMessages(markdown: string, maxLength: number, measure: "code-points" | "utf8-bytes"): string[] {
  const size = (text: string) => (measure === "utf8-bytes" ? new TextEncoder().encode(text).length : [...text].length);
  const fits = (text: string) => size(text) <= maxLength;
  const shorten = (text: string) => {
    const points = [...text];
    while (points.length > 0 && !fits(`${points.join("")}…`)) points.pop();
    return `${points.join("")}…`;
  };
  const messages: string[] = [];
  let current = "";
  const flush = () => {
    if (current !== "") messages.push(current);
    current = "";
  };
  for (const block of markdown.split(/\n{2,}/).filter((part) => part.trim() !== "")) {
    const joined = current === "" ? block : `${current}\n\n${block}`;
    if (fits(joined)) {
      current = joined;
      continue;
    }
    if (fits(block)) {
      flush();
      current = block;
      continue;
    }
    const lines = block.split("\n").map((one) => (fits(one) ? one : shorten(one)));
    const heading = /^#{1,6} /.test(lines[0] ?? "") || /^\*\*.+\*\*$/.test(lines[0] ?? "") ? lines[0] : undefined;
    for (const [index, one] of lines.entries()) {
      const separator = index === 0 ? "\n\n" : "\n";
      const probe = index === 0 && heading !== undefined && lines.length > 1 ? `${one}\n${lines[1]}` : one;
      if (current !== "" && fits(`${current}${separator}${probe}`)) {
        current = `${current}${separator}${one}`;
        continue;
      }
      flush();
      const continued = heading !== undefined && index > 0 ? `${heading} (continued)\n${one}` : one;
      current = fits(continued) ? continued : one;
    }
  }
  flush();
  return messages;
}
