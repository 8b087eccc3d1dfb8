/**
 * A Matrix homeserver simulator for tests: real HTTP on 127.0.0.1 speaking the client-server API subset a
 * bot needs (login, whoami, long-polling /sync with filters, send with transaction ids, state, membership,
 * createRoom with direct chats, account data, profiles, receipts, typing), with in-memory state and helpers
 * that let a test act as the human users and read what the bot did. See README.md in this folder.
 */
import { buffer as readBuffer } from "node:stream/consumers";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { limitExceeded, MatrixApiError, unrecognized } from "./errors.js";
import { Homeserver, type CreateRoomRequest, type StoredEvent, type StoredMedia } from "./homeserver.js";
import { createRoutes, type Reply, type RequestContext, type Route, type RouteServices } from "./routes.js";
import type { ClientEvent, JsonObject, Membership, RecordedRequest } from "./types.js";
import { SYNAPSE_VERSIONS } from "./versions.js";

export type { CreateRoomRequest } from "./homeserver.js";
export type { ClientEvent, JsonObject, Membership, RecordedRequest, StrippedStateEvent } from "./types.js";
export { MatrixApiError } from "./errors.js";

/** The users every simulator starts with; the bot is `@support-bot:<serverName>`. */
export const DEFAULT_USERS = ["support-bot", "manager", "alice", "bob", "carol", "mallory"] as const;
/** Localpart of a default user. */
export type DefaultUserName = (typeof DEFAULT_USERS)[number];

const DEFAULT_DISPLAY_NAMES: Record<DefaultUserName, string> = {
  "support-bot": "Support Bot",
  manager: "Manager",
  alice: "Alice",
  bob: "Bob",
  carol: "Carol",
  mallory: "Mallory",
};

/** Spec versions advertised by `GET /_matrix/client/versions`: Synapse 1.67.0's. */
export const ADVERTISED_VERSIONS = SYNAPSE_VERSIONS;

/** Options of {@link startMatrixSimulator}. */
export interface MatrixSimulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Server name in every id (`@alice:<serverName>`); default `localhost`. */
  serverName?: string;
  /** Clock in ms since the epoch for `origin_server_ts`, receipts and typing timeouts; default `Date.now`. */
  now?: () => number;
  /** Versions listed by `GET /_matrix/client/versions`. */
  versions?: readonly string[];
}

/** A registered user with a ready access token. */
export interface SimUser {
  userId: string;
  localpart: string;
  displayName: string;
  password: string;
  accessToken: string;
  deviceId: string;
}

/** A user given as a SimUser, a full user id (`@alice:localhost`) or a localpart (`alice`). */
export type UserRef = string | SimUser;

/** What `timeline()` and `waitForEvent()` can select on. */
export interface EventSelector {
  roomId?: string;
  sender?: UserRef;
  type?: string;
  msgtype?: string;
  /** Substring of, or pattern for, `content.body`. */
  body?: string | RegExp;
}

/** A scripted failure for {@link MatrixSimulator.failNext}. */
export interface ScriptedFailure {
  status: number;
  /** JSON body (default `{errcode: "M_UNKNOWN", error: "Internal server error"}`), or raw text such as an HTML proxy page. */
  body?: unknown;
  contentType?: string;
  /** Only requests with this method. */
  method?: string;
  /** Only requests whose decoded path matches (substring or pattern). */
  path?: string | RegExp;
  /** How many matching requests fail; default 1. */
  times?: number;
}

/** A running simulator: its URL, its users, helpers that act as humans, and what it recorded. */
export interface MatrixSimulator {
  /** Homeserver base URL, e.g. `http://127.0.0.1:41234` (give this to MatrixClient). */
  readonly url: string;
  readonly serverName: string;
  /** The default users with their access tokens. */
  readonly users: Readonly<Record<DefaultUserName, SimUser>>;
  /** Shortcut for `users["support-bot"]`. */
  readonly bot: SimUser;
  /** Every HTTP request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** Unexpected exceptions inside the simulator (answered 500); should stay empty. */
  readonly serverErrors: Error[];
  /** What was uploaded to the media repository under an `mxc://` URI (undefined when nothing was). */
  media(mxcUri: string): StoredMedia | undefined;

  /** Registers another user and gives them an access token. */
  createUser(localpart: string, options?: { password?: string; displayName?: string }): SimUser;
  /** A known user (default or created) by reference. */
  user(ref: UserRef): SimUser;
  /** A fresh access token on a new device for the user (like logging in on a second client). */
  login(ref: UserRef): SimUser;
  /** Invalidates an access token; later requests with it get 401 M_UNKNOWN_TOKEN. */
  logout(accessToken: string): void;

  /** Creates a room as `as`, with the semantics of `POST /createRoom`; returns the room id. */
  createRoom(as: UserRef, options?: CreateRoomRequest): string;
  /** What Element does for a DM: a trusted_private_chat room with `is_direct` invite, recorded in the creator's `m.direct`. */
  createDirectRoom(from: UserRef, to: UserRef): string;
  /** Sends an `m.room.message` (a string becomes `{msgtype: "m.text", body}`); returns the event id. */
  sendMessage(as: UserRef, roomId: string, content: string | JsonObject): string;
  /** Sends a message event of any type; returns the event id. */
  sendEvent(as: UserRef, roomId: string, type: string, content: JsonObject): string;
  /** Sets a state event; returns the event id. */
  setState(as: UserRef, roomId: string, type: string, stateKey: string, content: JsonObject): string;
  invite(from: UserRef, roomId: string, userId: UserRef): void;
  /** Joins a room by id or alias; returns the room id. */
  join(as: UserRef, roomIdOrAlias: string): string;
  leave(as: UserRef, roomId: string): void;
  kick(from: UserRef, roomId: string, userId: UserRef, reason?: string): void;
  setDisplayName(as: UserRef, displayName: string): void;

  /** Replaces account data content (global, or per room with `roomId`). */
  setAccountData(user: UserRef, type: string, content: JsonObject, roomId?: string): void;
  /** Account data content, or undefined when never set. */
  accountData(user: UserRef, type: string, roomId?: string): JsonObject | undefined;

  /** All events of a room in order (with `room_id`), optionally only those matching `selector`. */
  timeline(roomId: string, selector?: EventSelector): ClientEvent[];
  /** One event by id, or undefined. */
  event(roomId: string, eventId: string): ClientEvent | undefined;
  /** Current state content of a type and key, or undefined. */
  stateContent(roomId: string, type: string, stateKey?: string): JsonObject | undefined;
  /** All current state events of a room. */
  roomState(roomId: string): ClientEvent[];
  /** The user's current membership in the room. */
  membership(roomId: string, user: UserRef): Membership | undefined;
  /** Rooms the user is joined to. */
  joinedRooms(user: UserRef): string[];
  /** Every room id, in creation order. */
  roomIds(): string[];
  /**
   * Resolves with the first event (already stored or still to come) that matches; `after` (an event id)
   * skips everything up to and including that event. Rejects after `timeoutMs` (default 5000).
   */
  waitForEvent(match: EventSelector | ((event: ClientEvent) => boolean), options?: { after?: string; timeoutMs?: number }): Promise<ClientEvent>;

  /** The next `count` sends (PUT send/state/redact) answer 429 M_LIMIT_EXCEEDED with `retry_after_ms`. */
  rateLimitNextSends(count: number, retryAfterMs?: number): void;
  /** The next matching request(s) answer with this status and body instead of being handled. */
  failNext(failure: ScriptedFailure): void;
  /**
   * Answers every pending long-poll `/sync` now with what it has (usually nothing new). matrix-bot-sdk's
   * `client.stop()` only ends its loop once the in-flight `/sync` returns, so call this after `stop()`.
   */
  wakeSyncs(): void;
  /** Cuts every open connection (pending long-polls included) while the server keeps listening and keeps its state. */
  dropConnections(): void;
  clearRequests(): void;
  /** Answers pending long-polls, then closes the server and every connection. */
  close(): Promise<void>;
}

interface CompiledRoute extends Route {
  segments: string[];
}

const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "X-Requested-With, Content-Type, Authorization, Date",
};


function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

function matchSegments(route: CompiledRoute, segments: string[]): Record<string, string> | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const expected = route.segments[i]!;
    const actual = segments[i]!;
    if (expected.startsWith(":")) params[expected.slice(1)] = actual;
    else if (expected !== actual) return undefined;
  }
  return params;
}

function selects(selector: EventSelector, event: ClientEvent, resolveUser: (ref: UserRef) => string): boolean {
  if (selector.roomId !== undefined && event.room_id !== selector.roomId) return false;
  if (selector.sender !== undefined && event.sender !== resolveUser(selector.sender)) return false;
  if (selector.type !== undefined && event.type !== selector.type) return false;
  if (selector.msgtype !== undefined && event.content["msgtype"] !== selector.msgtype) return false;
  if (selector.body !== undefined) {
    const body = event.content["body"];
    if (typeof body !== "string") return false;
    if (typeof selector.body === "string" ? !body.includes(selector.body) : !selector.body.test(body)) return false;
  }
  return true;
}

/** Starts a simulator on 127.0.0.1 with the default users registered; close it with `close()`. */
export async function startMatrixSimulator(options: MatrixSimulatorOptions = {}): Promise<MatrixSimulator> {
  const serverName = options.serverName ?? "localhost";
  const hs = new Homeserver({ serverName, now: options.now ?? Date.now });
  const requests: RecordedRequest[] = [];
  const serverErrors: Error[] = [];
  const failures: Array<ScriptedFailure & { remaining: number }> = [];
  const sendLimit = { remaining: 0, retryAfterMs: 1000 };
  /** Wakes every waiting long-poll; the argument says why. */
  const pollWakers = new Set<(why: "woken" | "closing") => void>();
  const inflight = new Set<Promise<void>>();
  const knownUsers = new Map<string, SimUser>();
  let closing = false;

  const services: RouteServices = {
    hs,
    versions: options.versions ?? ADVERTISED_VERSIONS,
    transactions: new Map<string, Reply>(),
    consumeSendAllowance() {
      if (sendLimit.remaining <= 0) return;
      sendLimit.remaining -= 1;
      throw limitExceeded(sendLimit.retryAfterMs);
    },
    isClosing: () => closing,
    waitForChange(ms, res) {
      return new Promise((resolve) => {
        const cleanups: Array<() => void> = [];
        const finish = (outcome: "changed" | "timeout" | "gone" | "woken" | "closing") => {
          for (const cleanup of cleanups) cleanup();
          resolve(outcome);
        };
        const timer = setTimeout(() => finish("timeout"), ms);
        cleanups.push(() => clearTimeout(timer));
        cleanups.push(hs.onChange(() => finish("changed")));
        const onClose = () => finish("gone");
        res.on("close", onClose);
        cleanups.push(() => res.off("close", onClose));
        pollWakers.add(finish);
        cleanups.push(() => pollWakers.delete(finish));
      });
    },
  };

  const routes: CompiledRoute[] = createRoutes(services).map((route) => ({ ...route, segments: route.path.split("/").slice(1) }));

  const authenticate = (req: IncomingMessage, query: URLSearchParams, required: boolean) => {
    const header = req.headers.authorization;
    const bearer = header && /^Bearer\s+(\S+)$/i.exec(header);
    const token = bearer ? bearer[1] : query.get("access_token");
    if (!token) {
      if (required) throw new MatrixApiError(401, "M_MISSING_TOKEN", "Missing access token");
      return undefined;
    }
    const session = hs.sessions.get(token);
    if (!session) throw new MatrixApiError(401, "M_UNKNOWN_TOKEN", "Unknown access token", { soft_logout: false });
    return session;
  };

  const dispatch = async (req: IncomingMessage, res: ServerResponse, record: RecordedRequest, url: URL, bodyBytes: Buffer): Promise<Reply & { contentType?: string }> => {
    const rawBody = bodyBytes.toString("utf8");
    const method = req.method ?? "GET";
    const failure = failures.find(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.path === undefined || (typeof f.path === "string" ? record.path.includes(f.path) : f.path.test(record.path))),
    );
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) failures.splice(failures.indexOf(failure), 1);
      const reply: Reply & { contentType?: string } = {
        status: failure.status,
        body: failure.body ?? { errcode: "M_UNKNOWN", error: "Internal server error" },
      };
      if (failure.contentType !== undefined) reply.contentType = failure.contentType;
      return reply;
    }
    if (method === "OPTIONS") return { body: {} };

    let segments: string[];
    try {
      segments = url.pathname.split("/").slice(1).map(decodeURIComponent);
    } catch {
      throw unrecognized(404);
    }
    // Synapse still serves the r0 prefix with the same handlers as v3 (the media repository's too).
    if (segments[0] === "_matrix" && (segments[1] === "client" || segments[1] === "media") && segments[2] === "r0") segments[2] = "v3";
    const candidates = routes
      .map((route) => ({ route, params: matchSegments(route, segments) }))
      .filter((c): c is { route: CompiledRoute; params: Record<string, string> } => c.params !== undefined);
    if (candidates.length === 0) throw unrecognized(404);
    const chosen = candidates.find((c) => c.route.method === method);
    if (!chosen) throw unrecognized(405);

    const session = chosen.route.auth === "none" ? undefined : authenticate(req, url.searchParams, chosen.route.auth === "required");
    if (session) record.userId = session.userId;
    const ctx: RequestContext = { params: chosen.params, query: url.searchParams, rawBody, bodyBytes, headers: req.headers, res };
    if (session) ctx.session = session;
    return chosen.route.handler(ctx);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const bodyBytes = await readBuffer(req);
    const rawBody = bodyBytes.toString("utf8");
    let body: unknown;
    if (rawBody !== "") {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
      }
    }
    let decodedPath = url.pathname;
    try {
      decodedPath = decodeURIComponent(url.pathname);
    } catch {
      // keep the raw path in the record; routing answers the bad encoding
    }
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      path: decodedPath,
      rawPath: url.pathname,
      query: queryRecord(url.searchParams),
      headers: { ...req.headers },
      body,
    };
    requests.push(record);

    let reply: Reply & { contentType?: string };
    try {
      reply = await dispatch(req, res, record, url, bodyBytes);
    } catch (error) {
      if (error instanceof MatrixApiError) {
        reply = { status: error.status, body: error.toBody() };
      } else {
        serverErrors.push(error instanceof Error ? error : new Error(String(error)));
        reply = { status: 500, body: { errcode: "M_UNKNOWN", error: "Internal server error" } };
      }
    }
    const status = reply.status ?? 200;
    if (res.destroyed || res.writableEnded) {
      record.status = 499;
      return;
    }
    record.status = status;
    record.response = reply.body;
    const headers: Record<string, string> = { ...CORS_HEADERS };
    let text: string;
    if (typeof reply.body === "string" && reply.contentType !== undefined) {
      headers["Content-Type"] = reply.contentType;
      text = reply.body;
    } else {
      headers["Content-Type"] = "application/json";
      text = JSON.stringify(reply.body);
    }
    const retryAfter = (reply.body as { retry_after_ms?: unknown } | null)?.retry_after_ms;
    if (status === 429 && typeof retryAfter === "number") headers["Retry-After"] = String(Math.ceil(retryAfter / 1000));
    await new Promise<void>((resolve) => {
      res.writeHead(status, headers);
      res.end(text, () => resolve());
      res.once("close", () => resolve());
    });
  };

  const server: Server = createServer((req, res) => {
    const task = handle(req, res).catch((error: unknown) => {
      serverErrors.push(error instanceof Error ? error : new Error(String(error)));
      if (!res.headersSent) res.writeHead(500).end();
    });
    inflight.add(task);
    void task.finally(() => inflight.delete(task));
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${address.port}`;

  const resolveUserId = (ref: UserRef): string => {
    if (typeof ref !== "string") return ref.userId;
    return ref.startsWith("@") ? ref : hs.userIdFor(ref);
  };

  const createUser = (localpart: string, userOptions: { password?: string; displayName?: string } = {}): SimUser => {
    const password = userOptions.password ?? `secret-${localpart}`;
    const record = hs.registerUser(localpart, { password, displayname: userOptions.displayName ?? localpart });
    const session = hs.createSession(record.userId);
    const simUser: SimUser = {
      userId: record.userId,
      localpart,
      displayName: record.displayname ?? localpart,
      password,
      accessToken: session.accessToken,
      deviceId: session.deviceId,
    };
    knownUsers.set(record.userId, simUser);
    return simUser;
  };

  const users = Object.fromEntries(
    DEFAULT_USERS.map((name) => [name, createUser(name, { displayName: DEFAULT_DISPLAY_NAMES[name] })]),
  ) as Record<DefaultUserName, SimUser>;

  const requireRoomEvents = (roomId: string): StoredEvent[] => hs.requireRoom(roomId).events;
  const findStored = (eventId: string): StoredEvent | undefined => {
    for (const room of hs.rooms.values()) {
      const event = room.byId.get(eventId);
      if (event) return event;
    }
    return undefined;
  };
  const client = (event: StoredEvent): ClientEvent => hs.toClientEvent(event, { format: "client" });

  const simulator: MatrixSimulator = {
    url,
    serverName,
    users,
    bot: users["support-bot"],
    requests,
    serverErrors,
    media: (mxcUri) => {
      const match = /^mxc:\/\/([^/]+)\/([^/]+)$/.exec(mxcUri);
      return match && match[1] === hs.serverName ? hs.media.get(match[2]!) : undefined;
    },

    createUser,
    user(ref) {
      const userId = resolveUserId(ref);
      const known = knownUsers.get(userId);
      if (!known) throw new Error(`unknown simulator user ${userId}; create it with createUser()`);
      return known;
    },
    login(ref) {
      const base = simulator.user(ref);
      const session = hs.createSession(base.userId);
      return { ...base, accessToken: session.accessToken, deviceId: session.deviceId };
    },
    logout(accessToken) {
      hs.endSession(accessToken);
    },

    createRoom: (as, roomOptions = {}) => hs.createRoom(resolveUserId(as), roomOptions),
    createDirectRoom(from, to) {
      const fromId = resolveUserId(from);
      const toId = resolveUserId(to);
      const roomId = hs.createRoom(fromId, { is_direct: true, invite: [toId], preset: "trusted_private_chat" });
      const direct = hs.getAccountData(fromId, "m.direct") ?? {};
      const existing = Array.isArray(direct[toId]) ? (direct[toId] as string[]) : [];
      hs.setAccountData(fromId, "m.direct", { ...direct, [toId]: [...existing, roomId] });
      return roomId;
    },
    sendMessage(as, roomId, content) {
      const body = typeof content === "string" ? { msgtype: "m.text", body: content } : content;
      return hs.sendMessageEvent(resolveUserId(as), roomId, "m.room.message", body).event_id;
    },
    sendEvent: (as, roomId, type, content) => hs.sendMessageEvent(resolveUserId(as), roomId, type, content).event_id,
    setState: (as, roomId, type, stateKey, content) => hs.sendStateEvent(resolveUserId(as), roomId, type, stateKey, content).event_id,
    invite: (from, roomId, userId) => hs.invite(resolveUserId(from), roomId, resolveUserId(userId)),
    join: (as, roomIdOrAlias) => hs.join(resolveUserId(as), roomIdOrAlias),
    leave: (as, roomId) => hs.leave(resolveUserId(as), roomId),
    kick: (from, roomId, userId, reason) => hs.kick(resolveUserId(from), roomId, resolveUserId(userId), reason),
    setDisplayName: (as, displayName) => hs.setProfileField(resolveUserId(as), "displayname", displayName),

    setAccountData: (user, type, content, roomId) => hs.setAccountData(resolveUserId(user), type, content, roomId),
    accountData: (user, type, roomId) => hs.getAccountData(resolveUserId(user), type, roomId),

    timeline(roomId, selector = {}) {
      return requireRoomEvents(roomId)
        .map(client)
        .filter((e) => selects(selector, e, resolveUserId));
    },
    event(roomId, eventId) {
      const stored = hs.requireRoom(roomId).byId.get(eventId);
      return stored ? client(stored) : undefined;
    },
    stateContent: (roomId, type, stateKey = "") => hs.stateContent(hs.requireRoom(roomId), type, stateKey),
    roomState: (roomId) => [...hs.requireRoom(roomId).state.values()].sort((a, b) => a.pos - b.pos).map(client),
    membership: (roomId, user) => hs.membershipAt(hs.requireRoom(roomId), resolveUserId(user)),
    joinedRooms: (user) => hs.joinedRoomIds(resolveUserId(user)),
    roomIds: () => [...hs.rooms.keys()],

    waitForEvent(match, waitOptions = {}) {
      const predicate = typeof match === "function" ? match : (e: ClientEvent) => selects(match, e, resolveUserId);
      let afterPos = 0;
      if (waitOptions.after !== undefined) {
        const marker = findStored(waitOptions.after);
        if (!marker) return Promise.reject(new Error(`waitForEvent: no event ${waitOptions.after}`));
        afterPos = marker.pos;
      }
      const existing = [...hs.rooms.values()]
        .flatMap((room) => room.events)
        .filter((e) => e.pos > afterPos)
        .sort((a, b) => a.pos - b.pos)
        .map(client)
        .find(predicate);
      if (existing) return Promise.resolve(existing);
      const timeoutMs = waitOptions.timeoutMs ?? 5_000;
      return new Promise<ClientEvent>((resolve, reject) => {
        const stop = hs.onEvent((stored) => {
          const event = client(stored);
          if (!predicate(event)) return;
          stop();
          clearTimeout(timer);
          resolve(event);
        });
        const timer = setTimeout(() => {
          stop();
          const recent = [...hs.rooms.values()]
            .flatMap((room) => room.events)
            .sort((a, b) => a.pos - b.pos)
            .slice(-5)
            .map((e) => `${e.sender} ${e.type} ${JSON.stringify(e.content).slice(0, 120)}`);
          const described = typeof match === "function" ? "the predicate" : JSON.stringify(match, (_k, v: unknown) => (v instanceof RegExp ? String(v) : v));
          reject(new Error(`no event matching ${described} within ${timeoutMs} ms; latest events:\n${recent.join("\n")}`));
        }, timeoutMs);
      });
    },

    rateLimitNextSends(count, retryAfterMs = 1000) {
      sendLimit.remaining = count;
      sendLimit.retryAfterMs = retryAfterMs;
    },
    failNext(failure) {
      failures.push({ ...failure, remaining: failure.times ?? 1 });
    },
    wakeSyncs() {
      for (const wake of [...pollWakers]) wake("woken");
    },
    dropConnections() {
      server.closeAllConnections();
    },
    clearRequests() {
      requests.length = 0;
    },
    async close() {
      closing = true;
      for (const wake of [...pollWakers]) wake("closing");
      await Promise.allSettled([...inflight]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return simulator;
}
