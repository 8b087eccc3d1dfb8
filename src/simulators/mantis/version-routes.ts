/**
 * The project version routes a release needs: `POST /projects/{id}/versions` and
 * `PATCH /projects/{id}/versions/{version_id}`, with the checks of `VersionAddCommand` and
 * `VersionUpdateCommand` (mantisbt `core/commands/`, tag release-2.28.4) in their order.
 */
import type { ApiRequest, ApiResponse, SimulatorContext } from "./api-types.js";
import { ERROR_CODES, THRESHOLDS } from "./constants.js";
import type { ProjectRow, VersionRow } from "./database.js";
import { accessDenied, clientException, crash, emptyField, invalidField } from "./mantis-error.js";
import { renderVersion, type JsonObject } from "./render.js";
import { asRecord, parseId } from "./request-input.js";

/** The longest version name MantisBT takes, in bytes (`version_is_valid_name`). */
const VERSION_NAME_MAX_BYTES = 64;

/** The project of the path; `notFound` words the 404 as each command does. */
function requireProject(context: SimulatorContext, request: ApiRequest, notFound: (id: number) => string): ProjectRow {
  const id = parseId(request.segments[1], "project_id");
  const project = context.db.projectById(id);
  if (!project) throw clientException(ERROR_CODES.PROJECT_NOT_FOUND, notFound(id), `Project "${id}" not found.`);
  return project;
}

/** A payload value as PHP's `trim()` would read it; anything but text and numbers counts as missing. */
function text(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number") return String(value);
  return undefined;
}

/** PHP truthiness, as `$released ? VERSION_RELEASED : VERSION_FUTURE` reads the payload. */
function truthy(value: unknown): boolean {
  return !(value === false || value === null || value === undefined || value === 0 || value === "" || value === "0");
}

/** `version_is_valid_name`: not blank, one line, at most 64 bytes. */
function isValidName(name: string): boolean {
  return name !== "" && !/[\r\n]/.test(name) && Buffer.byteLength(name) <= VERSION_NAME_MAX_BYTES;
}

/** `date_string_to_timestamp`: blank means none, anything unparseable is 400 code 21. */
function parseTimestamp(value: unknown): number | undefined {
  const given = text(value) ?? "";
  if (given === "") return undefined;
  const ms = Date.parse(given);
  if (Number.isNaN(ms)) throw clientException(ERROR_CODES.INVALID_DATE_FORMAT, `Invalid date format '${given}'`, "Invalid date format.");
  return Math.floor(ms / 1000);
}

function duplicate(name: string): never {
  throw clientException(ERROR_CODES.VERSION_DUPLICATE, `Version '${name}' already exists`, "A version with that name already exists.");
}

/** `VersionGetCommand::VersionToArray`: like the project's list, but a blank description is left out. */
function renderCommandVersion(version: VersionRow): JsonObject {
  const rendered = renderVersion(version);
  if (version.description.trim() === "") delete rendered.description;
  return rendered;
}

/** `POST /projects/{id}/versions`: 201 `{version}`, managers and up; a name the project has is 400 code 1600. */
export function createVersion(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const { db } = context;
  const project = requireProject(context, request, (id) => `Project ${id} not found`);
  if (request.user.access_level < THRESHOLDS.manage_project_threshold) throw accessDenied("Access denied to add versions");
  const payload = asRecord(request.body) ?? {};
  const name = text(payload.name) ?? "";
  if (!isValidName(name)) throw invalidField("Invalid version name", "name");
  const dateOrder = parseTimestamp(payload.timestamp) ?? context.nowSeconds();
  if (db.versionByName(project.id, name)) duplicate(name);

  const id = db.insertVersion({
    project_id: project.id,
    name,
    description: text(payload.description) ?? "",
    released: truthy(payload.released) ? 1 : 0,
    obsolete: truthy(payload.obsolete) ? 1 : 0,
    date_order: dateOrder,
  });
  const created = db.versionById(id);
  if (!created) throw crash();
  return { status: 201, reason: `Version created with id ${id}`, body: { version: renderCommandVersion(created) } };
}

/**
 * `PATCH /projects/{id}/versions/{version_id}`: changes only the fields given (name, description,
 * released, obsolete, timestamp); 200 `{version}`. The 403 text is MantisBT's own, copied from delete.
 */
export function updateVersion(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const { db } = context;
  const project = requireProject(context, request, (id) => `Project '${id}' not found`);
  if (request.user.access_level < THRESHOLDS.manage_project_threshold) throw accessDenied("Access denied to delete version");
  const versionId = parseId(request.segments[3], "version_id");
  const existing = db.versionById(versionId);
  if (!existing || existing.project_id !== project.id) {
    throw clientException(ERROR_CODES.VERSION_NOT_FOUND, `Version with id '${versionId}' not found`, `Version "${versionId}" not found.`);
  }

  const payload = asRecord(request.body) ?? {};
  const version: VersionRow = { ...existing };
  if (payload.name !== undefined && payload.name !== null) {
    const name = text(payload.name) ?? "";
    if (name === "") throw emptyField("Version name can't be empty", "name");
    if (!isValidName(name)) throw invalidField("Invalid version name", "name");
    const other = db.versionByName(project.id, name);
    if (other && other.id !== existing.id && existing.name.toLowerCase() !== name.toLowerCase()) duplicate(name);
    version.name = name;
  }
  if (payload.description !== undefined && payload.description !== null) version.description = text(payload.description) ?? "";
  if (payload.released !== undefined && payload.released !== null) version.released = truthy(payload.released) ? 1 : 0;
  if (payload.obsolete !== undefined && payload.obsolete !== null) version.obsolete = truthy(payload.obsolete) ? 1 : 0;
  const dateOrder = parseTimestamp(payload.timestamp);
  if (dateOrder !== undefined) version.date_order = dateOrder;

  db.updateVersion(version);
  const updated = db.versionById(versionId);
  if (!updated) throw crash();
  return { status: 200, reason: "Version updated", body: { version: renderCommandVersion(updated) } };
}
