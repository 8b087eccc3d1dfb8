import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startMatrixSimulator, type MatrixSimulator, type SimUser } from "../../src/simulators/matrix/server.js";

interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

let sim: MatrixSimulator;

beforeEach(async () => {
  sim = await startMatrixSimulator();
});

afterEach(async () => {
  await sim.close();
  expect(sim.serverErrors).toEqual([]);
});

async function api(
  method: string,
  path: string,
  options: { as?: SimUser | string; body?: unknown; rawBody?: string; query?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const url = new URL(path.startsWith("/_matrix") ? path : `/_matrix/client/v3${path}`, sim.url);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = {};
  const token = typeof options.as === "string" ? options.as : options.as?.accessToken;
  if (token !== undefined) headers["Authorization"] = `Bearer ${token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

const enc = encodeURIComponent;

type SyncBody = {
  next_batch: string;
  rooms?: {
    join?: Record<string, { timeline: { events: Array<Record<string, unknown>>; limited: boolean; prev_batch?: string }; state: { events: Array<Record<string, unknown>> }; ephemeral: { events: Array<Record<string, unknown>> }; account_data: { events: Array<Record<string, unknown>> } }>;
    invite?: Record<string, { invite_state: { events: Array<Record<string, unknown>> } }>;
    leave?: Record<string, { timeline: { events: Array<Record<string, unknown>> } }>;
  };
  account_data?: { events: Array<{ type: string; content: Record<string, unknown> }> };
};

/** What Synapse puts in every /sync although it keeps no end-to-end keys for the client. */
const NO_KEYS = { device_one_time_keys_count: { signed_curve25519: 0 }, "org.matrix.msc2732.device_unused_fallback_key_types": [], device_unused_fallback_key_types: [] };

async function sync(as: SimUser, query: Record<string, string> = {}): Promise<SyncBody> {
  const res = await api("GET", "/sync", { as, query });
  expect(res.status).toBe(200);
  return res.body as unknown as SyncBody;
}

describe("authentication", () => {
  it("logs a user in with m.login.password and an m.id.user identifier, and whoami names them", async () => {
    const login = await api("POST", "/login", {
      body: { type: "m.login.password", identifier: { type: "m.id.user", user: "alice" }, password: sim.users.alice.password },
    });
    expect(login.status).toBe(200);
    expect(login.body["user_id"]).toBe("@alice:localhost");
    const whoami = await api("GET", "/account/whoami", { as: String(login.body["access_token"]) });
    expect(whoami.body).toEqual({ user_id: "@alice:localhost", device_id: login.body["device_id"], is_guest: false });
  });

  it("refuses a wrong password with 403 M_FORBIDDEN", async () => {
    const login = await api("POST", "/login", {
      body: { type: "m.login.password", identifier: { type: "m.id.user", user: "@alice:localhost" }, password: "nope" },
    });
    expect(login.status).toBe(403);
    expect(login.body["errcode"]).toBe("M_FORBIDDEN");
  });

  it("answers 401 M_MISSING_TOKEN without a token and 401 M_UNKNOWN_TOKEN with a bad one", async () => {
    expect((await api("GET", "/account/whoami")).body["errcode"]).toBe("M_MISSING_TOKEN");
    const bad = await api("GET", "/account/whoami", { as: "syt_bogus" });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ errcode: "M_UNKNOWN_TOKEN", soft_logout: false });
  });

  it("accepts the deprecated access_token query parameter", async () => {
    const whoami = await api("GET", "/account/whoami", { query: { access_token: sim.bot.accessToken } });
    expect(whoami.body["user_id"]).toBe("@support-bot:localhost");
  });

  it("stops accepting a token after logout", async () => {
    const second = sim.login("bob");
    expect((await api("POST", "/logout", { as: second, body: {} })).status).toBe(200);
    expect((await api("GET", "/account/whoami", { as: second })).body["errcode"]).toBe("M_UNKNOWN_TOKEN");
    expect((await api("GET", "/account/whoami", { as: sim.users.bob })).status).toBe(200);
  });
});

describe("unknown endpoints", () => {
  it("answers 404 M_UNRECOGNIZED for an unknown path and 405 for a known path with the wrong method", async () => {
    const unknown = await api("GET", "/pushrules/", { as: sim.bot });
    expect(unknown.status).toBe(404);
    expect(unknown.body["errcode"]).toBe("M_UNRECOGNIZED");
    const wrongMethod = await api("DELETE", "/joined_rooms", { as: sim.bot });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body["errcode"]).toBe("M_UNRECOGNIZED");
  });

  it("serves the legacy r0 prefix like v3", async () => {
    const res = await api("GET", "/_matrix/client/r0/account/whoami", { as: sim.bot });
    expect(res.body["user_id"]).toBe(sim.bot.userId);
  });
});

describe("direct messages and invites", () => {
  it("delivers an is_direct invite with stripped state, and the joined room's messages after the bot joins", async () => {
    const initial = await sync(sim.bot);
    const roomId = sim.createDirectRoom("alice", sim.bot);
    const invited = await sync(sim.bot, { since: initial.next_batch, timeout: "0" });
    const inviteState = invited.rooms?.invite?.[roomId]?.invite_state.events ?? [];
    const inviteEvent = inviteState.find((e) => e["type"] === "m.room.member" && e["state_key"] === sim.bot.userId);
    expect(inviteEvent?.["content"]).toMatchObject({ membership: "invite", is_direct: true });
    expect(inviteEvent?.["sender"]).toBe("@alice:localhost");
    expect(inviteState.map((e) => e["type"])).toContain("m.room.create");
    expect(sim.accountData("alice", "m.direct")).toEqual({ [sim.bot.userId]: [roomId] });

    const join = await api("POST", `/join/${enc(roomId)}`, { as: sim.bot, body: {} });
    expect(join.body).toEqual({ room_id: roomId });
    const eventId = sim.sendMessage("alice", roomId, "!support grab 12");
    const joined = await sync(sim.bot, { since: invited.next_batch, timeout: "0" });
    const room = joined.rooms?.join?.[roomId];
    // Newly joined: state plus timeline give the whole room, from the create event to the message.
    const seen = [...(room?.state.events ?? []), ...(room?.timeline.events ?? [])].map((e) => e["type"]);
    expect(seen).toEqual(expect.arrayContaining(["m.room.create", "m.room.power_levels", "m.room.join_rules"]));
    const message = room?.timeline.events.find((e) => e["event_id"] === eventId);
    expect(message?.["content"]).toEqual({ msgtype: "m.text", body: "!support grab 12" });
    expect(message).not.toHaveProperty("room_id");
    expect(joined.rooms?.invite).toBeUndefined();
  });

  it("records m.direct with PUT replacing the whole content and shows it in sync account_data", async () => {
    const path = `/user/${enc(sim.bot.userId)}/account_data/m.direct`;
    expect((await api("GET", path, { as: sim.bot })).body["errcode"]).toBe("M_NOT_FOUND");
    await api("PUT", path, { as: sim.bot, body: { "@alice:localhost": ["!a:localhost"] } });
    await api("PUT", path, { as: sim.bot, body: { "@bob:localhost": ["!b:localhost"] } });
    expect((await api("GET", path, { as: sim.bot })).body).toEqual({ "@bob:localhost": ["!b:localhost"] });
    const initial = await sync(sim.bot);
    // Like Synapse, every initial sync also carries the push rules.
    expect(initial.account_data?.events.map((e) => e["type"])).toEqual(["m.direct", "m.push_rules"]);
    expect(initial.account_data?.events[0]).toEqual({ type: "m.direct", content: { "@bob:localhost": ["!b:localhost"] } });
  });

  it("refuses to read or write another user's account data", async () => {
    const path = `/user/${enc("@alice:localhost")}/account_data/m.direct`;
    expect((await api("GET", path, { as: sim.bot })).status).toBe(403);
    expect((await api("PUT", path, { as: sim.bot, body: {} })).body["errcode"]).toBe("M_FORBIDDEN");
  });

  it("keeps per-room account data apart from global account data", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);
    const path = `/user/${enc(sim.bot.userId)}/rooms/${enc(roomId)}/account_data/org.example.seen`;
    expect((await api("PUT", path, { as: sim.bot, body: { upto: 3 } })).status).toBe(200);
    expect((await api("GET", path, { as: sim.bot })).body).toEqual({ upto: 3 });
    expect(sim.accountData(sim.bot, "org.example.seen")).toBeUndefined();
    const initial = await sync(sim.bot);
    expect(initial.rooms?.join?.[roomId]?.account_data.events).toEqual([{ type: "org.example.seen", content: { upto: 3 } }]);
  });
});

describe("membership rules", () => {
  it("refuses to send into a room the sender has not joined with 403 M_FORBIDDEN", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    const res = await api("PUT", `/rooms/${enc(roomId)}/send/m.room.message/t1`, { as: sim.bot, body: { msgtype: "m.notice", body: "hi" } });
    expect(res.status).toBe(403);
    expect(res.body["errcode"]).toBe("M_FORBIDDEN");
  });

  it("refuses to join a private room without an invite, and allows it after one", async () => {
    const roomId = sim.createRoom("alice", { name: "Support" });
    const refused = await api("POST", `/rooms/${enc(roomId)}/join`, { as: sim.users.mallory, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.body["errcode"]).toBe("M_FORBIDDEN");
    const invite = await api("POST", `/rooms/${enc(roomId)}/invite`, { as: sim.users.alice, body: { user_id: "@mallory:localhost" } });
    expect(invite.status).toBe(200);
    expect((await api("POST", `/rooms/${enc(roomId)}/join`, { as: sim.users.mallory })).body).toEqual({ room_id: roomId });
    expect(sim.membership(roomId, "mallory")).toBe("join");
  });

  it("lets anyone join a public room by alias", async () => {
    const roomId = sim.createRoom("manager", { preset: "public_chat", room_alias_name: "support" });
    const res = await api("POST", `/join/${enc("#support:localhost")}`, { as: sim.users.carol, body: {} });
    expect(res.body).toEqual({ room_id: roomId });
  });

  it("refuses a room that does not exist as Synapse does: 403 to send or read, 404 M_UNKNOWN to join or leave", async () => {
    const room = enc("!nope:localhost");
    const send = await api("PUT", `/rooms/${room}/send/m.room.message/t1`, { as: sim.bot, body: { msgtype: "m.text", body: "x" } });
    expect([send.status, send.body["errcode"], send.body["error"]]).toEqual([403, "M_FORBIDDEN", "Unknown room"]);
    const read = await api("GET", `/rooms/${room}/state/m.room.encryption/`, { as: sim.bot });
    expect([read.status, read.body["errcode"]]).toEqual([403, "M_FORBIDDEN"]);
    const join = await api("POST", `/join/${room}`, { as: sim.bot, body: {} });
    expect([join.status, join.body["errcode"]]).toEqual([404, "M_UNKNOWN"]);
    const leave = await api("POST", `/rooms/${room}/leave`, { as: sim.bot, body: {} });
    expect([leave.status, leave.body["errcode"]]).toEqual([404, "M_UNKNOWN"]);
  });

  it("refuses an invite from someone outside the room and of someone already in it", async () => {
    const roomId = sim.createRoom("alice", { invite: ["@bob:localhost"] });
    sim.join("bob", roomId);
    const outsider = await api("POST", `/rooms/${enc(roomId)}/invite`, { as: sim.users.mallory, body: { user_id: "@carol:localhost" } });
    expect(outsider.status).toBe(403);
    const already = await api("POST", `/rooms/${enc(roomId)}/invite`, { as: sim.users.alice, body: { user_id: "@bob:localhost" } });
    expect(already.status).toBe(403);
  });

  it("reports a left room once under rooms.leave with the leave event", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);
    const before = await sync(sim.bot);
    expect((await api("POST", `/rooms/${enc(roomId)}/leave`, { as: sim.bot, body: {} })).status).toBe(200);
    const after = await sync(sim.bot, { since: before.next_batch });
    const events = after.rooms?.leave?.[roomId]?.timeline.events ?? [];
    expect(events.at(-1)).toMatchObject({ type: "m.room.member", state_key: sim.bot.userId, content: { membership: "leave" } });
    const later = await sync(sim.bot, { since: after.next_batch });
    expect(later.rooms).toBeUndefined();
    expect(sim.joinedRooms(sim.bot)).toEqual([]);
  });
});

describe("sending", () => {
  let roomId: string;

  beforeEach(() => {
    roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);
  });

  it("returns the same event id for a repeated transaction id of the same access token", async () => {
    const path = `/rooms/${enc(roomId)}/send/m.room.message/txn-1`;
    const content = { msgtype: "m.notice", body: "Bug 12 is yours" };
    const first = await api("PUT", path, { as: sim.bot, body: content });
    const again = await api("PUT", path, { as: sim.bot, body: content });
    expect(again.body["event_id"]).toBe(first.body["event_id"]);
    expect(sim.timeline(roomId, { sender: sim.bot, type: "m.room.message" })).toHaveLength(1);
    const otherDevice = await api("PUT", path, { as: sim.login(sim.bot), body: content });
    expect(otherDevice.body["event_id"]).not.toBe(first.body["event_id"]);
  });

  it("echoes the transaction id only to the access token that sent the event", async () => {
    await api("PUT", `/rooms/${enc(roomId)}/send/m.room.message/abc`, { as: sim.bot, body: { msgtype: "m.notice", body: "x" } });
    const own = await sync(sim.bot);
    const other = await sync(sim.login(sim.bot));
    const pick = (s: SyncBody) => s.rooms?.join?.[roomId]?.timeline.events.find((e) => e["type"] === "m.room.message");
    expect(pick(own)?.["unsigned"]).toMatchObject({ transaction_id: "abc" });
    expect(pick(other)?.["unsigned"]).not.toHaveProperty("transaction_id");
  });

  it("keeps thread relations in the content the bot sent", async () => {
    const root = sim.sendMessage("alice", roomId, "!support summary 7");
    const content = { msgtype: "m.notice", body: "Summary...", "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } } };
    await api("PUT", `/rooms/${enc(roomId)}/send/m.room.message/t2`, { as: sim.bot, body: content });
    const [reply] = sim.timeline(roomId, { sender: sim.bot, msgtype: "m.notice" });
    expect(reply?.content["m.relates_to"]).toEqual(content["m.relates_to"]);
    const relations = await api("GET", `/_matrix/client/v1/rooms/${enc(roomId)}/relations/${enc(root)}/m.thread`, { as: sim.users.alice });
    expect((relations.body["chunk"] as Array<{ event_id: string }>).map((e) => e.event_id)).toEqual([reply?.event_id]);
  });

  it("answers the next sends with 429 M_LIMIT_EXCEEDED and accepts the retry of the same transaction once", async () => {
    sim.rateLimitNextSends(2, 1500);
    const path = `/rooms/${enc(roomId)}/send/m.room.message/retry-me`;
    const content = { msgtype: "m.notice", body: "hello" };
    for (let i = 0; i < 2; i++) {
      const limited = await api("PUT", path, { as: sim.bot, body: content });
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({ errcode: "M_LIMIT_EXCEEDED", error: "Too Many Requests", retry_after_ms: 1500 });
      expect(limited.headers.get("retry-after")).toBe("2");
    }
    expect((await api("PUT", path, { as: sim.bot, body: content })).status).toBe(200);
    expect((await api("PUT", path, { as: sim.bot, body: content })).status).toBe(200);
    expect(sim.timeline(roomId, { sender: sim.bot, body: "hello" })).toHaveLength(1);
  });

  it("refuses a body that is not JSON with M_NOT_JSON and a JSON array with M_BAD_JSON", async () => {
    const path = `/rooms/${enc(roomId)}/send/m.room.message/bad`;
    const notJson = await api("PUT", path, { as: sim.bot, rawBody: "{nope" });
    expect(notJson.status).toBe(400);
    expect(notJson.body["errcode"]).toBe("M_NOT_JSON");
    expect((await api("PUT", path, { as: sim.bot, body: [1] })).body["errcode"]).toBe("M_BAD_JSON");
  });

  it("sets and reads state, and refuses state that needs more power", async () => {
    const put = await api("PUT", `/rooms/${enc(roomId)}/state/org.example.bug/12`, { as: sim.users.alice, body: { status: "open" } });
    expect(put.status).toBe(200);
    const get = await api("GET", `/rooms/${enc(roomId)}/state/org.example.bug/12`, { as: sim.bot });
    expect(get.body).toEqual({ status: "open" });
    const asEvent = await api("GET", `/rooms/${enc(roomId)}/state/org.example.bug/12`, { as: sim.bot, query: { format: "event" } });
    expect(asEvent.body).toMatchObject({ type: "org.example.bug", state_key: "12", event_id: put.body["event_id"], room_id: roomId });
    const refused = await api("PUT", `/rooms/${enc(roomId)}/state/m.room.name/`, { as: sim.bot, body: { name: "Mine" } });
    expect(refused.status).toBe(403);
    expect((await api("GET", `/rooms/${enc(roomId)}/state/m.room.topic/`, { as: sim.bot })).status).toBe(404);
  });
});

describe("sync", () => {
  it("wakes a long-polling sync when a message arrives", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);
    const initial = await sync(sim.bot);
    const pending = sync(sim.bot, { since: initial.next_batch, timeout: "15000" });
    // Sent only once the sync request is waiting on the server.
    await waitUntil(() => sim.requests.filter((r) => r.path.endsWith("/sync") && r.status === undefined).length === 1);
    const eventId = sim.sendMessage("alice", roomId, "!support help");
    const woken = await pending;
    expect(woken.rooms?.join?.[roomId]?.timeline.events.map((e) => e["event_id"])).toEqual([eventId]);
    expect(woken.next_batch).not.toBe(initial.next_batch);
  });

  it("answers at once with an empty response when timeout=0 and nothing happened", async () => {
    const initial = await sync(sim.bot);
    const empty = await sync(sim.bot, { since: initial.next_batch, timeout: "0" });
    expect(empty).toEqual({ next_batch: initial.next_batch, ...NO_KEYS });
  });

  it("gives a second client continuing from a stored since token only newer events", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);
    sim.sendMessage("alice", roomId, "old");
    const stored = (await sync(sim.bot)).next_batch;
    const newer = sim.sendMessage("alice", roomId, "new");
    const restarted = await sync(sim.bot, { since: stored, timeout: "0" });
    expect(restarted.rooms?.join?.[roomId]?.timeline.events.map((e) => e["event_id"])).toEqual([newer]);
  });

  it("refuses a since token from another simulator instance", async () => {
    const other = await startMatrixSimulator();
    try {
      const foreign = (await fetch(`${other.url}/_matrix/client/v3/sync`, { headers: { Authorization: `Bearer ${other.bot.accessToken}` } }).then((r) => r.json())) as { next_batch: string };
      const res = await api("GET", "/sync", { as: sim.bot, query: { since: foreign.next_batch } });
      expect(res.status).toBe(400);
      expect(res.body["errcode"]).toBe("M_INVALID_PARAM");
    } finally {
      await other.close();
    }
  });

  it("applies a stored filter's timeline limit and marks the timeline limited with a prev_batch", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);
    const created = await api("POST", `/user/${enc(sim.bot.userId)}/filter`, { as: sim.bot, body: { room: { timeline: { limit: 2 } } } });
    const filterId = String(created.body["filter_id"]);
    expect((await api("GET", `/user/${enc(sim.bot.userId)}/filter/${filterId}`, { as: sim.bot })).body).toEqual({ room: { timeline: { limit: 2 } } });
    const initial = await sync(sim.bot, { filter: filterId });
    const room = initial.rooms?.join?.[roomId];
    expect(room?.timeline.events).toHaveLength(2);
    expect(room?.timeline.limited).toBe(true);
    const earlier = await api("GET", `/rooms/${enc(roomId)}/messages`, { as: sim.bot, query: { dir: "b", from: String(room?.timeline.prev_batch), limit: "1" } });
    expect((earlier.body["chunk"] as unknown[]).length).toBe(1);
  });

  it("accepts an inline JSON filter and refuses an unknown filter id", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);
    sim.sendMessage("alice", roomId, "hello");
    const filtered = await sync(sim.bot, { filter: JSON.stringify({ room: { timeline: { types: ["m.room.message"] } } }) });
    expect(filtered.rooms?.join?.[roomId]?.timeline.events.map((e) => e["type"])).toEqual(["m.room.message"]);
    const unknown = await api("GET", "/sync", { as: sim.bot, query: { filter: "99" } });
    expect(unknown.status).toBe(400);
  });

  it("returns the full state with full_state=true even with a since token", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId], name: "Support" });
    sim.join(sim.bot, roomId);
    const first = await sync(sim.bot);
    const full = await sync(sim.bot, { since: first.next_batch, full_state: "true" });
    const types = full.rooms?.join?.[roomId]?.state.events.map((e) => e["type"]);
    expect(types).toEqual(expect.arrayContaining(["m.room.create", "m.room.name", "m.room.member", "m.room.power_levels"]));
  });

  it("carries typing and read receipts as ephemeral events", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);
    const eventId = sim.sendMessage("alice", roomId, "hello");
    const since = (await sync(sim.users.alice)).next_batch;
    expect((await api("POST", `/rooms/${enc(roomId)}/receipt/m.read/${enc(eventId)}`, { as: sim.bot, body: {} })).body).toEqual({});
    expect((await api("PUT", `/rooms/${enc(roomId)}/typing/${enc(sim.bot.userId)}`, { as: sim.bot, body: { typing: true, timeout: 30000 } })).status).toBe(200);
    const next = await sync(sim.users.alice, { since });
    const ephemeral = next.rooms?.join?.[roomId]?.ephemeral.events ?? [];
    expect(ephemeral).toContainEqual({ type: "m.typing", content: { user_ids: [sim.bot.userId] } });
    expect(ephemeral.find((e) => e["type"] === "m.receipt")?.["content"]).toMatchObject({ [eventId]: { "m.read": { [sim.bot.userId]: {} } } });
  });

  it("reports state changed in the gap of a limited timeline under state", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);
    const since = (await sync(sim.bot)).next_batch;
    sim.setState("alice", roomId, "m.room.topic", "", { topic: "Bugs" });
    for (let i = 0; i < 12; i++) sim.sendMessage("alice", roomId, `message ${i}`);
    const next = await sync(sim.bot, { since });
    const room = next.rooms?.join?.[roomId];
    expect(room?.timeline.limited).toBe(true);
    expect(room?.timeline.events).toHaveLength(10);
    expect(room?.state.events.map((e) => [e["type"], e["content"]])).toEqual([["m.room.topic", { topic: "Bugs" }]]);
  });

  it("shows a kick to the kicked user as a leave by someone else", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);
    const since = (await sync(sim.bot)).next_batch;
    sim.kick("alice", roomId, sim.bot, "testing");
    const next = await sync(sim.bot, { since });
    expect(next.rooms?.leave?.[roomId]?.timeline.events.at(-1)).toMatchObject({
      sender: "@alice:localhost",
      state_key: sim.bot.userId,
      content: { membership: "leave", reason: "testing" },
    });
    const refused = await api("PUT", `/rooms/${enc(roomId)}/send/m.room.message/after-kick`, { as: sim.bot, body: { msgtype: "m.notice", body: "x" } });
    expect(refused.status).toBe(403);
  });

  it("updates member events when a user changes their display name", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);
    const res = await api("PUT", `/profile/${enc(sim.bot.userId)}/displayname`, { as: sim.bot, body: { displayname: "Taler Support" } });
    expect(res.status).toBe(200);
    const member = sim.timeline(roomId, { type: "m.room.member", sender: sim.bot }).at(-1);
    expect(member?.content).toEqual({ membership: "join", displayname: "Taler Support" });
    expect(member?.unsigned?.prev_content).toEqual({ membership: "join", displayname: "Support Bot" });
  });

  it("answers a pending long-poll when the simulator closes", async () => {
    const initial = await sync(sim.bot);
    const pending = sync(sim.bot, { since: initial.next_batch, timeout: "30000" });
    await waitUntil(() => sim.requests.some((r) => r.path.endsWith("/sync") && r.status === undefined));
    await sim.close();
    expect(await pending).toEqual({ next_batch: initial.next_batch, ...NO_KEYS });
    sim = await startMatrixSimulator();
  });
});

describe("room reads", () => {
  it("lists joined rooms, joined members with display names, members and single events", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId, "@bob:localhost"] });
    sim.join(sim.bot, roomId);
    expect((await api("GET", "/joined_rooms", { as: sim.bot })).body).toEqual({ joined_rooms: [roomId] });
    const joined = await api("GET", `/rooms/${enc(roomId)}/joined_members`, { as: sim.bot });
    expect(joined.body["joined"]).toEqual({
      "@alice:localhost": { display_name: "Alice", avatar_url: null },
      [sim.bot.userId]: { display_name: "Support Bot", avatar_url: null },
    });
    const invited = await api("GET", `/rooms/${enc(roomId)}/members`, { as: sim.bot, query: { membership: "invite" } });
    expect((invited.body["chunk"] as Array<{ state_key: string }>).map((e) => e.state_key)).toEqual(["@bob:localhost"]);
    const eventId = sim.sendMessage("alice", roomId, "hi");
    expect((await api("GET", `/rooms/${enc(roomId)}/event/${enc(eventId)}`, { as: sim.bot })).body).toMatchObject({ event_id: eventId, room_id: roomId });
    expect((await api("GET", `/rooms/${enc(roomId)}/event/${enc(eventId)}`, { as: sim.users.mallory })).status).toBe(404);
    expect((await api("GET", `/rooms/${enc(roomId)}/state`, { as: sim.users.mallory })).status).toBe(403);
  });

  it("returns profiles and 404 for unknown users", async () => {
    expect((await api("GET", `/profile/${enc("@carol:localhost")}/displayname`)).body).toEqual({ displayname: "Carol" });
    expect((await api("GET", `/profile/${enc("@nobody:localhost")}`)).status).toBe(404);
  });
});

describe("test helpers", () => {
  it("resolves waitForEvent with a reply that arrives later over HTTP", async () => {
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);
    const command = sim.sendMessage("alice", roomId, "!support grab 12");
    const waiting = sim.waitForEvent({ sender: sim.bot, msgtype: "m.notice" }, { after: command });
    await api("PUT", `/rooms/${enc(roomId)}/send/m.room.message/1`, { as: sim.bot, body: { msgtype: "m.notice", body: "Bug 12 is now handled by alice." } });
    expect((await waiting).content["body"]).toBe("Bug 12 is now handled by alice.");
  });

  it("records requests with the decoded path, the user and the answer", async () => {
    await api("GET", "/joined_rooms", { as: sim.bot });
    expect(sim.requests.at(-1)).toMatchObject({ method: "GET", path: "/_matrix/client/v3/joined_rooms", userId: sim.bot.userId, status: 200 });
  });

  it("fails the next matching request as scripted", async () => {
    sim.failNext({ status: 502, body: "<html>Bad gateway</html>", contentType: "text/html", path: "/sync" });
    const failed = await fetch(`${sim.url}/_matrix/client/v3/sync`, { headers: { Authorization: `Bearer ${sim.bot.accessToken}` } });
    expect(failed.status).toBe(502);
    expect(await failed.text()).toBe("<html>Bad gateway</html>");
    expect((await api("GET", "/sync", { as: sim.bot })).status).toBe(200);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error("condition never became true");
}
