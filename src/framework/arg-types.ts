/**
 * Zod types for command arguments, shared by every command so `#12`, `@alice` or `priority=High`
 * mean the same everywhere. Each takes the string the tokenizer produced and says, in its error,
 * what a valid value looks like; the dispatcher puts the argument name in front.
 */
import { z } from "zod";
import { PRIORITIES, type Priority } from "../core/ticket.js";

const BUG_REFERENCE = /^#?(\d+)$/;
const HANDLE = /^[a-z0-9._-]+$/i;
const MATRIX_ID = /^@[^:\s]+:\S+$/;

/** The bug id in `#1234` or `1234`; undefined if the text is neither. */
export function parseBugReference(text: string): number | undefined {
  const match = BUG_REFERENCE.exec(text.trim());
  if (!match) return undefined;
  const id = Number(match[1]);
  return id > 0 && Number.isSafeInteger(id) ? id : undefined;
}

/**
 * A bug reference (`#1234` or `1234`) as its numeric id. Other forms of a reference (a link to the
 * bug in the tracker's web UI) are the tracker's to read: `parseArguments` turns them into `#1234`
 * with the tracker's `parseReference` before this schema sees them.
 */
export const bugIdArg = z.string().transform((text, ctx): number => {
  const id = parseBugReference(text);
  if (id === undefined) {
    ctx.addIssue({ code: "custom", message: "must be a bug number such as #1234", input: text });
    return z.NEVER;
  }
  return id;
});

/** The keys of the schema's object shape whose value is a bug reference (`bugIdArg`, optional or not). */
function referenceKeys(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodPipe) return referenceKeys(schema.in as z.ZodType);
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>)
    .filter(([, field]) => field === bugIdArg || (field instanceof z.ZodOptional && field.unwrap() === bugIdArg))
    .map(([key]) => key);
}

/**
 * The arguments with each bug reference the tracker reads (a link to the bug in its web UI) turned
 * into `#1234`, so that `bugIdArg` takes it; other values are left as they are.
 */
export function resolveBugReferences(schema: z.ZodType, raw: Record<string, unknown>, parseReference: (text: string) => number | undefined): Record<string, unknown> {
  const resolved = { ...raw };
  for (const key of referenceKeys(schema)) {
    const value = resolved[key];
    if (typeof value !== "string" || parseBugReference(value) !== undefined) continue;
    const id = parseReference(value);
    if (id !== undefined) resolved[key] = `#${id}`;
  }
  return resolved;
}

/**
 * A staff handle as typed in a mention: `@alice` or `alice` becomes `alice`; a Matrix id keeps its
 * `@` because that is how StaffDirectory.find matches Matrix ids. Existence is checked by the command.
 */
export const staffHandleArg = z.string().transform((text, ctx): string => {
  const trimmed = text.trim();
  if (MATRIX_ID.test(trimmed)) return trimmed;
  const handle = trimmed.replace(/^@/, "");
  if (!HANDLE.test(handle)) {
    ctx.addIssue({ code: "custom", message: "must be a staff handle such as @alice", input: text });
    return z.NEVER;
  }
  return handle;
});

/** Names of a fixed list (case-insensitive input), with an error that lists the allowed names. */
function namedChoice<Name extends string>(names: readonly Name[]) {
  return z
    .string()
    .transform((text) => text.trim().toLowerCase())
    .pipe(z.enum(names as [Name, ...Name[]], { error: `must be one of ${names.join(", ")}` }));
}

/** A priority: none, low, normal, high, urgent, immediate. */
export const priorityArg: z.ZodType<Priority, string> = namedChoice(PRIORITIES);

/** Non-empty trimmed text; `example` completes "must not be empty, e.g. ..." in the error. */
export function nonEmptyArg(example: string) {
  return z
    .string()
    .transform((text) => text.trim())
    .pipe(z.string().min(1, { error: `must not be empty; for example ${example}` }));
}

/** Time left for a fix, such as `4h` or `2d`; src/core validates the form. */
export const estimateArg = nonEmptyArg("4h or 2d");

/** A deadline such as `2034-03-14` or `14.3.2034`; src/core validates the date. */
export const deadlineArg = nonEmptyArg("2034-03-14 or 14.3.2034");

/** A product version such as `0.14.2`; its length is checked against the tracker's limit by the command. */
export const versionArg = nonEmptyArg("0.14.2");

/** The words a `...rest` positional collected, joined by single spaces into one text. */
export const textArg = z
  .array(z.string())
  .min(1)
  .transform((words) => words.join(" ").trim())
  .pipe(z.string().min(1, { error: "must not be empty" }));

/** A bare word such as `private`, declared in the command's `flags`; false when absent. */
export const flagArg = z.boolean().default(false);
