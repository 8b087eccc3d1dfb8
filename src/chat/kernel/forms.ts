/**
 * Commands' forms (declared in their definitions) as every platform runs them: which line asks for
 * a form, the values checked with the command's own argument parser and schema (one field at a
 * time, or a whole submission), and the command line the values become. Pure: no I/O. Values are
 * customers' data: nothing here logs or repeats them.
 */
import { UsageError } from "../../errors.js";
import { parseArguments } from "../../framework/args.js";
import type { CommandForm, FormField } from "../../framework/command.js";
import type { AnyCommand, CommandCatalog } from "../../framework/registry.js";
import { tokenize, type Token } from "../../framework/tokenizer.js";

/** A form asked for by a command line, with the values the line already gave. */
export interface FormRequest {
  command: AnyCommand;
  form: CommandForm;
  /** Field name to value, from the line (`draft 1234`: the bug). */
  prefill: Record<string, string>;
}

/** Checks one value of a field; the problem to show, or undefined when it is fine. */
export type FieldCheck = (field: string, value: string) => string | undefined;

/** Quotes a value for a command line; inside quotes the tokenizer reads `\"` and `\\`. */
export function quoteValue(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * A check of single fields with the command's own parser: each value goes through the same
 * tokenizer and argument schema as a typed line, and only the problems with that field count (the
 * others are missing at this point).
 */
export function fieldCheck(command: AnyCommand): FieldCheck {
  return (field, value) => {
    try {
      parseArguments(command, tokenize(`${field}=${quoteValue(value)}`));
      return undefined;
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      // The messages never repeat the input (it may be personal data).
      const line = error.userMessage.split("\n").find((text) => text.startsWith(`${field}:`));
      return line?.slice(field.length + 1).trim();
    }
  };
}

/** The text a token stands for in a form field. */
function tokenValue(token: Token): string | undefined {
  switch (token.kind) {
    case "bug":
      return String(token.bugId);
    case "option":
      return undefined;
    default:
      return token.text;
  }
}

/**
 * The form a command line asks for: the bare command, or the command with only values for the
 * form's `opensWith` fields (`draft`, `draft #13`), each valid. Anything else runs as typed.
 */
export function formForLine(line: string, catalog: CommandCatalog): FormRequest | undefined {
  let tokens: Token[];
  try {
    tokens = tokenize(line);
  } catch {
    return undefined;
  }
  const [first, ...rest] = tokens;
  if (first?.kind !== "word") return undefined;
  const command = catalog.find(first.text);
  const form = command?.form;
  if (command === undefined || form === undefined) return undefined;
  const opensWith = form.opensWith ?? [];
  if (rest.length > opensWith.length) return undefined;
  const check = fieldCheck(command);
  const prefill: Record<string, string> = {};
  for (const [index, token] of rest.entries()) {
    const field = opensWith[index]!;
    const value = tokenValue(token);
    if (value === undefined || check(field, value) !== undefined) return undefined;
    prefill[field] = value;
  }
  // Nothing left to ask: the line runs as typed.
  if (form.fields.every((field) => prefill[field.name] !== undefined)) return undefined;
  return { command, form, prefill };
}

/** The submitted values as tokens, exactly as `name="..."` (or a flag's word) typed on a line would give them. */
export function submissionTokens(form: CommandForm, submission: Readonly<Record<string, unknown>>): Token[] {
  const tokens: Token[] = [];
  for (const field of form.fields) {
    const value = submission[field.name];
    if (field.kind === "flag") {
      if (value === true || value === "true") tokens.push({ kind: "word", text: field.name });
      continue;
    }
    if (typeof value === "number") tokens.push({ kind: "option", key: field.name, value: String(value), text: `${field.name}=${value}` });
    if (typeof value !== "string" || value.trim() === "") continue;
    tokens.push({ kind: "option", key: field.name, value, text: `${field.name}=${value}` });
  }
  return tokens;
}

/** The command line that the tokenizer turns back into exactly these tokens. */
export function commandLine(command: string, tokens: readonly Token[]): string {
  const parts = [command];
  for (const token of tokens) parts.push(token.kind === "option" ? `${token.key}=${quoteValue(token.value)}` : token.text);
  return parts.join(" ");
}

/** What a check of a submission found: per-field messages, and what belongs to no field. */
export interface FieldProblems {
  errors: Record<string, string>;
  general: string[];
}

/**
 * Sorts the lines of a refusal into the fields they name (`phone: must be a phone number ...`)
 * and the rest; the usage and help lines the dispatcher adds are dropped (the form is the usage).
 */
export function problemsByField(text: string, form: CommandForm): FieldProblems {
  const names = new Set(form.fields.map((field) => field.name));
  const problems: FieldProblems = { errors: {}, general: [] };
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("Usage: ") || /help \S+` shows examples\.$/.test(line)) continue;
    const match = /^([a-z][a-z0-9_-]*)(?: \(item \d+\))?: (.+)$/i.exec(line);
    const field = match?.[1]?.toLowerCase();
    if (field !== undefined && names.has(field)) {
      const message = match![2]!;
      problems.errors[field] = problems.errors[field] ? `${problems.errors[field]}; ${message}` : message;
    } else {
      problems.general.push(line);
    }
  }
  return problems;
}

/** Checks a whole submission with the command's own parser; undefined when it is valid. */
export function checkSubmission(command: AnyCommand, form: CommandForm, tokens: readonly Token[]): FieldProblems | undefined {
  try {
    parseArguments(command, tokens);
    return undefined;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return problemsByField(error.userMessage, form);
  }
}

/** The field of a form a refusal is about (its first line starts with `<field>:`), if any. */
export function refusedField(text: string, form: CommandForm): FormField | undefined {
  const name = /^(\w+):/.exec(text)?.[1];
  return form.fields.find((field) => field.name === name);
}

/** Whether a command's input or reply holds customers' personal data. */
export function holdsPersonalData(command: AnyCommand | undefined, where: "arguments" | "reply"): boolean {
  return command?.privacy?.personalData.includes(where) ?? false;
}
