/**
 * Maps tokens onto a command's declared arguments and validates them with its zod schema.
 * Every mistake becomes a UsageError that names the argument and says what was wrong; the
 * dispatcher adds the usage line.
 */
import { z } from "zod";
import { UsageError } from "../errors.js";
import { resolveBugReferences } from "./arg-types.js";
import type { CommandDefinition } from "./command.js";
import type { Token } from "./tokenizer.js";

const REST_PREFIX = "...";
const TRUE_WORDS = new Set(["true", "yes", "on", "1"]);
const FALSE_WORDS = new Set(["false", "no", "off", "0"]);

/** The command name followed by its usage, e.g. `grab <bug> [priority=<name>]`. */
export function formatUsage(command: Pick<CommandDefinition, "name" | "usage">): string {
  return `${command.name} ${command.usage}`.trim();
}

/** Positional argument names in order; `rest` is the name (without `...`) that collects the remainder. */
export function positionalNames(command: Pick<CommandDefinition, "positional">): { fixed: string[]; rest?: string } {
  const names = command.positional ?? [];
  const last = names.at(-1);
  if (last?.startsWith(REST_PREFIX)) return { fixed: names.slice(0, -1) as string[], rest: last.slice(REST_PREFIX.length) };
  return { fixed: [...names] };
}

/** Options may be typed as `fixed_in`, `fixed-in` or `fixedIn`; all mean the same key. */
function canonicalKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, "");
}

/** The keys of the schema's object shape, seen through `.transform()` / `.refine()` wrappers. */
function schemaKeys(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodPipe) return schemaKeys(schema.in as z.ZodType);
  return [];
}

/** Every argument name a command takes: positional names, flags and the schema's keys. */
export function argumentNames(command: CommandDefinition): string[] {
  const { fixed, rest } = positionalNames(command);
  return [...new Set([...fixed, ...(rest ? [rest] : []), ...(command.flags ?? []), ...schemaKeys(command.args)])];
}

/**
 * Builds the plain object the schema validates: positional tokens fill the positional names not
 * already given as `name=value`, a `...rest` name collects the remaining ones as an array, bare
 * words listed in `flags` become `true`, other `key=value` tokens set that key. Throws UsageError
 * for an unknown option, a value given twice, or more arguments than the command takes.
 */
export function mapTokens(command: CommandDefinition, tokens: readonly Token[]): Record<string, unknown> {
  const { fixed, rest } = positionalNames(command);
  const flags = command.flags ?? [];
  const known = new Map<string, string>();
  for (const key of argumentNames(command)) known.set(canonicalKey(key), key);
  const flagByWord = new Map(flags.map((flag) => [flag.toLowerCase(), flag]));

  const values = new Map<string, unknown>();
  const positionalTokens: Token[] = [];
  for (const token of tokens) {
    if (token.kind === "option") {
      const key = known.get(canonicalKey(token.key));
      if (key === undefined) throw new UsageError(unknownOptionMessage(token.key, [...new Set(known.values())]));
      if (values.has(key)) throw new UsageError(`${key}: given twice.`);
      values.set(key, flags.includes(key) ? parseSwitch(key, token.value) : key === rest ? [token.value] : token.value);
      continue;
    }
    const flag = token.kind === "word" ? flagByWord.get(token.text.toLowerCase()) : undefined;
    if (flag !== undefined) {
      values.set(flag, true);
      continue;
    }
    positionalTokens.push(token);
  }

  const open = fixed.filter((name) => !values.has(name));
  const restGivenAsOption = rest !== undefined && values.has(rest);
  const collected: string[] = [];
  for (const token of positionalTokens) {
    const name = open.shift();
    if (name !== undefined) {
      values.set(name, token.text);
    } else if (rest !== undefined && !restGivenAsOption) {
      collected.push(token.text);
    } else if (rest !== undefined) {
      throw new UsageError(`${rest}: given twice.`);
    } else {
      throw new UsageError(`Too many arguments: I did not expect "${token.text}". Put text with spaces in quotes.`);
    }
  }
  if (rest !== undefined && !restGivenAsOption) values.set(rest, collected);
  return Object.fromEntries(values);
}

function parseSwitch(flag: string, value: string): boolean {
  const word = value.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new UsageError(`${flag}: is a switch; write just "${flag}" to turn it on, or leave it out.`);
}

function unknownOptionMessage(key: string, known: string[]): string {
  const list = known.length > 0 ? ` This command knows ${known.map((name) => `${name}=`).join(", ")}.` : " This command takes no options.";
  return `Unknown option "${key}=".${list} To use "=" in text, put the text in quotes.`;
}

/** Wording for zod's default issues; a message set on the schema itself still wins over this. */
const describeIssue: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "missing";
      if (issue.expected === "boolean") return "is a switch; write just its name, without a value";
      if (issue.expected === "array") return "takes words, not a name=value option";
      return `must be a ${issue.expected}`;
    case "invalid_value":
      return `must be one of ${issue.values.map(String).join(", ")}`;
    case "too_small":
      if (issue.origin === "array") return Number(issue.minimum) <= 1 ? "missing" : `needs at least ${issue.minimum} words`;
      if (issue.origin === "string") return Number(issue.minimum) <= 1 ? "must not be empty" : `must be at least ${issue.minimum} characters`;
      return `must be at least ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "array") return `takes at most ${issue.maximum} words`;
      if (issue.origin === "string") return `must be at most ${issue.maximum} characters`;
      return `must be at most ${issue.maximum}`;
    case "invalid_format":
      return issue.format === "regex" ? "has the wrong form" : `must be a valid ${issue.format}`;
    default:
      return undefined;
  }
};

/** `priority`, or `words (item 3)` for an element of a collected list. */
function issueLabel(path: readonly PropertyKey[]): string {
  const [name, ...inner] = path;
  if (name === undefined) return "";
  const position = inner.find((part): part is number => typeof part === "number");
  return position === undefined ? String(name) : `${String(name)} (item ${position + 1})`;
}

/**
 * Maps the tokens (after the command name) onto the command's arguments and validates them.
 * Throws UsageError with one line per problem, e.g. "priority: must be one of none, low, ...",
 * carrying the command's usage line. `parseReference` is the tracker's reader of bug references
 * (links to its web UI); without it only `#1234` and `1234` are bug references.
 */
export function parseArguments<Schema extends z.ZodType>(
  command: CommandDefinition<Schema>,
  tokens: readonly Token[],
  options: { parseReference?: (text: string) => number | undefined } = {},
): z.output<Schema> {
  const usage = formatUsage(command);
  let raw: Record<string, unknown>;
  try {
    raw = mapTokens(command as CommandDefinition, tokens);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.userMessage, usage);
    throw error;
  }
  if (options.parseReference) raw = resolveBugReferences(command.args, raw, options.parseReference);
  const parsed = command.args.safeParse(raw, { error: describeIssue });
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const label = issueLabel(issue.path);
    return label ? `${label}: ${issue.message}` : issue.message;
  });
  throw new UsageError([...new Set(lines)].join("\n"), usage);
}
