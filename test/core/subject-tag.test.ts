import { describe, expect, it } from "vitest";
import { codePointLength } from "../../src/core/text.js";
import {
  fitSummary,
  formatSubjectTag,
  parseSubject,
  removeSubjectTag,
  setSubjectTag,
  type SubjectTag,
} from "../../src/core/subject-tag.js";

/** A tracker's summary limit, as MantisBT's 128-character column. */
const SUMMARY_MAX_LENGTH = 128;
const LIMIT = { maxLength: SUMMARY_MAX_LENGTH };

const H = 60;
const D = 8 * H;

describe("parseSubject", () => {
  it.each<[string, SubjectTag, string]>([
    ["[4h, 14.3.2034] Wallet crashes on start", { estimateMinutes: 4 * H, deadline: "2034-03-14" }, "Wallet crashes on start"],
    ["[4h,14.3.2034] Wallet crashes", { estimateMinutes: 4 * H, deadline: "2034-03-14" }, "Wallet crashes"],
    ["[ 4h , 14.03.2034 ] Wallet crashes", { estimateMinutes: 4 * H, deadline: "2034-03-14" }, "Wallet crashes"],
    ["  [4h, 14.3.2034]   Wallet crashes", { estimateMinutes: 4 * H, deadline: "2034-03-14" }, "Wallet crashes"],
    ["[4h, 14.3.2034]Wallet crashes", { estimateMinutes: 4 * H, deadline: "2034-03-14" }, "Wallet crashes"],
    ["[1d4h, 2034-03-14] Wallet", { estimateMinutes: D + 4 * H, deadline: "2034-03-14" }, "Wallet"],
    ["[1d 4h, 14.3.2034] Wallet", { estimateMinutes: D + 4 * H, deadline: "2034-03-14" }, "Wallet"],
    ["[1d 4h 14.3.2034] Wallet", { estimateMinutes: D + 4 * H, deadline: "2034-03-14" }, "Wallet"],
    ["[4h 14.3.2034] Wallet", { estimateMinutes: 4 * H, deadline: "2034-03-14" }, "Wallet"],
    ["[4h; 14.3.2034] Wallet", { estimateMinutes: 4 * H, deadline: "2034-03-14" }, "Wallet"],
    ["[14.3.2034, 4h] Wallet", { estimateMinutes: 4 * H, deadline: "2034-03-14" }, "Wallet"],
    ["[14.3.2034 4h] Wallet", { estimateMinutes: 4 * H, deadline: "2034-03-14" }, "Wallet"],
    ["[0h, 14.3.2034] Done already", { estimateMinutes: 0, deadline: "2034-03-14" }, "Done already"],
    ["[1.5h, 14.3.2034] Wallet", { estimateMinutes: 90, deadline: "2034-03-14" }, "Wallet"],
    ["[4h] Wallet crashes", { estimateMinutes: 4 * H }, "Wallet crashes"],
    ["[4h, ] Wallet crashes", { estimateMinutes: 4 * H }, "Wallet crashes"],
    ["[14.3.2034] Wallet crashes", { deadline: "2034-03-14" }, "Wallet crashes"],
    ["[, 14.3.2034] Wallet crashes", { deadline: "2034-03-14" }, "Wallet crashes"],
    ["[4h, 14.3.2034]", { estimateMinutes: 4 * H, deadline: "2034-03-14" }, ""],
    ["[4h, 14.3.2034] [Android] crash [x]", { estimateMinutes: 4 * H, deadline: "2034-03-14" }, "[Android] crash [x]"],
    ["[4h, 14.3.2034] Wallet  crashes  ", { estimateMinutes: 4 * H, deadline: "2034-03-14" }, "Wallet  crashes  "],
  ])("reads the tag of %j", (summary, tag, rest) => {
    const parsed = parseSubject(summary);
    expect(parsed.problem).toBeUndefined();
    expect(parsed.tag).toEqual(tag);
    expect(parsed.rest).toBe(rest);
  });

  it.each([
    ["Wallet crashes on start", "Wallet crashes on start"],
    ["", ""],
    ["   ", ""],
    ["[Wallet] crashes", "[Wallet] crashes"],
    ["[WIP] crashes", "[WIP] crashes"],
    ["[2FA] login fails", "[2FA] login fails"],
    ["[1.2] version prefix", "[1.2] version prefix"],
    ["[1.2.3] release notes", "[1.2.3] release notes"],
    ["[] empty brackets", "[] empty brackets"],
    ["[ ] blank brackets", "[ ] blank brackets"],
    ["[Android 14, Pixel] crash", "[Android 14, Pixel] crash"],
    ["Crash [4h, 14.3.2034] in the middle", "Crash [4h, 14.3.2034] in the middle"],
    ["[[4h, 14.3.2034]] nested", "[[4h, 14.3.2034]] nested"],
    ["[4h, 14.3.2034 unclosed", "[4h, 14.3.2034 unclosed"],
    ["[4h,\n14.3.2034] two lines", "[4h,\n14.3.2034] two lines"],
    [`[${"4h ".repeat(30)}] very long brackets`, `[${"4h ".repeat(30)}] very long brackets`],
  ])("finds no tag in %j", (summary, rest) => {
    const parsed = parseSubject(summary);
    expect(parsed.tag).toBeUndefined();
    expect(parsed.problem).toBeUndefined();
    expect(parsed.rest).toBe(rest);
  });

  it.each([
    ["[4x, 14.3.2034] Wallet", "`4x` is not a work estimate: unknown unit `x`"],
    ["[4h, 31.2.2034] Wallet", "`31.2.2034` is not a date: February 2034 has 28 days"],
    ["[31.2.2034] Wallet", "February 2034 has 28 days"],
    ["[4h, 14/3/2034] Wallet", "`14/3/2034` is not a date in a form I read unambiguously"],
    ["[4h, tomorrow] Wallet", "`tomorrow` cannot be used here"],
    ["[1,5h, 14.3.2034] Wallet", "`1,5h` is not a work estimate: use a dot for decimals (1.5h)"],
  ])("reports a tag it cannot read in %j", (summary, problem) => {
    const parsed = parseSubject(summary);
    expect(parsed.tag).toBeUndefined();
    expect(parsed.problem).toContain("at the start of the subject cannot be read");
    expect(parsed.problem).toContain(problem);
    expect(parsed.rest).toBe("Wallet");
  });

  it("reads days with the configured working day", () => {
    expect(parseSubject("[1d, 14.3.2034] x", { workdayHours: 6, ...LIMIT }).tag?.estimateMinutes).toBe(6 * H);
  });

  it("keeps the tag text as found", () => {
    expect(parseSubject("  [ 4h ,14.03.2034 ]  x").tagText).toBe("[ 4h ,14.03.2034 ]");
  });
});

describe("formatSubjectTag", () => {
  it.each<[SubjectTag, string]>([
    [{ estimateMinutes: 4 * H, deadline: "2034-03-14" }, "[4h, 14.3.2034]"],
    [{ estimateMinutes: D + 2 * H, deadline: "2034-01-01" }, "[1d2h, 1.1.2034]"],
    [{ estimateMinutes: 0, deadline: "2034-03-14" }, "[0h, 14.3.2034]"],
    [{ estimateMinutes: 30 }, "[30m]"],
    [{ deadline: "2034-03-14" }, "[14.3.2034]"],
    [{}, ""],
  ])("writes %j as %j", (tag, text) => {
    expect(formatSubjectTag(tag)).toBe(text);
  });
});

describe("setSubjectTag", () => {
  const tag: SubjectTag = { estimateMinutes: 4 * H, deadline: "2034-03-14" };

  it.each([
    ["Wallet crashes on start", "[4h, 14.3.2034] Wallet crashes on start"],
    ["  Wallet crashes", "[4h, 14.3.2034] Wallet crashes"],
    ["[2h, 1.1.2034] Wallet crashes", "[4h, 14.3.2034] Wallet crashes"],
    ["[2h,1.1.2034]Wallet crashes", "[4h, 14.3.2034] Wallet crashes"],
    ["[2h] Wallet crashes", "[4h, 14.3.2034] Wallet crashes"],
    ["[4x, 31.2.2034] Wallet crashes", "[4h, 14.3.2034] Wallet crashes"],
    ["[Wallet] crashes", "[4h, 14.3.2034] [Wallet] crashes"],
    ["Crash, see [4h, 1.1.2034]", "[4h, 14.3.2034] Crash, see [4h, 1.1.2034]"],
    ["", "[4h, 14.3.2034]"],
    ["[2h, 1.1.2034]", "[4h, 14.3.2034]"],
    ["Zahlung schlägt fehl – „Fehler 42“ 💥", "[4h, 14.3.2034] Zahlung schlägt fehl – „Fehler 42“ 💥"],
  ])("tags %j as %j", (summary, result) => {
    expect(setSubjectTag(summary, tag, LIMIT)).toBe(result);
  });

  it.each([
    ["[4h, 14.3.2034] Wallet crashes", "Wallet crashes"],
    ["[4x, 31.2.2034] Wallet crashes", "Wallet crashes"],
    ["Wallet crashes", "Wallet crashes"],
  ])("removes the tag from %j when the new tag is empty", (summary, result) => {
    expect(setSubjectTag(summary, undefined, LIMIT)).toBe(result);
    expect(setSubjectTag(summary, {}, LIMIT)).toBe(result);
  });

  it("writes days with the configured working day", () => {
    expect(setSubjectTag("x", { estimateMinutes: 6 * H }, { workdayHours: 6, ...LIMIT })).toBe("[1d] x");
  });

  describe("at a 128-character limit (MantisBT's)", () => {
    const prefix = "[4h, 14.3.2034] ";
    const room = SUMMARY_MAX_LENGTH - prefix.length;

    it("leaves a subject that fits exactly untouched", () => {
      const rest = "a".repeat(room);
      const result = setSubjectTag(rest, tag, LIMIT);
      expect(result).toBe(prefix + rest);
      expect(codePointLength(result)).toBe(128);
    });

    it("shortens the rest by one character plus an ellipsis when it is one too long", () => {
      const rest = "a".repeat(room + 1);
      const result = setSubjectTag(rest, tag, LIMIT);
      expect(result).toBe(`${prefix}${"a".repeat(room - 1)}…`);
      expect(codePointLength(result)).toBe(128);
    });

    it("shortens a very long rest and never the tag", () => {
      const result = setSubjectTag(`[1h, 1.1.2030] ${"word ".repeat(200)}`, tag, LIMIT);
      expect(result.startsWith(prefix)).toBe(true);
      expect(result.endsWith("…")).toBe(true);
      expect(codePointLength(result)).toBeLessThanOrEqual(128);
      expect(result).not.toContain(" …");
    });

    it("counts an emoji as one character and never cuts one in half", () => {
      const rest = "💥".repeat(room + 5);
      const result = setSubjectTag(rest, tag, LIMIT);
      expect(codePointLength(result)).toBe(128);
      expect(result).toBe(`${prefix}${"💥".repeat(room - 1)}…`);
      expect(result).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    });

    it("keeps a flag or a family emoji whole when cutting", () => {
      const family = "👨‍👩‍👧"; // 5 code points
      const rest = "a".repeat(room - 3) + family;
      const result = setSubjectTag(rest, tag, LIMIT);
      expect(result).toBe(`${prefix}${"a".repeat(room - 3)}…`);
    });

    it("respects a smaller limit and a custom ellipsis", () => {
      expect(setSubjectTag("Wallet crashes on start", tag, { maxLength: 25, ellipsis: "..." })).toBe("[4h, 14.3.2034] Wallet...");
    });

    it("keeps only the tag when not even an ellipsis fits beside it", () => {
      expect(setSubjectTag("Wallet crashes", tag, { maxLength: 17 })).toBe("[4h, 14.3.2034]");
    });

    it("refuses a limit shorter than the tag itself", () => {
      expect(() => setSubjectTag("Wallet", tag, { maxLength: 10 })).toThrow(RangeError);
    });

    it("shortens an untagged subject when the tag is removed", () => {
      expect(codePointLength(setSubjectTag("b".repeat(300), undefined, LIMIT))).toBe(128);
    });
  });
});

describe("removeSubjectTag", () => {
  it.each([
    ["[4h, 14.3.2034] Wallet crashes", "Wallet crashes"],
    ["Wallet crashes", "Wallet crashes"],
    ["[Wallet] crashes", "[Wallet] crashes"],
  ])("gives %j without its tag", (summary, rest) => {
    expect(removeSubjectTag(summary)).toBe(rest);
  });
});

describe("fitSummary", () => {
  it.each([
    ["short", "short"],
    ["x".repeat(128), "x".repeat(128)],
    ["x".repeat(129), `${"x".repeat(127)}…`],
    ["", ""],
  ])("fits %j", (summary, result) => {
    expect(fitSummary(summary, LIMIT)).toBe(result);
  });
});
