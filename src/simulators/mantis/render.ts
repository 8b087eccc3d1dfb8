/**
 * Turns rows into the JSON MantisBT 2.28.4 sends: field order and presence as in `mci_issue_data_as_array`
 * (empty values left out), enums as `{id, name, label}`, tag ids as strings, PHP `date('c')` dates,
 * and PHP `json_encode` escaping.
 */
import { createHash } from "node:crypto";
import { canSeeBug, canSeeEveryonesPersonalDetails, canSeeNote, canSeePersonalDetails } from "./access.js";
import { ENUMS, RELATIONSHIP_TYPES, STATUS_COLORS, THRESHOLDS, VIEW_STATE, type EnumName } from "./constants.js";
import { ALL_PROJECTS, type BugRow, type CategoryRow, type HistoryRow, type MantisDatabase, type NoteRow, type ProjectRow, type UserRow, type VersionRow } from "./database.js";

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** PHP `date('c')` on a server running in UTC, e.g. `2026-11-26T14:14:37+00:00`. */
export function formatDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}

/**
 * `json_encode` without flags, as Slim's `withJson` calls it: `/` becomes `\/` and every non-ASCII
 * character a `\uXXXX` escape. Clients that parse JSON never notice; clients that grep the raw text do.
 */
export function encodePhpJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, "\\/")
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The JSON of answers whose ETag was computed, so sending them does not encode them again. */
const encodedAnswers = new WeakMap<object, string>();

/**
 * `encodePhpJson` of an answer body, encoded once: `issueEtag` keeps what it encoded, the server
 * sends that. Only for answers built for one request and not changed after.
 */
export function encodeAnswer(value: unknown): string {
  if (typeof value !== "object" || value === null) return encodePhpJson(value);
  let encoded = encodedAnswers.get(value);
  if (encoded === undefined) {
    encoded = encodePhpJson(value);
    encodedAnswers.set(value, encoded);
  }
  return encoded;
}

/** `{id, name, label}`; an id the enum does not know renders as `@id@`, like MantisBT's `get_enum_element`. */
export function renderEnum(table: EnumName, id: number): JsonObject {
  const name = ENUMS[table].get(id) ?? `@${id}@`;
  const rendered: JsonObject = { id, name, label: name };
  // A status without a colour in `status_colors` gets CSS `currentcolor` (`mci_enum_get_array_by_id`).
  if (table === "status") rendered.color = STATUS_COLORS.get(id) ?? "currentcolor";
  return rendered;
}

/** `mci_account_get_array_by_id`: real name and e-mail only for the user themselves and for user managers. */
export function renderUserRef(user: UserRow | undefined, viewer: UserRow, id = user?.id ?? 0): JsonObject {
  return userRef(user, id, user !== undefined && canSeePersonalDetails(viewer, user));
}

function userRef(user: UserRow | undefined, id: number, withDetails: boolean): JsonObject {
  if (!user) return { id };
  const ref: JsonObject = { id: user.id, name: user.name };
  if (withDetails) {
    if (user.real_name !== "") ref.real_name = user.real_name;
    if (user.email !== "") ref.email = user.email;
  }
  return ref;
}

/** A user as `GET /users/me` and `GET /users/username/{name}` show it, in the key order of `mci_user_get`. */
export function renderUser(db: MantisDatabase, user: UserRow, options: { withProjects: boolean }): JsonObject {
  const rendered: JsonObject = { id: user.id, name: user.name };
  if (user.real_name !== "") rendered.real_name = user.real_name;
  rendered.email = user.email;
  rendered.language = "english";
  rendered.timezone = "UTC";
  rendered.access_level = renderEnum("access_levels", user.access_level);
  rendered.created_at = formatDate(user.created_at);
  if (options.withProjects) rendered.projects = db.allProjects().map((project) => ({ id: project.id, name: project.name }));
  return rendered;
}

/** A version as listed in projects and by `GET /projects/{id}/versions`. */
export function renderVersion(version: VersionRow): JsonObject {
  return {
    id: version.id,
    name: version.name,
    description: version.description,
    released: version.released !== 0,
    obsolete: version.obsolete !== 0,
    timestamp: formatDate(version.date_order),
  };
}

/**
 * A category as `GET /projects/{id}` lists it. A global category names project 0 with a null name, and
 * `status` is the database column passed through uncast, hence a string (recorded/03-project.json).
 */
function renderCategory(category: CategoryRow, project: ProjectRow): JsonObject {
  const owner = category.project_id === ALL_PROJECTS ? { id: ALL_PROJECTS, name: null } : { id: project.id, name: project.name };
  return { id: category.id, name: category.name, project: owner, status: "1" };
}

/** `mci_project_get(..., detail: true)`: unlike issues, empty arrays stay in. */
export function renderProject(db: MantisDatabase, project: ProjectRow, viewer: UserRow): JsonObject {
  return {
    id: project.id,
    name: project.name,
    status: renderEnum("project_status", project.status),
    description: project.description,
    enabled: true,
    view_state: renderEnum("view_state", project.view_state),
    // Default `inherit_global`: the project lists the global categories too.
    inherit_global: true,
    access_level: renderEnum("access_levels", viewer.access_level),
    custom_fields: [],
    versions: db.versionsOf(project.id).map(renderVersion),
    categories: db.categoriesOf(project.id).map((category) => renderCategory(category, project)),
  };
}

/** A note as listed in an issue and returned by `POST /issues/{id}/notes`. */
export function renderNote(db: MantisDatabase, note: NoteRow, viewer: UserRow): JsonObject {
  return {
    id: note.id,
    reporter: renderUserRef(db.userById(note.reporter_id), viewer, note.reporter_id),
    text: note.text,
    view_state: renderEnum("view_state", note.view_state),
    attachments: [],
    type: "note",
    created_at: formatDate(note.created_at),
    updated_at: formatDate(note.updated_at),
  };
}

const ENUM_FIELDS: Partial<Record<string, EnumName>> = {
  status: "status",
  priority: "priority",
  severity: "severity",
  reproducibility: "reproducibility",
  resolution: "resolution",
  view_state: "view_state",
};

const FIELD_LABELS: Record<string, string> = {
  status: "Status",
  handler: "Assigned To",
  reporter: "Reporter",
  priority: "Priority",
  severity: "Severity",
  reproducibility: "Reproducibility",
  resolution: "Resolution",
  view_state: "View Status",
  summary: "Summary",
  description: "Description",
  steps_to_reproduce: "Steps To Reproduce",
  additional_information: "Additional Information",
  category: "Category",
  version: "Product Version",
  fixed_in_version: "Fixed in Version",
  target_version: "Target Version",
  sticky: "Sticky Issue",
};

/** History types (`core/history_api.php` constants) the simulator records. */
const HISTORY_TYPES: Record<string, number> = {
  "field-updated": 0,
  "issue-new": 1,
  "note-added": 2,
  "note-updated": 3,
  "note-deleted": 4,
  "monitor-added": 12,
  "relationship-added": 18,
  "relationship-updated": 23,
  "tag-added": 25,
  "tag-removed": 26,
};

const NOTE_HISTORY_LABELS: Record<"note-added" | "note-updated" | "note-deleted", string> = {
  "note-added": "Note Added",
  "note-updated": "Note Edited",
  "note-deleted": "Note Deleted",
};

/** What a history entry's `details` column holds, by kind. */
export interface HistoryDetails {
  field?: string;
  old?: number | string;
  new?: number | string;
  noteId?: number;
  tagId?: number;
  tagName?: string;
  relationshipType?: number;
  otherIssueId?: number;
}

function renderHistoryValue(db: MantisDatabase, viewer: UserRow, field: string, value: number | string | undefined): Json {
  const enumName = ENUM_FIELDS[field];
  if (enumName && typeof value === "number") return renderEnum(enumName, value);
  if ((field === "handler" || field === "reporter") && typeof value === "number") {
    return value === 0 ? { id: 0 } : renderUserRef(db.userById(value), viewer, value);
  }
  if (field === "category" && typeof value === "number") {
    const category = db.categoryById(value);
    return category ? { id: category.id, name: category.name } : { id: value };
  }
  // A boolean column is logged as PHP's "TRUE"/"FALSE" strings (recorded/26-sticky.json).
  if (field === "sticky") return value ? "TRUE" : "FALSE";
  return value ?? "";
}

function describeHistoryValue(rendered: Json): string {
  if (rendered !== null && typeof rendered === "object" && !Array.isArray(rendered)) {
    const name = rendered.name;
    return typeof name === "string" ? name : "";
  }
  if (rendered === "TRUE" || rendered === "FALSE") return rendered === "TRUE" ? "Yes" : "No";
  return rendered === null ? "" : String(rendered);
}

const isNoteEntry = (kind: string): boolean => kind === "note-added" || kind === "note-updated" || kind === "note-deleted";

/** Which note lines of a bug's history a viewer sees. */
interface NoteHistoryView {
  showsLineOf(authorId: number, noteId: number): boolean;
}

/**
 * history_get_raw_events_array (core/history_api.php, 2.28.4): a line about a note is left out only
 * for a viewer who neither wrote the line nor may see private notes nor added that note, and then only
 * when the note is gone or private. So the bot, which may see private notes, still sees "Note Added"
 * of a note it deleted.
 */
function noteHistoryView(db: MantisDatabase, bugId: number, viewer: UserRow): NoteHistoryView {
  const existing = new Map(db.notesOf(bugId).map((note) => [note.id, note]));
  const seesPrivate = viewer.access_level >= THRESHOLDS.private_bugnote_threshold;
  const ownNotes = new Set(
    db
      .historyOf(bugId)
      .filter((entry) => entry.kind === "note-added" && entry.user_id === viewer.id)
      .map((entry) => (JSON.parse(entry.details) as HistoryDetails).noteId),
  );
  return {
    showsLineOf(authorId, noteId) {
      if (authorId === viewer.id || seesPrivate || ownNotes.has(noteId)) return true;
      const note = existing.get(noteId);
      return note !== undefined && note.view_state !== VIEW_STATE.private;
    },
  };
}

/**
 * One history line, in the shapes of `mci_issue_get_history` recorded from a real 2.28.4 (recorded/*.json:
 * new issue, field updates, notes, tags, relationships); kinds not recorded follow the same style.
 */
function renderHistory(db: MantisDatabase, entry: HistoryRow, viewer: UserRow, notes: NoteHistoryView): JsonObject | undefined {
  const details = JSON.parse(entry.details) as HistoryDetails;
  if (isNoteEntry(entry.kind) && details.noteId !== undefined && !notes.showsLineOf(entry.user_id, details.noteId)) return undefined;
  const rendered: JsonObject = {
    created_at: formatDate(entry.created_at),
    user: userRef(db.userById(entry.user_id), entry.user_id, canSeeEveryonesPersonalDetails(viewer)),
  };
  const type = { id: HISTORY_TYPES[entry.kind] ?? 0, name: entry.kind };
  switch (entry.kind) {
    case "field-updated": {
      const field = details.field ?? "";
      const label = FIELD_LABELS[field] ?? field;
      const oldValue = renderHistoryValue(db, viewer, field, details.old);
      const newValue = renderHistoryValue(db, viewer, field, details.new);
      Object.assign(rendered, {
        field: { name: field, label },
        type,
        old_value: oldValue,
        new_value: newValue,
        message: label,
        change: `${describeHistoryValue(oldValue)} => ${describeHistoryValue(newValue)}`,
      });
      break;
    }
    case "note-added":
    case "note-updated":
    case "note-deleted":
      Object.assign(rendered, {
        type,
        note: { id: details.noteId ?? 0 },
        message: `${NOTE_HISTORY_LABELS[entry.kind]}: ${String(details.noteId ?? 0).padStart(7, "0")}`,
      });
      break;
    case "tag-added":
    case "tag-removed":
      Object.assign(rendered, {
        type,
        tag: { id: String(details.tagId ?? 0), name: details.tagName ?? "" },
        message: `${entry.kind === "tag-added" ? "Tag Attached" : "Tag Detached"}: ${details.tagName ?? ""}`,
      });
      break;
    case "relationship-added":
    case "relationship-updated": {
      const typeId = details.relationshipType ?? 1;
      const relationship = RELATIONSHIP_TYPES.get(typeId);
      const label = relationship?.label ?? `@${typeId}@`;
      Object.assign(rendered, {
        type,
        relationship: { id: typeId, name: relationship?.name ?? `@${typeId}@`, label },
        issue: { id: details.otherIssueId ?? 0 },
        message: entry.kind === "relationship-added" ? "Relationship added" : "Relationship replaced",
        change: `${label} ${String(details.otherIssueId ?? 0).padStart(7, "0")}`,
      });
      break;
    }
    default:
      Object.assign(rendered, { type, message: "New Issue" });
  }
  return rendered;
}

/**
 * A version named by an issue. Its id is a string here, unlike in `GET /projects/{id}`: MantisBT passes
 * the database row through without casting (OBSERVED.md, recorded/21-get-resolved-with-versions.json).
 */
function renderVersionRef(db: MantisDatabase, projectId: number, name: string): JsonObject | undefined {
  if (name === "") return undefined;
  const version = db.versionByName(projectId, name);
  return version ? { id: String(version.id), name: version.name } : undefined;
}

/** The issue as `GET /issues/{id}` shows it to `viewer`, with empty fields left out. */
export function renderIssue(db: MantisDatabase, bug: BugRow, viewer: UserRow): JsonObject {
  const issue: Record<string, Json | undefined> = {};
  issue.id = bug.id;
  issue.summary = bug.summary;
  issue.description = bug.description;
  issue.steps_to_reproduce = bug.steps_to_reproduce || undefined;
  issue.additional_information = bug.additional_information || undefined;
  const project = db.projectById(bug.project_id);
  issue.project = { id: bug.project_id, name: project?.name ?? "" };
  const category = db.categoryById(bug.category_id);
  issue.category = category ? { id: category.id, name: category.name } : undefined;
  issue.version = renderVersionRef(db, bug.project_id, bug.version);
  issue.fixed_in_version = renderVersionRef(db, bug.project_id, bug.fixed_in_version);
  issue.target_version = renderVersionRef(db, bug.project_id, bug.target_version);
  issue.reporter = renderUserRef(db.userById(bug.reporter_id), viewer, bug.reporter_id);
  issue.handler = bug.handler_id === 0 ? undefined : renderUserRef(db.userById(bug.handler_id), viewer, bug.handler_id);
  issue.status = renderEnum("status", bug.status);
  issue.resolution = renderEnum("resolution", bug.resolution);
  issue.view_state = renderEnum("view_state", bug.view_state);
  issue.priority = renderEnum("priority", bug.priority);
  issue.severity = renderEnum("severity", bug.severity);
  issue.reproducibility = renderEnum("reproducibility", bug.reproducibility);
  issue.sticky = bug.sticky !== 0;
  issue.created_at = formatDate(bug.created_at);
  issue.updated_at = formatDate(bug.updated_at);

  const notes = db.notesOf(bug.id).filter((note) => canSeeNote(viewer, note));
  issue.notes = notes.map((note) => renderNote(db, note, viewer));

  const relationships: JsonObject[] = [];
  for (const relationship of db.relationshipsOf(bug.id)) {
    const outgoing = relationship.source_bug_id === bug.id;
    const otherId = outgoing ? relationship.destination_bug_id : relationship.source_bug_id;
    const other = db.bugById(otherId);
    if (!other || !canSeeBug(viewer, other)) continue;
    const typeId = outgoing ? relationship.type : (RELATIONSHIP_TYPES.get(relationship.type)?.reverse ?? relationship.type);
    const type = RELATIONSHIP_TYPES.get(typeId);
    const related: JsonObject = {
      id: other.id,
      status: renderEnum("status", other.status),
      resolution: renderEnum("resolution", other.resolution),
      summary: other.summary,
    };
    if (other.handler_id !== 0) related.handler = renderUserRef(db.userById(other.handler_id), viewer, other.handler_id);
    relationships.push({
      id: relationship.id,
      type: { id: typeId, name: type?.name ?? `@${typeId}@`, label: type?.label ?? `@${typeId}@` },
      issue: related,
    });
  }
  issue.relationships = relationships;

  // Tag ids are strings: MantisBT passes the database row through without casting (OBSERVED.md).
  issue.tags = db.tagsOf(bug.id).map((tag) => ({ id: String(tag.id), name: tag.name }));
  issue.monitors = db.monitorsOf(bug.id).map((userId) => renderUserRef(db.userById(userId), viewer, userId));

  const noteView = noteHistoryView(db, bug.id, viewer);
  issue.history = db
    .historyOf(bug.id)
    .map((entry) => renderHistory(db, entry, viewer, noteView))
    .filter((entry): entry is JsonObject => entry !== undefined);

  // mci_remove_null_keys + mci_remove_empty_arrays.
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(issue)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    result[key] = value;
  }
  return result;
}

/**
 * Applies `select=a,b,c`: only the named top-level fields, in the issue's own order. Names are
 * trimmed and matched exactly, as `rest_issue_get` (explode, trim) and `mci_issue_data_as_array`
 * (`isset($t_fields['summary'])`) do in 2.28.4: `SUMMARY` selects nothing. An issue left with no
 * field is PHP's empty array, `[]` in JSON, as a real server answers `select=` or `select=SUMMARY`.
 */
export function selectFields(issue: JsonObject, select: string | undefined): JsonObject | [] {
  if (select === undefined) return issue;
  const wanted = new Set(select.split(",").map((field) => field.trim()));
  const selected = Object.entries(issue).filter(([key]) => wanted.has(key));
  return selected.length > 0 ? Object.fromEntries(selected) : [];
}

/** `mc_issue_hash`: sha256 over the user, the issue id and the JSON answer, so the ETag differs per user. */
export function issueEtag(userId: number, issueId: number, result: unknown): string {
  const encoded = result === null ? "" : encodeAnswer(result);
  return createHash("sha256").update(`v1_${userId}_${issueId}_${encoded}`).digest("hex");
}
