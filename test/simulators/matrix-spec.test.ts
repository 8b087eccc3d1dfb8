/**
 * Checks the simulator against the spec copy: every endpoint's answers against the response schema of its
 * OpenAPI file and status, and the events it stores against data/event-schemas.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMatrixSimulator, type ClientEvent, type MatrixSimulator, type SimUser } from "../../src/simulators/matrix/server.js";
import { createMatrixSpecValidator, DEFAULT_MATRIX_SPEC_DIR, type MatrixSpecValidator } from "../../src/simulators/matrix/spec-validator.js";

interface Answer {
  status: number;
  body: unknown;
}

let sim: MatrixSimulator;
let spec: MatrixSpecValidator;
const enc = encodeURIComponent;

/** Ids the cases share; filled by the fixture and by earlier cases. */
const f = {
  room: "",
  dm: "",
  leaveRoom: "",
  message: "",
  filterId: "",
};

/** Uploads bytes to the media repository as a client does (the Content-Type header, `filename` in the query). */
async function upload(options: { as?: SimUser; bytes: Uint8Array | ReadableStream<Uint8Array>; contentType?: string; filename?: string }): Promise<Answer> {
  const url = new URL("/_matrix/media/v3/upload", sim.url);
  if (options.filename !== undefined) url.searchParams.set("filename", options.filename);
  const headers: Record<string, string> = {};
  if (options.as) headers["Authorization"] = `Bearer ${options.as.accessToken}`;
  if (options.contentType !== undefined) headers["Content-Type"] = options.contentType;
  // A stream goes chunked, without a Content-Length.
  const res = await fetch(url, { method: "POST", headers, body: options.bytes, ...(options.bytes instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
  return { status: res.status, body: await res.json() };
}

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

async function call(method: string, path: string, options: { as?: SimUser; body?: unknown; rawBody?: string; query?: Record<string, string> } = {}): Promise<Answer> {
  const url = new URL(path.startsWith("/_matrix") ? path : `/_matrix/client/v3${path}`, sim.url);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = {};
  if (options.as) headers["Authorization"] = `Bearer ${options.as.accessToken}`;
  let body = options.rawBody;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  expect(existsSync(DEFAULT_MATRIX_SPEC_DIR), `the Matrix spec copy is expected at ${DEFAULT_MATRIX_SPEC_DIR}`).toBe(true);
  spec = createMatrixSpecValidator();
  sim = await startMatrixSimulator();
  f.room = sim.createRoom("alice", { name: "Support", topic: "Customer support", invite: [sim.bot.userId, "@bob:localhost"] });
  sim.join(sim.bot, f.room);
  f.message = sim.sendMessage("alice", f.room, "!support grab 12");
  sim.sendMessage("alice", f.room, { msgtype: "m.text", body: "**bold**", format: "org.matrix.custom.html", formatted_body: "<b>bold</b>" });
  sim.sendMessage(sim.bot, f.room, { msgtype: "m.notice", body: "Bug 12 is now handled by alice." });
  f.dm = sim.createDirectRoom("manager", sim.bot);
  f.leaveRoom = sim.createRoom("carol", { invite: [sim.bot.userId] });
  sim.join(sim.bot, f.leaveRoom);
  sim.setAccountData(sim.bot, "m.direct", { "@manager:localhost": [f.dm] });
});

afterAll(async () => {
  await sim?.close();
  expect(sim?.serverErrors ?? []).toEqual([]);
});

interface Case {
  name: string;
  file: string;
  path: string;
  method: "GET" | "POST" | "PUT";
  status: number;
  /** False where the spec leaves the status to its general error rules (401s, 403 on send, 429 on send). */
  documented?: boolean;
  /** Validate against this schema file instead of the endpoint's response schema. */
  schema?: string;
  /**
   * Schema errors the simulator makes on purpose because Synapse 1.67.0 answers so (README:
   * "Deliberate differences"); any other error still fails.
   */
  likeSynapse?: RegExp;
  run: () => Promise<Answer>;
}

const syncAs = (user: () => SimUser, query: Record<string, string> = {}) => () => call("GET", "/sync", { as: user(), query });

const cases: Case[] = [
  { name: "versions", file: "versions.yaml", path: "/versions", method: "GET", status: 200, run: () => call("GET", "/_matrix/client/versions") },
  { name: "login flows", file: "login.yaml", path: "/login", method: "GET", status: 200, run: () => call("GET", "/login") },
  {
    name: "password login",
    file: "login.yaml",
    path: "/login",
    method: "POST",
    status: 200,
    run: () => call("POST", "/login", { body: { type: "m.login.password", identifier: { type: "m.id.user", user: "alice" }, password: sim.users.alice.password } }),
  },
  { name: "unknown login type", file: "login.yaml", path: "/login", method: "POST", status: 400, run: () => call("POST", "/login", { body: { type: "m.login.token", token: "x" } }) },
  {
    name: "wrong password",
    file: "login.yaml",
    path: "/login",
    method: "POST",
    status: 403,
    run: () => call("POST", "/login", { body: { type: "m.login.password", identifier: { type: "m.id.user", user: "alice" }, password: "no" } }),
  },
  { name: "whoami", file: "whoami.yaml", path: "/account/whoami", method: "GET", status: 200, run: () => call("GET", "/account/whoami", { as: sim.bot }) },
  { name: "whoami with a bad token", file: "whoami.yaml", path: "/account/whoami", method: "GET", status: 401, run: () => call("GET", "/account/whoami", { as: { ...sim.bot, accessToken: "bad" } }) },
  {
    name: "create filter",
    file: "filter.yaml",
    path: "/user/{userId}/filter",
    method: "POST",
    status: 200,
    run: async () => {
      const answer = await call("POST", `/user/${enc(sim.bot.userId)}/filter`, { as: sim.bot, body: { room: { timeline: { limit: 20 }, include_leave: false }, presence: { types: [] } } });
      f.filterId = String((answer.body as { filter_id: string }).filter_id);
      return answer;
    },
  },
  { name: "read filter", file: "filter.yaml", path: "/user/{userId}/filter/{filterId}", method: "GET", status: 200, run: () => call("GET", `/user/${enc(sim.bot.userId)}/filter/${f.filterId}`, { as: sim.bot }) },
  { name: "unknown filter", file: "filter.yaml", path: "/user/{userId}/filter/{filterId}", method: "GET", status: 404, run: () => call("GET", `/user/${enc(sim.bot.userId)}/filter/77`, { as: sim.bot }) },
  {
    name: "initial sync with joined and invited rooms, account data and ephemeral events",
    file: "sync.yaml",
    path: "/sync",
    method: "GET",
    status: 200,
    run: syncAs(() => sim.bot, { filter: f.filterId }),
  },
  {
    name: "incremental sync with a left room and typing",
    file: "sync.yaml",
    path: "/sync",
    method: "GET",
    status: 200,
    run: async () => {
      const first = (await call("GET", "/sync", { as: sim.bot })).body as { next_batch: string };
      sim.leave(sim.bot, f.leaveRoom);
      await call("PUT", `/rooms/${enc(f.room)}/typing/${enc("@alice:localhost")}`, { as: sim.users.alice, body: { typing: true, timeout: 10000 } });
      return call("GET", "/sync", { as: sim.bot, query: { since: first.next_batch, timeout: "0" } });
    },
  },
  {
    name: "send a threaded notice",
    file: "room_send.yaml",
    path: "/rooms/{roomId}/send/{eventType}/{txnId}",
    method: "PUT",
    status: 200,
    run: () =>
      call("PUT", `/rooms/${enc(f.room)}/send/m.room.message/n1`, {
        as: sim.bot,
        body: { msgtype: "m.notice", body: "Bug 12 is yours", "m.relates_to": { rel_type: "m.thread", event_id: f.message, is_falling_back: true, "m.in_reply_to": { event_id: f.message } } },
      }),
  },
  { name: "send a body that is not JSON", file: "room_send.yaml", path: "/rooms/{roomId}/send/{eventType}/{txnId}", method: "PUT", status: 400, run: () => call("PUT", `/rooms/${enc(f.room)}/send/m.room.message/n2`, { as: sim.bot, rawBody: "nope" }) },
  {
    name: "send into a room not joined",
    file: "room_send.yaml",
    path: "/rooms/{roomId}/send/{eventType}/{txnId}",
    method: "PUT",
    status: 403,
    documented: false,
    run: () => call("PUT", `/rooms/${enc(f.room)}/send/m.room.message/n3`, { as: sim.users.mallory, body: { msgtype: "m.text", body: "hi" } }),
  },
  {
    name: "send while rate limited",
    file: "room_send.yaml",
    path: "/rooms/{roomId}/send/{eventType}/{txnId}",
    method: "PUT",
    status: 429,
    documented: false,
    run: () => {
      sim.rateLimitNextSends(1, 2000);
      return call("PUT", `/rooms/${enc(f.room)}/send/m.room.message/n4`, { as: sim.bot, body: { msgtype: "m.notice", body: "later" } });
    },
  },
  {
    name: "upload a picture, then send it as an m.image",
    file: "content-repo.yaml",
    path: "/media/v3/upload",
    method: "POST",
    status: 200,
    run: async () => {
      const answer = await upload({ as: sim.bot, bytes: png, contentType: "image/png", filename: "chart.png" });
      const uri = (answer.body as { content_uri: string }).content_uri;
      expect(sim.media(uri)).toMatchObject({ contentType: "image/png", uploadName: "chart.png", uploader: sim.bot.userId });
      expect(new Uint8Array(sim.media(uri)!.bytes)).toEqual(png);
      sim.sendMessage(sim.bot, f.room, { msgtype: "m.image", body: "The weekly chart", filename: "chart.png", url: uri, info: { mimetype: "image/png", size: png.length, w: 4, h: 3 } });
      return answer;
    },
  },
  {
    name: "upload without a Content-Type: application/octet-stream",
    file: "content-repo.yaml",
    path: "/media/v3/upload",
    method: "POST",
    status: 200,
    run: async () => {
      const answer = await upload({ as: sim.bot, bytes: png });
      expect(sim.media((answer.body as { content_uri: string }).content_uri)?.contentType).toBe("application/octet-stream");
      return answer;
    },
  },
  { name: "upload without a token", file: "content-repo.yaml", path: "/media/v3/upload", method: "POST", status: 401, documented: false, run: () => upload({ bytes: png, contentType: "image/png" }) },
  {
    name: "upload without a Content-Length (chunked), as Synapse refuses it",
    file: "content-repo.yaml",
    path: "/media/v3/upload",
    method: "POST",
    status: 400,
    documented: false,
    run: () => upload({ as: sim.bot, contentType: "image/png", bytes: new ReadableStream({ start: (controller) => (controller.enqueue(png), controller.close()) }) }),
  },
  { name: "set state", file: "room_state.yaml", path: "/rooms/{roomId}/state/{eventType}/{stateKey}", method: "PUT", status: 200, run: () => call("PUT", `/rooms/${enc(f.room)}/state/m.room.topic/`, { as: sim.users.alice, body: { topic: "Bugs" } }) },
  { name: "set state without power", file: "room_state.yaml", path: "/rooms/{roomId}/state/{eventType}/{stateKey}", method: "PUT", status: 403, run: () => call("PUT", `/rooms/${enc(f.room)}/state/m.room.name/`, { as: sim.bot, body: { name: "x" } }) },
  { name: "read a state event", file: "rooms.yaml", path: "/rooms/{roomId}/state/{eventType}/{stateKey}", method: "GET", status: 200, run: () => call("GET", `/rooms/${enc(f.room)}/state/m.room.name/`, { as: sim.bot }) },
  {
    name: "read a state event as an event",
    file: "rooms.yaml",
    path: "/rooms/{roomId}/state/{eventType}/{stateKey}",
    method: "GET",
    status: 200,
    // The spec's `oneOf: [object, StateEvent]` can never pass for a full event (it matches both), so check the StateEvent branch.
    schema: "event-schemas/schema/core-event-schema/state_event.yaml",
    run: () => call("GET", `/rooms/${enc(f.room)}/state/m.room.member/${enc(sim.bot.userId)}`, { as: sim.bot, query: { format: "event" } }),
  },
  { name: "read a missing state event", file: "rooms.yaml", path: "/rooms/{roomId}/state/{eventType}/{stateKey}", method: "GET", status: 404, run: () => call("GET", `/rooms/${enc(f.room)}/state/m.room.avatar/`, { as: sim.bot }) },
  { name: "read all state", file: "rooms.yaml", path: "/rooms/{roomId}/state", method: "GET", status: 200, run: () => call("GET", `/rooms/${enc(f.room)}/state`, { as: sim.bot }) },
  { name: "read state of a room never joined", file: "rooms.yaml", path: "/rooms/{roomId}/state", method: "GET", status: 403, run: () => call("GET", `/rooms/${enc(f.room)}/state`, { as: sim.users.mallory }) },
  { name: "members", file: "rooms.yaml", path: "/rooms/{roomId}/members", method: "GET", status: 200, run: () => call("GET", `/rooms/${enc(f.room)}/members`, { as: sim.bot }) },
  {
    name: "joined members",
    file: "rooms.yaml",
    path: "/rooms/{roomId}/joined_members",
    method: "GET",
    status: 200,
    // Synapse sends `avatar_url: null` for members without an avatar; the spec wants a string or nothing.
    likeSynapse: /\/avatar_url must be string/,
    run: () => call("GET", `/rooms/${enc(f.room)}/joined_members`, { as: sim.bot }),
  },
  { name: "one event", file: "rooms.yaml", path: "/rooms/{roomId}/event/{eventId}", method: "GET", status: 200, run: () => call("GET", `/rooms/${enc(f.room)}/event/${enc(f.message)}`, { as: sim.bot }) },
  { name: "an unknown event", file: "rooms.yaml", path: "/rooms/{roomId}/event/{eventId}", method: "GET", status: 404, run: () => call("GET", `/rooms/${enc(f.room)}/event/${enc("$nope")}`, { as: sim.bot }) },
  { name: "join on invite", file: "joining.yaml", path: "/rooms/{roomId}/join", method: "POST", status: 200, run: () => call("POST", `/rooms/${enc(f.room)}/join`, { as: sim.users.bob, body: {} }) },
  { name: "join uninvited", file: "joining.yaml", path: "/rooms/{roomId}/join", method: "POST", status: 403, run: () => call("POST", `/rooms/${enc(f.room)}/join`, { as: sim.users.mallory, body: {} }) },
  {
    name: "join by alias",
    file: "joining.yaml",
    path: "/join/{roomIdOrAlias}",
    method: "POST",
    status: 200,
    run: () => {
      sim.createRoom("manager", { preset: "public_chat", room_alias_name: "lobby" });
      return call("POST", `/join/${enc("#lobby:localhost")}`, { as: sim.users.carol, body: {} });
    },
  },
  { name: "invite", file: "inviting.yaml", path: "/rooms/{roomId}/invite ", method: "POST", status: 200, run: () => call("POST", `/rooms/${enc(f.room)}/invite`, { as: sim.users.alice, body: { user_id: "@carol:localhost" } }) },
  { name: "invite a member", file: "inviting.yaml", path: "/rooms/{roomId}/invite ", method: "POST", status: 403, run: () => call("POST", `/rooms/${enc(f.room)}/invite`, { as: sim.users.alice, body: { user_id: sim.bot.userId } }) },
  { name: "invite without user_id", file: "inviting.yaml", path: "/rooms/{roomId}/invite ", method: "POST", status: 400, run: () => call("POST", `/rooms/${enc(f.room)}/invite`, { as: sim.users.alice, body: {} }) },
  { name: "leave", file: "leaving.yaml", path: "/rooms/{roomId}/leave", method: "POST", status: 200, run: () => call("POST", `/rooms/${enc(f.room)}/leave`, { as: sim.users.bob, body: { reason: "done" } }) },
  { name: "forget", file: "leaving.yaml", path: "/rooms/{roomId}/forget", method: "POST", status: 200, run: () => call("POST", `/rooms/${enc(f.room)}/forget`, { as: sim.users.bob, body: {} }) },
  {
    name: "create a direct room",
    file: "create_room.yaml",
    path: "/createRoom",
    method: "POST",
    status: 200,
    run: () => call("POST", "/createRoom", { as: sim.bot, body: { is_direct: true, invite: ["@carol:localhost"], preset: "trusted_private_chat", initial_state: [] } }),
  },
  { name: "create with a taken alias", file: "create_room.yaml", path: "/createRoom", method: "POST", status: 400, run: () => call("POST", "/createRoom", { as: sim.bot, body: { room_alias_name: "lobby" } }) },
  { name: "put account data", file: "account-data.yaml", path: "/user/{userId}/account_data/{type}", method: "PUT", status: 200, run: () => call("PUT", `/user/${enc(sim.bot.userId)}/account_data/m.direct`, { as: sim.bot, body: { "@manager:localhost": [f.dm] } }) },
  { name: "get account data", file: "account-data.yaml", path: "/user/{userId}/account_data/{type}", method: "GET", status: 200, run: () => call("GET", `/user/${enc(sim.bot.userId)}/account_data/m.direct`, { as: sim.bot }) },
  { name: "get missing account data", file: "account-data.yaml", path: "/user/{userId}/account_data/{type}", method: "GET", status: 404, run: () => call("GET", `/user/${enc(sim.bot.userId)}/account_data/org.example.none`, { as: sim.bot }) },
  { name: "get others' account data", file: "account-data.yaml", path: "/user/{userId}/account_data/{type}", method: "GET", status: 403, run: () => call("GET", `/user/${enc("@alice:localhost")}/account_data/m.direct`, { as: sim.bot }) },
  { name: "put server-controlled account data", file: "account-data.yaml", path: "/user/{userId}/account_data/{type}", method: "PUT", status: 405, run: () => call("PUT", `/user/${enc(sim.bot.userId)}/account_data/m.fully_read`, { as: sim.bot, body: {} }) },
  { name: "put account data that is not an object", file: "account-data.yaml", path: "/user/{userId}/account_data/{type}", method: "PUT", status: 400, run: () => call("PUT", `/user/${enc(sim.bot.userId)}/account_data/x.y`, { as: sim.bot, body: [] }) },
  {
    name: "put room account data",
    file: "account-data.yaml",
    path: "/user/{userId}/rooms/{roomId}/account_data/{type}",
    method: "PUT",
    status: 200,
    run: () => call("PUT", `/user/${enc(sim.bot.userId)}/rooms/${enc(f.room)}/account_data/m.tag`, { as: sim.bot, body: { tags: {} } }),
  },
  {
    name: "get room account data",
    file: "account-data.yaml",
    path: "/user/{userId}/rooms/{roomId}/account_data/{type}",
    method: "GET",
    status: 200,
    run: () => call("GET", `/user/${enc(sim.bot.userId)}/rooms/${enc(f.room)}/account_data/m.tag`, { as: sim.bot }),
  },
  {
    name: "get room account data of a bad room id",
    file: "account-data.yaml",
    path: "/user/{userId}/rooms/{roomId}/account_data/{type}",
    method: "GET",
    status: 400,
    run: () => call("GET", `/user/${enc(sim.bot.userId)}/rooms/nope/account_data/m.tag`, { as: sim.bot }),
  },
  { name: "joined rooms", file: "list_joined_rooms.yaml", path: "/joined_rooms", method: "GET", status: 200, run: () => call("GET", "/joined_rooms", { as: sim.bot }) },
  { name: "profile", file: "profile.yaml", path: "/profile/{userId}", method: "GET", status: 200, run: () => call("GET", `/profile/${enc("@alice:localhost")}`, { as: sim.bot }) },
  { name: "unknown profile", file: "profile.yaml", path: "/profile/{userId}", method: "GET", status: 404, run: () => call("GET", `/profile/${enc("@ghost:localhost")}`, { as: sim.bot }) },
  { name: "display name", file: "profile.yaml", path: "/profile/{userId}/{keyName}", method: "GET", status: 200, run: () => call("GET", `/profile/${enc("@alice:localhost")}/displayname`) },
  { name: "set display name", file: "profile.yaml", path: "/profile/{userId}/{keyName}", method: "PUT", status: 200, run: () => call("PUT", `/profile/${enc(sim.bot.userId)}/displayname`, { as: sim.bot, body: { displayname: "Support Bot" } }) },
  { name: "read receipt", file: "receipts.yaml", path: "/rooms/{roomId}/receipt/{receiptType}/{eventId}", method: "POST", status: 200, run: () => call("POST", `/rooms/${enc(f.room)}/receipt/m.read/${enc(f.message)}`, { as: sim.bot, body: {} }) },
  { name: "bad receipt type", file: "receipts.yaml", path: "/rooms/{roomId}/receipt/{receiptType}/{eventId}", method: "POST", status: 400, run: () => call("POST", `/rooms/${enc(f.room)}/receipt/m.seen/${enc(f.message)}`, { as: sim.bot, body: {} }) },
  { name: "typing", file: "typing.yaml", path: "/rooms/{roomId}/typing/{userId}", method: "PUT", status: 200, run: () => call("PUT", `/rooms/${enc(f.room)}/typing/${enc(sim.bot.userId)}`, { as: sim.bot, body: { typing: false } }) },
  {
    name: "redact own event",
    file: "redaction.yaml",
    path: "/rooms/{roomId}/redact/{eventId}/{txnId}",
    method: "PUT",
    status: 200,
    run: () => {
      const own = sim.timeline(f.room, { sender: sim.bot, msgtype: "m.notice" })[0];
      return call("PUT", `/rooms/${enc(f.room)}/redact/${enc(String(own?.event_id))}/r1`, { as: sim.bot, body: { reason: "typo" } });
    },
  },
];

describe("responses conform to the spec's schemas", () => {
  it.each(cases)("$method $path answers $status: $name", async (c) => {
    const answer = await c.run();
    expect(answer.status, JSON.stringify(answer.body)).toBe(c.status);
    expect(spec.documents(c.file, c.path, c.method, c.status)).toBe(c.documented ?? true);
    const errors = c.schema ? spec.schemaErrors(c.schema, answer.body) : spec.responseErrors(c.file, c.path, c.method, c.status, answer.body);
    expect(errors.filter((error) => !c.likeSynapse?.test(error)), JSON.stringify(answer.body, null, 2)).toEqual([]);
  });

  it("covers every operation of the spec copy the simulator implements", () => {
    const covered = new Set(cases.map((c) => `${c.method} ${c.file} ${c.path}`));
    // Operations of the copied files the simulator does not implement (the bot does not need them).
    const notImplemented = new Set([
      "DELETE profile.yaml /profile/{userId}/{keyName}",
      "POST login.yaml /login/get_token",
      // The bot only uploads (the chart); it never downloads, previews or creates media ids ahead.
      "PUT content-repo.yaml /media/v3/upload/{serverName}/{mediaId}",
      "POST content-repo.yaml /media/v1/create",
      "GET content-repo.yaml /media/v3/download/{serverName}/{mediaId}",
      "GET content-repo.yaml /media/v3/download/{serverName}/{mediaId}/{fileName}",
      "GET content-repo.yaml /media/v3/thumbnail/{serverName}/{mediaId}",
      "GET content-repo.yaml /media/v3/preview_url",
      "GET content-repo.yaml /media/v3/config",
    ]);
    for (const op of spec.operations()) if (!notImplemented.has(op)) expect(covered, op).toContain(op);
  });
});

describe("events conform to data/event-schemas", () => {
  it("validates every stored message, membership, create and name event, and m.direct", async () => {
    const counts: Record<string, number> = {};
    const check = (schema: string, value: unknown) => {
      expect(spec.schemaErrors(schema, value), JSON.stringify(value, null, 2)).toEqual([]);
      counts[schema] = (counts[schema] ?? 0) + 1;
    };
    for (const roomId of sim.roomIds()) {
      for (const event of sim.timeline(roomId)) {
        // A redacted event keeps only the keys redaction preserves, so it no longer satisfies its content schema.
        if (event.unsigned?.redacted_because) continue;
        const schema = spec.eventSchemaFor(event);
        if (schema) check(schema, event);
        // Each msgtype variant also has to be a valid generic m.room.message.
        if (event.type === "m.room.message") check("event-schemas/schema/m.room.message.yaml", event);
      }
    }
    // Events as the bot reads them over HTTP carry room_id as room events require.
    const fetched = (await call("GET", `/rooms/${enc(f.room)}/event/${enc(f.message)}`, { as: sim.bot })).body as ClientEvent;
    check("event-schemas/schema/m.room.message$m.text.yaml", fetched);
    const direct = ((await call("GET", "/sync", { as: sim.bot })).body as { account_data: { events: Array<{ type: string }> } }).account_data.events.find((e) => e.type === "m.direct");
    check("event-schemas/schema/m.direct.yaml", direct);
    for (const schema of ["m.room.message$m.text", "m.room.message$m.notice", "m.room.message$m.image", "m.room.member", "m.room.create", "m.room.name", "m.direct"]) {
      expect(counts[`event-schemas/schema/${schema}.yaml`], schema).toBeGreaterThan(0);
    }
  });

  it("rejects an event that breaks its schema, so the checks above can fail", () => {
    const broken = { type: "m.room.message", content: { msgtype: "m.notice" }, sender: "support-bot", event_id: "x", origin_server_ts: 1, room_id: "!r:localhost" };
    expect(spec.schemaErrors("event-schemas/schema/m.room.message$m.notice.yaml", broken).length).toBeGreaterThan(0);
    const image = { ...broken, sender: "@support-bot:localhost", event_id: "$x", content: { msgtype: "m.image", body: "chart", url: "https://example.org/chart.png", info: { w: "wide" } } };
    expect(spec.schemaErrors("event-schemas/schema/m.room.message$m.image.yaml", image).map((error) => error.replace(/ \(#.*$/, ""))).toEqual([
      "/content/info/w must be integer",
      '/content/url must match pattern "^mxc:\\/\\/"',
      '/content/url must match format "mx-mxc-uri"',
    ]);
  });
});
