/**
 * The MantisBT REST client, over the REST API of MantisBT 2.28.4 (the adapter of the tracker port,
 * `mantis-tracker.ts`, is built on it).
 * It guards against what a real server does silently (OBSERVED.md): it sends ids rather than names,
 * checks that a change really took, refuses summaries the server would answer with an empty 500,
 * and turns every failure into one of the typed errors of `src/errors.ts`.
 */
import { STATUS_CODES } from "node:http";
import type { Logger } from "pino";
import { z } from "zod";
import { BotError, ConfigError, ConflictError, ForbiddenError, NotFoundError, UpstreamUnavailableError } from "../../errors.js";
import { httpClient, type HttpFetch, type HttpResponse } from "../../http/http-client.js";
import { NO_METRICS, type Metrics } from "../../metrics.js";
import { TrackerRejectedError } from "../../process/tracker-port.js";
import { toBug, toBugNote, toTrackerUser, VIEW_STATE_PRIVATE, VIEW_STATE_PUBLIC } from "./mantis-mapping.js";
import {
  currentUserResponseSchema,
  issueCreatedResponseSchema,
  issueListEnvelopeSchema,
  issueListFaultSchema,
  issueListResponseSchema,
  mantisErrorBodySchema,
  mantisIssueSchema,
  noteCreatedResponseSchema,
  projectListResponseSchema,
  mantisVersionSchema,
  projectVersionsResponseSchema,
  relationshipCreatedResponseSchema,
  stringOrNumberId,
  userListResponseSchema,
  versionResponseSchema,
  type MantisIssue,
  type MantisNote,
  type MantisProject,
  type MantisVersion,
} from "./mantis-schemas.js";
import {
  MAX_SUMMARY_LENGTH,
  PRIORITY_IDS,
  RELATIONSHIP_IDS,
  RESOLUTION_IDS,
  STATUS_IDS,
  type Actor,
  type Bug,
  type BugChange,
  type BugNote,
  type ListBugsQuery,
  type NewBug,
  type NewNote,
  type ProjectVersion,
  type MantisClient,
  type RelationshipType,
  type TrackerUser,
} from "./mantis-types.js";

/** Settings of the MantisBT client; `fetch` is injectable for tests. */
export interface MantisClientOptions {
  /** MantisBT root, e.g. `https://bugs.example.com/`; the API lives under `api/rest/`. */
  url: string;
  /** API token, sent bare in `Authorization` (2.28 does not understand `Bearer`). */
  token: string;
  /** Project id, or its name (resolved once to the id, on first use). */
  project: string | number;
  /** Act as the linked staff member (`X-Mantis-Username`); needs an administrator token. */
  impersonate: boolean;
  timeoutMs: number;
  /** Category of new bugs that name none (MantisBT requires one). */
  category: string;
  log: Logger;
  /** The HTTP transport; default the bot's kept-alive client (src/http/http-client.ts). */
  fetch?: HttpFetch;
  /** Counts each request by method and status, with its latency; default: nothing counted. */
  metrics?: Metrics;
  /** How notes written on someone's behalf name the bot: `[by Alice via support-bot]`. */
  botName?: string;
}

type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

interface Call<T> {
  method: HttpMethod;
  /** Relative to `<url>/api/rest/`, without a leading slash. */
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  ifMatch?: string;
  /** `X-Mantis-Username` to send, when impersonating. */
  impersonate?: string;
  /** The bug the call is about, for "Bug #N does not exist" and conflict messages. */
  bugId?: number;
  /** Message for a 404 whose body says nothing (MantisBT answers some 404s with an empty body). */
  notFound?: string;
  schema: z.ZodType<T>;
}

interface Answer<T> {
  status: number;
  data: T;
  etag: string | undefined;
}

/**
 * MantisBT answered with success (2xx) in a shape the bot does not understand. A write it answers so
 * was still applied: the caller may confirm it by reading the bug back.
 */
class UnreadableAnswerError extends UpstreamUnavailableError {
  constructor(
    /** The HTTP reason phrase, which names the new bug's id on a create ("Issue Created with id 12"). */
    readonly reason: string,
    /** The parsed JSON, undefined when the body was empty. */
    readonly json: unknown,
    /** Field paths and zod codes only: the values may hold personal data. */
    readonly problems: string[],
    options: { cause: unknown; logMessage: string },
  ) {
    super("MantisBT answered in a shape the bot does not understand", options);
  }
}

const TOKEN_HINT = "check MANTIS_TOKEN: it must be a valid MantisBT API token (My Account > API Tokens)";
const URL_HINT = "check MANTIS_URL: it must be the MantisBT root, the one that serves view.php";

/**
 * The fields a bug list asks for (`select`): those the client reads, so a listed bug maps to exactly
 * what a bug read alone does. MantisBT then leaves out what the bot never looks at: the history
 * (a query per bug), attachments, monitors, custom fields, severity and the like
 * (`mci_issue_data_as_array` builds only the selected keys). A 10,000-bug scan reads about 60 % less
 * JSON. Single reads stay whole: their ETag, which PATCH's If-Match compares with the whole issue's,
 * hashes what was selected.
 */
const LISTED_ISSUE_FIELDS = Object.keys(mantisIssueSchema.shape).join(",");

/** Creates the MantisBT client; nothing is sent until the first call. */
export function createMantisClient(options: MantisClientOptions): MantisClient {
  return new MantisRestClient(new MantisConnection(options), undefined);
}

/** HTTP, error mapping and the caches every acting client of one tracker shares. */
class MantisConnection {
  /** MantisBT root with a trailing slash. */
  readonly root: string;
  readonly botName: string;
  private readonly apiBase: URL;
  private readonly fetch: HttpFetch;
  private readonly metrics: Metrics;
  private projectId: Promise<number> | undefined;
  private selfName: Promise<string> | undefined;
  /** The bot's own user name once an answer said it (`X-Mantis-Username`) or `GET /users/me` was read. */
  private knownSelf: string | undefined;
  private readonly users = new Map<string, TrackerUser>();
  private handlers: Promise<TrackerUser[]> | undefined;
  private versionNames: string[] | undefined;

  constructor(readonly options: MantisClientOptions) {
    this.root = options.url.endsWith("/") ? options.url : `${options.url}/`;
    this.apiBase = new URL("api/rest/", this.root);
    this.fetch = options.fetch ?? httpClient;
    this.metrics = options.metrics ?? NO_METRICS;
    this.botName = options.botName ?? "support-bot";
  }

  /** Sends one request and returns its validated body, or throws a typed error. */
  async send<T>(call: Call<T>): Promise<Answer<T>> {
    const url = new URL(call.path, this.apiBase);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { Authorization: this.options.token, Accept: "application/json" };
    // Without this header a real 2.28.4 answers a PATCH with 200 and changes nothing.
    if (call.body !== undefined) headers["Content-Type"] = "application/json";
    if (call.ifMatch) headers["If-Match"] = call.ifMatch;
    if (call.impersonate) headers["X-Mantis-Username"] = call.impersonate;

    const logged = {
      method: call.method,
      path: url.pathname + url.search,
      ...(call.impersonate ? { impersonating: call.impersonate } : {}),
    };
    const started = performance.now();
    let response: HttpResponse;
    let text: string;
    // A timer of our own rather than AbortSignal.timeout, whose timer lives on for the whole limit
    // after every request (thousands at a time under load).
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException(`no answer within ${this.options.timeoutMs} ms`, "TimeoutError")), this.options.timeoutMs);
    try {
      response = await this.fetch(url, {
        method: call.method,
        headers,
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
        signal: timeout.signal,
      });
      text = await response.text();
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      this.metrics.trackerRequest(call.method, "error", seconds);
      const durationMs = Math.round(seconds * 1000);
      this.options.log.debug({ ...logged, failure: errorName(error), durationMs }, "mantis request failed");
      throw this.unreachable(call, error);
    } finally {
      clearTimeout(timer);
    }
    const seconds = (performance.now() - started) / 1000;
    this.metrics.trackerRequest(call.method, String(response.status), seconds);
    const durationMs = Math.round(seconds * 1000);
    this.options.log.debug({ ...logged, status: response.status, durationMs }, "mantis request");

    if (response.status >= 300) throw this.failure(call, response, text);
    // MantisBT names the user a request ran as; without impersonation that is the bot's own account,
    // learnt here for free (the watcher tells the bot's notes from customers' by it).
    const runAs = response.headers.get("x-mantis-username");
    if (!call.impersonate && runAs && this.knownSelf === undefined) this.knownSelf = runAs;

    let json: unknown;
    if (text.trim() !== "") {
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new UpstreamUnavailableError("MantisBT answered with something that is not JSON", {
          cause: error,
          hint: URL_HINT,
          // A success status on a write: MantisBT probably made the change before printing garbage.
          mayHaveApplied: call.method !== "GET",
          logMessage: `${call.method} ${url.pathname}: HTTP ${response.status} with a body that is not JSON (${response.headers.get("content-type") ?? "no content type"})`,
        });
      }
    }
    const parsed = call.schema.safeParse(json);
    if (!parsed.success) {
      const problems = describeProblems(parsed.error);
      throw new UnreadableAnswerError(response.statusText, json, problems, {
        cause: parsed.error,
        logMessage: `${call.method} ${url.pathname}: unexpected answer shape (${problems.join("; ")})`,
      });
    }
    return { status: response.status, data: parsed.data, etag: response.headers.get("etag") ?? undefined };
  }

  private unreachable(call: Call<unknown>, error: unknown): UpstreamUnavailableError {
    const name = errorName(error);
    if (name === "TimeoutError" || name === "AbortError") {
      return new UpstreamUnavailableError(`MantisBT did not answer within ${formatSeconds(this.options.timeoutMs)}`, {
        cause: error,
        hint: "check that MantisBT is up; MANTIS_TIMEOUT_MS sets how long the bot waits",
        logMessage: `${call.method} ${call.path}: timed out after ${this.options.timeoutMs} ms`,
        // A write may have been made before the answer got lost.
        mayHaveApplied: call.method !== "GET",
      });
    }
    return new UpstreamUnavailableError("MantisBT is unreachable", {
      cause: error,
      hint: URL_HINT,
      logMessage: `${call.method} ${call.path}: ${networkCode(error) ?? name}`,
    });
  }

  /** Maps an error status to a typed error; the message comes from JSON `{message}` or the reason phrase. */
  private failure(call: Call<unknown>, response: HttpResponse, text: string): BotError {
    const status = response.status;
    // PHP labels every empty body text/html (recorded/30-err-impersonate-unknown.json): only a page counts.
    const html = text.trimStart().startsWith("<") || (text.trim() !== "" && /text\/html/i.test(response.headers.get("content-type") ?? ""));
    const bodyMessage = html ? undefined : jsonMessage(text);
    // MantisBT puts its message in the reason phrase; a standard phrase ("Not Found") says nothing more.
    const phrase = response.statusText.trim();
    const reason = phrase !== "" && phrase !== STATUS_CODES[status] ? phrase : undefined;
    const said = bodyMessage ?? reason;
    const logMessage = `${call.method} ${call.path}: HTTP ${status}${said ? ` ${said}` : ""}`;

    if (status === 401) {
      return new ForbiddenError(`MantisBT refused the bot's API token${said ? ` (${said})` : ""}`, { hint: TOKEN_HINT });
    }
    if (call.impersonate && said !== undefined && /impersonat/i.test(said)) {
      // 403 "User can't impersonate other users" or 404 "Invalid impersonation username" (recorded/29-*, 30-*).
      return status === 404
        ? new ForbiddenError(`MantisBT has no user '${call.impersonate}' for the bot to act as`, {
            hint: "link the staff member to their exact MantisBT user name in the staff file",
          })
        : new ForbiddenError(`MantisBT does not let the bot act as '${call.impersonate}' (${said})`, {
            hint: "MANTIS_IMPERSONATE needs an administrator's API token in MANTIS_TOKEN",
          });
    }
    if (status === 403) return new ForbiddenError(`MantisBT refused this: ${said ?? "access denied"}`);
    if (status === 404) {
      // Real issue and project 404s are JSON or empty; an HTML 404 means the URL is not the REST API.
      if (html) return new UpstreamUnavailableError("MantisBT's REST API was not found", { hint: URL_HINT, logMessage });
      const missingIssue = said?.match(/Issue #?(\d+) not found/i);
      if (missingIssue) return new NotFoundError(`Bug #${missingIssue[1]} does not exist`);
      if (bodyMessage) return new NotFoundError(bodyMessage);
      if (call.notFound) return new NotFoundError(call.notFound);
      if (call.bugId !== undefined) return new NotFoundError(`Bug #${call.bugId} does not exist`);
      return new NotFoundError(`MantisBT has no such thing: ${said ?? call.path}`);
    }
    if (status === 412) {
      const what = call.bugId !== undefined ? `Bug #${call.bugId}` : "The bug";
      return new ConflictError(`${what} changed meanwhile: reload and retry`);
    }
    if (status === 409) return new ConflictError(`MantisBT reports a conflict: ${said ?? "the data changed meanwhile"}`);
    if (status === 400 && !html) {
      return new TrackerRejectedError(`MantisBT refused the request: ${said ?? "invalid request"}`, { logMessage });
    }
    return new UpstreamUnavailableError(`MantisBT failed (HTTP ${status}${said && !html ? `: ${said}` : ""})`, {
      ...(status === 503 ? { hint: "MantisBT may be down or its REST API disabled (webservice_rest_enabled)" } : {}),
      ...(status < 500 ? { hint: URL_HINT } : {}),
      logMessage,
    });
  }

  /** The project id, resolved from a name once (GET /projects) and cached. */
  resolveProjectId(impersonate: string | undefined): Promise<number> {
    const project = this.options.project;
    if (typeof project === "number") return Promise.resolve(project);
    if (/^\d+$/.test(project.trim())) return Promise.resolve(Number(project.trim()));
    if (!this.projectId) {
      this.projectId = this.findProject(project.trim(), impersonate);
      // A failed lookup (network, token) must not stick.
      this.projectId.catch(() => (this.projectId = undefined));
    }
    return this.projectId;
  }

  private async findProject(name: string, impersonate: string | undefined): Promise<number> {
    const { data } = await this.send({ method: "GET", path: "projects", impersonate, schema: projectListResponseSchema });
    const all = flattenProjects(data.projects);
    const exact = all.find((project) => project.name === name);
    const folded = all.filter((project) => project.name.toLowerCase() === name.toLowerCase());
    const found = exact ?? (folded.length === 1 ? folded[0] : undefined);
    if (!found) {
      const visible = all.map((project) => `'${project.name}'`).join(", ") || "none";
      throw new ConfigError([`MANTIS_PROJECT: MantisBT has no project named '${name}' that the bot can see (visible: ${visible})`]);
    }
    return found.id;
  }

  /** The bot's own user name (GET /users/me), so it never tries to impersonate itself. */
  ownName(): Promise<string> {
    if (!this.selfName) {
      this.selfName = this.send({ method: "GET", path: "users/me", schema: currentUserResponseSchema }).then(({ data }) => {
        if (!data.name) throw new UpstreamUnavailableError("MantisBT did not say which user the API token belongs to");
        this.knownSelf = data.name;
        return data.name;
      });
      this.selfName.catch(() => (this.selfName = undefined));
    }
    return this.selfName;
  }

  /** The bot's own user name if an answer has said it already (no request). */
  ownNameIfKnown(): string | undefined {
    return this.knownSelf;
  }

  cachedUser(name: string): TrackerUser | undefined {
    return this.users.get(name);
  }

  rememberUser(user: TrackerUser): void {
    this.users.set(user.name, user);
  }

  /** The project's handlers, read once and kept; `fresh` reads them again (someone may have been given the right). */
  cachedHandlers(fresh: boolean, read: () => Promise<TrackerUser[]>): Promise<TrackerUser[]> {
    if (fresh || !this.handlers) {
      const reading = read();
      this.handlers = reading;
      // A failed read must not stick.
      reading.catch(() => {
        if (this.handlers === reading) this.handlers = undefined;
      });
    }
    return this.handlers;
  }

  /** The project's version names as last read, undefined when they must be read (again). */
  cachedVersionNames(): string[] | undefined {
    return this.versionNames;
  }

  rememberVersionNames(names: string[]): void {
    this.versionNames = names;
  }
}

/** The client itself; one instance per actor, all sharing one connection. */
class MantisRestClient implements MantisClient {
  constructor(
    private readonly connection: MantisConnection,
    private readonly actor: Actor | undefined,
  ) {}

  actingAs(actor: Actor): MantisClient {
    return new MantisRestClient(this.connection, actor);
  }

  bugUrl(id: number): string {
    return `${this.connection.root}view.php?id=${id}`;
  }

  botAccount(): string | undefined {
    return this.connection.ownNameIfKnown();
  }

  readBotAccount(): Promise<string> {
    return this.connection.ownName();
  }

  async getBug(id: number): Promise<Bug> {
    checkBugId(id);
    const { data, etag } = await this.send({ method: "GET", path: `issues/${id}`, bugId: id, schema: issueListResponseSchema });
    const issue = data.issues[0];
    if (!issue) throw new NotFoundError(`Bug #${id} does not exist`);
    return toBug(issue, etag);
  }

  async listBugs(query: ListBugsQuery): Promise<Bug[]> {
    if (!Number.isSafeInteger(query.page) || query.page < 1) throw new RangeError(`page must be 1 or more, not ${query.page}`);
    // page_size 0 or less means "everything" to MantisBT: never ask for that by accident.
    if (!Number.isSafeInteger(query.pageSize) || query.pageSize < 1) {
      throw new RangeError(`pageSize must be 1 or more, not ${query.pageSize}`);
    }
    const impersonate = await this.impersonation();
    const projectId = await this.connection.resolveProjectId(impersonate);
    const { data } = await this.connection.send({
      method: "GET",
      path: "issues",
      query: {
        project_id: projectId,
        page: query.page,
        page_size: query.pageSize,
        ...(query.filter !== undefined ? { filter_id: query.filter } : {}),
        select: LISTED_ISSUE_FIELDS,
      },
      impersonate,
      notFound: query.filter !== undefined && typeof query.filter === "number" ? `MantisBT has no saved filter #${query.filter}` : projectNotFound(projectId),
      schema: issueListEnvelopeSchema.or(issueListFaultSchema),
    });
    // An unknown filter name answers 200 with a fault object where the list should be.
    if (!Array.isArray(data.issues)) throw new NotFoundError(data.issues.fault_string);
    return this.readListedIssues(data.issues);
  }

  /**
   * The bugs of a list, each validated on its own: one that does not fit is left out with a warning
   * naming it and the fields at fault (never their values, which may hold personal data), so no
   * single bug can stop the watcher, a summary or a listing.
   */
  private readListedIssues(items: readonly unknown[]): Bug[] {
    const bugs: Bug[] = [];
    for (const item of items) {
      const parsed = mantisIssueSchema.safeParse(item);
      if (parsed.success) {
        bugs.push(toBug(parsed.data));
        continue;
      }
      this.connection.options.log.warn(
        { bugId: issueIdOf(item) ?? "unknown", fields: describeProblems(parsed.error) },
        "skipped a bug MantisBT listed in a shape the bot does not understand",
      );
    }
    return bugs;
  }

  async createBug(bug: NewBug): Promise<Bug> {
    checkSummary(bug.summary);
    const impersonate = await this.impersonation();
    const projectId = await this.connection.resolveProjectId(impersonate);
    const handler = bug.handler !== undefined ? await this.requireUser(bug.handler) : undefined;
    const notes = await this.notesToSend(bug.notes, impersonate);
    const body = {
      summary: bug.summary,
      description: bug.description,
      project: { id: projectId },
      category: { name: bug.category ?? this.connection.options.category },
      view_state: { id: bug.private ? VIEW_STATE_PRIVATE : VIEW_STATE_PUBLIC },
      ...(bug.priority ? { priority: { id: PRIORITY_IDS[bug.priority] } } : {}),
      ...(handler ? { handler: { id: handler.id } } : {}),
      // MantisBT sets `assigned` by itself when a handler is given; send a status only when asked.
      ...(bug.status ? { status: { id: STATUS_IDS[bug.status] } } : {}),
      ...(bug.tags && bug.tags.length > 0 ? { tags: uniqueNames(bug.tags).map((name) => ({ name })) } : {}),
      ...(notes.length > 0 ? { notes: notes.map(noteBody) } : {}),
    };
    let created: { issue: MantisIssue; etag: string | undefined };
    try {
      const { data, etag } = await this.connection.send({
        method: "POST",
        path: "issues",
        body,
        impersonate,
        notFound: projectNotFound(projectId),
        schema: issueCreatedResponseSchema,
      });
      created = { issue: data.issue, etag };
    } catch (error) {
      created = await this.readBackAfter(error, (answer) => createdIssueId(answer));
    }
    verifyApplied(created.issue, {
      ...(bug.status ? { status: bug.status } : {}),
      ...(handler ? { handlerId: handler.id } : {}),
      ...(bug.priority ? { priority: bug.priority } : {}),
    });
    // The bug exists now: a note that cannot be added after all is left for the caller to notice.
    return this.withNotes(toBug(created.issue, created.etag), notes, { keepBug: true });
  }

  async updateBug(id: number, change: BugChange, options: { ifMatch?: string } = {}): Promise<Bug> {
    checkBugId(id);
    if (change.summary !== undefined) checkSummary(change.summary);
    const notes = await this.notesToSend(change.notes, await this.impersonation());
    let handlerId: number | undefined;
    if (change.handler === null) handlerId = 0;
    else if (change.handler !== undefined) handlerId = (await this.requireUser(change.handler)).id;
    const body = {
      ...(change.status ? { status: { id: STATUS_IDS[change.status] } } : {}),
      ...(handlerId !== undefined ? { handler: { id: handlerId } } : {}),
      ...(change.priority ? { priority: { id: PRIORITY_IDS[change.priority] } } : {}),
      ...(change.resolution ? { resolution: { id: RESOLUTION_IDS[change.resolution] } } : {}),
      ...(change.summary !== undefined ? { summary: change.summary } : {}),
      ...(change.fixedInVersion !== undefined ? { fixed_in_version: { name: change.fixedInVersion } } : {}),
      ...(notes.length > 0 ? { notes: notes.map(noteBody) } : {}),
    };
    if (Object.keys(body).length === 0) return this.getBug(id);
    let updated: { issue: MantisIssue | undefined; etag: string | undefined };
    try {
      const { data, etag } = await this.send({
        method: "PATCH",
        path: `issues/${id}`,
        body,
        ...(options.ifMatch ? { ifMatch: options.ifMatch } : {}),
        bugId: id,
        schema: issueListResponseSchema,
      });
      updated = { issue: data.issues[0], etag };
    } catch (error) {
      updated = await this.readBackAfter(error, () => id);
    }
    const { issue, etag } = updated;
    if (!issue) throw new UpstreamUnavailableError(`MantisBT answered the update of bug #${id} without the bug`, { mayHaveApplied: true });
    verifyApplied(issue, {
      ...(change.status ? { status: change.status } : {}),
      ...(handlerId !== undefined ? { handlerId } : {}),
      ...(change.priority ? { priority: change.priority } : {}),
      ...(change.fixedInVersion !== undefined ? { fixedInVersion: change.fixedInVersion } : {}),
    });
    return this.withNotes(toBug(issue, etag), notes, { keepBug: false });
  }

  async addNote(id: number, note: NewNote): Promise<BugNote> {
    checkBugId(id);
    const impersonate = await this.impersonation();
    const [sent] = await this.notesToSend([note], impersonate);
    return this.postNote(id, sent!, impersonate);
  }

  async deleteNote(id: number, noteId: number): Promise<void> {
    checkBugId(id);
    checkBugId(noteId);
    // 2.28.4 answers 200 with `{issue}`; the bug is not needed, so any JSON (or none) will do.
    await this.send({ method: "DELETE", path: `issues/${id}/notes/${noteId}`, bugId: id, notFound: `Bug #${id} has no note ${noteId}`, schema: z.unknown() });
  }

  /** `POST /issues/{id}/notes` with a note as it is sent (see `notesToSend`). */
  private async postNote(id: number, note: NewNote, impersonate: string | undefined): Promise<BugNote> {
    const text = note.text;
    let created: MantisNote;
    try {
      const { data } = await this.connection.send({
        method: "POST",
        path: `issues/${id}/notes`,
        body: noteBody(note),
        impersonate,
        bugId: id,
        schema: noteCreatedResponseSchema,
      });
      created = data.note;
    } catch (error) {
      const { issue, answer } = await this.readBackAfter(error, () => id);
      const noteId = createdNoteId(answer);
      // Without the note's id, the newest note with this text is the one just added.
      const found = issue.notes.find((candidate) => candidate.id === noteId) ?? issue.notes.findLast((candidate) => candidate.text === text);
      if (!found) {
        throw new UpstreamUnavailableError(`MantisBT answered the note on bug #${id} in a shape the bot does not understand, and the note is not on the bug`, { cause: error });
      }
      created = found;
    }
    if (note.private && created.view_state && created.view_state.id !== VIEW_STATE_PRIVATE) {
      throw new TrackerRejectedError(`MantisBT stored note ${created.id} on bug #${id} as public, not private: make it private by hand`, {
        hint: "the tracker account needs set_view_status_threshold to write private notes",
      });
    }
    return toBugNote(created);
  }

  async addTags(id: number, tags: string[]): Promise<void> {
    checkBugId(id);
    const names = uniqueNames(tags);
    if (names.length === 0) return;
    let issue: MantisIssue | undefined;
    try {
      const { data } = await this.send({
        method: "POST",
        path: `issues/${id}/tags`,
        body: { tags: names.map((name) => ({ name })) },
        bugId: id,
        schema: issueListResponseSchema,
      });
      issue = data.issues[0];
    } catch (error) {
      ({ issue } = await this.readBackAfter(error, () => id));
    }
    if (!issue) return;
    const present = new Set(issue.tags.map((tag) => tag.name.toLowerCase()));
    const missing = names.filter((name) => !present.has(name.toLowerCase()));
    if (missing.length > 0) {
      throw new TrackerRejectedError(`MantisBT did not tag bug #${id} with ${missing.map((name) => `'${name}'`).join(", ")}`, {
        hint: "the tracker account may lack the right to create tags (tag_create_threshold)",
      });
    }
  }

  async addRelationship(id: number, relationship: { type: RelationshipType; otherBugId: number }): Promise<void> {
    checkBugId(id);
    checkBugId(relationship.otherBugId);
    try {
      await this.send({
        method: "POST",
        path: `issues/${id}/relationships`,
        body: { issue: { id: relationship.otherBugId }, type: { id: RELATIONSHIP_IDS[relationship.type] } },
        bugId: id,
        schema: relationshipCreatedResponseSchema.optional(),
      });
    } catch (error) {
      const { issue } = await this.readBackAfter(error, () => id);
      const typeId = RELATIONSHIP_IDS[relationship.type];
      if (!issue.relationships.some((candidate) => candidate.issue.id === relationship.otherBugId && candidate.type.id === typeId)) {
        throw new UpstreamUnavailableError(
          `MantisBT answered linking bug #${id} to #${relationship.otherBugId} in a shape the bot does not understand, and the link is not on the bug`,
          { cause: error },
        );
      }
    }
  }

  /**
   * After a change MantisBT accepted (2xx) but answered in a shape the bot does not understand: reads
   * the bug back, so MantisBT's own state confirms the change and the command reports it as done
   * instead of failing a change that was made. Any other error is thrown again.
   */
  private async readBackAfter(
    error: unknown,
    changedBug: (answer: UnreadableAnswerError) => number | undefined,
  ): Promise<{ issue: MantisIssue; etag: string | undefined; answer: UnreadableAnswerError }> {
    if (!(error instanceof UnreadableAnswerError)) throw error;
    const id = changedBug(error);
    if (id === undefined) throw error;
    this.connection.options.log.warn(
      { bugId: id, fields: error.problems },
      "MantisBT applied a change but answered in a shape the bot does not understand; reading the bug back",
    );
    try {
      const { data, etag } = await this.send({ method: "GET", path: `issues/${id}`, bugId: id, schema: issueListResponseSchema });
      const issue = data.issues[0];
      if (issue) return { issue, etag, answer: error };
    } catch (readError) {
      if (!(readError instanceof UpstreamUnavailableError)) throw readError;
    }
    throw new UpstreamUnavailableError(
      `MantisBT accepted the change to bug #${id}, but neither its answer nor the bug could be read: check bug #${id} in MantisBT`,
      { cause: error, mayHaveApplied: true },
    );
  }

  async getUser(name: string): Promise<TrackerUser | undefined> {
    const cached = this.connection.cachedUser(name);
    if (cached) return cached;
    try {
      // Asked as the bot itself: MantisBT shows other accounts only to user managers (manage_user_threshold),
      // which the bot's administrator token is and an impersonated developer is not.
      const { data } = await this.connection.send({
        method: "GET",
        path: `users/username/${encodeURIComponent(name)}`,
        schema: userListResponseSchema,
      });
      const found = data.users[0];
      if (!found) return undefined;
      const user = toTrackerUser(found);
      this.connection.rememberUser(user);
      return user;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      if (!(error instanceof ForbiddenError)) throw error;
      // A bot account below user-manager level may still see who can handle bugs in its project.
      const handler =
        (await this.listHandlers()).find((user) => user.name === name) ?? (await this.listHandlers({ fresh: true })).find((user) => user.name === name);
      if (handler) return handler;
      throw error;
    }
  }

  async listHandlers(options: { fresh?: boolean } = {}): Promise<TrackerUser[]> {
    return this.connection.cachedHandlers(options.fresh ?? false, async () => {
      const impersonate = await this.impersonation();
      const projectId = await this.connection.resolveProjectId(impersonate);
      const { data } = await this.connection.send({
        method: "GET",
        path: `projects/${projectId}/handlers`,
        impersonate,
        notFound: projectNotFound(projectId),
        schema: userListResponseSchema,
      });
      const users = data.users.map(toTrackerUser);
      for (const user of users) this.connection.rememberUser(user);
      return users;
    });
  }

  async listVersions(options: { fresh?: boolean } = {}): Promise<string[]> {
    const cached = options.fresh ? undefined : this.connection.cachedVersionNames();
    if (cached) return cached;
    return (await this.listProjectVersions()).map((version) => version.name);
  }

  /**
   * The project's versions with their released flag and date (one GET of the project). Each version
   * is read on its own: one MantisBT lists in a shape the bot does not understand is left out with a
   * warning, never the whole list.
   */
  async listProjectVersions(): Promise<ProjectVersion[]> {
    const impersonate = await this.impersonation();
    const projectId = await this.connection.resolveProjectId(impersonate);
    const { data } = await this.connection.send({
      method: "GET",
      path: `projects/${projectId}`,
      impersonate,
      notFound: projectNotFound(projectId),
      schema: projectVersionsResponseSchema,
    });
    const project = data.projects.find((candidate) => candidate.id === projectId) ?? data.projects[0];
    if (!project) throw new NotFoundError(projectNotFound(projectId));
    const versions: ProjectVersion[] = [];
    for (const item of project.versions) {
      const parsed = mantisVersionSchema.safeParse(item);
      if (parsed.success) versions.push(toProjectVersion(parsed.data));
      else this.connection.options.log.warn({ projectId, fields: describeProblems(parsed.error) }, "skipped a version MantisBT listed in a shape the bot does not understand");
    }
    this.connection.rememberVersionNames(versions.map((version) => version.name));
    return versions;
  }

  async createVersion(name: string): Promise<ProjectVersion> {
    const impersonate = await this.impersonation();
    const projectId = await this.connection.resolveProjectId(impersonate);
    const { data } = await this.connection.send({
      method: "POST",
      path: `projects/${projectId}/versions`,
      body: { name, released: false, obsolete: false },
      impersonate,
      notFound: projectNotFound(projectId),
      schema: versionResponseSchema,
    });
    const version = toProjectVersion(data.version);
    const known = this.connection.cachedVersionNames();
    if (known && !known.includes(version.name)) this.connection.rememberVersionNames([...known, version.name]);
    return version;
  }

  async markVersionReleased(versionId: number, on: Date): Promise<ProjectVersion> {
    const impersonate = await this.impersonation();
    const projectId = await this.connection.resolveProjectId(impersonate);
    const { data } = await this.connection.send({
      method: "PATCH",
      path: `projects/${projectId}/versions/${versionId}`,
      // MantisBT keeps one date per version (`date_order`); once released it is the release date.
      body: { released: true, timestamp: on.toISOString().replace(/\.\d{3}Z$/, "+00:00") },
      impersonate,
      notFound: `MantisBT has no version #${versionId} in project #${projectId}`,
      schema: versionResponseSchema,
    });
    const version = toProjectVersion(data.version);
    if (!version.released) {
      throw new TrackerRejectedError(`MantisBT did not mark version ${version.name} released: mark it released by hand`, {
        hint: "the tracker account needs manage_project_threshold (manager) to change versions",
      });
    }
    return version;
  }

  /** Sends a call as this client's actor (when impersonating). */
  private async send<T>(call: Omit<Call<T>, "impersonate">): Promise<Answer<T>> {
    const impersonate = await this.impersonation();
    return this.connection.send({ ...call, ...(impersonate ? { impersonate } : {}) });
  }

  /** The `X-Mantis-Username` to send: the actor's, unless impersonation is off or the actor is the bot. */
  private async impersonation(): Promise<string | undefined> {
    if (!this.actor || !this.connection.options.impersonate) return undefined;
    // MantisBT refuses a token user impersonating itself.
    return (await this.isBotItself()) ? undefined : this.actor.trackerUser;
  }

  private async isBotItself(): Promise<boolean> {
    if (!this.actor || !this.connection.options.impersonate) return false;
    const own = await this.connection.ownName();
    return own.toLowerCase() === this.actor.trackerUser.toLowerCase();
  }

  /** First line of a note the bot writes for someone under its own account. */
  private byLine(actor: Actor): string {
    const name = actor.displayName.replace(/[[\]\s]+/g, " ").trim().slice(0, 60) || actor.trackerUser;
    return `[by ${name} via ${this.connection.botName}]`;
  }

  /** The notes as they are sent: non-empty, and naming the person when the bot cannot act as them. */
  private async notesToSend(notes: readonly NewNote[] | undefined, impersonate: string | undefined): Promise<NewNote[]> {
    if (!notes || notes.length === 0) return [];
    if (notes.some((note) => note.text.trim() === "")) throw new TrackerRejectedError("A note needs some text");
    const signed = this.actor && !impersonate && !(await this.isBotItself()) ? this.byLine(this.actor) : undefined;
    return notes.map((note) => ({ text: signed ? `${signed}\n${note.text}` : note.text, private: note.private }));
  }

  /**
   * The bug as answered, after checking that the notes sent with it are on it; a note a server left
   * out (one that ignores `notes` in the body) is added on its own, so it is never lost silently.
   * With `keepBug`, a failure to add it is logged and the bug returned without it.
   */
  private async withNotes(bug: Bug, sent: readonly NewNote[], options: { keepBug: boolean }): Promise<Bug> {
    const notes = [...bug.notes];
    for (const note of sent) {
      const text = note.text.trim();
      if (notes.some((candidate) => candidate.text.trim() === text)) continue;
      this.connection.options.log.warn({ bugId: bug.id }, "MantisBT left out a note sent with the bug; adding it on its own");
      try {
        notes.push(await this.postNote(bug.id, note, await this.impersonation()));
      } catch (error) {
        if (!options.keepBug) throw error;
        this.connection.options.log.warn({ err: error, bugId: bug.id }, "could not add the note left out of the new bug");
      }
    }
    return { ...bug, notes };
  }

  /** A handler's id; MantisBT ignores unknown handler names, so names are never sent. */
  private async requireUser(name: string): Promise<TrackerUser> {
    let user: TrackerUser | undefined;
    try {
      user = await this.getUser(name);
    } catch (error) {
      if (!(error instanceof ForbiddenError)) throw error;
      // The lookup was refused and the name is not among the project's handlers either.
      throw new NotFoundError(`'${name}' is not a MantisBT user who may handle bugs in this project`, { cause: error });
    }
    if (!user) throw new NotFoundError(`MantisBT has no user '${name}'`);
    return user;
  }
}

interface Expected {
  status?: keyof typeof STATUS_IDS;
  handlerId?: number;
  priority?: keyof typeof PRIORITY_IDS;
  fixedInVersion?: string;
}

/**
 * MantisBT answers 200 to some changes it did not make (an unknown status name becomes `@0@`,
 * an unknown handler is ignored), so the answer is checked against what was asked.
 */
function verifyApplied(issue: MantisIssue, expected: Expected): void {
  const problems: string[] = [];
  if (expected.status !== undefined && issue.status.id !== STATUS_IDS[expected.status]) {
    problems.push(`its status is '${issue.status.name ?? `id ${issue.status.id}`}', not '${expected.status}'`);
  }
  if (expected.handlerId !== undefined) {
    const actual = issue.handler?.id ?? 0;
    if (actual !== expected.handlerId) {
      const shown = actual === 0 ? "nobody" : `'${issue.handler?.name ?? `user #${actual}`}'`;
      problems.push(expected.handlerId === 0 ? `it is still assigned to ${shown}` : `it is assigned to ${shown}`);
    }
  }
  if (expected.priority !== undefined && issue.priority && issue.priority.id !== PRIORITY_IDS[expected.priority]) {
    problems.push(`its priority is '${issue.priority.name ?? `id ${issue.priority.id}`}', not '${expected.priority}'`);
  }
  if (expected.fixedInVersion !== undefined && (issue.fixed_in_version?.name ?? "") !== expected.fixedInVersion) {
    problems.push(`its fixed-in version is '${issue.fixed_in_version?.name ?? ""}', not '${expected.fixedInVersion}'`);
  }
  if (problems.length > 0) {
    throw new TrackerRejectedError(`MantisBT did not apply the change to bug #${issue.id}: ${problems.join("; ")}`, {
      hint: "reload the bug in MantisBT and check the account's rights for this change",
    });
  }
}

function toProjectVersion(version: MantisVersion): ProjectVersion {
  return {
    id: version.id,
    name: version.name,
    released: version.released,
    obsolete: version.obsolete,
    ...(version.timestamp ? { date: version.timestamp } : {}),
  };
}

function checkSummary(summary: string): void {
  // MantisBT counts characters, not bytes; code points are the closest match.
  const length = [...summary].length;
  if (length > MAX_SUMMARY_LENGTH) {
    throw new TrackerRejectedError(
      `The summary is ${length} characters long; MantisBT accepts at most ${MAX_SUMMARY_LENGTH}. Shorten it and retry.`,
    );
  }
  if (summary.trim() === "") throw new TrackerRejectedError("The summary must not be empty");
}

/** A note in a request body; the view state by id, which MantisBT never misreads. */
function noteBody(note: NewNote): { text: string; view_state: { id: number } } {
  return { text: note.text, view_state: { id: note.private ? VIEW_STATE_PRIVATE : VIEW_STATE_PUBLIC } };
}

function checkBugId(id: number): void {
  if (!Number.isSafeInteger(id) || id <= 0) throw new NotFoundError(`Bug #${id} does not exist`);
}

function projectNotFound(projectId: number): string {
  return `MantisBT has no project #${projectId} that the bot can see (check MANTIS_PROJECT)`;
}

function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === "" || seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    result.push(name);
  }
  return result;
}

function flattenProjects(projects: MantisProject[]): { id: number; name: string }[] {
  return projects.flatMap((project) => [{ id: project.id, name: project.name }, ...flattenProjects(project.subProjects)]);
}

/** What failed validation, as `path: code` (e.g. `fixed_in_version.id: invalid_union`): never the values. */
function describeProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.code}`).slice(0, 5);
}

const idHolderSchema = z.object({ id: stringOrNumberId });
const createdIssueSchema = z.object({ issue: idHolderSchema });
const createdNoteSchema = z.object({ note: idHolderSchema });

/** The new bug's id in a create answer that did not validate: from `issue.id`, else the reason phrase. */
function createdIssueId(answer: UnreadableAnswerError): number | undefined {
  const parsed = createdIssueSchema.safeParse(answer.json);
  if (parsed.success) return parsed.data.issue.id;
  const fromReason = /Issue Created with id (\d+)/i.exec(answer.reason);
  return fromReason ? Number(fromReason[1]) : undefined;
}

/** The new note's id in an answer that did not validate. */
function createdNoteId(answer: UnreadableAnswerError): number | undefined {
  const parsed = createdNoteSchema.safeParse(answer.json);
  return parsed.success ? parsed.data.note.id : undefined;
}

/** The `id` of an issue (or anything with one) in a body that did not validate as a whole. */
function issueIdOf(value: unknown): number | undefined {
  const parsed = idHolderSchema.safeParse(value);
  return parsed.success ? parsed.data.id : undefined;
}

function jsonMessage(text: string): string | undefined {
  if (text.trim() === "") return undefined;
  try {
    const parsed = mantisErrorBodySchema.safeParse(JSON.parse(text));
    const message = parsed.success ? parsed.data.message?.trim() : undefined;
    return message ? message : undefined;
  } catch {
    return undefined;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** Node's fetch (and the bot's HTTP client) hides the socket error (ECONNREFUSED...) in `cause`. */
function networkCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause && typeof cause === "object" && "code" in cause && typeof cause.code === "string") return cause.code;
  return undefined;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
