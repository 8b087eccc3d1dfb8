/**
 * Properties of the tokenizer over any text: it never crashes (only UsageError, with a short clear
 * message), words and quoted text come back exactly as typed, and bug references and mentions are
 * recognised whatever surrounds them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { tokenize, type Token } from "../../src/framework/tokenizer.js";
import { hostileText, hostileWord, RUNS } from "./arbitraries.js";

/** Tokens, or the refusal's message; anything else thrown escapes and fails the property. */
function tokensOrRefusal(line: string): Token[] | UsageError {
  try {
    return tokenize(line);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
}

const space = fc.constantFrom(" ", "  ", "\t", "\n", "\u00A0", "\u3000", "\r\n");

describe("tokenize, for any text", () => {
  it("returns tokens or refuses with a short clear message; it never throws anything else", () => {
    fc.assert(
      fc.property(fc.oneof(hostileText(200), fc.string({ unit: "binary", maxLength: 200 })), (line) => {
        const outcome = tokensOrRefusal(line);
        if (outcome instanceof UsageError) {
          expect(outcome.userMessage.trim()).not.toBe("");
          // Long pastes are cut in the message: it quotes at most a short excerpt.
          expect(outcome.userMessage.length).toBeLessThan(300);
        } else {
          expect(outcome.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS.pure },
    );
  });

  it("refuses a blank line, whatever whitespace it holds", () => {
    fc.assert(
      fc.property(fc.array(space, { maxLength: 10 }), (spaces) => {
        const outcome = tokensOrRefusal(spaces.join(""));
        expect(outcome).toBeInstanceOf(UsageError);
        expect((outcome as UsageError).userMessage).toMatch(/empty/);
      }),
      { numRuns: 50 },
    );
  });

  it("never yields a bare word that is empty or holds whitespace", () => {
    fc.assert(
      fc.property(hostileText(120), (line) => {
        const outcome = tokensOrRefusal(line);
        if (outcome instanceof UsageError) return;
        for (const token of outcome) {
          if (token.kind === "word" || token.kind === "bug" || token.kind === "mention") {
            expect(token.text).not.toBe("");
            expect(token.text).not.toMatch(/\s/u);
          }
        }
      }),
      { numRuns: RUNS.pure },
    );
  });

  it("gives back words separated by any whitespace exactly as typed (NFC-normalized)", () => {
    // A word starting with a quote, or `key="`, opens quoted text: that is the next property's business.
    const word = hostileWord().filter((text) => !/^([A-Za-z][A-Za-z0-9_-]*=)?["'\u201C\u201E\u2018]/.test(text));
    fc.assert(
      fc.property(fc.array(fc.tuple(word, space), { minLength: 1, maxLength: 8 }), fc.array(space, { maxLength: 2 }), (pairs, leading) => {
        const line = leading.join("") + pairs.map(([text, gap]) => text + gap).join("");
        const texts = tokenize(line).map((token) => (token.kind === "option" ? `${token.key}=${token.value}` : token.text));
        const expected = pairs.map(([text]) => {
          const normalized = text.normalize("NFC");
          // Option keys are lower-cased; everything else stays as typed.
          const option = /^([A-Za-z][A-Za-z0-9_-]*)=/.exec(normalized);
          return option ? `${option[1]!.toLowerCase()}${normalized.slice(option[1]!.length)}` : normalized;
        });
        expect(texts).toEqual(expected);
      }),
      { numRuns: RUNS.pure },
    );
  });

  it("reads any text in quotes back as one quoted token, with quotes and backslashes escaped", () => {
    fc.assert(
      fc.property(hostileText(200), fc.constantFrom('"', "'"), (text, quote) => {
        // Every backslash doubled, every closing quote escaped: then nothing inside can end the string.
        const escaped = text.replaceAll("\\", "\\\\").replaceAll(quote, `\\${quote}`);
        const tokens = tokenize(`note ${quote}${escaped}${quote}`);
        expect(tokens).toEqual([{ kind: "word", text: "note" }, { kind: "quoted", text: text.normalize("NFC") }]);
      }),
      { numRuns: RUNS.pure },
    );
  });

  it("reads #n and n as bug references for every safe positive number, and as words beyond", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.bigInt({ min: 2n ** 53n, max: 10n ** 40n })), fc.boolean(), (number, hash) => {
        const text = `${hash ? "#" : ""}${number}`;
        const [token] = tokenize(text);
        if (typeof number === "number") expect(token).toEqual({ kind: "bug", bugId: number, text });
        else expect(token).toEqual({ kind: "word", text });
      }),
      { numRuns: RUNS.pure },
    );
  });

  it("reads @name as a mention of exactly that name", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9._-]{1,30}$/), (handle) => {
        expect(tokenize(`ask 1 @${handle}`)[2]).toEqual({ kind: "mention", handle, text: `@${handle}` });
      }),
      { numRuns: RUNS.pure },
    );
  });

  it("handles a line of 200,000 characters, and an unclosed quote that long, with a short message", () => {
    fc.assert(
      fc.property(hostileText(20), fc.constantFrom('"', "\u201E", "a", " "), (pattern, filler) => {
        const long = (pattern || "x").repeat(Math.ceil(200_000 / Math.max(1, pattern.length)));
        const outcome = tokensOrRefusal(`note 1 ${filler}${long}`);
        if (outcome instanceof UsageError) expect(outcome.userMessage.length).toBeLessThan(300);
        else expect(outcome.length).toBeGreaterThan(1);
      }),
      { numRuns: 10 },
    );
  });
});
