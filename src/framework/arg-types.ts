/**
 * Zod types for command arguments, shared by every command so `#12`, `@alice` or `priority=High`
 * mean the same everywhere. Each takes the string the tokenizer produced and says, in its error,
 * what a valid value looks like; the dispatcher puts the argument name in front.
 */
import { z } from "zod";
import { PRIORITY_NAMES, STATUS_NAMES, type PriorityName, type StatusName } from "../tracker/tracker.js";

const BUG_REFERENCE = /^#?(\d+)$/;
/** A link to the bug in MantisBT's web UI, as people paste it from the browser. */
const BUG_LINK = /^https?:\/\/\S+\/view\.php\?id=(\d+)(?:[&#]\S*)?$/;
const HANDLE = /^[a-z0-9._-]+$/i;
const MATRIX_ID = /^@[^:\s]+:\S+$/;

/** The bug id in `#1234`, `1234` or a `.../view.php?id=1234` link; undefined if the text is none of them. */
export function parseBugReference(text: string): number | undefined {
  const match = BUG_REFERENCE.exec(text.trim()) ?? BUG_LINK.exec(text.trim());
  if (!match) return undefined;
  const id = Number(match[1]);
  return id > 0 && Number.isSafeInteger(id) ? id : undefined;
}

/** A bug reference (`#1234`, `1234`, or a link to the bug) as its numeric id. */
export const bugIdArg = z.string().transform((text, ctx): number => {
  const id = parseBugReference(text);
  if (id === undefined) {
    ctx.addIssue({ code: "custom", message: "must be a bug number such as #1234", input: text });
    return z.NEVER;
  }
  return id;
});

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

/** A MantisBT priority name: none, low, normal, high, urgent, immediate. */
export const priorityArg: z.ZodType<PriorityName, string> = namedChoice(PRIORITY_NAMES);

/** A MantisBT status name: new, feedback, acknowledged, confirmed, assigned, resolved, closed. */
export const statusArg: z.ZodType<StatusName, string> = namedChoice(STATUS_NAMES);

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

/** A product version such as `0.14.2`, as long as MantisBT takes one (64 bytes). */
export const versionArg = nonEmptyArg("0.14.2").pipe(
  z.string().refine((name) => Buffer.byteLength(name) <= 64, { error: "is too long: MantisBT takes at most 64 bytes for a version name" }),
);

/** The words a `...rest` positional collected, joined by single spaces into one text. */
export const textArg = z
  .array(z.string())
  .min(1)
  .transform((words) => words.join(" ").trim())
  .pipe(z.string().min(1, { error: "must not be empty" }));

/** A bare word such as `private`, declared in the command's `flags`; false when absent. */
export const flagArg = z.boolean().default(false);
