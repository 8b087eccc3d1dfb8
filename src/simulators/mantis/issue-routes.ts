/**
 * The `/issues` routes: list, read, create, update, delete, notes, tags, relationships. Each handler
 * follows the order of checks in MantisBT's PHP (`rest_issue_*`, `mc_issue_update`, `IssueAddCommand`,
 * `IssueNoteAddCommand`), because the order decides which error a client sees.
 */
import { canSeeBug, canSeeNote, isReadOnlyFor } from "./access.js";
import type { ApiRequest, ApiResponse, SimulatorContext } from "./api-types.js";
import { ERROR_CODES, RELATED_TO, RELATIONSHIP_TYPES, STATUS, SUMMARY_MAX_LENGTH, THRESHOLDS, VIEW_STATE } from "./constants.js";
import type { BugRow, NewBugRow, UserRow } from "./database.js";
import {
  accessDenied,
  clientException,
  crash,
  emptyField,
  invalidField,
  issueNotFound,
  messageOnly,
  readOnly,
  statusOnly,
} from "./mantis-error.js";
import { checkChildrenResolved } from "./relationship-rules.js";
import { issueEtag, renderIssue, renderNote, selectFields, type HistoryDetails, type JsonObject } from "./render.js";
import {
  asRecord,
  asRef,
  parseId,
  parseIssueId,
  parseViewState,
  phpInt,
  refId,
  resolveCategory,
  resolveEnum,
  resolveUser,
  resolveVersion,
} from "./request-input.js";
import { parseStandardFilter, standardFilterSelection } from "./standard-filters.js";

function header(request: ApiRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

function intParam(request: ApiRequest, name: string, fallback: number): number {
  const raw = request.query.get(name);
  if (raw === null || raw.trim() === "") return fallback;
  const value = Number.parseInt(raw, 10);
  return Number.isNaN(value) ? fallback : value;
}

function recordHistory(context: SimulatorContext, bugId: number, user: UserRow, kind: string, details: HistoryDetails = {}): void {
  context.db.insertHistory({ bug_id: bugId, user_id: user.id, created_at: context.nowSeconds(), kind, details: JSON.stringify(details) });
}

/** `mc_issue_get`: unknown is 404 code 1100; a private bug of someone else is 403, not 404 (OBSERVED.md). */
function loadVisibleBug(context: SimulatorContext, user: UserRow, rawId: string | undefined): BugRow {
  const id = parseIssueId(rawId);
  const bug = context.db.bugById(id);
  if (!bug) throw issueNotFound(id);
  if (!canSeeBug(user, bug)) throw accessDenied(`Access denied for user ${user.name}.`);
  return bug;
}

function currentEtag(context: SimulatorContext, user: UserRow, bug: BugRow): string {
  return issueEtag(user.id, bug.id, { issues: [renderIssue(context.db, bug, user)] });
}

function checkIfMatch(context: SimulatorContext, request: ApiRequest, bug: BugRow): void {
  const ifMatch = header(request, "if-match");
  if (ifMatch === undefined) return;
  const etag = currentEtag(context, request.user, bug);
  if (ifMatch !== etag) throw statusOnly(412, "Precondition Failed", { ETag: etag });
}

/** `GET /issues`: one page of the standard (or saved) filter, last updated first, with a list ETag. */
export function listIssues(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const { db } = context;
  const projectId = intParam(request, "project_id", 0);
  if (projectId !== 0 && !db.projectById(projectId)) throw statusOnly(404, `Project '${projectId}' doesn't exist`);

  // `!empty($t_filter_id)`: a missing, blank or "0" filter is `any`.
  const filterParam = (request.query.get("filter_id") ?? "").trim();
  const standard = filterParam === "" || filterParam === "0" ? "any" : parseStandardFilter(filterParam);
  let result: { issues: unknown };
  if (standard !== undefined) {
    const page = Math.max(1, intParam(request, "page", 1));
    const pageSize = intParam(request, "page_size", 50);
    // page_size 0 or negative means everything (OBSERVED.md); SQLite reads LIMIT -1 as "no limit".
    const limit = pageSize > 0 ? pageSize : -1;
    const rows = db.listBugs({
      projectId,
      selection: standardFilterSelection(standard, request.user),
      viewer: request.user,
      canSeePrivate: request.user.access_level >= THRESHOLDS.private_bug_threshold,
      limit,
      offset: pageSize > 0 ? (page - 1) * pageSize : 0,
    });
    const select = request.query.get("select") ?? undefined;
    result = { issues: rows.map((bug) => selectFields(renderIssue(db, bug, request.user), select)) };
  } else if (/^[+-]?\d+$/.test(filterParam)) {
    // `filter_get((int) $id)`: the simulator has no saved filters, so every id is unknown.
    const id = Number.parseInt(filterParam, 10);
    throw clientException(ERROR_CODES.FILTER_NOT_FOUND, `Filter id '${id}' not found`, `Filter ${id} not found.`);
  } else {
    // An unknown filter name is a SOAP fault serialized where the list should be, with 200 (OBSERVED.md).
    result = { issues: { status_code: 404, fault_string: `Unknown filter '${filterParam}'` } };
  }

  const etag = issueEtag(request.user.id, 0, result);
  if (header(request, "if-none-match") === etag) return { status: 304, reason: "Not Modified", headers: { ETag: etag } };
  return { status: 200, body: result, headers: { ETag: etag } };
}

/** `GET /issues/{id}`: `{issues: [issue]}` with an ETag; `If-None-Match` gives 304. */
export function getIssue(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const bug = loadVisibleBug(context, request.user, request.segments[1]);
  const select = request.query.get("select") ?? undefined;
  const result = { issues: [selectFields(renderIssue(context.db, bug, request.user), select)] };
  const etag = issueEtag(request.user.id, bug.id, result);
  if (header(request, "if-none-match") === etag) return { status: 304, reason: "Not Modified", headers: { ETag: etag } };
  return { status: 200, body: result, headers: { ETag: etag } };
}

function findOrCreateTag(context: SimulatorContext, user: UserRow, value: unknown): { id: number; name: string } {
  const ref = asRef(value);
  const id = ref ? refId(ref) : undefined;
  if (id !== undefined) {
    const tag = context.db.tagById(id);
    if (tag) return tag;
    throw clientException(ERROR_CODES.TAG_NOT_FOUND, `Tag '${id}' not found`, "Tag not found.");
  }
  const name = ref?.name?.trim();
  if (name === undefined || name === "") throw invalidField("Invalid tag name.", "tags");
  const existing = context.db.tagByName(name);
  if (existing) return existing;
  if (user.access_level < THRESHOLDS.tag_create_threshold) {
    throw clientException(ERROR_CODES.TAG_NOT_FOUND, `User '${user.id}' can't create tag '${name}'.`, "Tag not found.");
  }
  return context.db.insertTag(name, user.id);
}

/** A note given inside an issue body: `{text, view_state}`, with an `id` when a PATCH edits an existing note. */
interface NoteInput {
  id: number | undefined;
  text: string;
  viewState: number;
}

/** The `notes` array of a create or update body; entries that are not objects are ignored, as in PHP. */
function readNotes(value: unknown): NoteInput[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const note = asRecord(item);
    if (!note) return [];
    return [{
      id: typeof note.id === "number" && note.id > 0 ? note.id : undefined,
      text: typeof note.text === "string" ? note.text : "",
      viewState: note.view_state === undefined ? VIEW_STATE.public : parseViewState(note.view_state),
    }];
  });
}

function insertNote(context: SimulatorContext, bugId: number, user: UserRow, note: { text: string; viewState: number }): number {
  const now = context.nowSeconds();
  const noteId = context.db.insertNote({ bug_id: bugId, reporter_id: user.id, text: note.text, view_state: note.viewState, created_at: now, updated_at: now });
  recordHistory(context, bugId, user, "note-added", { noteId });
  return noteId;
}

function attachTag(context: SimulatorContext, bugId: number, user: UserRow, tag: { id: number; name: string }): void {
  if (context.db.attachTag(bugId, tag.id)) recordHistory(context, bugId, user, "tag-added", { tagId: tag.id, tagName: tag.name });
}

/** `POST /issues`: 201 `{issue}`; a handler given with the default status makes it `assigned`. */
export function createIssue(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const { db } = context;
  const user = request.user;
  const issue = asRecord(request.body) ?? {};

  const summary = typeof issue.summary === "string" ? issue.summary : "";
  if (summary.trim() === "") throw emptyField("Summary not specified", "summary");
  const description = typeof issue.description === "string" ? issue.description : "";
  if (description.trim() === "") throw emptyField("Description not specified", "description");

  const projectRef = asRef(issue.project);
  if (!projectRef) throw emptyField("Project not specified", "project");
  const projectId = refId(projectRef) ?? (projectRef.name !== undefined ? (db.projectByName(projectRef.name)?.id ?? 0) : 0);
  if (projectId === 0) throw emptyField("Project not specified", "project");
  const project = db.projectById(projectId);
  if (!project) throw clientException(ERROR_CODES.PROJECT_NOT_FOUND, `Project '${projectId}' not found`, `Project "${projectId}" not found.`);

  if (user.access_level < THRESHOLDS.report_bug_threshold) throw accessDenied("User does not have access right to report issues");

  const handlerLookup = issue.handler === undefined ? { kind: "none" as const } : resolveUser(db, issue.handler);
  // An unknown handler resolves to user 0, i.e. nobody (mci_get_user_id swallows the error).
  let handlerId = handlerLookup.kind === "user" ? handlerLookup.user.id : 0;
  const status = issue.status === undefined ? STATUS.new : (resolveEnum("status", issue.status) ?? STATUS.new);
  const priority = resolveEnum("priority", issue.priority) ?? 30;
  const severity = resolveEnum("severity", issue.severity) ?? 50;
  const reproducibility = resolveEnum("reproducibility", issue.reproducibility) ?? 70;
  const resolution = resolveEnum("resolution", issue.resolution) ?? 10;
  const viewState = resolveEnum("view_state", issue.view_state) ?? VIEW_STATE.public;

  let reporterId = user.id;
  if (issue.reporter !== undefined) {
    const reporter = resolveUser(db, issue.reporter);
    reporterId = reporter.kind === "user" ? reporter.user.id : 0;
    if (reporterId !== user.id && user.access_level < THRESHOLDS.webservice_specify_reporter_on_add_access_level_threshold) {
      throw accessDenied("Active user does not have access level required to specify a different issue reporter");
    }
  }

  if (handlerId > 0) {
    if (user.access_level < THRESHOLDS.update_bug_assign_threshold) throw accessDenied("User not allowed to assign issues");
  } else if (status >= THRESHOLDS.bug_resolved_status_threshold) {
    // "Ensure that resolved bugs have a handler."
    handlerId = user.id;
  }
  const handler = handlerId > 0 ? db.userById(handlerId) : undefined;
  if (handler && handler.access_level < THRESHOLDS.handle_bug_threshold) {
    throw accessDenied(`User '${handlerId}' can't be assigned issues.`);
  }

  const tags = Array.isArray(issue.tags) ? issue.tags : [];
  // Notes given at creation are created with the bug, in the same request (OBSERVED.md, recorded/06-create-full.json).
  const notes = readNotes(issue.notes).filter((note) => note.text.trim() !== "");
  const categoryId = resolveCategory(db, project, issue.category);
  const version = resolveVersion(db, project, issue.version, "version") ?? "";
  const fixedInVersion = resolveVersion(db, project, issue.fixed_in_version, "fixed_in_version") ?? "";
  const targetVersion = resolveVersion(db, project, issue.target_version, "target_version") ?? "";
  const sticky = issue.sticky === true && user.access_level >= THRESHOLDS.set_bug_sticky_threshold;

  // A view state MantisBT cannot map makes the insert fail: 500 with an empty body (OBSERVED.md).
  if (viewState !== VIEW_STATE.public && viewState !== VIEW_STATE.private) throw crash();
  // The summary column is VARCHAR(128): longer summaries are a database error, not a validation error.
  if ([...summary].length > SUMMARY_MAX_LENGTH) throw crash();

  // bug_api's create(): a handler given with the starting status makes the bug `assigned`.
  const finalStatus = handlerId !== 0 && status === STATUS.new ? STATUS.assigned : status;
  const now = context.nowSeconds();
  const row: NewBugRow = {
    project_id: project.id,
    reporter_id: reporterId,
    handler_id: handlerId,
    category_id: categoryId,
    summary,
    description,
    steps_to_reproduce: typeof issue.steps_to_reproduce === "string" ? issue.steps_to_reproduce : "",
    additional_information: typeof issue.additional_information === "string" ? issue.additional_information : "",
    status: finalStatus,
    resolution,
    priority,
    severity,
    reproducibility,
    view_state: viewState,
    version,
    fixed_in_version: fixedInVersion,
    target_version: user.access_level >= THRESHOLDS.roadmap_update_threshold ? targetVersion : "",
    sticky: sticky ? 1 : 0,
    created_at: now,
    updated_at: now,
  };

  const id = db.transaction(() => {
    const newId = db.insertBug(row);
    recordHistory(context, newId, user, "issue-new");
    if (finalStatus !== status) recordHistory(context, newId, user, "field-updated", { field: "status", old: status, new: finalStatus });
    if (handlerId !== 0) recordHistory(context, newId, user, "field-updated", { field: "handler", old: 0, new: handlerId });
    for (const tag of tags) attachTag(context, newId, user, findOrCreateTag(context, user, tag));
    for (const note of notes) insertNote(context, newId, user, note);
    return newId;
  });

  const created = db.bugById(id);
  if (!created) throw crash();
  return { status: 201, reason: `Issue Created with id ${id}`, body: { issue: renderIssue(db, created, user) } };
}

const ENUM_COLUMNS = ["status", "priority", "severity", "reproducibility", "resolution"] as const;

/**
 * The order in which `BugData::update()` writes a change's history lines (core/bug_api.php); the
 * recordings show handler, priority, status and status, resolution, fixed_in_version in this order.
 */
const HISTORY_ORDER: readonly (keyof NewBugRow)[] = [
  "project_id",
  "reporter_id",
  "handler_id",
  "priority",
  "severity",
  "reproducibility",
  "status",
  "resolution",
  "category_id",
  "version",
  "fixed_in_version",
  "target_version",
  "view_state",
  "summary",
  "sticky",
  "description",
  "steps_to_reproduce",
  "additional_information",
];
const TEXT_COLUMNS = ["steps_to_reproduce", "additional_information"] as const;

/**
 * `PATCH /issues/{id}`: MantisBT merges the body into the issue it just read and saves the result
 * (`mc_issue_update`), so omitted fields stay, and every save moves `updated_at`.
 */
export function updateIssue(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const { db } = context;
  const user = request.user;
  const bug = loadVisibleBug(context, user, request.segments[1]);
  checkIfMatch(context, request, bug);

  // Without `Content-Type: application/json` Slim parses no body: the update saves the issue unchanged (OBSERVED.md).
  const patch = asRecord(request.body) ?? {};
  if (patch.id !== undefined && Number(patch.id) !== bug.id) throw statusOnly(400, "Issue id mismatch");
  // mc_issue_update answers this with a fault of its own: a message and no code (recorded/33-err-developer-readonly.json).
  if (isReadOnlyFor(user, bug)) throw messageOnly(403, `Issue '${bug.id}' is readonly`);
  if (user.access_level < THRESHOLDS.update_bug_threshold) {
    throw accessDenied(`Access denied for user ${user.name}. Reason: Not enough rights to update issues.`);
  }

  let project = db.projectById(bug.project_id);
  if (patch.project !== undefined) {
    const ref = asRef(patch.project);
    const id = ref ? refId(ref) : undefined;
    const wanted = id !== undefined ? db.projectById(id) : ref?.name !== undefined ? db.projectByName(ref.name) : project;
    if (!wanted) {
      throw clientException(ERROR_CODES.PROJECT_NOT_FOUND, `Project '${ref?.name ?? String(id)}' does not exist.`, "Project not found.");
    }
    project = wanted;
  }
  if (!project) throw crash();

  const changes: Partial<NewBugRow> = {};
  if (project.id !== bug.project_id) changes.project_id = project.id;

  for (const field of ["summary", "description"] as const) {
    if (!(field in patch)) continue;
    const value = patch[field];
    if (typeof value !== "string" || value.trim() === "") {
      throw clientException(ERROR_CODES.EMPTY_FIELD, `Mandatory field '${field}' is missing.`, `A necessary field "${field}" was empty. Please recheck your inputs.`);
    }
    if (value !== bug[field]) changes[field] = value;
  }

  if ("handler" in patch) {
    const lookup = resolveUser(db, patch.handler);
    // An unknown handler is silently ignored (OBSERVED.md); `{id: 0}` unassigns and leaves the status alone.
    const handlerId = lookup.kind === "user" ? lookup.user.id : lookup.kind === "none" ? 0 : bug.handler_id;
    if (handlerId !== bug.handler_id) {
      if (user.access_level < THRESHOLDS.update_bug_assign_threshold) {
        throw accessDenied(`Access denied for user ${user.name}. Reason: User does not have access right to assign issues.`);
      }
      if (lookup.kind === "user" && lookup.user.access_level < THRESHOLDS.handle_bug_threshold) {
        throw accessDenied(`User '${lookup.user.id}' can't be assigned issues.`);
      }
      changes.handler_id = handlerId;
    }
  }

  if ("reporter" in patch) {
    const lookup = resolveUser(db, patch.reporter);
    if (lookup.kind === "user" && lookup.user.id !== bug.reporter_id) changes.reporter_id = lookup.user.id;
  }

  for (const column of ENUM_COLUMNS) {
    const value = resolveEnum(column, patch[column]);
    if (value !== undefined && value !== bug[column]) changes[column] = value;
  }
  if (changes.status !== undefined) checkChildrenResolved(db, bug, changes.status);
  if (patch.view_state !== undefined && asRef(patch.view_state)) {
    const viewState = parseViewState(patch.view_state);
    if (viewState !== bug.view_state) changes.view_state = viewState;
  }

  if (patch.category !== undefined) {
    const categoryId = resolveCategory(db, project, patch.category);
    if (categoryId !== bug.category_id) changes.category_id = categoryId;
  }

  for (const column of TEXT_COLUMNS) {
    const value = patch[column];
    if (typeof value === "string" && value !== bug[column]) changes[column] = value;
  }

  for (const column of ["version", "fixed_in_version", "target_version"] as const) {
    const version = resolveVersion(db, project, patch[column], column);
    if (version === undefined || version === bug[column]) continue;
    if (column === "target_version" && user.access_level < THRESHOLDS.roadmap_update_threshold) continue;
    changes[column] = version;
  }

  if (typeof patch.sticky === "boolean" && user.access_level >= THRESHOLDS.set_bug_sticky_threshold) {
    const sticky = patch.sticky ? 1 : 0;
    if (sticky !== bug.sticky) changes.sticky = sticky;
  }

  // `tags` replaces the whole set and only takes tags that exist (404 code 2200, OBSERVED.md).
  let newTags: { id: number; name: string }[] | undefined;
  if (Array.isArray(patch.tags)) {
    newTags = patch.tags.map((value) => {
      const ref = asRef(value);
      const id = ref ? refId(ref) : undefined;
      const tag = id !== undefined ? db.tagById(id) : ref?.name !== undefined ? db.tagByName(ref.name) : undefined;
      if (!tag) {
        const shown = id !== undefined ? String(id) : (ref?.name ?? "");
        throw clientException(ERROR_CODES.TAG_NOT_FOUND, `Tag '${shown}' not found`, "Tag not found.");
      }
      return tag;
    });
  }

  const notesToAdd: NoteInput[] = [];
  const notesToUpdate: (NoteInput & { id: number })[] = [];
  const visibleNotes = new Map(db.notesOf(bug.id).filter((note) => canSeeNote(user, note)).map((note) => [note.id, note]));
  for (const note of readNotes(patch.notes)) {
    if (note.id !== undefined) {
      const existing = visibleNotes.get(note.id);
      if (existing && (existing.text !== note.text || existing.view_state !== note.viewState)) notesToUpdate.push({ ...note, id: note.id });
    } else if (note.text.trim() !== "") {
      notesToAdd.push(note);
    }
  }

  const summary = changes.summary ?? bug.summary;
  if ([...summary].length > SUMMARY_MAX_LENGTH) throw crash();

  const now = context.nowSeconds();
  db.transaction(() => {
    // The history lists the notes of a PATCH before its field changes (recorded/11-patch-status-and-note.json).
    // Notes inside a PATCH never trigger reassign-on-feedback: the status saved is the one of the merged issue.
    for (const note of notesToAdd) insertNote(context, bug.id, user, note);
    for (const note of notesToUpdate) {
      db.updateNote(note.id, { text: note.text, view_state: note.viewState, updated_at: now });
      recordHistory(context, bug.id, user, "note-updated", { noteId: note.id });
    }
    const changed = (Object.entries(changes) as [keyof NewBugRow, number | string][]).sort(
      ([a], [b]) => HISTORY_ORDER.indexOf(a) - HISTORY_ORDER.indexOf(b),
    );
    for (const [field, value] of changed) {
      const historyField = field === "handler_id" ? "handler" : field === "reporter_id" ? "reporter" : field === "category_id" ? "category" : field;
      recordHistory(context, bug.id, user, "field-updated", { field: historyField, old: bug[field], new: value });
    }
    db.updateBug(bug.id, { ...changes, updated_at: now });
    if (newTags) {
      const wanted = new Set(newTags.map((tag) => tag.id));
      for (const tag of db.tagsOf(bug.id)) {
        if (wanted.has(tag.id)) continue;
        db.detachTag(bug.id, tag.id);
        recordHistory(context, bug.id, user, "tag-removed", { tagId: tag.id, tagName: tag.name });
      }
      for (const tag of newTags) attachTag(context, bug.id, user, tag);
    }
  });

  const updated = db.bugById(bug.id);
  if (!updated) throw crash();
  const result = { issues: [renderIssue(db, updated, user)] };
  return {
    status: 200,
    reason: `Issue with id ${bug.id} Updated`,
    body: result,
    headers: { ETag: issueEtag(user.id, bug.id, result) },
  };
}

/** `DELETE /issues/{id}`: 204, developers and up, read-only bugs too (`rest_issue_delete`, `IssueDeleteCommand`). */
export function deleteIssue(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const user = request.user;
  const bug = loadVisibleBug(context, user, request.segments[1]);
  checkIfMatch(context, request, bug);
  if (user.access_level < THRESHOLDS.delete_bug_threshold) throw accessDenied(`Access denied to delete issue ${bug.id}`);
  context.db.deleteBug(bug.id);
  return { status: 204, headers: { ETag: issueEtag(user.id, bug.id, null) } };
}

/**
 * `POST /issues/{id}/notes`: 201 `{note, issue}`. A note by the bug's reporter on a bug in `feedback`
 * sends it back (`reassign_on_feedback`): to `assigned` when it has a handler, else to `new`.
 */
export function addNote(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const { db } = context;
  const user = request.user;
  const bug = loadVisibleBug(context, user, request.segments[1]);
  const payload = asRecord(request.body) ?? {};

  const type = payload.type ?? "note";
  if (type !== "note" && type !== "timelog") throw invalidField(`Invalid value '${String(type)}' for 'type'.`, "type");
  if (isReadOnlyFor(user, bug)) throw readOnly(`Issue '${bug.id}' is read-only.`, bug.id);
  if (user.access_level < THRESHOLDS.add_bugnote_threshold) throw accessDenied("access denied");
  const viewState = payload.view_state === undefined ? VIEW_STATE.public : parseViewState(payload.view_state);
  if (viewState === VIEW_STATE.private && user.access_level < THRESHOLDS.set_view_status_threshold) throw accessDenied("access denied");

  const text = typeof payload.text === "string" ? payload.text.trim() : "";
  if (text === "") throw emptyField("Issue note not specified.", "Note");

  let reporterId = user.id;
  if (payload.reporter !== undefined) {
    const lookup = resolveUser(db, payload.reporter);
    if (lookup.kind !== "user") throw clientException(ERROR_CODES.USER_BY_NAME_NOT_FOUND, "User not found", "User not found.");
    reporterId = lookup.user.id;
    if (reporterId !== user.id && user.access_level < THRESHOLDS.webservice_specify_reporter_on_add_access_level_threshold) {
      throw accessDenied("Access denied to override reporter");
    }
  }

  const now = context.nowSeconds();
  const noteId = db.transaction(() => {
    const id = db.insertNote({ bug_id: bug.id, reporter_id: reporterId, text, view_state: viewState, created_at: now, updated_at: now });
    recordHistory(context, bug.id, user, "note-added", { noteId: id });
    const changes: Partial<NewBugRow> = { updated_at: now };
    if (bug.status === STATUS.feedback && bug.handler_id !== user.id && bug.reporter_id === user.id) {
      changes.status = bug.handler_id !== 0 ? STATUS.assigned : STATUS.new;
      recordHistory(context, bug.id, user, "field-updated", { field: "status", old: bug.status, new: changes.status });
    }
    db.updateBug(bug.id, changes);
    return id;
  });

  const updated = db.bugById(bug.id);
  const note = db.notesOf(bug.id).find((candidate) => candidate.id === noteId);
  if (!updated || !note) throw crash();
  return {
    status: 201,
    reason: `Issue Note Created with id ${bug.id}`,
    body: { note: renderNote(db, note, user), issue: renderIssue(db, updated, user) },
  };
}

/**
 * `DELETE /issues/{id}/notes/{note_id}`: 200 "Issue Note Deleted" with `{issue}` as it is now
 * (`rest_issue_note_delete`, `IssueNoteDeleteCommand` of 2.28.4; not among the recordings). Deleting
 * someone else's note needs `delete_bugnote_threshold`, one's own `bugnote_user_delete_threshold`;
 * a read-only bug needs `update_readonly_bug_threshold` as for any change; an unknown note, or one
 * of another bug, is 404.
 */
export function deleteNote(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const { db } = context;
  const user = request.user;
  const bug = loadVisibleBug(context, user, request.segments[1]);
  const noteId = Number(request.segments[3]);
  const note = db.notesOf(bug.id).find((candidate) => candidate.id === noteId && canSeeNote(user, candidate));
  if (!note) throw clientException(ERROR_CODES.BUGNOTE_NOT_FOUND, `Issue note #${request.segments[3] ?? ""} not found`, "Note not found.");
  if (isReadOnlyFor(user, bug)) throw readOnly(`Issue '${bug.id}' is read-only.`, bug.id);
  const threshold = note.reporter_id === user.id ? THRESHOLDS.bugnote_user_delete_threshold : THRESHOLDS.delete_bugnote_threshold;
  if (user.access_level < threshold) throw accessDenied("Access denied");
  db.transaction(() => {
    db.deleteNote(note.id);
    recordHistory(context, bug.id, user, "note-deleted", { noteId: note.id });
    db.updateBug(bug.id, { updated_at: context.nowSeconds() });
  });
  const updated = db.bugById(bug.id);
  if (!updated) throw crash();
  return { status: 200, reason: "Issue Note Deleted", body: { issue: renderIssue(db, updated, user) } };
}

/** `POST /issues/{id}/tags`: attaches tags by id or name, creating missing names; 201 `{issues: [issue]}`. */
export function attachTags(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const { db } = context;
  const user = request.user;
  const bug = loadVisibleBug(context, user, request.segments[1]);
  const payload = asRecord(request.body) ?? {};
  const tags = payload.tags;
  if (!Array.isArray(tags) || tags.length === 0) throw emptyField("Tags not specified.", "tags");
  if (user.access_level < THRESHOLDS.tag_attach_threshold) throw accessDenied("access denied");

  db.transaction(() => {
    for (const value of tags) attachTag(context, bug.id, user, findOrCreateTag(context, user, value));
    db.updateBug(bug.id, { updated_at: context.nowSeconds() });
  });
  const updated = db.bugById(bug.id);
  if (!updated) throw crash();
  return { status: 201, reason: `Tag attached to issue ${bug.id}`, body: { issues: [renderIssue(db, updated, user)] } };
}

/** `getRelationTypeId`: `{id}` cast to a whole number must be a known type, `{name}` a type's API name in any case. */
function relationshipTypeOf(value: unknown): number {
  const ref = asRef(value);
  if (ref?.id !== undefined && ref.id !== null) {
    const id = phpInt(ref.id);
    if (!RELATIONSHIP_TYPES.has(id)) throw invalidField(`Relation type '${id}' not found.`, "relationship_type");
    return id;
  }
  if (ref?.name !== undefined) {
    const name = ref.name.toLowerCase();
    for (const [id, type] of RELATIONSHIP_TYPES) if (type.name === name) return id;
    throw invalidField(`Unknown relationship type '${ref.name}'`, "relationship_type");
  }
  throw invalidField("Invalid relationship type", "relationship_type");
}

/**
 * `POST /issues/{id}/relationships`: `{issue: {id}, type: {id|name}}` (type default related-to), 201
 * `{issue}`, with the checks of `IssueRelationshipAddCommand` in their order. `relationship_upsert`:
 * the same relationship again changes nothing and names the existing one; another type between the
 * same bugs replaces it. Stored in MantisBT's normal form (`relationship_prepare_for_assignment`:
 * child-of and has-duplicate are kept from the other side), so the other issue shows the reverse type.
 */
export function addRelationship(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const { db } = context;
  const user = request.user;
  const payload = asRecord(request.body) ?? {};
  const typeId = payload.type === undefined || payload.type === null ? RELATED_TO : relationshipTypeOf(payload.type);
  const sourceId = parseId(request.segments[1], "issue_id");
  const targetRef = asRecord(payload.issue);
  if (targetRef?.id === undefined || targetRef.id === null) throw invalidField("Invalid issue id", "issue_id");
  const targetId = parseId(targetRef.id, "target_issue_id");

  const bug = db.bugById(sourceId);
  if (!bug) throw issueNotFound(sourceId);
  if (!canSeeBug(user, bug) || user.access_level < THRESHOLDS.update_bug_threshold) throw accessDenied("Access denied to add relationship");
  if (targetId === bug.id) throw clientException(ERROR_CODES.RELATIONSHIP_SAME_BUG, "Issue can't have relationship to itself", "An issue cannot be related to itself.");
  const target = db.bugById(targetId);
  if (!target) throw issueNotFound(targetId);
  if (isReadOnlyFor(user, bug)) throw readOnly(`Issue ${bug.id} is read-only`, bug.id);
  if (!canSeeBug(user, target)) {
    throw clientException(
      ERROR_CODES.RELATIONSHIP_ACCESS_LEVEL_TO_DEST_BUG_TOO_LOW,
      `Access denied to issue ${target.id}`,
      `Access denied: The issue ${target.id} requires higher access level.`,
    );
  }

  const reverse = RELATIONSHIP_TYPES.get(typeId)?.reverse ?? typeId;
  const stored = RELATIONSHIP_TYPES.get(typeId)?.forward === false
    ? { source_bug_id: target.id, destination_bug_id: bug.id, type: reverse }
    : { source_bug_id: bug.id, destination_bug_id: target.id, type: typeId };
  const existing = db.relationshipBetween(bug.id, target.id);
  const relationshipId = db.transaction(() => {
    // `relationship_same_type_exists`: the same relationship, seen from either side, is left alone.
    if (existing && existing.type === (existing.source_bug_id === bug.id ? typeId : reverse)) return existing.id;
    const kind = existing ? "relationship-updated" : "relationship-added";
    const id = existing ? existing.id : db.insertRelationship(stored);
    if (existing) db.updateRelationship({ id, ...stored });
    recordHistory(context, bug.id, user, kind, { relationshipType: typeId, otherIssueId: target.id });
    recordHistory(context, target.id, user, kind, { relationshipType: reverse, otherIssueId: bug.id });
    const now = context.nowSeconds();
    db.updateBug(bug.id, { updated_at: now });
    db.updateBug(target.id, { updated_at: now });
    return id;
  });

  const updated = db.bugById(bug.id);
  if (!updated) throw crash();
  return {
    status: 201,
    reason: `Issue relationship created with id ${relationshipId}`,
    body: { issue: renderIssue(db, updated, user) satisfies JsonObject },
  };
}
