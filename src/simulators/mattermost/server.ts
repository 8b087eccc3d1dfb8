/**
 * A protocol-faithful Mattermost server for tests: REST API v4 and the WebSocket on a real
 * 127.0.0.1 port, in-memory state, and the server's side of integrations (slash commands,
 * response_url, dialogs, buttons). Everything received and sent is recorded for assertions.
 * See README.md beside this file for the API and what is simplified.
 */
import { buffer as readBuffer } from "node:stream/consumers";
import { EventEmitter } from "node:events";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { toWireFileInfo } from "./files.js";
import { isValidId, newId } from "./ids.js";
import {
  type DialogSubmitResult,
  type OutgoingRequest,
  type PostActionResult,
  type RecordedDialog,
  type SlashCommandResult,
  Integrations,
  withUntouchedDefaults,
} from "./integrations.js";
import { type RestResult, createRoutes, matchRoute } from "./rest.js";
import { type EphemeralRecord, type SeedOptions, MattermostState, toWireReaction } from "./state.js";
import { type RecordedWsMessage, SERVER_VERSION, WebSocketHub, serverVersionId, tokenFromRequest } from "./websocket-hub.js";
import { type AppErrorBody, type JsonObject, type JsonValue, type WirePost, SimAppError, toWireChannel, toWireCommand } from "./wire.js";

export type { DialogSubmitResult, OutgoingRequest, PostActionResult, RecordedDialog, SlashCommandResult } from "./integrations.js";
export type { CommandResponse, Dialog, DialogElement, DialogSubmissionPayload } from "./integrations.js";
export type { EphemeralRecord, SeedChannel, SeedOptions, SeedUser } from "./state.js";
export type { RecordedWsMessage, WsEvent } from "./websocket-hub.js";
export type { AppErrorBody, JsonObject, JsonValue, WirePost } from "./wire.js";

/** How to start the simulator; every field is optional. */
export interface MattermostSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Clock in epoch milliseconds, for create_at, trigger-id expiry and response_url lifetime. */
  now?: () => number;
  /**
   * Default true: refuse what a real server accepts but only logs as invalid (bad dialogs, bad
   * attachment props) and trigger ids used twice. Warnings are recorded in both modes.
   */
  strict?: boolean;
  /** `OutgoingIntegrationRequestsTimeout`: how long the server waits for the bot; also the trigger id lifetime. Default 30 000. */
  integrationTimeoutMs?: number;
  /**
   * `inactiveConnReaperInterval`: every this long (from the start, on `now`'s clock) the server
   * forgets dropped WebSocket connections idle for longer than it, so a resume is possible for 0 to
   * 5 minutes after a drop. Default 5 minutes.
   */
  reaperIntervalMs?: number;
  /**
   * The version the server claims (`X-Version-Id`, `hello`); below 11 the slash-command request has
   * no `root_id` (app/command.go of release-10.11 against master). Default 11.9.0.
   */
  serverVersion?: string;
  /** `ServiceSettings.EnableCommands` (Enable Custom Slash Commands). Default true. */
  enableCommands?: boolean;
  /**
   * Outgoing OAuth connections: a command whose URL starts with one of `audiences` is called with
   * `Authorization: Bearer <accessToken>` instead of `Token <command token>` (app/command.go, DoCommandRequest).
   */
  outgoingOAuthConnections?: Array<{ audiences: string[]; accessToken: string }>;
  /** Unauthenticated WebSockets are closed after this long. Default 5 000. */
  wsAuthTimeoutMs?: number;
  /** Token bucket per token; `false` turns the X-Ratelimit headers off. Default 100/s, burst 1000. */
  rateLimit?: { perSec: number; maxBurst: number } | false;
  /** Called as each HTTP answer is sent, with how long serving it took (benchmarks subtract the server's own time). */
  onServed?: (served: { method: string; url: string; status: number; ms: number }) => void;
  /** Team, users and channels to start with (default: team `taler`, six users, four channels). */
  seed?: SeedOptions;
}

/** A simulated account. */
export interface SimUserInfo {
  id: string;
  username: string;
  token: string;
  isBot: boolean;
}

/** A user by username (`alice`, `@alice`) or id, or the record itself. */
export type UserRef = string | SimUserInfo;
/** A team channel by name (`support-mgmt`) or any channel by id. */
export type ChannelRef = string | { id: string };

/** One HTTP request the simulator received, with its answer. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, else the raw text; undefined when empty. */
  body: unknown;
  rawBody: string;
  /** The body as it came (a file upload's bytes). */
  bodyBytes: Buffer;
  /** Username of the authenticated caller, if any. */
  user?: string;
  response: { status: number; headers: Record<string, string>; body: unknown };
}

/** A running simulator: its address, what it recorded, people's actions and fault injection. */
export interface MattermostSimulator {
  /** Site URL, e.g. `http://127.0.0.1:41234`; give it to `Client4.setUrl`. */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/api/v4/websocket`. */
  readonly websocketUrl: string;
  readonly team: { id: string; name: string; displayName: string };
  /** Accounts by username. */
  readonly users: Readonly<Record<string, SimUserInfo>>;
  /** username -> token. */
  readonly tokens: Readonly<Record<string, string>>;
  /** The first bot account (`support-bot` by default). */
  readonly bot: SimUserInfo;
  /** Every HTTP request received (REST and response_url hooks), oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Every request the server sent to integrations (slash commands, buttons, dialogs). */
  readonly outgoing: readonly OutgoingRequest[];
  /** Dialogs opened by the bot (and next steps it returned). */
  readonly dialogs: readonly RecordedDialog[];
  /** Ephemeral messages shown to users. */
  readonly ephemeral: readonly EphemeralRecord[];
  /** Messages clients sent over WebSockets. */
  readonly wsReceived: readonly RecordedWsMessage[];
  /** What a real server would have logged as invalid (also recorded when `strict` refused it). */
  readonly warnings: readonly string[];
  /** Upgrade attempts turned away by `refuseConnections`. */
  readonly refusedConnections: number;

  user(ref: UserRef): SimUserInfo;
  /** The id of a team channel by name. */
  channelId(name: string): string;
  /** A channel as `GET /channels/{id}` returns it. */
  channel(ref: ChannelRef): Record<string, unknown>;
  /** Gets or creates the DM channel between two users (no request recorded). */
  directChannel(a: UserRef, b: UserRef): Record<string, unknown>;
  /** Adds a user to a channel, as `/invite @user` typed there does; members get `user_added`. */
  addChannelMember(channel: ChannelRef, user: UserRef): void;
  /** A person posts a message, as the web app would; connected members get `posted`. */
  post(options: { user: UserRef; channel: ChannelRef; message: string; rootId?: string; props?: JsonObject }): WirePost;
  /** Posts of a channel (or all), oldest first, server-side view (integration blocks kept). */
  posts(channel?: ChannelRef): WirePost[];
  /** A root post and its replies, oldest first. */
  thread(rootId: string): WirePost[];
  /** Reactions to a post, oldest first, as `GET /posts/{post_id}/reactions` answers them. */
  reactions(postId: string): Array<Record<string, unknown>>;
  /** Uploaded files, oldest first: their metadata as the API sends it and their bytes. */
  files(): Array<{ info: JsonObject; bytes: Buffer }>;
  /** Ephemeral messages shown to one user. */
  ephemeralFor(user: UserRef): EphemeralRecord[];
  /** Registered slash commands (tokens included). */
  commands(): Array<Record<string, unknown>>;
  /** A user types `text` (e.g. `/support grab 1234`) in a channel; Mattermost calls the command URL. */
  runSlashCommand(options: { user: UserRef; channel: ChannelRef; text: string; rootId?: string }): Promise<SlashCommandResult>;
  /** A user submits (or cancels) an open dialog; defaults to the latest dialog and its user. */
  submitDialog(options: { submission?: Record<string, JsonValue>; dialog?: RecordedDialog; user?: UserRef; cancelled?: boolean }): Promise<DialogSubmitResult>;
  /** A user clicks a button (or picks a menu option); `action` is the action id or its label. */
  clickButton(options: { post: WirePost | string; action: string; user: UserRef; selectedOption?: string }): Promise<PostActionResult>;
  /** Usernames with an open, authenticated WebSocket. */
  connectedUsers(): string[];
  /** Closes every WebSocket (no close frame unless `code`); `forgetSessions` acts like a restart. */
  dropConnections(options?: { code?: number; forgetSessions?: boolean }): number;
  /** Refuses the next `count` WebSocket connection attempts, or all until `acceptConnections()`. */
  refuseConnections(count?: number): void;
  acceptConnections(): void;
  /** The next `count` HTTP requests get `429 limit exceeded`. */
  forceRateLimit(count?: number): void;
  /** The next request matching `path`/`method` (any if unset) gets this answer instead. */
  failNext(failure: { status: number; body?: string; contentType?: string; method?: string; path?: string | RegExp }): void;
  /** Resolves with `probe()`'s first truthy value (checked on every change and every 10 ms); rejects after `timeoutMs` (5 000). */
  waitFor<T>(probe: () => T | undefined | null | false, options?: { timeoutMs?: number; what?: string }): Promise<T>;
  close(): Promise<void>;
}

interface Failure {
  status: number;
  body: string;
  contentType: string;
  method?: string;
  path?: string | RegExp;
}

class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  forced = 0;

  constructor(
    private readonly settings: { perSec: number; maxBurst: number },
    private readonly now: () => number,
  ) {}

  /** Takes one token; returns the headers to send and whether the request is over the limit. */
  take(key: string): { limited: boolean; headers: Record<string, string> } {
    const at = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.settings.maxBurst, at };
    bucket.tokens = Math.min(this.settings.maxBurst, bucket.tokens + ((at - bucket.at) / 1000) * this.settings.perSec);
    bucket.at = at;
    let limited = false;
    if (this.forced > 0) {
      this.forced--;
      limited = true;
    } else if (bucket.tokens < 1) {
      limited = true;
    } else {
      bucket.tokens -= 1;
    }
    this.buckets.set(key, bucket);
    const remaining = limited ? 0 : Math.floor(bucket.tokens);
    const reset = Math.max(1, Math.ceil((this.settings.maxBurst - bucket.tokens) / this.settings.perSec));
    return {
      limited,
      headers: {
        "X-Ratelimit-Limit": String(this.settings.maxBurst + 1),
        "X-Ratelimit-Remaining": String(remaining),
        "X-Ratelimit-Reset": String(reset),
      },
    };
  }
}


function parseMaybeJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Starts a simulator on 127.0.0.1; close it in afterEach/afterAll. */
export async function startMattermostSimulator(options: MattermostSimulatorOptions = {}): Promise<MattermostSimulator> {
  const now = options.now ?? Date.now;
  const strict = options.strict ?? true;
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const changed = (): void => {
    events.emit("change");
  };
  let hub: WebSocketHub | undefined;
  const state = new MattermostState(now, strict, (event) => hub?.publish(event), changed, options.seed);
  state.enableCommands = options.enableCommands ?? true;
  const serverVersion = options.serverVersion ?? SERVER_VERSION;
  hub = new WebSocketHub({ state, now, reaperIntervalMs: options.reaperIntervalMs ?? 5 * 60_000, authTimeoutMs: options.wsAuthTimeoutMs ?? 5_000, serverVersion, changed });
  const wsHub = hub;
  let siteUrl = "";
  const integrations = new Integrations({
    state,
    now,
    siteUrl: () => siteUrl,
    timeoutMs: options.integrationTimeoutMs ?? 30_000,
    strict,
    serverVersion,
    outgoingOAuthConnections: options.outgoingOAuthConnections ?? [],
    changed,
  });
  const routes = createRoutes(state, integrations);
  const requests: RecordedRequest[] = [];
  const failures: Failure[] = [];
  const limiter = options.rateLimit === false ? undefined : new RateLimiter(options.rateLimit ?? { perSec: 100, maxBurst: 1000 }, now);
  let forcedWithoutLimiter = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const bodyBytes = await readBuffer(request);
    const rawBody = bodyBytes.toString("utf8");
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
    }
    const method = (request.method ?? "GET").toUpperCase();
    const token = tokenFromRequest(request.headers, url.searchParams);
    const caller = token ? state.userByToken(token) : undefined;
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: parseMaybeJson(rawBody),
      rawBody,
      bodyBytes,
      user: caller?.username,
      response: { status: 0, headers: {}, body: undefined },
    };
    requests.push(record);
    const requestId = newId();
    const outHeaders: Record<string, string> = { "X-Request-Id": requestId, "X-Version-Id": serverVersionId(serverVersion) };

    const send = (status: number, body: string | Buffer, contentType: string | undefined, extra: Record<string, string> = {}): void => {
      const all = { ...outHeaders, ...extra };
      if (contentType) all["Content-Type"] = contentType;
      record.response = { status, headers: all, body: contentType === "application/json" && typeof body === "string" ? parseMaybeJson(body) : body };
      response.writeHead(status, all);
      response.end(body);
      changed();
    };
    const sendError = (error: SimAppError): void => {
      const body: AppErrorBody = { id: error.id, message: error.message, detailed_error: error.detailedError, request_id: requestId, status_code: error.status, is_oauth: false };
      send(error.status, `${JSON.stringify(body)}\n`, "application/json");
    };

    if (limiter) {
      const { limited, headers: limitHeaders } = limiter.take(token ?? request.socket.remoteAddress ?? "anonymous");
      Object.assign(outHeaders, limitHeaders);
      if (limited) return send(429, "limit exceeded\n", "text/plain; charset=utf-8", { "Retry-After": "1" });
    } else if (forcedWithoutLimiter > 0) {
      forcedWithoutLimiter--;
      return send(429, "limit exceeded\n", "text/plain; charset=utf-8", { "Retry-After": "1" });
    }
    const failureIndex = failures.findIndex((failure) => {
      if (failure.method && failure.method.toUpperCase() !== method) return false;
      if (failure.path === undefined) return true;
      return typeof failure.path === "string" ? failure.path === url.pathname : failure.path.test(url.pathname);
    });
    if (failureIndex >= 0) {
      const [failure] = failures.splice(failureIndex, 1);
      if (failure) return send(failure.status, failure.body, failure.contentType);
    }

    if (!url.pathname.startsWith("/api/v4/") && !url.pathname.startsWith("/hooks/")) {
      // The real server would serve its web app here.
      return send(404, "404 page not found\n", "text/plain; charset=utf-8");
    }
    const matched = matchRoute(routes, method, url.pathname);
    if (matched === 404) return sendError(new SimAppError(404, "api.context.404.app_error", "Sorry, we could not find the page."));
    if (matched === 405) return send(405, "", undefined);
    if (matched.route.auth === "required" && !caller) {
      return sendError(new SimAppError(401, "api.context.session_expired.app_error", "Invalid or expired session, please login again.", token ? "token invalid" : "no token"));
    }
    try {
      const result: RestResult = await matched.route.handler({
        request: { method, path: url.pathname, query: url.searchParams, headers, rawBody, bodyBytes, contentType: headers["content-type"] ?? "" },
        params: Object.fromEntries(Object.entries(matched.params).map(([key, value]) => [key, decodeURIComponent(value)])),
        user: caller,
      });
      if (result.bytes !== undefined) send(result.status, result.bytes.data, result.bytes.contentType);
      else if (result.text !== undefined) send(result.status, result.text, "text/plain");
      else send(result.status, `${JSON.stringify(result.json ?? null)}\n`, "application/json");
    } catch (error) {
      if (error instanceof SimAppError) return sendError(error);
      send(500, `${JSON.stringify({ id: "simulator.internal_error", message: String(error), detailed_error: "", request_id: requestId, status_code: 500, is_oauth: false })}\n`, "application/json");
    }
  };

  const onServed = options.onServed;
  const server: Server = createServer((request, response) => {
    if (onServed) {
      const started = performance.now();
      response.once("finish", () => onServed({ method: request.method ?? "GET", url: request.url ?? "/", status: response.statusCode, ms: performance.now() - started }));
    }
    handle(request, response).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.on("upgrade", (request: IncomingMessage, socket, head: Buffer) => wsHub.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  siteUrl = `http://127.0.0.1:${port}`;

  const info = (id: string): SimUserInfo => {
    const user = state.users.get(id);
    if (!user) throw new Error(`no simulated user with id ${id}`);
    return { id: user.id, username: user.username, token: user.token, isBot: user.isBot };
  };
  const resolveUser = (ref: UserRef): SimUserInfo => {
    if (typeof ref !== "string") return info(ref.id);
    if (isValidId(ref) && state.users.has(ref)) return info(ref);
    return info(state.requireUserByName(ref).id);
  };
  const resolveChannel = (ref: ChannelRef): string => {
    const key = typeof ref === "string" ? ref : ref.id;
    if (isValidId(key) && state.channels.has(key)) return key;
    const channel = state.channelByName(state.team.id, key.replace(/^~/, ""));
    if (!channel) throw new Error(`no simulated channel "${key}"`);
    return channel.id;
  };
  const users = Object.fromEntries([...state.users.values()].map((user) => [user.username, info(user.id)]));
  const botUser = [...state.users.values()].find((user) => user.isBot);
  if (!botUser) throw new Error("the seed needs one bot user");

  const simulator: MattermostSimulator = {
    url: siteUrl,
    websocketUrl: `ws://127.0.0.1:${port}/api/v4/websocket`,
    team: { id: state.team.id, name: state.team.name, displayName: state.team.displayName },
    users,
    tokens: Object.fromEntries(Object.values(users).map((user) => [user.username, user.token])),
    bot: info(botUser.id),
    get requests() {
      return requests;
    },
    get outgoing() {
      return integrations.outgoing;
    },
    get dialogs() {
      return integrations.dialogs;
    },
    get ephemeral() {
      return state.ephemeral;
    },
    get wsReceived() {
      return wsHub.received;
    },
    get warnings() {
      return state.warnings;
    },
    get refusedConnections() {
      return wsHub.refusedAttempts;
    },
    user: resolveUser,
    channelId: (name) => resolveChannel(name),
    channel: (ref) => {
      const channel = state.channels.get(resolveChannel(ref));
      if (!channel) throw new Error("unreachable: channel vanished");
      return toWireChannel(channel);
    },
    directChannel: (a, b) => {
      const first = resolveUser(a);
      return toWireChannel(state.getOrCreateDirectChannel(first.id, resolveUser(b).id, first.id).channel);
    },
    addChannelMember: (channel, user) => {
      const target = state.channels.get(resolveChannel(channel));
      if (!target || target.type === "D") throw new Error("only team channels take members");
      state.addMember(target, resolveUser(user).id);
    },
    post: ({ user, channel, message, rootId, props }) => {
      const author = resolveUser(user);
      const target = state.channels.get(resolveChannel(channel));
      if (!target || !state.canPost(target, author.id)) throw new Error(`${author.username} cannot post in that channel`);
      return state.wirePost(state.createPost({ userId: author.id, channelId: target.id, message, rootId, props }));
    },
    posts: (channel) => {
      const channelId = channel === undefined ? undefined : resolveChannel(channel);
      return [...state.posts.values()].filter((post) => post.deleteAt === 0 && (channelId === undefined || post.channelId === channelId)).map((post) => state.wirePost(post, false));
    },
    reactions: (postId) => state.reactions.filter((reaction) => reaction.postId === postId).map(toWireReaction),
    files: () => [...state.files.values()].map((file) => ({ info: toWireFileInfo(file), bytes: file.bytes })),
    thread: (rootId) =>
      [...state.posts.values()].filter((post) => post.deleteAt === 0 && (post.id === rootId || post.rootId === rootId)).map((post) => state.wirePost(post, false)),
    ephemeralFor: (user) => {
      const id = resolveUser(user).id;
      return state.ephemeral.filter((record) => record.userId === id);
    },
    commands: () => [...state.commands.values()].filter((command) => command.deleteAt === 0).map(toWireCommand),
    runSlashCommand: ({ user, channel, text, rootId }) =>
      integrations.executeCommand({ userId: resolveUser(user).id, channelId: resolveChannel(channel), rootId: rootId ?? "", command: text }),
    submitDialog: async ({ submission, dialog, user, cancelled }) => {
      const target = dialog ?? integrations.dialogs.at(-1);
      if (!target) throw new Error("no dialog has been opened");
      if (cancelled && !target.dialog.notify_on_cancel) {
        // The web app only tells the integration about a cancel when notify_on_cancel is set.
        return { sent: false, status: 200, closed: true };
      }
      return integrations.submitDialog({
        userId: user === undefined ? target.userId : resolveUser(user).id,
        url: target.url,
        channelId: target.channelId,
        callbackId: target.dialog.callback_id,
        state: target.dialog.state,
        submission: cancelled ? {} : withUntouchedDefaults(target.dialog, submission ?? {}),
        cancelled: cancelled ?? false,
      });
    },
    clickButton: async ({ post, action, user, selectedOption }) => {
      const postId = typeof post === "string" ? post : post.id;
      const stored = state.posts.get(postId);
      const found = stored ? integrations.findAction(stored, action) : undefined;
      return integrations.doPostAction({ userId: resolveUser(user).id, postId, actionId: found?.id ?? action, selectedOption: selectedOption ?? "" });
    },
    connectedUsers: () => wsHub.connectedUsers().map((id) => state.users.get(id)?.username ?? id),
    dropConnections: (dropOptions) => wsHub.dropConnections(dropOptions),
    refuseConnections: (count) => wsHub.refuseConnections(count),
    acceptConnections: () => wsHub.acceptConnections(),
    forceRateLimit: (count = 1) => {
      if (limiter) limiter.forced += count;
      else forcedWithoutLimiter += count;
    },
    failNext: (failure) => {
      failures.push({ status: failure.status, body: failure.body ?? "", contentType: failure.contentType ?? "application/json", method: failure.method, path: failure.path });
    },
    waitFor: <T>(probe: () => T | undefined | null | false, waitOptions: { timeoutMs?: number; what?: string } = {}) =>
      new Promise<T>((resolve, reject) => {
        const check = (): boolean => {
          const value = probe();
          if (value === undefined || value === null || value === false) return false;
          cleanup();
          resolve(value);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${waitOptions.timeoutMs ?? 5_000} ms waiting for ${waitOptions.what ?? "a condition"}`));
        }, waitOptions.timeoutMs ?? 5_000);
        const listener = (): void => {
          check();
        };
        // Probes may look at state outside the simulator (what a client received), so poll too.
        const poll = setInterval(listener, 10);
        const cleanup = (): void => {
          clearTimeout(timer);
          clearInterval(poll);
          events.off("change", listener);
        };
        events.on("change", listener);
        check();
      }),
    close: async () => {
      await wsHub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return simulator;
}
