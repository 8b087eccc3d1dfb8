/**
 * The `/users` and `/projects` routes the bot reads: who am I, look up a user, the project with its
 * categories and versions, and who may handle bugs.
 */
import type { ApiRequest, ApiResponse, SimulatorContext } from "./api-types.js";
import { ERROR_CODES, THRESHOLDS } from "./constants.js";
import type { ProjectRow } from "./database.js";
import { accessDenied, clientException, statusOnly } from "./mantis-error.js";
import { renderEnum, renderProject, renderUser, renderUserRef, renderVersion, type JsonObject } from "./render.js";

/** `GET /users/me`: the bare user object, not wrapped in `{users}` (OBSERVED.md). */
export function getMe(context: SimulatorContext, request: ApiRequest): ApiResponse {
  return { status: 200, body: renderUser(context.db, request.user, { withProjects: true }) };
}

/** `GET /users/username/{name}`: `{users: [user]}`; other users only for `manage_user_threshold` (UserGetCommand). */
export function getUserByName(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const name = decodeURIComponent(request.segments[2] ?? "");
  const user = context.db.userByName(name);
  if (!user) throw clientException(ERROR_CODES.USER_BY_NAME_NOT_FOUND, "User not found", `User with name "${name}" not found.`);
  if (user.id !== request.user.id && request.user.access_level < THRESHOLDS.manage_user_threshold) {
    throw accessDenied("Access denied to get other users");
  }
  return { status: 200, body: { users: [renderUser(context.db, user, { withProjects: false })] } };
}

function projectParam(context: SimulatorContext, raw: string | undefined): ProjectRow | undefined {
  return raw !== undefined && /^\d+$/.test(raw) ? context.db.projectById(Number(raw)) : undefined;
}

/** `GET /projects` and `GET /projects/{id}`: `{projects: [...]}`; an unknown id is 404 with an empty body. */
export function getProjects(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const raw = request.segments[1];
  if (raw === undefined || raw === "") {
    return { status: 200, body: { projects: context.db.allProjects().map((project) => renderProject(context.db, project, request.user)) } };
  }
  const project = projectParam(context, raw);
  if (!project) throw statusOnly(404, `Project '${Number.parseInt(raw, 10) || 0}' doesn't exist`);
  return { status: 200, body: { projects: [renderProject(context.db, project, request.user)] } };
}

/** `GET /projects/{id}/versions`: `{versions: [...]}` (VersionGetCommand). */
export function getProjectVersions(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const project = projectParam(context, request.segments[1]);
  if (!project) {
    const id = request.segments[1] ?? "";
    throw clientException(ERROR_CODES.PROJECT_NOT_FOUND, `Project '${id}' not found`, `Project "${id}" not found.`);
  }
  return { status: 200, reason: "OK", body: { versions: context.db.versionsOf(project.id).map(renderVersion) } };
}

/**
 * `GET /projects/{id}/handlers`: users at or above `handle_bug_threshold`, sorted by user name
 * (ProjectUsersGetCommand), with `access_level` unless `include_access_levels=0`.
 */
export function getProjectHandlers(context: SimulatorContext, request: ApiRequest): ApiResponse {
  const project = projectParam(context, request.segments[1]);
  if (!project) {
    const id = request.segments[1] ?? "";
    throw clientException(ERROR_CODES.PROJECT_NOT_FOUND, `Project '${id}' not found`, `Project "${id}" not found.`);
  }
  const includeAccessLevels = request.query.get("include_access_levels") !== "0";
  const page = Math.max(1, Number.parseInt(request.query.get("page") ?? "1", 10) || 1);
  const pageSize = Number.parseInt(request.query.get("page_size") ?? "50", 10) || 0;
  const handlers = context.db
    .allUsers()
    .filter((user) => user.access_level >= THRESHOLDS.handle_bug_threshold)
    .sort((a, b) => a.name.localeCompare(b.name));
  const pageOfHandlers = pageSize > 0 ? handlers.slice((page - 1) * pageSize, page * pageSize) : handlers;
  const users = pageOfHandlers.map((user) => {
    const rendered: JsonObject = renderUserRef(user, request.user);
    if (includeAccessLevels) rendered.access_level = renderEnum("access_levels", user.access_level);
    return rendered;
  });
  return { status: 200, body: { users } };
}
