/**
 * Reading MantisBT-style references out of request bodies, as loosely as PHP does: `{id}` or `{name}`,
 * ids as numbers or numeric strings, anything else ignored. zod guards the shape at this boundary.
 */
import { z } from "zod";
import { ENUMS, ERROR_CODES, type EnumName } from "./constants.js";
import { ALL_PROJECTS, type MantisDatabase, type ProjectRow, type UserRow } from "./database.js";
import { clientException, emptyField, invalidField } from "./mantis-error.js";

const objectRefSchema = z
  .object({
    id: z.union([z.number(), z.string()]).optional(),
    name: z.string().optional(),
  })
  .loose();
/** A reference as clients send it: `{id}`, `{name}` or both. */
export type ObjectRef = z.infer<typeof objectRefSchema>;

const recordSchema = z.record(z.string(), z.unknown());

/** The body as an object, or undefined for anything else (array, string, null). */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  const parsed = recordSchema.safeParse(value);
  return parsed.success && !Array.isArray(value) ? parsed.data : undefined;
}

/** `{id}` / `{name}` objects; plain strings and numbers are not references to MantisBT. */
export function asRef(value: unknown): ObjectRef | undefined {
  if (Array.isArray(value)) return undefined;
  const parsed = objectRefSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The numeric id of a reference, if it has one. */
export function refId(ref: ObjectRef): number | undefined {
  if (typeof ref.id === "number" && Number.isInteger(ref.id)) return ref.id;
  if (typeof ref.id === "string" && /^\d+$/.test(ref.id)) return Number(ref.id);
  return undefined;
}

/**
 * `mci_get_enum_id_from_objectref`: `{id}` is taken as is, `{name}` must match the enum's name exactly or
 * yields 0 (shown as `@0@`: OBSERVED.md, "Resolved" vs "resolved"), and a plain string is ignored.
 */
export function resolveEnum(table: EnumName, value: unknown): number | undefined {
  const ref = asRef(value);
  if (!ref) return undefined;
  const id = refId(ref);
  if (id !== undefined) return id;
  if (ref.name === undefined) return undefined;
  for (const [enumId, name] of ENUMS[table]) {
    if (name === ref.name) return enumId;
  }
  return 0;
}

/** The result of resolving a user reference. */
export type UserLookup = { kind: "none" } | { kind: "user"; user: UserRow } | { kind: "unknown" };

/** A user reference: `{id: 0}` means nobody; a name or id that matches nobody is `unknown`. */
export function resolveUser(db: MantisDatabase, value: unknown): UserLookup {
  const ref = asRef(value);
  if (!ref) return { kind: "unknown" };
  const id = refId(ref);
  if (id !== undefined) {
    if (id === 0) return { kind: "none" };
    const user = db.userById(id);
    return user ? { kind: "user", user } : { kind: "unknown" };
  }
  if (ref.name !== undefined) {
    const user = db.userByName(ref.name);
    return user ? { kind: "user", user } : { kind: "unknown" };
  }
  return { kind: "unknown" };
}

/** `mci_get_category_id`: required; unknown ones are 404 code 1502. */
export function resolveCategory(db: MantisDatabase, project: ProjectRow, value: unknown): number {
  if (value === undefined || value === null) throw emptyField("Category field must be supplied.", "category");
  const ref = asRef(value);
  const name = typeof value === "string" ? value : ref?.name;
  const id = ref ? refId(ref) : undefined;
  if (id !== undefined) {
    const category = db.categoryById(id);
    if (category && (category.project_id === project.id || category.project_id === ALL_PROJECTS)) return category.id;
    throw clientException(ERROR_CODES.CATEGORY_NOT_FOUND, `Category '${id}' not found.`, "Category not found.");
  }
  if (name === undefined || name.trim() === "") throw emptyField("Category field must be supplied.", "category");
  const category = db.categoryByName(project.id, name);
  if (!category) throw clientException(ERROR_CODES.CATEGORY_NOT_FOUND, `Category '${name}' not found.`, "Category not found.");
  return category.id;
}

/**
 * `mci_get_version_id`: a version name, `{name}` or `{id}`; an unknown one is 400 code 29
 * "Version 'x' does not exist in project 'P'." (OBSERVED.md). Returns undefined when none was given.
 */
export function resolveVersion(db: MantisDatabase, project: ProjectRow, value: unknown, field: string): string | undefined {
  let given: string | undefined;
  let found: string | undefined;
  const ref = typeof value === "string" ? undefined : asRef(value);
  const id = ref ? refId(ref) : undefined;
  if (typeof value === "string") {
    if (value.trim() === "") return undefined;
    given = value;
    found = db.versionByName(project.id, value)?.name;
  } else if (id !== undefined) {
    given = String(id);
    const version = db.versionById(id);
    found = version && version.project_id === project.id ? version.name : undefined;
  } else if (ref?.name !== undefined) {
    if (ref.name.trim() === "") return undefined;
    given = ref.name;
    found = db.versionByName(project.id, ref.name)?.name;
  } else {
    return undefined;
  }
  if (found === undefined) throw invalidField(`Version '${given}' does not exist in project '${project.name}'.`, field);
  return found;
}

/** `helper_parse_view_state`: public (10) or private (50) by id or name; anything else is 400 code 29. */
export function parseViewState(value: unknown): number {
  const ref = asRef(value);
  const id = ref ? refId(ref) : undefined;
  if (id === 10 || id === 50) return id;
  if (id === undefined && (ref?.name === "public" || ref?.name === "private")) return ref.name === "public" ? 10 : 50;
  const shown = ref ? (ref.name ?? String(ref.id ?? "")) : String(value);
  throw invalidField(`Invalid view state '${shown}'.`, "view_state");
}

/** PHP's `is_numeric` on a trimmed string: decimal, with an optional sign, fraction and exponent. */
function isNumeric(text: string): boolean {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text);
}

/** PHP's `(int)` cast of a payload value: numeric text whole, else its leading digits, else 0 (`"abc"` is 0). */
export function phpInt(value: unknown): number {
  if (typeof value === "number") return Math.trunc(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "string") return 0;
  const text = value.trim();
  if (isNumeric(text)) return Math.trunc(Number(text));
  return Number.parseInt(/^[+-]?\d+/.exec(text)?.[0] ?? "0", 10);
}

/**
 * `helper_parse_id`: a number or numeric text, cast to a whole number that must be 1 or more; a missing
 * one is 400 code 200, anything else 400 code 29 naming the field.
 */
export function parseId(raw: unknown, field: string): number {
  const text = typeof raw === "string" || typeof raw === "number" ? String(raw).trim() : "";
  if (!isNumeric(text)) {
    if (text === "") throw clientException(ERROR_CODES.GPC_VAR_NOT_FOUND, `'${field}' missing`, `A required parameter to this page (${field}) was not found.`);
    throw invalidField(`'${field}' must be numeric`, field);
  }
  const id = phpInt(text);
  if (id < 1) throw invalidField(`'${field}' must be >= 1`, field);
  return id;
}

/** A path segment that must be a positive issue id. */
export function parseIssueId(raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < 1) {
    throw invalidField(`Invalid issue id '${raw ?? ""}'.`, "issue_id");
  }
  return Number(raw);
}
