/**
 * A MantisBT 2.28.4 look-alike over HTTP (node:http, no framework) for tests and the sandbox: the REST
 * subset the bot uses under `<url>api/rest/`, plus `view.php?id=N` so bug links lead somewhere.
 * Contract: ./README.md. Behaviour: /work/shared/specs/mantisbt (OBSERVED.md wins over the OpenAPI file).
 */
import { text as readText } from "node:stream/consumers";
import { createServer, ServerResponse, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { canSeeBug } from "./access.js";
import type { ApiRequest, ApiResponse, SimulatorContext } from "./api-types.js";
import { ENUMS, MANTIS_VERSION, THRESHOLDS } from "./constants.js";
import { MantisDatabase, type UserRow } from "./database.js";
import {
  addNote,
  deleteNote,
  addRelationship,
  attachTags,
  createIssue,
  deleteIssue,
  getIssue,
  listIssues,
  updateIssue,
} from "./issue-routes.js";
import { MantisError, statusOnly } from "./mantis-error.js";
import { encodePhpJson, formatDate } from "./render.js";
import { addBulkBugs, seedTracker } from "./seed.js";
import { getMe, getProjectHandlers, getProjects, getProjectVersions, getUserByName } from "./user-project-routes.js";
import { createVersion, updateVersion } from "./version-routes.js";

/** Options of {@link startMantisSimulator}. */
export interface MantisSimulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Seed users, project and ~30 bugs into an empty database (default true). Users are always created. */
  seed?: boolean;
  /** SQLite file; default ":memory:". An existing file keeps its content and is not seeded again. */
  database?: string;
  /** Clock for created_at/updated_at and the seed's relative dates. */
  now?: () => Date;
  /** Artificial delay before each answer. */
  latencyMs?: number;
  /** Bulk bugs to add after seeding (benchmarks); see {@link MantisSimulator.addBulkBugs}. */
  bulkBugs?: number;
  /** Keep every request in `requests` (default true); benchmarks sending many thousands turn it off. */
  recordRequests?: boolean;
  /** Called as each answer is sent, with how long serving it took (benchmarks subtract the tracker's own time). */
  onServed?: (served: ServedRequest) => void;
}

/** One answered request, as {@link MantisSimulatorOptions.onServed} reports it. */
export interface ServedRequest {
  method: string;
  /** The request target as sent: path and query. */
  url: string;
  status: number;
  /** From the request's arrival to the answer handed to the socket, in milliseconds. */
  ms: number;
}

/** Options of {@link MantisSimulator.addBulkBugs}. */
export interface BulkBugOptions {
  /** Only NEW, unassigned bugs (what `grab` takes), instead of a mix of every status. */
  onlyNew?: boolean;
}

/** One request as the simulator received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/api/rest/issues/1`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body was JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
}

/** Options of {@link MantisSimulator.failNext}. */
export interface FailNextOptions {
  /** Content-Type of the failure; guessed from the body when absent (HTML, JSON or text). */
  contentType?: string;
  /** HTTP reason phrase. */
  reason?: string;
  /** How many following requests fail this way (default 1). */
  times?: number;
  /** How many requests to let through first (default 0): `after: 2` fails the third request from now. */
  after?: number;
  /**
   * `hang`: the request is not answered at all (the client times out); `apply-then-hang`: it is
   * carried out (a bug created, a note added) and then not answered, as when MantisBT finished
   * but the answer never came back. `status` and `body` are unused then.
   */
  mode?: "answer" | "hang" | "apply-then-hang";
  /** Only requests with this method and path below `api/rest/` (e.g. `POST issues`) fail or count for `after`; others pass. */
  request?: string;
}

/** A running simulator. */
export interface MantisSimulator {
  /** MantisBT root with a trailing slash, e.g. `http://127.0.0.1:12345/`; the API is under `url + "api/rest/"`. */
  url: string;
  /** User name -> API token: administrator, manager, alice, bob, carol, reporter. */
  tokens: Record<string, string>;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** The SQLite-backed state, for assertions and fixtures. */
  database: MantisDatabase;
  setLatency(ms: number): void;
  /** The next request (or `times` requests) answer `status` with `body` instead of being handled. */
  failNext(status: number, body?: string, options?: FailNextOptions): void;
  /** Adds `count` plain bugs in one transaction (10,000-bug benchmarks); returns their ids. */
  addBulkBugs(count: number, options?: BulkBugOptions): number[];
  close(): Promise<void>;
}

interface PendingFailure {
  status: number;
  body: string;
  contentType: string;
  reason: string | undefined;
  remaining: number;
  /** Requests still to let through before this failure starts. */
  skip: number;
  mode: "answer" | "hang" | "apply-then-hang";
  request: string | undefined;
}

type Handler = (context: SimulatorContext, request: ApiRequest) => ApiResponse;

/** Route table: method, path pattern below `api/rest/` (`:id` matches one segment), handler. Trailing slashes are accepted as in MantisBT. */
const ROUTES: readonly [string, string, Handler][] = [
  ["GET", "issues", listIssues],
  ["POST", "issues", createIssue],
  ["GET", "issues/:id", getIssue],
  ["PATCH", "issues/:id", updateIssue],
  ["DELETE", "issues/:id", deleteIssue],
  ["POST", "issues/:id/notes", addNote],
  ["DELETE", "issues/:id/notes/:note_id", deleteNote],
  ["POST", "issues/:id/tags", attachTags],
  ["POST", "issues/:id/relationships", addRelationship],
  ["GET", "users/me", getMe],
  ["GET", "users/username/:name", getUserByName],
  ["GET", "projects", getProjects],
  ["GET", "projects/:id", getProjects],
  ["GET", "projects/:id/versions", getProjectVersions],
  ["POST", "projects/:id/versions", createVersion],
  ["PATCH", "projects/:id/versions/:version_id", updateVersion],
  ["GET", "projects/:id/handlers", getProjectHandlers],
];

function matchRoute(method: string, segments: string[]): { handler: Handler } | { allowed: string[] } | undefined {
  const allowed: string[] = [];
  for (const [routeMethod, pattern, handler] of ROUTES) {
    const parts = pattern.split("/");
    if (parts.length !== segments.length) continue;
    if (!parts.every((part, index) => part.startsWith(":") || part === segments[index])) continue;
    if (routeMethod === method) return { handler };
    allowed.push(routeMethod);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}

// Slim's default HTML pages for unknown routes and wrong methods (OBSERVED.md: these are HTML, not JSON).
function slimHtml(title: string, text: string): string {
  return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>${title}</title><style>body{margin:0;padding:30px;font:12px/1.5 Helvetica,Arial,Verdana,sans-serif;}h1{margin:0;font-size:48px;font-weight:normal;line-height:48px;}</style></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Reason phrases must be Latin-1 without control characters; MantisBT messages may hold anything. */
function safeReason(reason: string): string {
  return reason.replace(/[^\x20-\x7e]/g, "?");
}

function guessContentType(body: string): string {
  const trimmed = body.trimStart();
  if (trimmed.startsWith("<")) return "text/html; charset=UTF-8";
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return "application/json";
  return "text/plain; charset=UTF-8";
}


function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Starts the simulator on 127.0.0.1 and resolves once it listens. */
export async function startMantisSimulator(options: MantisSimulatorOptions = {}): Promise<MantisSimulator> {
  const clock = options.now ?? (() => new Date());
  const nowSeconds = (): number => Math.floor(clock().getTime() / 1000);
  const db = new MantisDatabase(options.database ?? ":memory:");
  if (db.isEmpty()) {
    seedTracker(db, nowSeconds());
    if (options.seed === false) removeSeededBugs(db);
  }
  if (options.bulkBugs && options.bulkBugs > 0) addBulkBugs(db, options.bulkBugs, nowSeconds());

  const context: SimulatorContext = { db, nowSeconds };
  const requests: RecordedRequest[] = [];
  const failures: PendingFailure[] = [];
  let latencyMs = options.latencyMs ?? 0;

  const recordRequests = options.recordRequests ?? true;
  const onServed = options.onServed;

  const server = createServer((request, response) => {
    if (onServed) {
      const started = performance.now();
      response.once("finish", () => onServed({ method: request.method ?? "GET", url: request.url ?? "/", status: response.statusCode, ms: performance.now() - started }));
    }
    handle(request, response).catch((error: unknown) => {
      // A bug in the simulator itself: answer like a crashed PHP rather than hanging the client.
      if (!response.headersSent) response.writeHead(500, { "Content-Length": "0" });
      response.end();
      process.emitWarning(`MantisBT simulator failed on ${request.method ?? "?"} ${request.url ?? "?"}: ${String(error)}`);
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readText(request);
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const method = (request.method ?? "GET").toUpperCase();
    const contentType = headerValue(request.headers, "content-type") ?? "";
    const isJson = /^application\/json\b/i.test(contentType);
    let parsed: unknown;
    let jsonError = false;
    if (raw !== "") {
      try {
        parsed = JSON.parse(raw) as unknown;
      } catch {
        parsed = raw;
        jsonError = isJson;
      }
    }
    if (recordRequests) requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      body: parsed,
    });

    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));

    const next = failures[0];
    const failure = next && (next.request === undefined || next.request === `${method} ${url.pathname.replace(/^\/api\/rest\//, "")}`) ? next : undefined;
    let hangAfterApplying = false;
    if (failure && failure.skip > 0) {
      failure.skip -= 1;
    } else if (failure) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) failures.shift();
      // The socket stays open until the client gives up or the simulator closes.
      if (failure.mode === "hang") return;
      if (failure.mode === "apply-then-hang") {
        hangAfterApplying = true;
      } else {
        const headers: Record<string, string | number> = { "Content-Length": Buffer.byteLength(failure.body) };
        if (failure.body !== "") headers["Content-Type"] = failure.contentType;
        if (failure.reason !== undefined) response.writeHead(failure.status, safeReason(failure.reason), headers);
        else response.writeHead(failure.status, headers);
        response.end(failure.body);
        return;
      }
    }
    // The request is carried out as usual, and its answer written where nobody reads it.
    if (hangAfterApplying) response = new ServerResponse(request);

    if (url.pathname === "/view.php") {
      sendViewPage(response, url.searchParams.get("id") ?? "");
      return;
    }

    const prefix = "/api/rest/";
    if (!url.pathname.startsWith(prefix) && url.pathname !== "/api/rest") {
      sendHtml(response, 404, "Not Found", slimHtml("Page Not Found", "The page you are looking for could not be found."));
      return;
    }

    // Auth runs before routing, as MantisBT's AuthMiddleware wraps the whole Slim app.
    const auth = authenticate(request.headers);
    if (auth instanceof MantisError) {
      sendError(response, auth, undefined);
      return;
    }
    const identity = { "X-Mantis-Username": auth.name, "X-Mantis-LoginMethod": "api-token", "X-Mantis-Version": MANTIS_VERSION };

    const segments = url.pathname.slice(prefix.length).split("/").filter((segment, index, all) => segment !== "" || index < all.length - 1);
    const route = matchRoute(method, segments);
    if (!route) {
      sendHtml(response, 404, "Not Found", slimHtml("Page Not Found", "The page you are looking for could not be found."), identity);
      return;
    }
    if ("allowed" in route) {
      sendHtml(
        response,
        405,
        "Method Not Allowed",
        slimHtml("Method not allowed", `Method not allowed. Must be one of: <strong>${route.allowed.join(", ")}</strong>`),
        { ...identity, Allow: route.allowed.join(", ") },
      );
      return;
    }
    if (jsonError) {
      sendError(response, statusOnly(400, "Invalid request body or format"), identity);
      return;
    }

    const apiRequest: ApiRequest = {
      method,
      segments,
      query: url.searchParams,
      headers: request.headers,
      body: isJson ? parsed : null,
      user: auth,
    };
    try {
      const result = route.handler(context, apiRequest);
      sendResult(response, result, identity);
    } catch (error) {
      if (error instanceof MantisError) sendError(response, error, identity);
      else throw error;
    }
  }

  /**
   * Token -> user, then `X-Mantis-Username` impersonation for administrators, with the refusals and
   * their order of `AuthMiddleware` (mantisbt `api/rest/restcore/AuthMiddleware.php`, release-2.28.4).
   */
  function authenticate(headers: IncomingHttpHeaders): UserRow | MantisError {
    // `explode(', ', ...)`: several credentials are tried one by one, separated by a comma and a space
    // exactly ("a,b" is one wrong token); a "Bearer " prefix is not understood by 2.28.
    const user = (headerValue(headers, "authorization") ?? "")
      .split(", ")
      .map((candidate) => db.userByToken(candidate))
      .find((candidate): candidate is UserRow => candidate !== undefined);
    if (!user) return statusOnly(401, "Valid API token required");

    const impersonate = headerValue(headers, "x-mantis-username");
    if (!impersonate) return user;
    const target = db.userByName(impersonate);
    if (!target) return statusOnly(404, "Invalid impersonation username");
    if (target.id === user.id) return statusOnly(403, "Can't impersonate self");
    if (user.access_level < THRESHOLDS.impersonate_user_threshold) return statusOnly(403, "User can't impersonate other users");
    if (target.access_level > user.access_level) return statusOnly(403, "User can't impersonate users with higher access level");
    return target;
  }

  function sendResult(response: ServerResponse, result: ApiResponse, identity: Record<string, string>): void {
    const headers: Record<string, string | number> = { ...result.headers, ...identity, "Cache-Control": "no-store, no-cache, must-revalidate, max-age=0" };
    let payload = "";
    if (result.body !== undefined) {
      payload = encodePhpJson(result.body);
      headers["Content-Type"] = "application/json;charset=utf-8";
    }
    headers["Content-Length"] = Buffer.byteLength(payload);
    if (result.reason !== undefined) response.writeHead(result.status, safeReason(result.reason), headers);
    else response.writeHead(result.status, headers);
    response.end(payload);
  }

  function sendError(response: ServerResponse, error: MantisError, identity: Record<string, string> | undefined): void {
    const body = error.body();
    const payload = body ? encodePhpJson(body) : "";
    // Exceptions are rendered by Slim's error handler, outside the auth middleware: no X-Mantis-* headers.
    // A route's own status passes the version middleware, which wraps authentication too.
    const headers: Record<string, string | number> = {
      ...error.headers,
      ...(error.kind === "status" ? (identity ?? { "X-Mantis-Version": MANTIS_VERSION }) : {}),
    };
    // An empty body keeps PHP's default Content-Type (recorded/29-*, 30-*, 32-err-summary-too-long.json).
    headers["Content-Type"] = body ? "application/json" : "text/html; charset=UTF-8";
    headers["Content-Length"] = Buffer.byteLength(payload);
    if (error.kind === "crash") response.writeHead(500, headers);
    else response.writeHead(error.status, safeReason(error.message), headers);
    response.end(payload);
  }

  function sendHtml(response: ServerResponse, status: number, reason: string, html: string, extra: Record<string, string> = {}): void {
    response.writeHead(status, reason, { ...extra, "Content-Type": "text/html; charset=UTF-8", "Content-Length": Buffer.byteLength(html) });
    response.end(html);
  }

  /** A tiny stand-in for MantisBT's bug page; private bugs need a login there, so they are not shown. */
  function sendViewPage(response: ServerResponse, rawId: string): void {
    const bug = /^\d+$/.test(rawId) ? db.bugById(Number(rawId)) : undefined;
    if (!bug) {
      sendHtml(response, 404, "Not Found", `<!DOCTYPE html><html><head><title>MantisBT</title></head><body><p>Issue ${escapeHtml(rawId)} not found.</p></body></html>`);
      return;
    }
    const anonymous: UserRow = { id: 0, name: "anonymous", real_name: "", email: "", access_level: 10, token: "", created_at: 0 };
    if (!canSeeBug(anonymous, bug)) {
      sendHtml(response, 403, "Forbidden", `<!DOCTYPE html><html><head><title>MantisBT</title></head><body><p>Access Denied.</p></body></html>`);
      return;
    }
    const handler = bug.handler_id !== 0 ? (db.userById(bug.handler_id)?.name ?? "") : "";
    const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${String(bug.id).padStart(7, "0")}: ${escapeHtml(bug.summary)} - MantisBT</title></head><body>
<h1>${String(bug.id).padStart(7, "0")}: ${escapeHtml(bug.summary)}</h1>
<table>
<tr><th>Status</th><td>${escapeHtml(ENUMS.status.get(bug.status) ?? `@${bug.status}@`)}</td></tr>
<tr><th>Assigned To</th><td>${escapeHtml(handler)}</td></tr>
<tr><th>Last Update</th><td>${formatDate(bug.updated_at)}</td></tr>
</table>
<pre>${escapeHtml(bug.description)}</pre>
</body></html>`;
    sendHtml(response, 200, "OK", html);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const tokens = Object.fromEntries(db.allUsers().map((user) => [user.name, user.token]));

  return {
    url: `http://127.0.0.1:${port}/`,
    tokens,
    requests,
    database: db,
    setLatency(ms: number) {
      latencyMs = ms;
    },
    failNext(status: number, body = "", failOptions: FailNextOptions = {}) {
      failures.push({
        status,
        body,
        contentType: failOptions.contentType ?? guessContentType(body),
        reason: failOptions.reason,
        remaining: failOptions.times ?? 1,
        skip: failOptions.after ?? 0,
        mode: failOptions.mode ?? "answer",
        request: failOptions.request,
      });
    },
    addBulkBugs(count: number, bulkOptions: BulkBugOptions = {}) {
      return addBulkBugs(db, count, nowSeconds(), bulkOptions);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          db.close();
          if (error) reject(error);
          else resolve();
        });
      });
    },
  };
}

/** `seed: false` keeps users, project, categories, versions and tags but no bugs. */
function removeSeededBugs(db: MantisDatabase): void {
  db.transaction(() => {
    const tables = ["bugs", "notes", "bug_tags", "relationships", "monitors", "history"];
    for (const table of tables) db.sql.exec(`DELETE FROM ${table}`);
    // A tracker without bugs numbers its first one 1, as a fresh MantisBT does (ids are AUTOINCREMENT).
    db.sql.exec(`DELETE FROM sqlite_sequence WHERE name IN (${tables.map((table) => `'${table}'`).join(", ")})`);
  });
}
