import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { tokenize, type Token } from "../../src/framework/tokenizer.js";

const texts = (line: string) => tokenize(line).map((token) => token.text);

describe("tokenize", () => {
  it.each<[string, Token[]]>([
    ["grab 1234", [{ kind: "word", text: "grab" }, { kind: "bug", bugId: 1234, text: "1234" }]],
    ["show #12", [{ kind: "word", text: "show" }, { kind: "bug", bugId: 12, text: "#12" }]],
    ["assign @alice", [{ kind: "word", text: "assign" }, { kind: "mention", handle: "alice", text: "@alice" }]],
    [
      "assign @alice:example.org",
      [{ kind: "word", text: "assign" }, { kind: "mention", handle: "@alice:example.org", text: "@alice:example.org" }],
    ],
    ["priority=high", [{ kind: "option", key: "priority", value: "high", text: "priority=high" }]],
    ['name="Jürg Müller"', [{ kind: "option", key: "name", value: "Jürg Müller", text: "name=Jürg Müller" }]],
    ["Priority=High", [{ kind: "option", key: "priority", value: "High", text: "Priority=High" }]],
    ["deadline=", [{ kind: "option", key: "deadline", value: "", text: "deadline=" }]],
    ['"private"', [{ kind: "quoted", text: "private" }]],
  ])("reads %s", (line, expected) => {
    expect(tokenize(line)).toEqual(expected);
  });

  it("splits on any run of whitespace, including newlines, tabs and no-break spaces", () => {
    expect(texts("  note\t12\n  hello\u00A0world  ")).toEqual(["note", "12", "hello", "world"]);
  });

  it("keeps double- and single-quoted text as one token, with its inner spaces", () => {
    expect(tokenize(`new "Wallet   crashes" 'on start'`)).toEqual([
      { kind: "word", text: "new" },
      { kind: "quoted", text: "Wallet   crashes" },
      { kind: "quoted", text: "on start" },
    ]);
  });

  it("resolves \\\" and \\\\ escapes inside quotes and keeps other backslashes", () => {
    expect(texts(String.raw`"say \"hi\" to C:\temp \\ now"`)).toEqual([String.raw`say "hi" to C:\temp \ now`]);
  });

  it("keeps the other kind of quote inside quoted text (nested quotes)", () => {
    expect(texts(`"it's 'fine'" 'he said "no"'`)).toEqual([`it's 'fine'`, `he said "no"`]);
  });

  it("refuses a quote of the same kind inside quoted text, saying how to escape it", () => {
    expect(() => tokenize(`"he said "hi" to me"`)).toThrow(/right after the closing quote of "he said ".*\\"/);
  });

  it("accepts typographic quotes as sent by phones and macOS", () => {
    expect(texts("new \u201CWallet crashes\u201D")).toEqual(["new", "Wallet crashes"]);
    expect(texts("new \u201EGeld fehlt\u201C")).toEqual(["new", "Geld fehlt"]);
    expect(texts("summary=\u201CNo money\u201D")).toEqual(["summary=No money"]);
    expect(texts("\u2018it\u2019s broken\u2019")).toEqual(["it\u2019s broken"]);
  });

  it("treats quotes inside a bare word as text, so apostrophes need no quoting", () => {
    expect(texts(`note 12 can't reproduce on 5" screens`)).toEqual(["note", "12", "can't", "reproduce", "on", '5"', "screens"]);
  });

  it("reports a missing closing quote with the start of the unclosed text", () => {
    expect(() => tokenize(`new "Wallet crashes`)).toThrow(UsageError);
    expect(() => tokenize(`new "Wallet crashes`)).toThrow(/Missing closing quote after "Wallet crashes/);
    expect(() => tokenize(`note 'oops`)).toThrow(/Missing closing quote after 'oops/);
    expect(() => tokenize(`x="unclosed value`)).toThrow(/Missing closing quote after "unclosed value/);
    expect(() => tokenize("\u201Cphone quote")).toThrow(/Missing closing quote after \u201Cphone quote: close the text with \u201D/);
  });

  it("cuts a long unclosed text in the error message without splitting emoji", () => {
    const error = captureError(() => tokenize(`"${"🐛".repeat(30)}`));
    expect(error.userMessage).toContain(`"${"🐛".repeat(24)}…`);
    expect(error.userMessage).not.toContain("\uFFFD");
  });

  it("refuses an empty or blank line", () => {
    expect(() => tokenize("")).toThrow(/The command is empty/);
    expect(() => tokenize("   \n\t ")).toThrow(/The command is empty/);
  });

  it("keeps an empty quoted string as an empty token", () => {
    expect(tokenize(`note ""`)).toEqual([{ kind: "word", text: "note" }, { kind: "quoted", text: "" }]);
  });

  it("treats a lone # or @ as a plain word, for the argument schema to explain", () => {
    expect(tokenize("show # @")).toEqual([
      { kind: "word", text: "show" },
      { kind: "word", text: "#" },
      { kind: "word", text: "@" },
    ]);
  });

  it("does not take #0, 0 or numbers too large for an id as bug references", () => {
    expect(tokenize("#0 0 99999999999999999999").map((token) => token.kind)).toEqual(["word", "word", "word"]);
  });

  it("does not take URLs or e-mail addresses as options or mentions", () => {
    expect(tokenize("https://bugs.example.com/view.php?id=12 jane@example.com").map((token) => token.kind)).toEqual(["word", "word"]);
  });

  it("handles names with umlauts and emoji, and normalizes decomposed umlauts", () => {
    const decomposed = "Ju\u0308rg";
    expect(texts(`note 12 "${decomposed} Müller 🎉" done ✅`)).toEqual(["note", "12", "Jürg Müller 🎉", "done", "✅"]);
  });
});

function captureError(action: () => unknown): UsageError {
  try {
    action();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError");
}
