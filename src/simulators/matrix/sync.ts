/**
 * Builds `GET /sync` responses (`sync.yaml`) from the homeserver's stream: an initial sync without
 * `since`, or the changes between `since` and now. Follows what Synapse 1.67.0 answers
 * (`synapse/handlers/sync.py`, `synapse/rest/client/sync.py`), checked by test/real/matrix-conformance.test.ts:
 * empty sections left out, the end-to-end key counts always present, `device_lists` for people who
 * newly share a room, `unread_notifications` and `summary` on every joined room, a newly joined room
 * with its full state and a `limited` timeline, and the push rules in every initial sync.
 */
import { DEFAULT_TIMELINE_LIMIT, eventPasses, roomPasses, type SyncFilter } from "./filter.js";
import type { Homeserver, Room, Session, StoredEvent } from "./homeserver.js";
import { encodeStreamToken } from "./ids.js";
import { OFFLINE, presenceContent } from "./presence.js";
import { defaultPushRules } from "./push-rules.js";
import type { ClientEvent, JsonObject } from "./types.js";

/** What a `/sync` request asks for. */
export interface SyncRequest {
  /** Stream position from the `since` token; undefined for an initial sync. */
  since?: number;
  fullState: boolean;
  filter: SyncFilter;
}

/** A built response and whether it carries anything (a long-poll keeps waiting while it does not). */
export interface SyncResult {
  body: JsonObject;
  hasUpdates: boolean;
}

/** A joined room's section and the events it serves (for `device_lists` and `presence`). */
interface RoomEntry {
  section: JsonObject;
  events: StoredEvent[];
}

/** Computes the `/sync` answer for a session at the current stream position. */
export function buildSync(hs: Homeserver, session: Session, request: SyncRequest): SyncResult {
  const until = hs.currentPosition;
  const { since, filter, fullState } = request;
  const userId = session.userId;
  const join: Record<string, JsonObject> = {};
  const invite: Record<string, JsonObject> = {};
  const leave: Record<string, JsonObject> = {};
  const servedJoined: StoredEvent[] = [];
  const newlyJoined: Room[] = [];
  const newlyLeft: Room[] = [];

  for (const room of hs.rooms.values()) {
    if (!roomPasses(filter.room, room.roomId)) continue;
    const member = hs.memberEventAt(room, userId);
    if (!member) continue;
    const membership = member.content["membership"];
    if (membership === "join") {
      const isNew = since !== undefined && joinedSince(hs, room, userId, since);
      if (isNew) newlyJoined.push(room);
      const entry = joinedRoom(hs, session, room, request, isNew);
      if (entry) {
        join[room.roomId] = entry.section;
        servedJoined.push(...entry.events);
      }
    } else if (membership === "invite") {
      if (since === undefined || member.pos > since) invite[room.roomId] = invitedRoom(hs, member);
    } else if (membership === "leave" || membership === "ban") {
      if (room.forgottenBy.has(userId)) continue;
      if (since !== undefined && member.pos > since && wasJoinedDuring(hs, room, userId, since, member.pos)) newlyLeft.push(room);
      // Synapse always sends rooms one was kicked or banned from; rooms one left oneself only with include_leave.
      const allRooms = since === undefined || fullState;
      const wanted = allRooms ? filter.room?.include_leave === true || member.sender !== userId : member.pos > since;
      if (wanted) leave[room.roomId] = leftRoom(hs, session, room, request, member);
    }
  }

  const accountData: JsonObject[] = hs
    .accountDataSince(userId, since ?? -1)
    .filter((item) => eventPasses(filter.account_data, { type: item.type }));
  // Push rules live apart from account data in Synapse; every initial or full-state sync carries them.
  if ((since === undefined || fullState) && eventPasses(filter.account_data, { type: "m.push_rules" })) {
    accountData.push({ type: "m.push_rules", content: defaultPushRules(userId) });
  }
  const seen = { servedJoined, newlyJoined, newlyLeft };
  const deviceLists = since === undefined ? {} : deviceListChanges(hs, userId, since, seen);
  const presence = presenceEvents(hs, userId, request, seen);

  const body: JsonObject = { next_batch: encodeStreamToken(until, hs.instance) };
  if (accountData.length > 0) body["account_data"] = { events: accountData };
  if (presence.length > 0) body["presence"] = { events: presence };
  if (Object.keys(deviceLists).length > 0) body["device_lists"] = deviceLists;
  // Synapse always sends these, although it keeps no keys for a client that never uploaded any.
  body["device_one_time_keys_count"] = { signed_curve25519: 0 };
  body["org.matrix.msc2732.device_unused_fallback_key_types"] = [];
  body["device_unused_fallback_key_types"] = [];
  const rooms: JsonObject = {};
  for (const [key, section] of [["join", join], ["invite", invite], ["leave", leave]] as const) {
    if (Object.keys(section).length > 0) rooms[key] = section;
  }
  if (Object.keys(rooms).length > 0) body["rooms"] = rooms;
  const hasUpdates = Object.keys(rooms).length > 0 || accountData.length > 0 || presence.length > 0 || Object.keys(deviceLists).length > 0;
  return { body, hasUpdates };
}

/** Joined now, and not joined at `since` or left and came back since (Synapse's "newly joined"). */
function joinedSince(hs: Homeserver, room: Room, userId: string, since: number): boolean {
  if (hs.membershipAt(room, userId, since) !== "join") return true;
  return room.events.some((e) => e.pos > since && e.type === "m.room.member" && e.state_key === userId && e.content["membership"] !== "join");
}

/** Joined at `since` or at some point between `since` and the leave. */
function wasJoinedDuring(hs: Homeserver, room: Room, userId: string, since: number, leavePos: number): boolean {
  if (hs.membershipAt(room, userId, since) === "join") return true;
  return room.events.some((e) => e.pos > since && e.pos < leavePos && e.type === "m.room.member" && e.state_key === userId && e.content["membership"] === "join");
}

/** What the room sections of one sync showed, for `device_lists` and `presence`. */
interface SeenInSync {
  /** Events served in joined rooms' timelines and state. */
  servedJoined: StoredEvent[];
  newlyJoined: Room[];
  newlyLeft: Room[];
}

/** Users whose join or invite (or knock) the served events show. */
function arrivals(events: StoredEvent[]): Set<string> {
  const out = new Set<string>();
  for (const event of events) {
    const membership = event.type === "m.room.member" ? event.content["membership"] : undefined;
    if (event.state_key !== undefined && (membership === "join" || membership === "invite" || membership === "knock")) out.add(event.state_key);
  }
  return out;
}

/**
 * `presence` as Synapse's sync gives it: the user and everyone sharing a joined room with them; in an
 * initial or full-state sync those not offline, in an incremental one those whose presence changed
 * since, plus everyone newly met in this sync (members of newly joined rooms, new arrivals).
 */
function presenceEvents(hs: Homeserver, userId: string, request: SyncRequest, seen: SeenInSync): JsonObject[] {
  const { since, fullState, filter } = request;
  const joinedRooms = hs.joinedRoomIds(userId).map((roomId) => hs.requireRoom(roomId));
  const interested = new Set([userId, ...joinedRooms.flatMap((room) => hs.membersWith(room, "join"))]);
  const initial = since === undefined || fullState;
  const users = [...interested].filter((user) => {
    const presence = hs.requireUser(user).presence;
    return initial ? presence.presence !== "offline" : presence.pos > since;
  });
  const met = new Set([...arrivals(seen.servedJoined), ...seen.newlyJoined.flatMap((room) => hs.membersWith(room, "join"))]);
  met.delete(userId);
  const now = hs.now();
  // Someone invited who has no account (a typo) is reported offline, as by Synapse.
  return [...new Set([...users, ...met])]
    .filter((user) => eventPasses(filter.presence, { type: "m.presence", sender: user }))
    .map((user) => ({ type: "m.presence", sender: user, content: presenceContent(hs.users.get(user)?.presence ?? OFFLINE, now) }));
}

/**
 * `device_lists` of an incremental sync, as Synapse computes it: `changed` holds the people sharing a
 * room whose devices changed, everyone in a newly joined room, and everyone whose join or invite the
 * served events show; `left` the people no longer sharing any room.
 */
function deviceListChanges(
  hs: Homeserver,
  userId: string,
  since: number,
  seen: SeenInSync,
): JsonObject {
  const joinedRooms = hs.joinedRoomIds(userId).map((roomId) => hs.requireRoom(roomId));
  const sharing = new Set([userId, ...joinedRooms.flatMap((room) => hs.membersWith(room, "join"))]);
  const changed = new Set([...sharing].filter((user) => (hs.deviceChanges.get(user) ?? 0) > since));
  for (const room of seen.newlyJoined) for (const user of hs.membersWith(room, "join")) changed.add(user);
  const arrived = arrivals(seen.servedJoined);
  const departed = new Set<string>();
  for (const event of seen.servedJoined) {
    if (event.type === "m.room.member" && event.state_key !== undefined && !arrived.has(event.state_key) && event.prevContent?.["membership"] === "join") {
      departed.add(event.state_key);
    }
  }
  for (const user of arrived) changed.add(user);
  for (const room of seen.newlyLeft) for (const user of hs.membersWith(room, "join")) departed.add(user);
  const left = [...departed].filter((user) => !sharing.has(user));
  const out: JsonObject = {};
  if (changed.size > 0) out["changed"] = [...changed];
  if (left.length > 0) out["left"] = left;
  return out;
}

function timelineLimit(filter: SyncFilter): number {
  return filter.room?.timeline?.limit ?? DEFAULT_TIMELINE_LIMIT;
}

function serialize(hs: Homeserver, session: Session, events: StoredEvent[], aggregations = false): ClientEvent[] {
  return events.map((e) => hs.toClientEvent(e, { format: "sync", session, aggregations }));
}

/**
 * The timeline up to `until`, as Synapse's `_load_filtered_recents` builds it: the newest `limit`
 * events (of those after `since` in an incremental sync), `limited` when more were left out.
 *
 * A room joined since the last sync is always `limited`, and when fewer than `limit` events came since,
 * Synapse puts them after the room's recent history, loaded up to and including the first of them
 * (for a room left again in the same gap: up to the leave), so those events appear twice
 * (https://github.com/element-hq/synapse/issues/9768: typically the user's own join). Clients must
 * tolerate it; the simulator repeats it.
 */
function timelineWindow(
  hs: Homeserver,
  room: Room,
  filter: SyncFilter,
  options: { since?: number; until: number; newlyJoined: boolean; repeats: "first-new-event" | "all-new-events" },
) {
  const limit = timelineLimit(filter);
  const served = room.events.filter((e) => e.pos <= options.until && hs.isServed(e) && eventPasses(filter.room?.timeline, e));
  const recent = options.since === undefined ? served : served.filter((e) => e.pos > options.since!);
  if (options.newlyJoined && recent.length > 0 && recent.length < limit) {
    const loadLimit = Math.max(limit * 2, 10);
    const historyEnd = options.repeats === "first-new-event" ? recent[0]!.pos : options.until;
    const history = served.filter((e) => e.pos <= historyEnd).slice(-(loadLimit + 1));
    return { events: [...history, ...recent].slice(-limit), limited: true };
  }
  return { events: recent.slice(-limit), limited: recent.length > limit || options.newlyJoined };
}

/**
 * The state block (Synapse's `_calculate_state`): the state at the start and at the end of the
 * timeline, less what the client had at `since` and less what the timeline itself holds.
 */
function stateBlock(hs: Homeserver, room: Room, filter: SyncFilter, timeline: StoredEvent[], options: { until: number; previous?: number }): StoredEvent[] {
  const start = timeline.length > 0 ? Math.min(...timeline.map((e) => e.pos)) : options.until + 1;
  const inTimeline = new Set(timeline.map((e) => e.event_id));
  const known = new Set(options.previous === undefined ? [] : [...hs.stateAt(room, options.previous).values()].map((e) => e.event_id));
  const candidates = new Map<string, StoredEvent>();
  for (const event of [...hs.stateAt(room, start - 1).values(), ...hs.stateAt(room, options.until).values()]) candidates.set(event.event_id, event);
  return [...candidates.values()]
    .filter((e) => !inTimeline.has(e.event_id) && !known.has(e.event_id) && eventPasses(filter.room?.state, e))
    .sort((a, b) => a.pos - b.pos);
}

function joinedRoom(hs: Homeserver, session: Session, room: Room, request: SyncRequest, newlyJoined: boolean): RoomEntry | undefined {
  const { filter, since, fullState } = request;
  const userId = session.userId;
  const until = hs.currentPosition;
  // A full-state sync still takes its timeline from `since`; only the state block starts from nothing.
  const window = timelineWindow(hs, room, filter, { since, until, newlyJoined, repeats: "first-new-event" });
  const previous = since === undefined || fullState || newlyJoined ? undefined : since;
  const state = stateBlock(hs, room, filter, window.events, { until, previous });

  // Receipts and typing count from `since` even in a newly joined room, as in Synapse; typing shows up in
  // an initial sync for every room where anyone ever typed.
  const ephemeralSince = since ?? 0;
  const ephemeral: JsonObject[] = [];
  if (room.typingPos > ephemeralSince) ephemeral.push({ type: "m.typing", content: { user_ids: hs.typingUsers(room) } });
  const receipts = hs.receiptContent(room, userId, ephemeralSince, until);
  if (receipts) ephemeral.push({ type: "m.receipt", content: receipts });
  const ephemeralEvents = ephemeral.filter((e) => eventPasses(filter.room?.ephemeral, { type: String(e["type"]) }));

  const accountData = hs
    .accountDataSince(userId, newlyJoined || since === undefined ? -1 : since, room.roomId)
    .filter((item) => eventPasses(filter.room?.account_data, { type: item.type }));

  const hasContent = since === undefined || newlyJoined || fullState || window.events.length > 0 || state.length > 0 || ephemeralEvents.length > 0 || accountData.length > 0;
  if (!hasContent) return undefined;

  // Synapse bundles aggregations only when the client may not hold the related events.
  const aggregations = window.limited;
  const section: JsonObject = {
    timeline: {
      events: serialize(hs, session, window.events, aggregations),
      limited: window.limited,
      prev_batch: encodeStreamToken(Math.min(...window.events.map((e) => e.pos), until + 1) - 1, hs.instance),
    },
    state: { events: serialize(hs, session, state) },
    account_data: { events: accountData },
    ephemeral: { events: ephemeralEvents },
    unread_notifications: hs.unreadNotifications(room, userId),
    // Synapse computes the summary only for clients that lazy-load members; others get an empty one.
    summary: filter.room?.state?.lazy_load_members === true ? summary(hs, room, userId) : {},
  };
  return { section, events: [...window.events, ...state] };
}

function summary(hs: Homeserver, room: Room, userId: string): JsonObject {
  const joined = hs.membersWith(room, "join");
  const invited = hs.membersWith(room, "invite");
  const out: JsonObject = { "m.joined_member_count": joined.length, "m.invited_member_count": invited.length };
  const named = hs.stateContent(room, "m.room.name")?.["name"] || hs.stateContent(room, "m.room.canonical_alias")?.["alias"];
  if (!named) out["m.heroes"] = [...joined, ...invited].filter((u) => u !== userId).slice(0, 5);
  return out;
}

function invitedRoom(hs: Homeserver, invite: StoredEvent): JsonObject {
  // As Synapse does, the invite event itself (with id, timestamp and age) ends the stripped state.
  const inviteEvent = hs.toClientEvent(invite, { format: "sync" });
  return { invite_state: { events: [...(invite.inviteRoomState ?? []), inviteEvent] } };
}

function leftRoom(hs: Homeserver, session: Session, room: Room, request: SyncRequest, leave: StoredEvent): JsonObject {
  const { since, filter, fullState } = request;
  const userId = session.userId;
  const wasJoined = hs.membershipAt(room, userId, leave.pos - 1) === "join";
  // Someone who only rejected or lost an invite never saw the room: they get just their own leave event.
  const newlyJoined = since !== undefined && wasJoined && hs.membershipAt(room, userId, since) !== "join";
  const window = wasJoined ? timelineWindow(hs, room, filter, { since, until: leave.pos, newlyJoined, repeats: "all-new-events" }) : { events: [leave], limited: false };
  const previous = since === undefined || fullState || newlyJoined ? undefined : since;
  const state = wasJoined ? stateBlock(hs, room, filter, window.events, { until: leave.pos, previous }) : [];
  const accountData = hs
    .accountDataSince(userId, since ?? -1, room.roomId)
    .filter((item) => eventPasses(filter.room?.account_data, { type: item.type }));
  return {
    timeline: {
      events: serialize(hs, session, window.events, window.limited),
      limited: window.limited,
      prev_batch: encodeStreamToken(Math.min(...window.events.map((e) => e.pos), leave.pos + 1) - 1, hs.instance),
    },
    state: { events: serialize(hs, session, state) },
    account_data: { events: accountData },
  };
}
