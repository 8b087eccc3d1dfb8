/**
 * The result of parsing text a person typed: the value, or a message that says what was wrong
 * and what is accepted. Parsers return this instead of throwing so commands, zod schemas and
 * tag readers can each decide what a bad input means for them.
 */
import { z } from "zod";
import { UsageError } from "../errors.js";

/** A parsed value, or a message fit to show the person who typed the input. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Wraps a value as a successful parse. */
export function parsedValue<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

/** Wraps a message as a failed parse. */
export function parseFailure<T = never>(error: string): Parsed<T> {
  return { ok: false, error };
}

/** The value of a successful parse; throws UsageError with the parse message (and usage line) otherwise. */
export function unwrapParsed<T>(parsed: Parsed<T>, usage?: string): T {
  if (parsed.ok) return parsed.value;
  throw new UsageError(parsed.error, usage);
}

/**
 * A zod schema for text read by `parse`: the parser's message becomes the zod issue, so an
 * environment variable, a command argument and a stored value are accepted and refused alike.
 */
export function parsedSetting<T>(parse: (text: string) => Parsed<T>) {
  return z.string().transform((text, ctx): T => {
    const parsed = parse(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.error, input: text });
      return z.NEVER;
    }
    return parsed.value;
  });
}
