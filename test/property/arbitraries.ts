/**
 * fast-check arbitraries for hostile chat input: command lines built from the pieces people (and
 * attackers) type - words, bug references, mentions, `key=value` options, quoted text - mixed with
 * control characters, lone surrogates, typographic quotes, right-to-left overrides and very long
 * text. Shared by the property tests over the tokenizer, argument parsing, dispatch and HTTP.
 */
import fc from "fast-check";
import type { AnyCommand } from "../../src/framework/registry.js";
import { tokenize } from "../../src/framework/tokenizer.js";

/** Run counts: enough to find the usual mistakes, small enough for the whole property suite to stay well under 30 s. */
export const RUNS = { pure: 300, perCommand: 60, dispatch: 40, http: 60 } as const;

/**
 * Characters that have broken chat bots before: NUL and other controls, lone surrogates (valid in
 * JSON, invalid in UTF-8), byte-order mark, zero-width and bidirectional controls, every quote the
 * tokenizer knows, backslashes, Markdown and HTML specials, combining marks, emoji.
 */
const HOSTILE_CHARACTERS = [
  "\u0000", "\u0007", "\u001B", "\u007F", "\u0085", "\r", "\n", "\t", "\u000B", "\u000C",
  "\uD800", "\uDFFF", "\uFEFF", "\u200B", "\u200D", "\u202E", "\u2028", "\u2029", "\u00A0", "\u3000",
  '"', "'", "\u201C", "\u201D", "\u201E", "\u2018", "\u2019", "\\", "`", "=", "@", "#", ":", "*", "_",
  "<", ">", "&", "[", "]", "(", ")", "%", "$", "{", "}", "e\u0301", "\u{1F600}", "\u{1F469}\u200D\u{1F4BB}",
];

/** One character: mostly anything in Unicode, often one of the hostile ones. */
export const hostileCharacter: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), weight: 3 },
  { arbitrary: fc.constantFrom(...HOSTILE_CHARACTERS), weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }), weight: 3 },
);

/** Text of hostile characters, possibly empty, possibly all whitespace. */
export function hostileText(maxLength = 40): fc.Arbitrary<string> {
  return fc.string({ unit: hostileCharacter, maxLength });
}

/** Text without whitespace: one bare word as the tokenizer sees it. */
export function hostileWord(maxLength = 20): fc.Arbitrary<string> {
  return fc.string({ unit: hostileCharacter, minLength: 1, maxLength }).map((text) => text.replace(/\s/gu, "") || "x");
}

/** A bug of the simulator's seed (about 30 bugs, in every status). */
const seedBug = fc.integer({ min: 1, max: 32 });

/** Bug numbers around every edge: small real ones, zero, huge, past 2^53. */
const bugNumber = fc.oneof(
  { arbitrary: seedBug, weight: 4 },
  { arbitrary: fc.constantFrom(0, 2 ** 31 - 1, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER), weight: 1 },
  { arbitrary: fc.bigInt({ min: 0n, max: 10n ** 30n }).map((value) => value.toString()), weight: 1 },
);

const bugReference = fc.tuple(fc.constantFrom("", "#"), bugNumber).map(([prefix, number]) => `${prefix}${number}`);

const mention = fc
  .oneof(fc.constantFrom("manager", "alice", "bob", "carol", "nobody", "ALICE"), hostileWord(12), fc.constant("alice:example.org"))
  .map((handle) => `@${handle}`);

/** Values the argument types parse: dates, estimates, priorities, switches, e-mail addresses, phones. */
const meaningfulValue = fc.constantFrom(
  "today", "14.3.2034", "2034-03-14", "31.2.2026", "99.99.9999", "1.1.1970", "25.11.2026", "tomorrow",
  "4h", "2d", "0h", "1.5h", "-3h", "9999999d", "30m", "1w", "high", "urgent", "none", "low", "immediate",
  "yes", "no", "true", "0", "jane@example.com", "not-an-email", "+41 79 555 01 23", "123", "bug", "sales",
  "merchant", "user", "bank", "other", "fixed", "1.0.0", "v99", "@alice", "#1", "mon-fri", "09:00-17:00", "off",
);

/** Text in quotes, closed correctly (quotes and backslashes inside escaped) or left open on purpose. */
const quoted = fc.tuple(fc.constantFrom('"', "'", "\u201C", "\u201E", "\u2018"), hostileText(60), fc.boolean()).map(([opener, text, close]) => {
  const closer = opener === "\u201C" || opener === "\u201E" ? "\u201D" : opener === "\u2018" ? "\u2019" : opener;
  const escaped = text.replace(/[\\"'\u201C\u201D\u201E\u2018\u2019]/g, (char) => `\\${char}`);
  return close ? `${opener}${escaped}${closer}` : `${opener}${escaped}`;
});

/** The `key=` words a command takes, as its examples and declaration show them. */
export function optionKeys(command: AnyCommand): string[] {
  const keys = new Set<string>([...(command.positional ?? []).map((name) => name.replace(/^\.\.\./, "")), ...(command.flags ?? [])]);
  for (const example of command.examples) {
    for (const token of tokenize(example)) if (token.kind === "option") keys.add(token.key);
  }
  return [...keys];
}

/** Values taken from the command's own examples, so mutated lines reach deep into `run`. */
function exampleValues(command: AnyCommand): string[] {
  return command.examples.flatMap((example) => tokenize(example).slice(1).map((token) => (token.kind === "option" ? token.value : token.text)));
}

/** One piece of a command line for `command`, as typed (quotes included). */
export function linePiece(command: AnyCommand): fc.Arbitrary<string> {
  const keys = optionKeys(command);
  const values = exampleValues(command);
  const key = keys.length > 0 ? fc.oneof(fc.constantFrom(...keys), fc.stringMatching(/^[a-z][a-z_-]{0,8}$/)) : fc.stringMatching(/^[a-z][a-z_-]{0,8}$/);
  const value = fc.oneof(meaningfulValue, hostileWord(), quoted, ...(values.length > 0 ? [fc.constantFrom(...values)] : []));
  const flags = command.flags ?? [];
  return fc.oneof(
    { arbitrary: fc.tuple(key, value).map(([name, text]) => `${name}=${text}`), weight: 4 },
    { arbitrary: bugReference, weight: 2 },
    { arbitrary: mention, weight: 1 },
    { arbitrary: quoted, weight: 2 },
    { arbitrary: meaningfulValue, weight: 2 },
    { arbitrary: hostileWord(), weight: 2 },
    ...(flags.length > 0 ? [{ arbitrary: fc.constantFrom(...flags), weight: 1 }] : []),
    ...(values.length > 0 ? [{ arbitrary: fc.constantFrom(...values), weight: 2 }] : []),
  );
}

/** Whitespace between pieces: usually a space, sometimes tabs, newlines or no-break spaces. */
const gap = fc.oneof({ arbitrary: fc.constant(" "), weight: 6 }, { arbitrary: fc.constantFrom("  ", "\t", "\n", "\u00A0", " \r\n "), weight: 1 });

/**
 * A whole line for `command`: its name or an alias in any letter case, then pieces; sometimes one
 * of its examples with pieces added, dropped or replaced, so valid-looking lines get through to `run`.
 */
export function commandLine(command: AnyCommand): fc.Arbitrary<string> {
  const words = [command.name, ...(command.aliases ?? [])];
  const name = fc.mixedCase(fc.constantFrom(...words));
  const fresh = fc.tuple(name, fc.array(fc.tuple(gap, linePiece(command)), { maxLength: 6 })).map(([word, pieces]) => word + pieces.map(([space, piece]) => space + piece).join(""));
  if (command.examples.length === 0) return fresh;
  const mutatedExample = fc
    .tuple(fc.constantFrom(...command.examples), fc.array(fc.tuple(fc.nat(8), fc.option(linePiece(command), { nil: undefined })), { maxLength: 3 }), seedBug)
    .map(([example, edits, bugId]) => {
      // The examples' bug numbers (1234) do not exist in the seed: one of the seed's bugs, in whatever stage, gets further.
      const pieces = tokenize(example).map((token) =>
        token.kind === "bug" ? String(bugId) : token.kind === "option" ? `${token.key}=${quoteIfNeeded(token.value)}` : token.kind === "quoted" ? quoteIfNeeded(token.text) : token.text,
      );
      for (const [index, replacement] of edits) {
        const at = 1 + (index % Math.max(1, pieces.length));
        if (replacement === undefined) pieces.splice(at, 1);
        else pieces.splice(at, at < pieces.length ? 1 : 0, replacement);
      }
      return pieces.join(" ");
    });
  return fc.oneof(fresh, mutatedExample);
}

function quoteIfNeeded(text: string): string {
  return /[\s"'\\]/.test(text) || text === "" ? `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"` : text;
}

/** A chat answer is a clear message: not empty, not the generic failure, no leaked internals. */
export function clearMessageProblem(text: string, typed: string): string | undefined {
  if (text.trim() === "") return "the answer is empty";
  if (/problem on my side/i.test(text)) return "the answer is the generic failure";
  for (const leak of ["[object Object]", "undefined", "NaN", "    at "]) {
    if (text.includes(leak) && !typed.includes(leak)) return `the answer shows "${leak}"`;
  }
  return undefined;
}
