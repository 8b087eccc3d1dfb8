import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { parseFailure, parsedValue, unwrapParsed } from "../../src/core/parse-result.js";
import { codePointLength, quoteInput, truncateText } from "../../src/core/text.js";

describe("codePointLength", () => {
  it.each([
    ["", 0],
    ["abc", 3],
    ["schlägt", 7],
    ["💥", 1],
    ["🇨🇭", 2],
    ["e\u0301", 2],
  ])("counts %j as %i", (text, length) => {
    expect(codePointLength(text)).toBe(length);
  });
});

describe("truncateText", () => {
  it.each([
    ["short", 10, "short"],
    ["exactly10!", 10, "exactly10!"],
    ["one too long", 11, "one too…"],
    ["cut at space here", 9, "cut at…"],
    ["cut between words", 11, "cut betwee…"],
    ["cut between words", 12, "cut between…"],
    [`a ${"x".repeat(30)}`, 10, `a ${"x".repeat(7)}…`],
    ["🇨🇭🇨🇭🇨🇭", 4, "🇨🇭…"],
    ["abc", 1, "…"],
  ])("shortens %j to %i: %j", (text, max, result) => {
    expect(truncateText(text, max)).toBe(result);
  });

  it.each([-1, 1.5, Number.NaN])("refuses a length of %f", (max) => {
    expect(() => truncateText("abc", max)).toThrow(RangeError);
  });

  it("refuses a length with no room for the ellipsis", () => {
    expect(() => truncateText("abcdef", 2, "...")).toThrow(RangeError);
  });
});

describe("quoteInput", () => {
  it.each([
    ["4x", "`4x`"],
    ["", "(empty)"],
    ["  ", "(empty)"],
    ["a`b", "`a'b`"],
    ["line\nbreak", "`line break`"],
    ["y".repeat(100), `\`${"y".repeat(39)}…\``],
  ])("quotes %j as %j", (text, quoted) => {
    expect(quoteInput(text)).toBe(quoted);
  });
});

describe("unwrapParsed", () => {
  it("gives the value of a successful parse", () => {
    expect(unwrapParsed(parsedValue(42))).toBe(42);
  });

  it("throws a usage error carrying the message and the usage line", () => {
    expect(() => unwrapParsed(parseFailure("bad estimate"), "eta <bug> <estimate>")).toThrow(UsageError);
    try {
      unwrapParsed(parseFailure("bad estimate"), "eta <bug> <estimate>");
    } catch (error) {
      expect(error).toMatchObject({ userMessage: "bad estimate", usage: "eta <bug> <estimate>" });
    }
  });
});
