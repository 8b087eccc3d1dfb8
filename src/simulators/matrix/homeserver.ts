/**
 * The in-memory state of the simulated homeserver: users and access tokens, rooms with their event graph
 * flattened into one stream, room state, membership and power-level rules, account data, filters,
 * typing and receipts. Every change takes the next position in one global stream; `/sync` tokens are
 * positions in it. The HTTP layer (`server.ts`) and the test helpers both call into this model, so the
 * same rules apply to a human user driven by a test and to the bot talking HTTP.
 */
import { badJson, forbidden, invalidParam, MatrixApiError, notFound, notReadable } from "./errors.js";
import { newAccessToken, newDeviceId, newEventId, newRoomId, randomLetters } from "./ids.js";
import type { SyncFilter } from "./filter.js";
import { LAST_ACTIVE_GRANULARITY_MS, OFFLINE, shouldNotify, type PresenceRecord, type PresenceState } from "./presence.js";
import type { ClientEvent, JsonObject, Membership, StrippedStateEvent } from "./types.js";

/** An event as stored: the client fields plus its stream position and bookkeeping. */
export interface StoredEvent {
  event_id: string;
  room_id: string;
  type: string;
  sender: string;
  origin_server_ts: number;
  content: JsonObject;
  state_key?: string;
  redacts?: string;
  /** Position in the global stream; orders everything the server did. */
  pos: number;
  /** Set when the event was sent with a transaction id, so it can be echoed to that access token only. */
  txn?: { accessToken: string; txnId: string };
  prevContent?: JsonObject;
  replacesState?: string;
  /** Sender of the state event this one replaced (Synapse's `unsigned.prev_sender`). */
  prevSender?: string;
  redactedBy?: StoredEvent;
  /**
   * A redaction whose target is not in the room: Synapse 1.67 accepts it (200) but never serves it,
   * neither in `/sync` nor `/messages` nor `/event`.
   */
  hidden?: boolean;
  /** For invites: the stripped state the invitee sees in `rooms.invite`. */
  inviteRoomState?: StrippedStateEvent[];
}

interface AccountDataItem {
  content: JsonObject;
  pos: number;
}

/** A registered user and the data the server keeps for them. */
export interface UserRecord {
  userId: string;
  localpart: string;
  password: string;
  displayname?: string;
  avatarUrl?: string;
  accountData: Map<string, AccountDataItem>;
  roomAccountData: Map<string, Map<string, AccountDataItem>>;
  filters: Map<string, SyncFilter>;
  nextFilterId: number;
  presence: PresenceRecord;
}

/** An access token and the device it belongs to. */
export interface Session {
  accessToken: string;
  userId: string;
  deviceId: string;
}

interface Receipt {
  userId: string;
  type: "m.read" | "m.read.private";
  eventId: string;
  ts: number;
  threadId?: string;
  pos: number;
}

/** How {@link Homeserver.toClientEvent} serves an event. */
export interface SerializeOptions {
  format: "sync" | "legacy" | "client";
  /** The reader: whose transaction ids to echo (sync) and whose thread participation to report. */
  session?: Session;
  /** Bundle thread summaries (`unsigned["m.relations"]`). */
  aggregations?: boolean;
}

/** A room: its events in stream order, the current state and ephemeral data. */
export interface Room {
  roomId: string;
  version: string;
  events: StoredEvent[];
  byId: Map<string, StoredEvent>;
  state: Map<string, StoredEvent>;
  typing: Map<string, number>;
  typingPos: number;
  receipts: Map<string, Receipt>;
  forgottenBy: Set<string>;
}

/** The body of `POST /createRoom` (see `create_room.yaml`). */
export interface CreateRoomRequest {
  visibility?: "public" | "private";
  room_alias_name?: string;
  name?: string;
  topic?: string;
  invite?: string[];
  room_version?: string;
  creation_content?: JsonObject;
  initial_state?: Array<{ type: string; state_key?: string; content: JsonObject }>;
  preset?: "private_chat" | "public_chat" | "trusted_private_chat";
  is_direct?: boolean;
  power_level_content_override?: JsonObject;
}

/**
 * Room versions this server creates; all use `!id:server` room ids and hash-based event ids. Synapse
 * 1.67 creates version 9 by default and knows no version 11; 11 is kept so tests can check how the
 * bot copes with its redaction format.
 */
export const SUPPORTED_ROOM_VERSIONS = ["9", "10", "11"] as const;
/** Synapse 1.67's `default_room_version`. */
export const DEFAULT_ROOM_VERSION = "9";

/** State types copied into an invite's stripped state (Synapse's `room_prejoin_state` defaults). */
const PREJOIN_STATE_TYPES = [
  "m.room.create",
  "m.room.join_rules",
  "m.room.canonical_alias",
  "m.room.avatar",
  "m.room.name",
  "m.room.encryption",
  "m.room.topic",
];

const stateKeyOf = (type: string, stateKey: string): string => `${type}\u0000${stateKey}`;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Content keys that survive redaction, per event type (room versions 10 and 11, see the room version specs). */
function redactContent(type: string, content: JsonObject, version: string): JsonObject {
  const keep: Record<string, string[]> = {
    "m.room.member": ["membership", "join_authorised_via_users_server"],
    "m.room.create": version === "11" ? Object.keys(content) : ["creator"],
    "m.room.join_rules": ["join_rule", "allow"],
    "m.room.power_levels": ["ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default"]
      .concat(version === "11" ? ["invite"] : []),
    "m.room.history_visibility": ["history_visibility"],
    "m.room.redaction": version === "11" ? ["redacts"] : [],
  };
  const out: JsonObject = {};
  for (const key of keep[type] ?? []) if (key in content) out[key] = content[key];
  return out;
}

/** The simulated homeserver's whole state. */
/** Content in the media repository: what was uploaded, as what, by whom. */
export interface StoredMedia {
  mxcUri: string;
  bytes: Buffer;
  contentType: string;
  /** The `filename` query parameter of the upload, if any. */
  uploadName?: string;
  uploader: string;
  uploadedAt: number;
}

/** Synapse's `max_upload_size` default: 50 MiB. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

export class Homeserver {
  readonly serverName: string;
  /** Tags stream tokens, so tokens from another instance are recognised as foreign. */
  readonly instance = randomLetters(6);
  readonly users = new Map<string, UserRecord>();
  readonly sessions = new Map<string, Session>();
  readonly rooms = new Map<string, Room>();
  readonly aliases = new Map<string, string>();
  /** Stream position of each user's latest device change (a new device, a logout), for `/sync`'s `device_lists`. */
  readonly deviceChanges = new Map<string, number>();
  /** Uploaded media by media id (the path part of its `mxc://` URI). */
  readonly media = new Map<string, StoredMedia>();
  /** Clock for `origin_server_ts`, receipts and typing timeouts. */
  readonly now: () => number;
  private position = 0;
  private notifyScheduled = false;
  private readonly changeListeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: StoredEvent) => void>();

  constructor(options: { serverName: string; now: () => number }) {
    this.serverName = options.serverName;
    this.now = options.now;
  }

  /** The latest stream position; a `/sync` computed now covers everything up to it. */
  get currentPosition(): number {
    return this.position;
  }

  /** Calls `listener` (batched, once per tick) after anything changed that `/sync` could report. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Calls `listener` synchronously for every new room event. */
  onEvent(listener: (event: StoredEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private advance(): number {
    this.position += 1;
    if (!this.notifyScheduled) {
      this.notifyScheduled = true;
      // One wake-up per tick: a createRoom writes several events and a long-poll should see them all.
      queueMicrotask(() => {
        this.notifyScheduled = false;
        for (const listener of [...this.changeListeners]) listener();
      });
    }
    return this.position;
  }

  // ---------------------------------------------------------------- users and sessions

  /** The full user id for a localpart on this server. */
  userIdFor(localpart: string): string {
    return `@${localpart}:${this.serverName}`;
  }

  /** Registers a user; refuses a localpart that is taken. */
  registerUser(localpart: string, options: { password: string; displayname?: string }): UserRecord {
    if (!/^[a-z0-9._=\-/+]+$/.test(localpart)) throw new MatrixApiError(400, "M_INVALID_USERNAME", "User ID can only contain characters a-z, 0-9, or '=_-./+'");
    const userId = this.userIdFor(localpart);
    if (this.users.has(userId)) throw new MatrixApiError(400, "M_USER_IN_USE", "User ID already taken.");
    const user: UserRecord = {
      userId,
      localpart,
      password: options.password,
      displayname: options.displayname ?? localpart,
      accountData: new Map(),
      roomAccountData: new Map(),
      filters: new Map(),
      nextFilterId: 0,
      presence: { ...OFFLINE },
    };
    this.users.set(userId, user);
    return user;
  }

  /** Issues an access token on a device (a new device unless `deviceId` is one the user has). */
  createSession(userId: string, deviceId?: string): Session {
    const user = this.requireUser(userId);
    const session: Session = { accessToken: newAccessToken(user.localpart), userId, deviceId: deviceId ?? newDeviceId() };
    const newDevice = ![...this.sessions.values()].some((s) => s.userId === userId && s.deviceId === session.deviceId);
    this.sessions.set(session.accessToken, session);
    if (newDevice) this.deviceChanges.set(userId, this.advance());
    return session;
  }

  /** Logs an access token out; like Synapse, that deletes its device with every token on it. */
  endSession(accessToken: string): void {
    const ended = this.sessions.get(accessToken);
    if (!ended) return;
    for (const [token, s] of this.sessions) if (s.userId === ended.userId && s.deviceId === ended.deviceId) this.sessions.delete(token);
    this.deviceChanges.set(ended.userId, this.advance());
  }

  /** The user behind an id, or 404 M_NOT_FOUND. */
  requireUser(userId: string): UserRecord {
    const user = this.users.get(userId);
    if (!user) throw notFound(`User ${userId} not found`);
    return user;
  }

  // ---------------------------------------------------------------- room lookups

  /** The room, or 404 M_NOT_FOUND (for the test helpers; HTTP requests use the lookups below). */
  requireRoom(roomId: string): Room {
    const room = this.rooms.get(roomId);
    if (!room) throw notFound(`Unknown room ${roomId}`);
    return room;
  }

  /** The room to write an event into; Synapse refuses a room it has never seen with 403 "Unknown room". */
  roomToWrite(roomId: string): Room {
    const room = this.rooms.get(roomId);
    if (!room) throw forbidden("Unknown room");
    return room;
  }

  /**
   * The room and the position up to which the user may read it; an unknown room is refused like a
   * room the user was never in (Synapse does not say whether it exists).
   */
  roomToRead(roomId: string, userId: string): { room: Room; readable: number } {
    const room = this.rooms.get(roomId);
    if (!room) throw notReadable(userId, roomId);
    return { room, readable: this.readableUntil(room, userId) };
  }

  /** Current content of a state event, if set. */
  stateContent(room: Room, type: string, stateKey = ""): JsonObject | undefined {
    const event = room.state.get(stateKeyOf(type, stateKey));
    return event ? this.visibleContent(event, room) : undefined;
  }

  /** The current state event of a type and key. */
  stateEvent(room: Room, type: string, stateKey = ""): StoredEvent | undefined {
    return room.state.get(stateKeyOf(type, stateKey));
  }

  /** The user's membership event at a stream position (default: now). */
  memberEventAt(room: Room, userId: string, pos = Number.POSITIVE_INFINITY): StoredEvent | undefined {
    if (pos >= this.position) return room.state.get(stateKeyOf("m.room.member", userId));
    for (let i = room.events.length - 1; i >= 0; i--) {
      const event = room.events[i]!;
      if (event.pos <= pos && event.type === "m.room.member" && event.state_key === userId) return event;
    }
    return undefined;
  }

  /** The user's membership at a stream position (default: now). */
  membershipAt(room: Room, userId: string, pos?: number): Membership | undefined {
    const event = this.memberEventAt(room, userId, pos);
    return event ? (event.content["membership"] as Membership) : undefined;
  }

  /** The room state as it was once every event up to and including `pos` had happened. */
  stateAt(room: Room, pos: number): Map<string, StoredEvent> {
    if (pos >= this.position) return new Map(room.state);
    const state = new Map<string, StoredEvent>();
    for (const event of room.events) {
      if (event.pos > pos) break;
      if (event.state_key !== undefined) state.set(stateKeyOf(event.type, event.state_key), event);
    }
    return state;
  }

  /** Users whose current membership is `membership`, in the order their membership events happened. */
  membersWith(room: Room, membership: Membership): string[] {
    return [...room.state.values()]
      .filter((e) => e.type === "m.room.member" && e.content["membership"] === membership)
      .sort((a, b) => a.pos - b.pos)
      .map((e) => e.state_key!);
  }

  /** Rooms the user is joined to now. */
  joinedRoomIds(userId: string): string[] {
    return [...this.rooms.values()].filter((r) => this.membershipAt(r, userId) === "join").map((r) => r.roomId);
  }

  /**
   * The last position up to which a user may read a room (now when joined; the leave when they left),
   * or 403 when they never were a member, as the spec's "aren't a member and weren't previously" says.
   */
  readableUntil(room: Room, userId: string): number {
    const member = this.memberEventAt(room, userId);
    const membership = member?.content["membership"];
    if (membership === "join") return this.position;
    if (member && (membership === "leave" || membership === "ban") && this.everJoined(room, userId, member.pos)) return member.pos;
    throw notReadable(userId, room.roomId);
  }

  private everJoined(room: Room, userId: string, before: number): boolean {
    return room.events.some(
      (e) => e.pos < before && e.type === "m.room.member" && e.state_key === userId && e.content["membership"] === "join",
    );
  }

  // ---------------------------------------------------------------- power levels

  private powerLevels(room: Room): JsonObject | undefined {
    return this.stateContent(room, "m.room.power_levels");
  }

  /** The user's power level; without a power-levels event the creator has 100 and everyone else 0. */
  powerOf(room: Room, userId: string): number {
    const levels = this.powerLevels(room);
    if (!levels) return this.stateEvent(room, "m.room.create")?.sender === userId ? 100 : 0;
    const users = isObject(levels["users"]) ? levels["users"] : {};
    const own = users[userId];
    if (typeof own === "number") return own;
    return typeof levels["users_default"] === "number" ? levels["users_default"] : 0;
  }

  private levelFor(room: Room, key: "invite" | "kick" | "ban" | "redact"): number {
    const levels = this.powerLevels(room);
    const value = levels?.[key];
    if (typeof value === "number") return value;
    return key === "invite" ? 0 : 50;
  }

  private sendLevel(room: Room, type: string, isState: boolean): number {
    const levels = this.powerLevels(room);
    if (!levels) return 0;
    const events = isObject(levels["events"]) ? levels["events"] : {};
    const specific = events[type];
    if (typeof specific === "number") return specific;
    const fallback = isState ? levels["state_default"] : levels["events_default"];
    return typeof fallback === "number" ? fallback : isState ? 50 : 0;
  }

  // ---------------------------------------------------------------- writing events

  private append(room: Room, fields: Omit<StoredEvent, "event_id" | "room_id" | "origin_server_ts" | "pos">): StoredEvent {
    const event: StoredEvent = {
      ...fields,
      event_id: newEventId(),
      room_id: room.roomId,
      origin_server_ts: this.now(),
      pos: this.advance(),
    };
    if (event.state_key !== undefined) {
      const key = stateKeyOf(event.type, event.state_key);
      const previous = room.state.get(key);
      if (previous) {
        event.prevContent = previous.content;
        event.replacesState = previous.event_id;
        event.prevSender = previous.sender;
      }
      room.state.set(key, event);
    }
    room.events.push(event);
    room.byId.set(event.event_id, event);
    for (const listener of [...this.eventListeners]) listener(event);
    return event;
  }

  /** Sending needs the sender joined; Synapse's message names the membership they have instead. */
  private requireJoined(room: Room, userId: string): void {
    const membership = this.membershipAt(room, userId);
    if (membership !== "join") throw forbidden(`User ${userId} not in room ${room.roomId} (${membership ?? "None"})`);
  }

  /** Membership changes need the acting user joined (Synapse's wording differs from sending's). */
  private requireJoinedToAct(room: Room, userId: string): void {
    if (this.membershipAt(room, userId) !== "join") throw forbidden(`${userId} not in room ${room.roomId}.`);
  }

  /** `PUT /rooms/{roomId}/send/{eventType}/{txnId}`: a message event from a joined member. */
  sendMessageEvent(sender: string, roomId: string, type: string, content: JsonObject, txn?: StoredEvent["txn"]): StoredEvent {
    const room = this.roomToWrite(roomId);
    this.requireJoined(room, sender);
    if (type === "m.room.redaction") {
      const redacts = content["redacts"];
      if (typeof redacts !== "string") throw badJson("m.room.redaction needs 'redacts' in the content");
      return this.redact(sender, roomId, redacts, { reason: content["reason"], txn });
    }
    const needed = this.sendLevel(room, type, false);
    const have = this.powerOf(room, sender);
    if (have < needed) throw forbidden(`You don't have permission to post that to the room. user_level (${have}) < send_level (${needed})`);
    this.checkAnnotation(room, sender, type, content);
    const event = this.append(room, { type, sender, content, txn });
    // Synapse counts only messages as activity, not other events.
    if (type === "m.room.message") this.bumpActive(sender);
    return event;
  }

  /**
   * An `m.annotation` relation (a reaction), checked as Synapse checks it (`_validate_event_relation`):
   * the key a string of at most 500 characters, the annotated event in the same room when the server
   * has it, and no second annotation with the same key by the same sender on the same event
   * (M_DUPLICATE_ANNOTATION, client-server spec "Event annotations and reactions").
   */
  private checkAnnotation(room: Room, sender: string, type: string, content: JsonObject): void {
    const relation = content["m.relates_to"];
    if (typeof relation !== "object" || relation === null || Array.isArray(relation)) {
      if (type === "m.reaction") throw badJson("m.reaction needs an m.relates_to object with rel_type m.annotation");
      return;
    }
    const fields = relation as JsonObject;
    if (fields["rel_type"] !== "m.annotation") {
      if (type === "m.reaction") throw badJson("m.reaction needs rel_type m.annotation");
      return;
    }
    const eventId = fields["event_id"];
    const key = fields["key"];
    if (typeof eventId !== "string" || eventId === "") throw badJson("m.annotation needs the event_id of the annotated event");
    if (typeof key !== "string" || key === "") throw badJson("m.annotation needs a key");
    if (key.length > 500) throw new MatrixApiError(400, "M_UNKNOWN", "Aggregation key is too long");
    const annotated = this.findEventAnywhere(eventId);
    if (annotated && annotated.room_id !== room.roomId) throw new MatrixApiError(400, "M_UNKNOWN", "Relations must be in the same room");
    const duplicate = room.events.some((event) => {
      const other = event.content["m.relates_to"] as JsonObject | undefined;
      return event.sender === sender && event.type === type && !event.redactedBy && other?.["rel_type"] === "m.annotation" && other["event_id"] === eventId && other["key"] === key;
    });
    if (duplicate) throw new MatrixApiError(400, "M_DUPLICATE_ANNOTATION", "Can't send same reaction twice");
  }

  private findEventAnywhere(eventId: string): StoredEvent | undefined {
    for (const room of this.rooms.values()) {
      const found = room.byId.get(eventId);
      if (found) return found;
    }
    return undefined;
  }

  /** `PUT /rooms/{roomId}/state/{eventType}/{stateKey}`; membership changes go through the membership rules. */
  sendStateEvent(sender: string, roomId: string, type: string, stateKey: string, content: JsonObject): StoredEvent {
    const room = this.roomToWrite(roomId);
    if (type === "m.room.member") return this.changeMembershipByState(sender, room, stateKey, content);
    this.requireJoined(room, sender);
    if (type === "m.room.create") throw forbidden("The m.room.create event cannot be replaced");
    if (stateKey.startsWith("@") && stateKey !== sender) {
      throw forbidden("You are not allowed to set others state");
    }
    const needed = this.sendLevel(room, type, true);
    const have = this.powerOf(room, sender);
    if (have < needed) throw forbidden(`You don't have permission to post that to the room. user_level (${have}) < send_level (${needed})`);
    return this.append(room, { type, sender, content, state_key: stateKey });
  }

  private changeMembershipByState(sender: string, room: Room, target: string, content: JsonObject): StoredEvent {
    const membership = content["membership"];
    const reason = typeof content["reason"] === "string" ? content["reason"] : undefined;
    switch (membership) {
      case "join":
        if (target !== sender) throw forbidden("Cannot force another user to join.");
        this.join(sender, room.roomId, { extraContent: content });
        break;
      case "invite":
        this.invite(sender, room.roomId, target, { reason, isDirect: content["is_direct"] === true });
        break;
      case "leave":
        if (target === sender) this.leave(sender, room.roomId, reason);
        else if (this.membershipAt(room, target) === "ban") this.unban(sender, room.roomId, target, reason);
        else this.kick(sender, room.roomId, target, reason);
        break;
      case "ban":
        this.ban(sender, room.roomId, target, reason);
        break;
      default:
        throw badJson("membership must be one of invite, join, leave or ban");
    }
    return this.memberEventAt(room, target)!;
  }

  private memberContent(userId: string, membership: Membership, extra: JsonObject = {}): JsonObject {
    const user = this.users.get(userId);
    const content: JsonObject = { membership };
    if (membership === "join" || membership === "invite") {
      if (user?.displayname !== undefined) content["displayname"] = user.displayname;
      if (user?.avatarUrl !== undefined) content["avatar_url"] = user.avatarUrl;
    }
    return { ...content, ...extra, membership };
  }

  /** `POST /join/{roomIdOrAlias}`: join a public room, or a private one you are invited to. */
  join(userId: string, roomIdOrAlias: string, options: { reason?: string; extraContent?: JsonObject } = {}): string {
    let roomId = roomIdOrAlias;
    if (roomIdOrAlias.startsWith("#")) {
      const resolved = this.aliases.get(roomIdOrAlias);
      if (!resolved) throw notFound(`Room alias ${roomIdOrAlias} not found`);
      roomId = resolved;
    } else if (!roomIdOrAlias.startsWith("!")) {
      throw invalidParam(`${roomIdOrAlias} was not legal room ID or room alias`);
    }
    const room = this.rooms.get(roomId);
    // A room id this server has never seen would be joined over federation, through servers not given here.
    if (!room) throw new MatrixApiError(404, "M_UNKNOWN", "Can't join remote room because no servers that are in the room have been provided.");
    const current = this.membershipAt(room, userId);
    if (current === "join") return roomId;
    if (current === "ban") throw forbidden("You are banned from this room");
    const joinRule = this.stateContent(room, "m.room.join_rules")?.["join_rule"] ?? "invite";
    if (current !== "invite" && joinRule !== "public") throw forbidden("You are not invited to this room.");
    const extra: JsonObject = { ...(options.extraContent ?? {}) };
    if (options.reason !== undefined) extra["reason"] = options.reason;
    this.append(room, { type: "m.room.member", sender: userId, state_key: userId, content: this.memberContent(userId, "join", extra) });
    return roomId;
  }

  /** `POST /rooms/{roomId}/invite`: needs the inviter joined with invite power; the invitee not joined or banned. */
  invite(sender: string, roomId: string, target: string, options: { reason?: string; isDirect?: boolean } = {}): void {
    const room = this.roomToWrite(roomId);
    if (!/^@[^:]+:.+$/.test(target)) throw invalidParam(`Invalid user_id ${target}`);
    this.requireJoinedToAct(room, sender);
    const current = this.membershipAt(room, target);
    if (current === "join") throw forbidden(`${target} is already in the room.`);
    if (current === "ban") throw forbidden(`${target} is banned from the room`);
    const needed = this.levelFor(room, "invite");
    if (this.powerOf(room, sender) < needed) throw forbidden("You don't have permission to invite users");
    if (current === "invite") return;
    const extra: JsonObject = {};
    if (options.isDirect) extra["is_direct"] = true;
    if (options.reason !== undefined) extra["reason"] = options.reason;
    const inviteRoomState = this.strippedState(room, sender);
    const event = this.append(room, { type: "m.room.member", sender, state_key: target, content: this.memberContent(target, "invite", extra) });
    event.inviteRoomState = inviteRoomState;
  }

  private strippedState(room: Room, inviter: string): StrippedStateEvent[] {
    const out: StrippedStateEvent[] = [];
    const strip = (e: StoredEvent): StrippedStateEvent => ({ content: e.content, sender: e.sender, state_key: e.state_key!, type: e.type });
    for (const type of PREJOIN_STATE_TYPES) {
      const event = this.stateEvent(room, type);
      if (event) out.push(strip(event));
    }
    const inviterMember = this.stateEvent(room, "m.room.member", inviter);
    if (inviterMember) out.push(strip(inviterMember));
    return out;
  }

  /**
   * `POST /rooms/{roomId}/leave`: leave a joined room or reject an invite. Leaving again after leaving
   * is a no-op, as in Synapse (the same membership, sender and content answer the existing event).
   */
  leave(userId: string, roomId: string, reason?: string): void {
    const room = this.rooms.get(roomId);
    if (!room) throw new MatrixApiError(404, "M_UNKNOWN", "Not a known room");
    const extra: JsonObject = reason !== undefined ? { reason } : {};
    const content = this.memberContent(userId, "leave", extra);
    const previous = this.memberEventAt(room, userId);
    if (previous?.sender === userId && JSON.stringify(previous.content) === JSON.stringify(content)) return;
    const current = previous?.content["membership"];
    if (current !== "join" && current !== "invite" && current !== "knock") throw forbidden(`${userId} not in room ${roomId}.`);
    this.append(room, { type: "m.room.member", sender: userId, state_key: userId, content });
  }

  /** `POST /rooms/{roomId}/kick`: needs kick power and more power than the target. */
  kick(sender: string, roomId: string, target: string, reason?: string): void {
    const room = this.roomToWrite(roomId);
    this.requireJoinedToAct(room, sender);
    const current = this.membershipAt(room, target);
    if (current !== "join" && current !== "invite" && current !== "knock") throw forbidden("The target user is not in the room");
    this.requireOutranks(room, sender, target, "kick");
    const extra: JsonObject = reason !== undefined ? { reason } : {};
    this.append(room, { type: "m.room.member", sender, state_key: target, content: this.memberContent(target, "leave", extra) });
  }

  /** `POST /rooms/{roomId}/ban`. */
  ban(sender: string, roomId: string, target: string, reason?: string): void {
    const room = this.roomToWrite(roomId);
    this.requireJoinedToAct(room, sender);
    this.requireOutranks(room, sender, target, "ban");
    const extra: JsonObject = reason !== undefined ? { reason } : {};
    this.append(room, { type: "m.room.member", sender, state_key: target, content: this.memberContent(target, "ban", extra) });
  }

  /** `POST /rooms/{roomId}/unban`. */
  unban(sender: string, roomId: string, target: string, reason?: string): void {
    const room = this.roomToWrite(roomId);
    this.requireJoinedToAct(room, sender);
    if (this.membershipAt(room, target) !== "ban") throw forbidden(`${target} is not banned`);
    if (this.powerOf(room, sender) < this.levelFor(room, "ban")) throw forbidden("You don't have permission to unban");
    const extra: JsonObject = reason !== undefined ? { reason } : {};
    this.append(room, { type: "m.room.member", sender, state_key: target, content: this.memberContent(target, "leave", extra) });
  }

  private requireOutranks(room: Room, sender: string, target: string, action: "kick" | "ban"): void {
    const have = this.powerOf(room, sender);
    if (have < this.levelFor(room, action)) throw forbidden(`You don't have permission to ${action}`);
    if (have <= this.powerOf(room, target)) throw forbidden(`You cannot ${action} user ${target}.`);
  }

  /** `POST /rooms/{roomId}/forget`: the left room no longer shows up in the user's `/sync`. */
  forget(userId: string, roomId: string): void {
    const room = this.requireRoom(roomId);
    const current = this.membershipAt(room, userId);
    if (current === "join" || current === "invite") throw new MatrixApiError(400, "M_UNKNOWN", "User is in room");
    room.forgottenBy.add(userId);
    this.advance();
  }

  /**
   * `PUT /rooms/{roomId}/redact/{eventId}/{txnId}`: own events freely, others' with redact power. A
   * redaction of an event the room does not hold is accepted but never served, as in Synapse.
   */
  redact(sender: string, roomId: string, eventId: string, options: { reason?: unknown; txn?: StoredEvent["txn"] } = {}): StoredEvent {
    const room = this.roomToWrite(roomId);
    this.requireJoined(room, sender);
    const target = room.byId.get(eventId);
    if (target && target.sender !== sender && this.powerOf(room, sender) < this.levelFor(room, "redact")) {
      throw forbidden("You don't have permission to redact events");
    }
    const content: JsonObject = {};
    if (typeof options.reason === "string") content["reason"] = options.reason;
    // Room version 11 moved `redacts` into the content; servers keep the top-level copy for older clients.
    if (room.version === "11") content["redacts"] = eventId;
    const redaction = this.append(room, { type: "m.room.redaction", sender, content, redacts: eventId, txn: options.txn, ...(target ? {} : { hidden: true }) });
    if (target && !target.redactedBy) target.redactedBy = redaction;
    return redaction;
  }

  // ---------------------------------------------------------------- room creation

  /** `POST /createRoom`, writing the events in the order the spec lists. */
  createRoom(creator: string, request: CreateRoomRequest): string {
    this.requireUser(creator);
    const version = request.room_version ?? DEFAULT_ROOM_VERSION;
    if (!(SUPPORTED_ROOM_VERSIONS as readonly string[]).includes(version)) {
      throw new MatrixApiError(400, "M_UNSUPPORTED_ROOM_VERSION", "Your homeserver does not support this room version");
    }
    let alias: string | undefined;
    if (request.room_alias_name !== undefined) {
      if (/[\s:#]/.test(request.room_alias_name) || request.room_alias_name === "") throw invalidParam("Invalid characters in room alias");
      alias = `#${request.room_alias_name}:${this.serverName}`;
      if (this.aliases.has(alias)) throw new MatrixApiError(400, "M_ROOM_IN_USE", "Room alias already taken");
    }
    const invitees = request.invite ?? [];
    for (const invitee of invitees) if (!/^@[^:]+:.+$/.test(invitee)) throw invalidParam(`Invalid user_id ${invitee}`);
    for (const state of request.initial_state ?? []) {
      if (state.type === "m.room.member" || state.type === "m.room.create") {
        throw new MatrixApiError(400, "M_INVALID_ROOM_STATE", `${state.type} cannot be set in initial_state`);
      }
    }

    const preset = request.preset ?? (request.visibility === "public" ? "public_chat" : "private_chat");
    const room: Room = {
      roomId: newRoomId(this.serverName),
      version,
      events: [],
      byId: new Map(),
      state: new Map(),
      typing: new Map(),
      typingPos: 0,
      receipts: new Map(),
      forgottenBy: new Set(),
    };
    this.rooms.set(room.roomId, room);
    if (alias) this.aliases.set(alias, room.roomId);

    const state = (type: string, content: JsonObject, stateKey = ""): void => {
      this.append(room, { type, sender: creator, state_key: stateKey, content });
    };
    const createContent: JsonObject = { room_version: version, ...(request.creation_content ?? {}) };
    // Room version 11 dropped `creator` (the sender is the creator).
    if (version !== "11") createContent["creator"] = creator;
    state("m.room.create", createContent);
    state("m.room.member", this.memberContent(creator, "join"), creator);

    const users: JsonObject = { [creator]: 100 };
    if (preset === "trusted_private_chat") for (const invitee of invitees) users[invitee] = 100;
    const powerLevels: JsonObject = {
      users,
      users_default: 0,
      events: {
        "m.room.name": 50,
        "m.room.power_levels": 100,
        "m.room.history_visibility": 100,
        "m.room.canonical_alias": 50,
        "m.room.avatar": 50,
        "m.room.tombstone": 100,
        "m.room.server_acl": 100,
        "m.room.encryption": 100,
      },
      events_default: 0,
      state_default: 50,
      ban: 50,
      kick: 50,
      redact: 50,
      // Synapse's private presets let every member invite.
      invite: preset === "public_chat" ? 50 : 0,
      historical: 100,
      ...(request.power_level_content_override ?? {}),
    };
    state("m.room.power_levels", powerLevels);
    if (alias) state("m.room.canonical_alias", { alias });
    state("m.room.join_rules", { join_rule: preset === "public_chat" ? "public" : "invite" });
    state("m.room.history_visibility", { history_visibility: "shared" });
    state("m.room.guest_access", { guest_access: preset === "public_chat" ? "forbidden" : "can_join" });
    for (const initial of request.initial_state ?? []) state(initial.type, initial.content, initial.state_key ?? "");
    if (request.name !== undefined) state("m.room.name", { name: request.name });
    if (request.topic !== undefined) state("m.room.topic", { topic: request.topic });
    for (const invitee of invitees) this.invite(creator, room.roomId, invitee, { isDirect: request.is_direct === true });
    return room.roomId;
  }

  // ---------------------------------------------------------------- ephemeral data

  /** `PUT /rooms/{roomId}/typing/{userId}`. */
  setTyping(userId: string, roomId: string, typing: boolean, timeoutMs: number): void {
    const room = this.rooms.get(roomId);
    this.bumpActive(userId);
    if (!room || this.membershipAt(room, userId) !== "join") throw forbidden(`User ${userId} not in room ${roomId}`);
    if (typing) room.typing.set(userId, this.now() + timeoutMs);
    else room.typing.delete(userId);
    room.typingPos = this.advance();
  }

  /** Users typing now (entries past their timeout are dropped without a separate update). */
  typingUsers(room: Room): string[] {
    const now = this.now();
    return [...room.typing.entries()].filter(([, until]) => until > now).map(([userId]) => userId);
  }

  /**
   * `POST /rooms/{roomId}/receipt/{receiptType}/{eventId}`; `m.fully_read` becomes room account data, as the
   * spec says. Synapse 1.67 checks neither membership nor the room: a receipt from someone not in the room
   * reaches the members' `/sync`, one for a room that does not exist is accepted and goes nowhere.
   */
  setReceipt(userId: string, roomId: string, type: "m.read" | "m.read.private" | "m.fully_read", eventId: string, threadId?: string): void {
    this.bumpActive(userId);
    const room = this.rooms.get(roomId);
    if (!room) return;
    if (type === "m.fully_read") {
      this.setAccountData(userId, "m.fully_read", { event_id: eventId }, roomId);
      return;
    }
    const receipt: Receipt = { userId, type, eventId, ts: this.now(), pos: this.advance() };
    if (threadId !== undefined) receipt.threadId = threadId;
    room.receipts.set(`${userId}\u0000${type}\u0000${threadId ?? ""}`, receipt);
  }

  /**
   * `unread_notifications` of a joined room, approximating Synapse's push rules: messages from others
   * (not notices, not redacted) after the user's join and read receipt; highlights name the user.
   */
  unreadNotifications(room: Room, userId: string): { notification_count: number; highlight_count: number } {
    const read = [...room.receipts.values()].filter((r) => r.userId === userId).map((r) => room.byId.get(r.eventId)?.pos ?? 0);
    const joined = this.memberEventAt(room, userId)?.pos ?? 0;
    const from = Math.max(joined, ...read);
    const name = this.users.get(userId)?.displayname?.toLowerCase();
    let notifications = 0;
    let highlights = 0;
    for (const event of room.events) {
      if (event.pos <= from || event.sender === userId || event.type !== "m.room.message" || event.redactedBy) continue;
      if (event.content["msgtype"] === "m.notice") continue;
      notifications += 1;
      const body = event.content["body"];
      if (name && typeof body === "string" && body.toLowerCase().includes(name)) highlights += 1;
    }
    return { notification_count: notifications, highlight_count: highlights };
  }

  /** Receipts newer than `since`, as the content of one `m.receipt` event; private ones only for their owner. */
  receiptContent(room: Room, viewer: string, since: number, until: number): JsonObject | undefined {
    const content: Record<string, Record<string, Record<string, JsonObject>>> = {};
    let any = false;
    for (const receipt of room.receipts.values()) {
      if (receipt.pos <= since || receipt.pos > until) continue;
      if (receipt.type === "m.read.private" && receipt.userId !== viewer) continue;
      const byType = (content[receipt.eventId] ??= {});
      const byUser = (byType[receipt.type] ??= {});
      const data: JsonObject = { ts: receipt.ts };
      if (receipt.threadId !== undefined) data["thread_id"] = receipt.threadId;
      byUser[receipt.userId] = data;
      any = true;
    }
    return any ? content : undefined;
  }

  // ---------------------------------------------------------------- account data, profile, filters

  /** Stores account data (global, or for a room when `roomId` is given); a PUT replaces the whole content. */
  setAccountData(userId: string, type: string, content: JsonObject, roomId?: string): void {
    const user = this.requireUser(userId);
    if (roomId === undefined && type === "m.fully_read") {
      throw new MatrixApiError(405, "M_BAD_JSON", "Cannot set m.fully_read through this API.");
    }
    if (type === "m.push_rules") throw new MatrixApiError(405, "M_BAD_JSON", "Cannot set m.push_rules through this API.");
    const item: AccountDataItem = { content: structuredClone(content), pos: this.advance() };
    if (roomId === undefined) {
      user.accountData.set(type, item);
      return;
    }
    if (!roomId.startsWith("!")) throw invalidParam(`${roomId} is not a valid room ID`);
    let perRoom = user.roomAccountData.get(roomId);
    if (!perRoom) user.roomAccountData.set(roomId, (perRoom = new Map()));
    perRoom.set(type, item);
  }

  /** Stored account data content, or undefined. */
  getAccountData(userId: string, type: string, roomId?: string): JsonObject | undefined {
    const user = this.requireUser(userId);
    const item = roomId === undefined ? user.accountData.get(type) : user.roomAccountData.get(roomId)?.get(type);
    return item ? structuredClone(item.content) : undefined;
  }

  /** Account data items changed after `since`. */
  accountDataSince(userId: string, since: number, roomId?: string): Array<{ type: string; content: JsonObject }> {
    const user = this.requireUser(userId);
    const items = roomId === undefined ? user.accountData : user.roomAccountData.get(roomId) ?? new Map<string, AccountDataItem>();
    return [...items.entries()]
      .filter(([, item]) => item.pos > since)
      .sort((a, b) => a[1].pos - b[1].pos)
      .map(([type, item]) => ({ type, content: structuredClone(item.content) }));
  }

  /**
   * `PUT /profile/{userId}/{key}`. Like Synapse, a new display name or avatar is also written into the
   * user's membership event in every joined room, so other members see it.
   */
  setProfileField(userId: string, key: string, value: unknown): void {
    const user = this.requireUser(userId);
    if (key === "displayname") user.displayname = typeof value === "string" ? value : undefined;
    else if (key === "avatar_url") user.avatarUrl = typeof value === "string" ? value : undefined;
    else throw new MatrixApiError(400, "M_INVALID_PARAM", `Profile field ${key} is not supported here`);
    for (const roomId of this.joinedRoomIds(userId)) {
      const room = this.requireRoom(roomId);
      this.append(room, { type: "m.room.member", sender: userId, state_key: userId, content: this.memberContent(userId, "join") });
    }
  }

  // ---------------------------------------------------------------- presence

  /** Applies a presence change as Synapse's `_update_states` does; it is announced only when it matters. */
  private updatePresence(userId: string, change: Partial<Pick<PresenceRecord, "presence" | "lastActiveTs" | "statusMsg">>): void {
    const user = this.requireUser(userId);
    const next: PresenceRecord = { ...user.presence, ...change };
    if (next.presence === "online") next.currentlyActive = this.now() - next.lastActiveTs < LAST_ACTIVE_GRANULARITY_MS;
    if (shouldNotify(user.presence, next)) next.pos = this.advance();
    user.presence = next;
  }

  /** A `/sync` request: its `set_presence` (default online) becomes the user's presence, unless it is offline. */
  userSyncing(userId: string, setPresence: PresenceState | undefined): void {
    const presence = setPresence ?? "online";
    if (presence === "offline") return;
    this.updatePresence(userId, presence === "online" ? { presence, lastActiveTs: this.now() } : { presence });
  }

  /** `PUT /presence/{userId}/status`. */
  setPresence(userId: string, presence: PresenceState, statusMsg: string | undefined): void {
    this.updatePresence(userId, { presence, statusMsg, ...(presence === "online" ? { lastActiveTs: this.now() } : {}) });
  }

  /** Activity (a message, a receipt, typing): `last_active_ts` moves on, and someone unavailable is online again. */
  private bumpActive(userId: string): void {
    const current = this.requireUser(userId).presence.presence;
    this.updatePresence(userId, { lastActiveTs: this.now(), ...(current === "unavailable" ? { presence: "online" as const } : {}) });
  }

  /** `POST /user/{userId}/filter`: filter ids count up from 0 per user, as in Synapse. */
  createFilter(userId: string, filter: SyncFilter): string {
    const user = this.requireUser(userId);
    const id = String(user.nextFilterId++);
    user.filters.set(id, filter);
    return id;
  }

  // ---------------------------------------------------------------- reading events

  /** Content as clients see it: stripped when the event was redacted. */
  visibleContent(event: StoredEvent, room: Room): JsonObject {
    return event.redactedBy ? redactContent(event.type, event.content, room.version) : event.content;
  }

  /**
   * An event as served (`client_event.yaml`), in one of three forms: `sync` (no `room_id`;
   * `unsigned.transaction_id` to the access token that sent it, Synapse's only place for it), `legacy`
   * (what Synapse 1.67 serves everywhere else: `room_id` plus top-level copies of `user_id`, `age`,
   * `prev_content`, `replaces_state` and `redacted_because`), and `client` (with `room_id`, for the test
   * helpers). `aggregations` bundles thread summaries into `unsigned["m.relations"]` as Synapse does.
   */
  toClientEvent(event: StoredEvent, options: SerializeOptions): ClientEvent {
    const room = this.requireRoom(event.room_id);
    const out: ClientEvent = {
      content: structuredClone(this.visibleContent(event, room)),
      event_id: event.event_id,
      origin_server_ts: event.origin_server_ts,
      sender: event.sender,
      type: event.type,
      unsigned: { age: Math.max(0, this.now() - event.origin_server_ts) },
    };
    if (options.format !== "sync") out.room_id = event.room_id;
    if (event.state_key !== undefined) out.state_key = event.state_key;
    if (event.redacts !== undefined) out.redacts = event.redacts;
    const unsigned = out.unsigned!;
    if (event.prevContent !== undefined) unsigned.prev_content = structuredClone(event.prevContent);
    if (event.replacesState !== undefined) unsigned.replaces_state = event.replacesState;
    if (event.prevSender !== undefined) unsigned.prev_sender = event.prevSender;
    if (options.format === "sync" && event.txn && options.session && event.txn.accessToken === options.session.accessToken) {
      unsigned.transaction_id = event.txn.txnId;
    }
    if (event.redactedBy) {
      unsigned.redacted_by = event.redactedBy.event_id;
      unsigned.redacted_because = this.toClientEvent(event.redactedBy, { ...options, aggregations: false });
    }
    if (options.aggregations) {
      const thread = this.threadSummary(room, event, options);
      if (thread) unsigned["m.relations"] = { "m.thread": thread };
    }
    if (options.format === "legacy") {
      out.user_id = event.sender;
      for (const key of ["age", "redacted_because", "replaces_state", "prev_content"] as const) {
        if (unsigned[key] !== undefined) Object.assign(out, { [key]: unsigned[key] });
      }
    }
    return out;
  }

  /** Events a client may be served: not a redaction of something the room does not hold. */
  isServed(event: StoredEvent): boolean {
    return event.hidden !== true;
  }

  /**
   * The bundled thread summary of a thread root (Synapse's `get_bundled_aggregations`): only for
   * message events that relate to nothing themselves; redacted replies do not count.
   */
  private threadSummary(room: Room, root: StoredEvent, options: SerializeOptions): JsonObject | undefined {
    if (root.state_key !== undefined || isObject(root.content["m.relates_to"])) return undefined;
    const replies = room.events.filter((e) => {
      const relation = e.content["m.relates_to"];
      return !e.redactedBy && isObject(relation) && relation["rel_type"] === "m.thread" && relation["event_id"] === root.event_id;
    });
    const latest = replies.at(-1);
    if (!latest) return undefined;
    const viewer = options.session?.userId;
    return {
      latest_event: this.toClientEvent(latest, options),
      count: replies.length,
      current_user_participated: root.sender === viewer || replies.some((e) => e.sender === viewer),
    };
  }
}
