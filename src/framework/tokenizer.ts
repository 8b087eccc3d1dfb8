/**
 * Splits a command line (the text after `/support` or `!support`) into typed tokens.
 * Pure: no I/O, no knowledge of commands. Chat clients on phones and macOS replace straight quotes
 * with typographic ones, so those count as quotes too.
 */
import { UsageError } from "../errors.js";

/** One piece of a command line; `text` is what argument schemas receive. */
export type Token =
  /** A bare word, as typed. */
  | { kind: "word"; text: string }
  /** A quoted string without its quotes, escapes resolved; never taken as a flag, option or command. */
  | { kind: "quoted"; text: string }
  /** `key=value` or `key="quoted value"`; the key is lower-cased, the value may be empty. */
  | { kind: "option"; key: string; value: string; text: string }
  /** `@alice` or a Matrix id `@alice:example.org`; `text` keeps the `@`. */
  | { kind: "mention"; handle: string; text: string }
  /** `#1234` or `1234`. */
  | { kind: "bug"; bugId: number; text: string };

/**
 * Which closing quotes end a string opened by each opening quote. Phones send “...” (English)
 * and „...“ (German); a straight quote is accepted as the closer too, as keyboards mix them.
 */
const CLOSERS: Readonly<Record<string, readonly string[]>> = {
  '"': ['"'],
  "'": ["'"],
  "\u201C": ["\u201D", "\u201C", '"'], // “ ... ” (some keyboards send “ for both)
  "\u201E": ["\u201C", "\u201D", '"'], // „ ... “
  "\u2018": ["\u2019"], // ‘ ... ’
};

/**
 * ’ is also the typographic apostrophe (“don’t”), so inside ‘...’ it only closes the string
 * where a word ends; elsewhere it stays text.
 */
const CLOSES_ONLY_AT_WORD_END = new Set(["\u2019"]);

/** Characters a backslash escapes inside quotes; any other backslash is kept as typed. */
const ESCAPABLE = new Set(['"', "'", "\\", "\u201C", "\u201D", "\u201E", "\u2018", "\u2019"]);

const OPTION = /^([A-Za-z][A-Za-z0-9_-]*)=/;
const MENTION = /^@([A-Za-z0-9._-]+)$/;
const MATRIX_ID = /^@[^:\s]+:\S+$/;
const BUG = /^#?(\d+)$/;

/** How much of the text after an unclosed quote to show; enough to find it, short enough for chat. */
const EXCERPT_LENGTH = 24;

/**
 * Tokenizes a command line; throws UsageError for an empty line, an unclosed quote or text glued
 * to a closing quote. The line is NFC-normalized first so "Müller" typed on macOS (decomposed)
 * equals "Müller" typed elsewhere.
 */
export function tokenize(line: string): Token[] {
  const input = line.normalize("NFC");
  const tokens: Token[] = [];
  let position = 0;
  while (position < input.length) {
    const char = input[position]!;
    if (isSpace(char)) {
      position += 1;
      continue;
    }
    const { token, end } = readToken(input, position);
    tokens.push(token);
    position = end;
  }
  if (tokens.length === 0) {
    throw new UsageError("The command is empty: type a command after the trigger, for example `help`.");
  }
  return tokens;
}

function readToken(input: string, start: number): { token: Token; end: number } {
  if (isOpeningQuote(input[start]!)) {
    const quoted = readQuoted(input, start);
    return { token: { kind: "quoted", text: quoted.text }, end: quoted.end };
  }
  const wordEnd = findWordEnd(input, start);
  const word = input.slice(start, wordEnd);
  const option = OPTION.exec(word);
  if (option) {
    const key = option[1]!.toLowerCase();
    const valueStart = start + option[0].length;
    if (valueStart < input.length && isOpeningQuote(input[valueStart]!)) {
      const quoted = readQuoted(input, valueStart);
      return { token: { kind: "option", key, value: quoted.text, text: `${key}=${quoted.text}` }, end: quoted.end };
    }
    return { token: { kind: "option", key, value: word.slice(option[0].length), text: word }, end: wordEnd };
  }
  return { token: classifyWord(word), end: wordEnd };
}

/** A bare word is a mention or a bug reference when it looks exactly like one, else a plain word. */
function classifyWord(word: string): Token {
  const mention = MENTION.exec(word);
  if (mention) return { kind: "mention", handle: mention[1]!, text: word };
  if (MATRIX_ID.test(word)) return { kind: "mention", handle: word, text: word };
  const bug = BUG.exec(word);
  if (bug) {
    const bugId = Number(bug[1]);
    // `0`, `#0` and numbers past 2^53 are no bug id; schemas explain that better than a silent rounding.
    if (bugId > 0 && Number.isSafeInteger(bugId)) return { kind: "bug", bugId, text: word };
  }
  return { kind: "word", text: word };
}

/** Quotes inside a bare word (`don't`, `5"`) are text: only a quote at the start of a token opens a string. */
function findWordEnd(input: string, start: number): number {
  let end = start;
  while (end < input.length && !isSpace(input[end]!)) end += 1;
  return end;
}

function readQuoted(input: string, start: number): { text: string; end: number } {
  const opener = input[start]!;
  const closers = CLOSERS[opener]!;
  let text = "";
  let position = start + 1;
  while (position < input.length) {
    const char = input[position]!;
    const next = input[position + 1];
    if (char === "\\" && next !== undefined && ESCAPABLE.has(next)) {
      text += next;
      position += 2;
      continue;
    }
    if (closers.includes(char) && (!CLOSES_ONLY_AT_WORD_END.has(char) || next === undefined || isSpace(next))) {
      const end = position + 1;
      if (end < input.length && !isSpace(input[end]!)) {
        throw new UsageError(
          `Unexpected text right after the closing quote of ${opener}${excerpt(text)}${char}: ` +
            `put a space after the quote, or write a quote inside quoted text as \\${char}.`,
        );
      }
      return { text, end };
    }
    text += char;
    position += 1;
  }
  throw new UsageError(
    `Missing closing quote after ${opener}${excerpt(text)}: close the text with ${closers[0]} ` +
      `(write a quote inside quoted text as \\${closers[0]}).`,
  );
}

/** The first characters of a quoted text for an error message; by code point, so emoji stay whole. */
function excerpt(text: string): string {
  const characters = Array.from(text);
  return characters.length > EXCERPT_LENGTH ? `${characters.slice(0, EXCERPT_LENGTH).join("")}…` : text;
}

function isOpeningQuote(char: string): boolean {
  return Object.hasOwn(CLOSERS, char);
}

function isSpace(char: string): boolean {
  return /\s/u.test(char);
}
