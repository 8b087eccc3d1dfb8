/**
 * The client-server endpoints the simulator answers, one table entry per path and method, each following
 * its OpenAPI file under `specs/matrix/data/api/client-server/` (request checks, status codes, errcodes).
 * Bodies are validated with zod; a JSON body of the wrong shape answers 400 M_BAD_JSON, a body that is not
 * JSON 400 M_NOT_JSON, as Synapse does.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { z } from "zod";
import { badJson, forbidden, invalidParam, MatrixApiError, notFound, notJson, notReadable, unrecognized } from "./errors.js";
import { eventPasses, syncFilterSchema, type RoomEventFilter, type SyncFilter } from "./filter.js";
import { DEFAULT_ROOM_VERSION, MAX_UPLOAD_BYTES, SUPPORTED_ROOM_VERSIONS, type Homeserver, type Room, type SerializeOptions, type Session, type StoredEvent } from "./homeserver.js";
import { decodeStreamToken, encodeStreamToken, randomLetters } from "./ids.js";
import { buildSync, type SyncResult } from "./sync.js";
import { SYNAPSE_UNSTABLE_FEATURES } from "./versions.js";
import { presenceContent } from "./presence.js";
import type { JsonObject } from "./types.js";

/** What a handler gets: path parameters, query, body and the authenticated session. */
export interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Raw request body text ("" when empty). */
  rawBody: string;
  /** The body's bytes (media uploads). */
  bodyBytes: Buffer;
  /** The request's headers (lower-case names). */
  headers: IncomingHttpHeaders;
  /** Present on routes that require authentication. */
  session?: Session;
  /** The response, so a long-polling handler can notice the client going away. */
  res: ServerResponse;
}

/** A JSON answer. */
export interface Reply {
  status?: number;
  body: unknown;
}

/** Services of the simulator that handlers need beyond the homeserver model. */
export interface RouteServices {
  hs: Homeserver;
  /** Spec versions advertised by `GET /versions`. */
  versions: readonly string[];
  /** Throws 429 M_LIMIT_EXCEEDED when the test asked for the next sends to be rate limited. */
  consumeSendAllowance(): void;
  /** Idempotency cache of sends, keyed by access token and request path. */
  transactions: Map<string, Reply>;
  /** Resolves when something changed, `ms` passed, the client left, a test woke the poll, or the simulator is closing. */
  waitForChange(ms: number, res: ServerResponse): Promise<"changed" | "timeout" | "gone" | "woken" | "closing">;
  isClosing(): boolean;
}

/** One endpoint. `path` uses `:name` for parameters; `/r0/` paths are served by the `/v3/` entries. */
export interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  auth: "required" | "optional" | "none";
  handler: (ctx: RequestContext) => Reply | Promise<Reply>;
}

const MAX_EVENT_BYTES = 65_536;

const session = (ctx: RequestContext): Session => {
  if (!ctx.session) throw new Error("route declared without auth uses the session");
  return ctx.session;
};

const param = (ctx: RequestContext, name: string): string => {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route has no parameter ${name}`);
  return value;
};

/** The JSON object body; `{}` for an empty body when `optional`, as clients send bodiless POSTs to join/leave/forget. */
function objectBody(ctx: RequestContext, options: { optional?: boolean } = {}): JsonObject {
  if (ctx.rawBody.trim() === "") {
    if (options.optional) return {};
    throw notJson();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(ctx.rawBody);
  } catch {
    throw notJson();
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw badJson("Content must be a JSON object.");
  return parsed as JsonObject;
}

function parseBody<T extends z.ZodType>(schema: T, ctx: RequestContext, options: { optional?: boolean } = {}): z.infer<T> {
  const result = schema.safeParse(objectBody(ctx, options));
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at '${issue.path.join(".")}'` : "";
    throw badJson(`${issue?.message ?? "Invalid body"}${where}`);
  }
  return result.data;
}

const userIdSchema = z.string().regex(/^@[^:]+:.+$/, "must be a user id such as @alice:example.org");
const reasonBody = z.looseObject({ reason: z.string().optional() });
const targetBody = z.looseObject({ user_id: userIdSchema, reason: z.string().optional() });

const loginBody = z.looseObject({
  type: z.string(),
  identifier: z.looseObject({ type: z.string(), user: z.string().optional() }).optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  device_id: z.string().optional(),
  initial_device_display_name: z.string().optional(),
  refresh_token: z.boolean().optional(),
});

const createRoomBody = z.looseObject({
  visibility: z.enum(["public", "private"]).optional(),
  room_alias_name: z.string().optional(),
  name: z.string().optional(),
  topic: z.string().optional(),
  invite: z.array(userIdSchema).optional(),
  invite_3pid: z.array(z.unknown()).optional(),
  room_version: z.string().optional(),
  creation_content: z.record(z.string(), z.unknown()).optional(),
  initial_state: z
    .array(z.looseObject({ type: z.string(), state_key: z.string().optional(), content: z.record(z.string(), z.unknown()) }))
    .optional(),
  preset: z.enum(["private_chat", "public_chat", "trusted_private_chat"]).optional(),
  is_direct: z.boolean().optional(),
  power_level_content_override: z.record(z.string(), z.unknown()).optional(),
});

const typingBody = z.looseObject({ typing: z.boolean(), timeout: z.number().int().nonnegative().optional() });
const receiptBody = z.looseObject({ thread_id: z.string().optional() });
const presenceBody = z.looseObject({ presence: z.enum(["online", "offline", "unavailable"]), status_msg: z.string().optional() });
const roomEventFilterSchema = z.looseObject({
  limit: z.number().int().positive().optional(),
  types: z.array(z.string()).optional(),
  not_types: z.array(z.string()).optional(),
  senders: z.array(z.string()).optional(),
  not_senders: z.array(z.string()).optional(),
  contains_url: z.boolean().optional(),
});

function integerQuery(ctx: RequestContext, name: string): number | undefined {
  const raw = ctx.query.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalidParam(`Query parameter '${name}' must be an integer`);
  return Number(raw);
}

function booleanQuery(ctx: RequestContext, name: string): boolean {
  const raw = ctx.query.get(name);
  if (raw === null) return false;
  if (raw !== "true" && raw !== "false") throw invalidParam(`Boolean query parameter '${name}' must be one of ['true', 'false']`);
  return raw === "true";
}

function requireSelf(ctx: RequestContext, userId: string, message: string): void {
  if (session(ctx).userId !== userId) throw forbidden(message);
}

function streamPosition(hs: Homeserver, token: string, name: string): number {
  const pos = decodeStreamToken(token, hs.instance);
  if (pos === undefined || pos > hs.currentPosition) throw invalidParam(`Invalid ${name} token ${token}`);
  return pos;
}

function resolveFilter(hs: Homeserver, userId: string, raw: string | null): SyncFilter {
  if (raw === null || raw === "") return {};
  if (raw.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw notJson("Invalid filter JSON");
    }
    const parsed = syncFilterSchema.safeParse(json);
    if (!parsed.success) throw badJson(`Invalid filter: ${parsed.error.issues[0]?.message ?? "bad filter"}`);
    return parsed.data;
  }
  const stored = hs.requireUser(userId).filters.get(raw);
  if (!stored) throw invalidParam("No such filter");
  return stored;
}

function roomEventFilterQuery(ctx: RequestContext): RoomEventFilter | undefined {
  const raw = ctx.query.get("filter");
  if (raw === null || raw === "") return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw notJson("Invalid filter JSON");
  }
  const parsed = roomEventFilterSchema.safeParse(json);
  if (!parsed.success) throw badJson(`Invalid filter: ${parsed.error.issues[0]?.message ?? "bad filter"}`);
  return parsed.data;
}

function memberEventsAt(hs: Homeserver, room: Room, pos: number): StoredEvent[] {
  return [...hs.stateAt(room, pos).values()].filter((e) => e.type === "m.room.member").sort((a, b) => a.pos - b.pos);
}

function eventContentBody(ctx: RequestContext): JsonObject {
  if (Buffer.byteLength(ctx.rawBody) > MAX_EVENT_BYTES) throw new MatrixApiError(413, "M_TOO_LARGE", "Event too large");
  return objectBody(ctx);
}

async function longPollSync(services: RouteServices, ctx: RequestContext): Promise<Reply> {
  const { hs } = services;
  const s = session(ctx);
  const sinceRaw = ctx.query.get("since");
  const since = sinceRaw === null || sinceRaw === "" ? undefined : streamPosition(hs, sinceRaw, "since");
  const timeout = Math.max(0, integerQuery(ctx, "timeout") ?? 0);
  const fullState = booleanQuery(ctx, "full_state");
  const setPresence = ctx.query.get("set_presence") ?? undefined;
  if (setPresence !== undefined && setPresence !== "offline" && setPresence !== "online" && setPresence !== "unavailable") {
    throw invalidParam("set_presence must be one of offline, online or unavailable");
  }
  const filter = resolveFilter(hs, s.userId, ctx.query.get("filter"));
  hs.userSyncing(s.userId, setPresence);
  const request = { since, fullState, filter };
  const deadline = Date.now() + timeout;
  let result: SyncResult = buildSync(hs, s, request);
  // The spec: return at once for an initial sync, for full_state, for timeout=0, or when there is news.
  while (!result.hasUpdates && since !== undefined && !fullState && !services.isClosing()) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const outcome = await services.waitForChange(remaining, ctx.res);
    if (outcome === "gone") return { status: 499, body: {} };
    result = buildSync(hs, s, request);
    if (outcome !== "changed") break;
  }
  return { body: result.body };
}

/** Outside `/sync`, Synapse serves events in its older client format, with thread summaries bundled. */
const served = (s: Session): SerializeOptions => ({ format: "legacy", session: s, aggregations: true });

function messagesReply(hs: Homeserver, ctx: RequestContext): Reply {
  const s = session(ctx);
  const { room, readable } = hs.roomToRead(param(ctx, "roomId"), s.userId);
  const dir = ctx.query.get("dir");
  if (dir !== "b" && dir !== "f") throw invalidParam("Query parameter 'dir' must be one of ['b', 'f']");
  const limit = Math.min(Math.max(integerQuery(ctx, "limit") ?? 10, 1), 1000);
  const fromRaw = ctx.query.get("from");
  const from = fromRaw ? streamPosition(hs, fromRaw, "from") : dir === "b" ? readable : 0;
  const toRaw = ctx.query.get("to");
  const to = toRaw ? streamPosition(hs, toRaw, "to") : undefined;
  const filter = roomEventFilterQuery(ctx);
  const visible = room.events.filter((e) => e.pos <= readable && hs.isServed(e) && eventPasses(filter, e));
  // Tokens sit between events: "s5" is after the event at position 5.
  let window = dir === "b" ? visible.filter((e) => e.pos <= from).reverse() : visible.filter((e) => e.pos > from);
  if (to !== undefined) window = window.filter((e) => (dir === "b" ? e.pos > to : e.pos <= to));
  const chunk = window.slice(0, limit);
  const body: JsonObject = {
    start: encodeStreamToken(from, hs.instance),
    chunk: chunk.map((e) => hs.toClientEvent(e, served(s))),
  };
  const last = chunk[chunk.length - 1];
  if (last && window.length > chunk.length) body["end"] = encodeStreamToken(dir === "b" ? last.pos - 1 : last.pos, hs.instance);
  return { body };
}

function relationsReply(hs: Homeserver, ctx: RequestContext): Reply {
  const s = session(ctx);
  const { room, readable } = hs.roomToRead(param(ctx, "roomId"), s.userId);
  const eventId = param(ctx, "eventId");
  const parent = room.byId.get(eventId);
  if (!parent || parent.pos > readable) throw notFound("Event not found.");
  const relType = ctx.params["relType"];
  const eventType = ctx.params["eventType"];
  const limit = Math.min(Math.max(integerQuery(ctx, "limit") ?? 50, 1), 1000);
  const related = room.events.filter((e) => {
    if (e.pos > readable || e.redactedBy) return false;
    const relation = e.content["m.relates_to"];
    if (typeof relation !== "object" || relation === null) return false;
    const rel = relation as JsonObject;
    if (rel["event_id"] !== eventId) return false;
    if (relType !== undefined && rel["rel_type"] !== relType) return false;
    return eventType === undefined || e.type === eventType;
  });
  const ordered = ctx.query.get("dir") === "f" ? related : related.reverse();
  return { body: { chunk: ordered.slice(0, limit).map((e) => hs.toClientEvent(e, served(s))) } };
}

/** Builds the route table over a homeserver. */
export function createRoutes(services: RouteServices): Route[] {
  const { hs } = services;

  const send = (ctx: RequestContext, key: string, run: () => Reply): Reply => {
    const txnKey = `${session(ctx).accessToken}\u0000${key}`;
    const cached = services.transactions.get(txnKey);
    if (cached) return cached;
    services.consumeSendAllowance();
    const reply = run();
    services.transactions.set(txnKey, reply);
    return reply;
  };

  const stateGet = (ctx: RequestContext): Reply => {
    const s = session(ctx);
    const { room, readable } = hs.roomToRead(param(ctx, "roomId"), s.userId);
    const event = hs.stateAt(room, readable).get(`${param(ctx, "eventType")}\u0000${ctx.params["stateKey"] ?? ""}`);
    if (!event) throw notFound("Event not found.");
    const format = ctx.query.get("format") ?? "content";
    if (format !== "content" && format !== "event") throw invalidParam("format must be 'content' or 'event'");
    const clientEvent = hs.toClientEvent(event, { format: "legacy", session: s });
    return { body: format === "event" ? clientEvent : clientEvent.content };
  };

  const statePut = (ctx: RequestContext): Reply => {
    const s = session(ctx);
    const content = eventContentBody(ctx);
    services.consumeSendAllowance();
    const event = hs.sendStateEvent(s.userId, param(ctx, "roomId"), param(ctx, "eventType"), ctx.params["stateKey"] ?? "", content);
    return { body: { event_id: event.event_id } };
  };

  const accountDataGet = (ctx: RequestContext, roomId?: string): Reply => {
    const userId = param(ctx, "userId");
    requireSelf(ctx, userId, "Cannot get account data for other users.");
    if (roomId !== undefined && !roomId.startsWith("!")) throw invalidParam(`${roomId} is not a valid room ID`);
    const content = hs.getAccountData(userId, param(ctx, "type"), roomId);
    if (!content) throw notFound("Account data not found");
    return { body: content };
  };

  const accountDataPut = (ctx: RequestContext, roomId?: string): Reply => {
    const userId = param(ctx, "userId");
    requireSelf(ctx, userId, "Cannot add account data for other users.");
    hs.setAccountData(userId, param(ctx, "type"), objectBody(ctx), roomId);
    return { body: {} };
  };

  const membershipAction = (action: "kick" | "ban" | "unban") => (ctx: RequestContext): Reply => {
    const body = parseBody(targetBody, ctx);
    hs[action](session(ctx).userId, param(ctx, "roomId"), body.user_id, body.reason);
    return { body: {} };
  };

  return [
    {
      method: "GET",
      path: "/_matrix/client/versions",
      auth: "optional",
      handler: () => ({ body: { versions: [...services.versions], unstable_features: { ...SYNAPSE_UNSTABLE_FEATURES } } }),
    },
    { method: "GET", path: "/_matrix/client/v3/login", auth: "none", handler: () => ({ body: { flows: [{ type: "m.login.password" }] } }) },
    {
      method: "POST",
      path: "/_matrix/client/v3/login",
      auth: "none",
      handler: (ctx) => {
        const body = parseBody(loginBody, ctx);
        if (body.type !== "m.login.password") throw new MatrixApiError(400, "M_UNKNOWN", `Unknown login type ${body.type}`);
        if (body.identifier && body.identifier.type !== "m.id.user") throw new MatrixApiError(400, "M_UNKNOWN", "Unknown login identifier type");
        const given = body.identifier?.user ?? body.user;
        if (given === undefined) throw new MatrixApiError(400, "M_MISSING_PARAM", "User identifier is missing 'user' key");
        if (body.password === undefined) throw new MatrixApiError(400, "M_MISSING_PARAM", "Missing parameter: password");
        const match = /^@([^:]+):(.+)$/.exec(given);
        const localpart = (match ? match[1]! : given).toLowerCase();
        const user = match && match[2] !== hs.serverName ? undefined : hs.users.get(hs.userIdFor(localpart));
        if (!user || user.password !== body.password) throw forbidden("Invalid username or password");
        const s = hs.createSession(user.userId, body.device_id);
        return { body: { user_id: s.userId, access_token: s.accessToken, device_id: s.deviceId, home_server: hs.serverName } };
      },
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/logout",
      auth: "required",
      handler: (ctx) => {
        hs.endSession(session(ctx).accessToken);
        return { body: {} };
      },
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/logout/all",
      auth: "required",
      handler: (ctx) => {
        for (const [token, s] of hs.sessions) if (s.userId === session(ctx).userId) hs.endSession(token);
        return { body: {} };
      },
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/account/whoami",
      auth: "required",
      handler: (ctx) => ({ body: { user_id: session(ctx).userId, device_id: session(ctx).deviceId, is_guest: false } }),
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/capabilities",
      auth: "required",
      handler: () => ({
        body: {
          capabilities: {
            "m.room_versions": { default: DEFAULT_ROOM_VERSION, available: Object.fromEntries(SUPPORTED_ROOM_VERSIONS.map((v) => [v, "stable"])) },
            "m.change_password": { enabled: false },
            "m.set_displayname": { enabled: true },
            "m.set_avatar_url": { enabled: true },
            "m.3pid_changes": { enabled: false },
          },
        },
      }),
    },
    { method: "GET", path: "/_matrix/client/v3/sync", auth: "required", handler: (ctx) => longPollSync(services, ctx) },
    { method: "POST", path: "/_matrix/media/v3/upload", auth: "required", handler: (ctx) => uploadMedia(hs, ctx) },
    {
      method: "POST",
      path: "/_matrix/client/v3/user/:userId/filter",
      auth: "required",
      handler: (ctx) => {
        const userId = param(ctx, "userId");
        requireSelf(ctx, userId, "Cannot create filters for other users");
        const filter = parseBody(syncFilterSchema, ctx);
        return { body: { filter_id: hs.createFilter(userId, filter) } };
      },
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/user/:userId/filter/:filterId",
      auth: "required",
      handler: (ctx) => {
        const userId = param(ctx, "userId");
        requireSelf(ctx, userId, "Cannot get filters for other users");
        const filter = hs.requireUser(userId).filters.get(param(ctx, "filterId"));
        if (!filter) throw notFound("No such filter");
        return { body: filter };
      },
    },
    {
      method: "PUT",
      path: "/_matrix/client/v3/rooms/:roomId/send/:eventType/:txnId",
      auth: "required",
      handler: (ctx) => {
        const s = session(ctx);
        const roomId = param(ctx, "roomId");
        const eventType = param(ctx, "eventType");
        const txnId = param(ctx, "txnId");
        return send(ctx, `send\u0000${roomId}\u0000${eventType}\u0000${txnId}`, () => {
          const event = hs.sendMessageEvent(s.userId, roomId, eventType, eventContentBody(ctx), { accessToken: s.accessToken, txnId });
          return { body: { event_id: event.event_id } };
        });
      },
    },
    {
      method: "PUT",
      path: "/_matrix/client/v3/rooms/:roomId/redact/:eventId/:txnId",
      auth: "required",
      handler: (ctx) => {
        const s = session(ctx);
        const roomId = param(ctx, "roomId");
        const eventId = param(ctx, "eventId");
        const txnId = param(ctx, "txnId");
        return send(ctx, `redact\u0000${roomId}\u0000${eventId}\u0000${txnId}`, () => {
          const body = parseBody(reasonBody, ctx, { optional: true });
          const event = hs.redact(s.userId, roomId, eventId, { reason: body.reason, txn: { accessToken: s.accessToken, txnId } });
          return { body: { event_id: event.event_id } };
        });
      },
    },
    { method: "PUT", path: "/_matrix/client/v3/rooms/:roomId/state/:eventType/:stateKey", auth: "required", handler: statePut },
    { method: "PUT", path: "/_matrix/client/v3/rooms/:roomId/state/:eventType", auth: "required", handler: statePut },
    { method: "GET", path: "/_matrix/client/v3/rooms/:roomId/state/:eventType/:stateKey", auth: "required", handler: stateGet },
    { method: "GET", path: "/_matrix/client/v3/rooms/:roomId/state/:eventType", auth: "required", handler: stateGet },
    {
      method: "GET",
      path: "/_matrix/client/v3/rooms/:roomId/state",
      auth: "required",
      handler: (ctx) => {
        const s = session(ctx);
        const { room, readable } = hs.roomToRead(param(ctx, "roomId"), s.userId);
        const events = [...hs.stateAt(room, readable).values()].sort((a, b) => a.pos - b.pos);
        return { body: events.map((e) => hs.toClientEvent(e, { format: "legacy", session: s })) };
      },
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/rooms/:roomId/event/:eventId",
      auth: "required",
      handler: (ctx) => {
        const s = session(ctx);
        const room = hs.rooms.get(param(ctx, "roomId"));
        // The spec answers 404 both for a missing event and for one the user may not see.
        let readable = -1;
        try {
          if (room) readable = hs.readableUntil(room, s.userId);
        } catch {
          readable = -1;
        }
        const event = room?.byId.get(param(ctx, "eventId"));
        if (!event || event.pos > readable || !hs.isServed(event)) throw notFound("Event not found.");
        return { body: hs.toClientEvent(event, served(s)) };
      },
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/rooms/:roomId/members",
      auth: "required",
      handler: (ctx) => {
        const s = session(ctx);
        const { room, readable } = hs.roomToRead(param(ctx, "roomId"), s.userId);
        let pos = readable;
        const at = ctx.query.get("at");
        if (at) pos = Math.min(pos, streamPosition(hs, at, "at"));
        const membership = ctx.query.get("membership");
        const notMembership = ctx.query.get("not_membership");
        const chunk = memberEventsAt(hs, room, pos)
          .filter((e) => membership === null || e.content["membership"] === membership)
          .filter((e) => notMembership === null || e.content["membership"] !== notMembership)
          .map((e) => hs.toClientEvent(e, { format: "legacy", session: s }));
        return { body: { chunk } };
      },
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/rooms/:roomId/joined_members",
      auth: "required",
      handler: (ctx) => {
        const s = session(ctx);
        const room = hs.rooms.get(param(ctx, "roomId"));
        if (!room || hs.membershipAt(room, s.userId) !== "join") throw notReadable(s.userId, param(ctx, "roomId"));
        const joined: Record<string, JsonObject> = {};
        for (const event of memberEventsAt(hs, room, hs.currentPosition)) {
          if (event.content["membership"] !== "join") continue;
          // Synapse sends both keys, null when the member event has none.
          const text = (key: string) => (typeof event.content[key] === "string" ? event.content[key] : null);
          joined[event.state_key!] = { avatar_url: text("avatar_url"), display_name: text("displayname") };
        }
        return { body: { joined } };
      },
    },
    { method: "GET", path: "/_matrix/client/v3/rooms/:roomId/messages", auth: "required", handler: (ctx) => messagesReply(hs, ctx) },
    { method: "GET", path: "/_matrix/client/v1/rooms/:roomId/relations/:eventId", auth: "required", handler: (ctx) => relationsReply(hs, ctx) },
    {
      method: "GET",
      path: "/_matrix/client/v1/rooms/:roomId/relations/:eventId/:relType",
      auth: "required",
      handler: (ctx) => relationsReply(hs, ctx),
    },
    {
      method: "GET",
      path: "/_matrix/client/v1/rooms/:roomId/relations/:eventId/:relType/:eventType",
      auth: "required",
      handler: (ctx) => relationsReply(hs, ctx),
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/rooms/:roomId/join",
      auth: "required",
      handler: (ctx) => {
        const body = parseBody(reasonBody, ctx, { optional: true });
        return { body: { room_id: hs.join(session(ctx).userId, param(ctx, "roomId"), { reason: body.reason }) } };
      },
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/join/:roomIdOrAlias",
      auth: "required",
      handler: (ctx) => {
        const body = parseBody(reasonBody, ctx, { optional: true });
        return { body: { room_id: hs.join(session(ctx).userId, param(ctx, "roomIdOrAlias"), { reason: body.reason }) } };
      },
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/rooms/:roomId/invite",
      auth: "required",
      handler: (ctx) => {
        const body = parseBody(targetBody, ctx);
        hs.invite(session(ctx).userId, param(ctx, "roomId"), body.user_id, { reason: body.reason });
        return { body: {} };
      },
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/rooms/:roomId/leave",
      auth: "required",
      handler: (ctx) => {
        const body = parseBody(reasonBody, ctx, { optional: true });
        hs.leave(session(ctx).userId, param(ctx, "roomId"), body.reason);
        return { body: {} };
      },
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/rooms/:roomId/forget",
      auth: "required",
      handler: (ctx) => {
        hs.forget(session(ctx).userId, param(ctx, "roomId"));
        return { body: {} };
      },
    },
    { method: "POST", path: "/_matrix/client/v3/rooms/:roomId/kick", auth: "required", handler: membershipAction("kick") },
    { method: "POST", path: "/_matrix/client/v3/rooms/:roomId/ban", auth: "required", handler: membershipAction("ban") },
    { method: "POST", path: "/_matrix/client/v3/rooms/:roomId/unban", auth: "required", handler: membershipAction("unban") },
    {
      method: "POST",
      path: "/_matrix/client/v3/createRoom",
      auth: "required",
      handler: (ctx) => {
        const body = parseBody(createRoomBody, ctx);
        const roomId = hs.createRoom(session(ctx).userId, body);
        // Synapse names the alias it created beside the room id.
        const alias = body.room_alias_name === undefined ? {} : { room_alias: `#${body.room_alias_name}:${hs.serverName}` };
        return { body: { room_id: roomId, ...alias } };
      },
    },
    { method: "GET", path: "/_matrix/client/v3/user/:userId/account_data/:type", auth: "required", handler: (ctx) => accountDataGet(ctx) },
    { method: "PUT", path: "/_matrix/client/v3/user/:userId/account_data/:type", auth: "required", handler: (ctx) => accountDataPut(ctx) },
    {
      method: "GET",
      path: "/_matrix/client/v3/user/:userId/rooms/:roomId/account_data/:type",
      auth: "required",
      handler: (ctx) => accountDataGet(ctx, param(ctx, "roomId")),
    },
    {
      method: "PUT",
      path: "/_matrix/client/v3/user/:userId/rooms/:roomId/account_data/:type",
      auth: "required",
      handler: (ctx) => accountDataPut(ctx, param(ctx, "roomId")),
    },
    { method: "GET", path: "/_matrix/client/v3/joined_rooms", auth: "required", handler: (ctx) => ({ body: { joined_rooms: hs.joinedRoomIds(session(ctx).userId) } }) },
    {
      method: "GET",
      path: "/_matrix/client/v3/profile/:userId",
      auth: "optional",
      handler: (ctx) => {
        const user = hs.users.get(param(ctx, "userId"));
        if (!user) throw notFound("Profile was not found");
        const body: JsonObject = {};
        if (user.displayname !== undefined) body["displayname"] = user.displayname;
        if (user.avatarUrl !== undefined) body["avatar_url"] = user.avatarUrl;
        return { body };
      },
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/profile/:userId/:keyName",
      auth: "optional",
      handler: (ctx) => {
        const user = hs.users.get(param(ctx, "userId"));
        if (!user) throw notFound("Profile was not found");
        const key = param(ctx, "keyName");
        if (key !== "displayname" && key !== "avatar_url") throw unrecognized(404);
        const value = key === "displayname" ? user.displayname : user.avatarUrl;
        // A field never set answers an empty object, as in Synapse 1.67.
        return { body: value === undefined ? {} : { [key]: value } };
      },
    },
    {
      method: "PUT",
      path: "/_matrix/client/v3/profile/:userId/:keyName",
      auth: "required",
      handler: (ctx) => {
        const userId = param(ctx, "userId");
        requireSelf(ctx, userId, "Cannot set another user's profile");
        const key = param(ctx, "keyName");
        const body = objectBody(ctx);
        if (!(key in body)) throw new MatrixApiError(400, "M_MISSING_PARAM", `Missing key '${key}'`);
        hs.setProfileField(userId, key, body[key]);
        return { body: {} };
      },
    },
    {
      method: "POST",
      path: "/_matrix/client/v3/rooms/:roomId/receipt/:receiptType/:eventId",
      auth: "required",
      handler: (ctx) => {
        const type = param(ctx, "receiptType");
        if (type !== "m.read" && type !== "m.read.private" && type !== "m.fully_read") {
          throw invalidParam("Receipt type must be 'm.read', 'm.read.private' or 'm.fully_read'");
        }
        const body = parseBody(receiptBody, ctx, { optional: true });
        hs.setReceipt(session(ctx).userId, param(ctx, "roomId"), type, param(ctx, "eventId"), body.thread_id);
        return { body: {} };
      },
    },
    {
      method: "PUT",
      path: "/_matrix/client/v3/rooms/:roomId/typing/:userId",
      auth: "required",
      handler: (ctx) => {
        const userId = param(ctx, "userId");
        requireSelf(ctx, userId, "Cannot set another user's typing state");
        const body = parseBody(typingBody, ctx);
        hs.setTyping(userId, param(ctx, "roomId"), body.typing, body.timeout ?? 30_000);
        return { body: {} };
      },
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/directory/room/:roomAlias",
      auth: "optional",
      handler: (ctx) => {
        const alias = param(ctx, "roomAlias");
        const roomId = hs.aliases.get(alias);
        if (!roomId) throw notFound(`Room alias ${alias} not found`);
        return { body: { room_id: roomId, servers: [hs.serverName] } };
      },
    },
    {
      method: "GET",
      path: "/_matrix/client/v3/presence/:userId/status",
      auth: "required",
      handler: (ctx) => ({ body: presenceContent(hs.requireUser(param(ctx, "userId")).presence, hs.now()) }),
    },
    {
      method: "PUT",
      path: "/_matrix/client/v3/presence/:userId/status",
      auth: "required",
      handler: (ctx) => {
        const userId = param(ctx, "userId");
        requireSelf(ctx, userId, "Cannot set presence state for other users");
        const body = parseBody(presenceBody, ctx);
        hs.setPresence(userId, body.presence, body.status_msg);
        return { body: {} };
      },
    },
  ];
}

/**
 * `POST /_matrix/media/v3/upload` (content-repo.yaml) as Synapse 1.67's UploadResource takes it: a
 * Content-Length is required (400 M_UNKNOWN without), more than `max_upload_size` is 413
 * M_TOO_LARGE, the type is the Content-Type header (`application/octet-stream` without one), the
 * `filename` query parameter is kept as the upload's name; the answer is the new `mxc://` URI.
 */
function uploadMedia(hs: Homeserver, ctx: RequestContext): Reply {
  const length = ctx.headers["content-length"];
  if (length === undefined) throw new MatrixApiError(400, "M_UNKNOWN", "Request must specify a Content-Length");
  if (!/^\d+$/.test(length)) throw new MatrixApiError(400, "M_UNKNOWN", "Content-Length value is invalid");
  if (Number(length) > MAX_UPLOAD_BYTES) throw new MatrixApiError(413, "M_TOO_LARGE", "Upload request body is too large");
  const mediaId = randomLetters(24);
  const mxcUri = `mxc://${hs.serverName}/${mediaId}`;
  const uploadName = ctx.query.get("filename") || undefined;
  hs.media.set(mediaId, {
    mxcUri,
    bytes: ctx.bodyBytes,
    contentType: ctx.headers["content-type"] ?? "application/octet-stream",
    ...(uploadName !== undefined ? { uploadName } : {}),
    uploader: session(ctx).userId,
    uploadedAt: hs.now(),
  });
  return { body: { content_uri: mxcUri } };
}
