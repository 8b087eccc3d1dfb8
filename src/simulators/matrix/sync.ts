/**
 * Builds `GET /sync` responses (`sync.yaml`) from the homeserver's stream: an initial sync without
 * `since`, or the changes between `since` and now. Follows Synapse's shape: empty sections are left out,
 * a room the user newly joined comes with its full state, and a `limited` timeline reports the state
 * changes of the gap in `state`.
 */
import { DEFAULT_TIMELINE_LIMIT, eventPasses, roomPasses, type SyncFilter } from "./filter.js";
import type { Homeserver, Room, Session, StoredEvent } from "./homeserver.js";
import { encodeStreamToken } from "./ids.js";
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

interface RoomSections {
  join: Record<string, JsonObject>;
  invite: Record<string, JsonObject>;
  leave: Record<string, JsonObject>;
}

/** Computes the `/sync` answer for a session at the current stream position. */
export function buildSync(hs: Homeserver, session: Session, request: SyncRequest): SyncResult {
  const until = hs.currentPosition;
  const since = request.since;
  const filter = request.filter;
  const rooms: RoomSections = { join: {}, invite: {}, leave: {} };

  for (const room of hs.rooms.values()) {
    if (!roomPasses(filter.room, room.roomId)) continue;
    const member = hs.memberEventAt(room, session.userId);
    if (!member) continue;
    const membership = member.content["membership"];
    if (membership === "join") {
      const section = joinedRoom(hs, session, room, request, until);
      if (section) rooms.join[room.roomId] = section;
    } else if (membership === "invite") {
      if (since === undefined || member.pos > since) rooms.invite[room.roomId] = invitedRoom(hs, room, member);
    } else if (membership === "leave" || membership === "ban") {
      if (room.forgottenBy.has(session.userId)) continue;
      // Left rooms show up once, in the sync after the leave; older ones only when the filter asks.
      const includeLeave = filter.room?.include_leave === true;
      const wanted = since === undefined ? includeLeave : member.pos > since || (request.fullState && includeLeave);
      if (wanted) rooms.leave[room.roomId] = leftRoom(hs, session, room, request, member);
    }
  }

  const accountData = hs
    .accountDataSince(session.userId, since ?? -1)
    .filter((item) => eventPasses(filter.account_data, { type: item.type }));

  const body: JsonObject = { next_batch: encodeStreamToken(until, hs.instance) };
  const roomsBody: JsonObject = {};
  for (const key of ["join", "invite", "leave"] as const) {
    if (Object.keys(rooms[key]).length > 0) roomsBody[key] = rooms[key];
  }
  if (Object.keys(roomsBody).length > 0) body["rooms"] = roomsBody;
  if (accountData.length > 0) body["account_data"] = { events: accountData };
  return { body, hasUpdates: Object.keys(roomsBody).length > 0 || accountData.length > 0 };
}

function timelineLimit(filter: SyncFilter): number {
  return filter.room?.timeline?.limit ?? DEFAULT_TIMELINE_LIMIT;
}

function serialize(hs: Homeserver, session: Session, events: StoredEvent[]): ClientEvent[] {
  return events.map((e) => hs.toClientEvent(e, { withRoomId: false, session }));
}

/** Timeline events after `from` up to `until`, cut to the filter's limit (keeping the newest). */
function timelineWindow(room: Room, filter: SyncFilter, from: number, until: number) {
  const candidates = room.events.filter(
    (e) => e.pos > from && e.pos <= until && eventPasses(filter.room?.timeline, e),
  );
  const limit = timelineLimit(filter);
  const events = candidates.slice(-limit);
  const limited = candidates.length > events.length;
  const start = events[0]?.pos ?? until + 1;
  return { events, limited, start };
}

function joinedRoom(hs: Homeserver, session: Session, room: Room, request: SyncRequest, until: number): JsonObject | undefined {
  const { filter } = request;
  const since = request.since ?? -1;
  const userId = session.userId;
  // A room joined since the last sync is new to the client: it gets the whole state and recent history.
  const newlyJoined = request.since === undefined || hs.membershipAt(room, userId, since) !== "join";
  const window = timelineWindow(room, filter, newlyJoined ? -1 : since, until);
  const stateBefore = hs.stateAt(room, window.start - 1);
  const stateFrom = newlyJoined || request.fullState ? -1 : since;
  const state = [...stateBefore.values()]
    .filter((e) => e.pos > stateFrom && eventPasses(filter.room?.state, e))
    .sort((a, b) => a.pos - b.pos);

  const ephemeral: JsonObject[] = [];
  const ephemeralSince = newlyJoined ? -1 : since;
  if (room.typingPos > ephemeralSince && room.typingPos <= until) {
    const typing = hs.typingUsers(room);
    if (!newlyJoined || typing.length > 0) ephemeral.push({ type: "m.typing", content: { user_ids: typing } });
  }
  const receipts = hs.receiptContent(room, userId, ephemeralSince, until);
  if (receipts) ephemeral.push({ type: "m.receipt", content: receipts });
  const ephemeralEvents = ephemeral.filter((e) => eventPasses(filter.room?.ephemeral, { type: String(e["type"]) }));

  const accountData = hs
    .accountDataSince(userId, newlyJoined ? -1 : since, room.roomId)
    .filter((item) => eventPasses(filter.room?.account_data, { type: item.type }));

  const membershipChanged =
    newlyJoined || room.events.some((e) => e.pos > since && e.pos <= until && e.type === "m.room.member");
  const hasContent =
    newlyJoined ||
    request.fullState ||
    window.events.length > 0 ||
    state.length > 0 ||
    ephemeralEvents.length > 0 ||
    accountData.length > 0;
  if (!hasContent) return undefined;

  const section: JsonObject = {
    timeline: {
      events: serialize(hs, session, window.events),
      limited: window.limited,
      prev_batch: encodeStreamToken(window.start - 1, hs.instance),
    },
    state: { events: serialize(hs, session, state) },
    account_data: { events: accountData },
    ephemeral: { events: ephemeralEvents },
  };
  if (membershipChanged) section["summary"] = summary(hs, room, userId);
  return section;
}

function summary(hs: Homeserver, room: Room, userId: string): JsonObject {
  const joined = hs.membersWith(room, "join");
  const invited = hs.membersWith(room, "invite");
  const out: JsonObject = { "m.joined_member_count": joined.length, "m.invited_member_count": invited.length };
  const named = hs.stateContent(room, "m.room.name")?.["name"] || hs.stateContent(room, "m.room.canonical_alias")?.["alias"];
  if (!named) out["m.heroes"] = [...joined, ...invited].filter((u) => u !== userId).slice(0, 5);
  return out;
}

function invitedRoom(hs: Homeserver, room: Room, invite: StoredEvent): JsonObject {
  // As Synapse does, the invite event itself (with id, timestamp and age) ends the stripped state.
  const inviteEvent = hs.toClientEvent(invite, { withRoomId: false });
  return { invite_state: { events: [...(invite.inviteRoomState ?? []), inviteEvent] } };
}

function leftRoom(hs: Homeserver, session: Session, room: Room, request: SyncRequest, leave: StoredEvent): JsonObject {
  const { since, filter } = request;
  const wasJoined = hs.membershipAt(room, session.userId, leave.pos - 1) === "join";
  // Someone who only rejected or lost an invite never saw the room: they get just their own leave event.
  const window = wasJoined
    ? timelineWindow(room, filter, since ?? -1, leave.pos)
    : { events: [leave], limited: false, start: leave.pos };
  const stateFrom = since === undefined || request.fullState ? -1 : since;
  const state = wasJoined
    ? [...hs.stateAt(room, window.start - 1).values()]
        .filter((e) => e.pos > stateFrom && eventPasses(filter.room?.state, e))
        .sort((a, b) => a.pos - b.pos)
    : [];
  const accountData = hs
    .accountDataSince(session.userId, since ?? -1, room.roomId)
    .filter((item) => eventPasses(filter.room?.account_data, { type: item.type }));
  return {
    timeline: {
      events: serialize(hs, session, window.events),
      limited: window.limited,
      prev_batch: encodeStreamToken(window.start - 1, hs.instance),
    },
    state: { events: serialize(hs, session, state) },
    account_data: { events: accountData },
  };
}
