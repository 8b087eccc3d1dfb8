/**
 * Conformance both ways for the Matrix simulator: the same sequence of client-server requests, one
 * step per thing the bot (matrix-bot-sdk 0.7.1 under src/chat/matrix/) or the people it talks to do,
 * runs against the real Synapse 1.67.0 and against our simulator, each starting with the same fresh
 * accounts. Every answer is compared: status, `errcode`, the body's shape (envelope, JSON type of
 * every field, fields left out) and the values a client decides on (membership, `limited`, power
 * levels, counts), with ids and event order normalised (test/real/support/matrix-shape.ts). Some
 * steps also compare facts (a repeated transaction gives the same event id). A last test checks
 * that the sequence reached every endpoint the bot uses, so a new request cannot escape it.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startMatrixSimulator, type MatrixSimulator } from "../../src/simulators/matrix/server.js";
import { compareJsonShapes } from "../support/json-shape.js";
import { registerUser } from "./servers/synapse.js";
import { compareMatrixValues, MatrixIdNames, normaliseMatrixJson } from "./support/matrix-shape.js";

/** The accounts every side has: the bot, a staff member, a developer, and someone in no room of theirs. */
const ROLES = ["bot", "manager", "alice", "outsider"] as const;
type Role = (typeof ROLES)[number];

interface Account {
  userId: string;
  accessToken: string;
}

/** One HTTP answer, labelled with the request that produced it. */
interface Answer {
  request: string;
  status: number;
  body: unknown;
}

/** Who makes a request: a role, a made-up token, or nobody (no Authorization header). */
type Caller = Role | { token: string } | "nobody";

interface CallOptions {
  body?: unknown;
  query?: Record<string, string>;
  /** Replaces the request line in the report (ids in paths differ between the sides). */
  label?: string;
}

const enc = encodeURIComponent;

/** One server as the steps see it: its accounts, the ids handed out so far by name, and the answers of the current step. */
class Side {
  readonly names = new MatrixIdNames();
  readonly rooms: Record<string, string> = {};
  readonly events: Record<string, string> = {};
  filterId = "";
  /** Each role's `next_batch` from its latest incremental-capable /sync. */
  readonly since: Partial<Record<Role, string>> = {};
  answers: Answer[] = [];
  facts: Record<string, unknown> = {};

  constructor(
    readonly label: "synapse" | "simulator",
    readonly url: string,
    readonly serverName: string,
    readonly accounts: Record<Role, Account>,
  ) {
    for (const role of ROLES) this.names.set(accounts[role].userId, `@${role}`);
  }

  user(role: Role): string {
    return this.accounts[role].userId;
  }

  room(name: string): string {
    const id = this.rooms[name];
    if (id === undefined) throw new Error(`no room "${name}" on ${this.label} (an earlier step failed?)`);
    return id;
  }

  event(name: string): string {
    const id = this.events[name];
    if (id === undefined) throw new Error(`no event "${name}" on ${this.label} (an earlier step failed?)`);
    return id;
  }

  rememberRoom(name: string, id: unknown): void {
    if (typeof id === "string") this.rooms[name] = this.names.set(id, `!${name}`);
  }

  rememberEvent(name: string, id: unknown): void {
    if (typeof id === "string") this.events[name] = this.names.set(id, `$${name}`);
  }

  /** A client-server request; `path` is under `/_matrix/client/v3/` unless it starts with `/`. */
  async call(caller: Caller, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const url = new URL(path.startsWith("/") ? path : `/_matrix/client/v3/${path}`, this.url);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = {};
    const token = caller === "nobody" ? undefined : typeof caller === "string" ? this.accounts[caller].accessToken : caller.token;
    if (token !== undefined) headers["Authorization"] = `Bearer ${token}`;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = `(not JSON: ${text.slice(0, 40)})`;
    }
    const who = caller === "nobody" ? "nobody" : typeof caller === "string" ? caller : "bad token";
    const answer = { request: `${who}: ${options.label ?? `${method} ${this.names.describe(decodeURIComponent(path))}`}`, status: response.status, body };
    this.answers.push(answer);
    return answer;
  }

  /**
   * A /sync as the SDK makes it (`full_state=false`; the bot uploads no filter), from the role's last
   * position. `timeout=0` instead of the SDK's 30 s: both servers then answer at once with what they
   * have, and how long a long-poll waits is timing, not shape.
   */
  async sync(role: Role, options: { initial?: boolean; filter?: string; label?: string } = {}): Promise<Answer> {
    const query: Record<string, string> = { full_state: "false", timeout: "0" };
    const since = this.since[role];
    if (!options.initial && since !== undefined) query["since"] = since;
    if (options.filter !== undefined) query["filter"] = options.filter;
    const answer = await this.call(role, "GET", "sync", { query, label: options.label ?? `GET sync${options.initial ? " (initial)" : ""}` });
    const next = (answer.body as { next_batch?: unknown } | undefined)?.next_batch;
    if (!options.initial && typeof next === "string") this.since[role] = next;
    return answer;
  }
}

/**
 * What the bot asks of a homeserver (src/chat/matrix/*.ts and what matrix-bot-sdk 0.7.1 calls for it:
 * `getUserId`, `start` (`dms.update`, `getJoinedRooms`, the sync loop), `resolveRoom`, `joinRoom`,
 * `leaveRoom`, `getAccountData`/`setAccountData`, `getRoomStateEvent`, `createRoom`, `redactEvent`,
 * `doRequest` for sends), and what the people it serves do through their clients (send, invite,
 * kick, receipts, typing, history). Paths under `/_matrix/client/v3` unless absolute.
 */
const BOT_ENDPOINTS = [
  "GET /_matrix/client/versions",
  "GET /account/whoami",
  "POST /user/{userId}/filter",
  "GET /user/{userId}/filter/{filterId}",
  "GET /sync",
  "GET /joined_rooms",
  "GET /directory/room/{roomAlias}",
  "POST /join/{roomIdOrAlias}",
  "POST /rooms/{roomId}/join",
  "POST /rooms/{roomId}/leave",
  "POST /rooms/{roomId}/invite",
  "POST /rooms/{roomId}/kick",
  "POST /createRoom",
  "PUT /rooms/{roomId}/send/{eventType}/{txnId}",
  "PUT /rooms/{roomId}/redact/{eventId}/{txnId}",
  "GET /user/{userId}/account_data/{type}",
  "PUT /user/{userId}/account_data/{type}",
  "GET /rooms/{roomId}/state/{eventType}/{stateKey}",
  "PUT /rooms/{roomId}/state/{eventType}/{stateKey}",
  "GET /rooms/{roomId}/state",
  "GET /rooms/{roomId}/joined_members",
  "GET /rooms/{roomId}/event/{eventId}",
  "GET /rooms/{roomId}/messages",
  "POST /rooms/{roomId}/receipt/{receiptType}/{eventId}",
  "PUT /rooms/{roomId}/typing/{userId}",
  "GET /profile/{userId}",
  "GET /profile/{userId}/{keyName}",
  "PUT /profile/{userId}/{keyName}",
];

/** The alias of the team room: unique per run, since Synapse keeps its rooms for the whole suite. */
const ALIAS_LOCALPART = `conformance-${randomBytes(4).toString("hex")}`;

interface Step {
  name: string;
  run(side: Side): Promise<void>;
}

function bodyField(answer: Answer, field: string): unknown {
  return typeof answer.body === "object" && answer.body !== null ? (answer.body as Record<string, unknown>)[field] : undefined;
}

/**
 * The sequence. Each step acts on one side through `side.call`; steps refer to rooms and events by
 * the names earlier steps gave them.
 */
const STEPS: Step[] = [
  { name: "GET /versions", run: async (s) => void (await s.call("nobody", "GET", "/_matrix/client/versions")) },
  { name: "whoami (the adapter's first request)", run: async (s) => void (await s.call("bot", "GET", "account/whoami")) },
  {
    name: "an unknown or a missing access token",
    run: async (s) => {
      await s.call({ token: "syt_Ym90_unknownunknownunknown_0000" }, "GET", "account/whoami");
      await s.call({ token: "syt_Ym90_unknownunknownunknown_0000" }, "GET", "sync");
      await s.call("nobody", "GET", "account/whoami");
    },
  },
  { name: "m.direct before the bot has one (404)", run: async (s) => void (await s.call("bot", "GET", `user/${enc(s.user("bot"))}/account_data/m.direct`)) },
  { name: "joined rooms of a new account", run: async (s) => void (await s.call("bot", "GET", "joined_rooms")) },
  {
    name: "filter upload and read back",
    run: async (s) => {
      const answer = await s.call("bot", "POST", `user/${enc(s.user("bot"))}/filter`, {
        body: { room: { timeline: { limit: 2 }, state: { lazy_load_members: false } }, presence: { not_types: ["*"] } },
      });
      const id = bodyField(answer, "filter_id");
      s.facts["filter id is a string"] = typeof id === "string";
      if (typeof id === "string") s.filterId = id;
      await s.call("bot", "GET", `user/${enc(s.user("bot"))}/filter/${enc(String(id))}`);
      await s.call("bot", "GET", `user/${enc(s.user("bot"))}/filter/9999`, { label: "GET an unknown filter" });
    },
  },
  { name: "initial /sync of a new account", run: async (s) => void (await s.sync("bot")) },
  {
    name: "a person opens a DM with the bot (createRoom trusted_private_chat, is_direct, invite) and records it in m.direct",
    run: async (s) => {
      const created = await s.call("manager", "POST", "createRoom", { body: { preset: "trusted_private_chat", is_direct: true, invite: [s.user("bot")] } });
      s.rememberRoom("dm", bodyField(created, "room_id"));
      await s.call("manager", "GET", `user/${enc(s.user("manager"))}/account_data/m.direct`);
      await s.call("manager", "PUT", `user/${enc(s.user("manager"))}/account_data/m.direct`, { body: { [s.user("bot")]: [s.room("dm")] } });
    },
  },
  { name: "the bot's /sync brings the DM invite with stripped state", run: async (s) => void (await s.sync("bot")) },
  { name: "an initial /sync with a pending invite", run: async (s) => void (await s.sync("bot", { initial: true })) },
  {
    name: "an invited bot cannot read the room yet",
    run: async (s) => {
      await s.call("bot", "GET", `rooms/${enc(s.room("dm"))}/state/m.room.member/${enc(s.user("bot"))}`);
      await s.call("bot", "GET", `rooms/${enc(s.room("dm"))}/joined_members`);
    },
  },
  { name: "the bot accepts the DM invite (POST /join)", run: async (s) => void (await s.call("bot", "POST", `join/${enc(s.room("dm"))}`, { body: {} })) },
  {
    name: "the bot records the DM in its m.direct (PUT replaces, GET reads it back)",
    run: async (s) => {
      await s.call("bot", "PUT", `user/${enc(s.user("bot"))}/account_data/m.direct`, { body: { [s.user("manager")]: [s.room("dm")] } });
      await s.call("bot", "GET", `user/${enc(s.user("bot"))}/account_data/m.direct`);
    },
  },
  { name: "the bot's /sync after joining: the room's state, timeline and the global account data", run: async (s) => void (await s.sync("bot")) },
  {
    name: "the DM's state as the bot checks it (members, encryption missing, power levels, joined members, full state)",
    run: async (s) => {
      const room = enc(s.room("dm"));
      await s.call("bot", "GET", `rooms/${room}/state/m.room.member/${enc(s.user("bot"))}`, { label: "GET state m.room.member (bot)" });
      await s.call("bot", "GET", `rooms/${room}/state/m.room.member/${enc(s.user("manager"))}`, { label: "GET state m.room.member (manager)" });
      await s.call("bot", "GET", `rooms/${room}/state/m.room.member/${enc(s.user("alice"))}`, { label: "GET state m.room.member (never a member)" });
      await s.call("bot", "GET", `rooms/${room}/state/m.room.encryption/`, { label: "GET state m.room.encryption" });
      await s.call("bot", "GET", `rooms/${room}/state/m.room.power_levels/`, { label: "GET state m.room.power_levels" });
      await s.call("bot", "GET", `rooms/${room}/joined_members`);
      await s.call("bot", "GET", `rooms/${room}/state`);
    },
  },
  {
    name: "a person sends a command (PUT send with a transaction id, twice)",
    run: async (s) => {
      const path = `rooms/${enc(s.room("dm"))}/send/m.room.message/m1`;
      const first = await s.call("manager", "PUT", path, { body: { msgtype: "m.text", body: "!support help" } });
      s.rememberEvent("command", bodyField(first, "event_id"));
      const again = await s.call("manager", "PUT", path, { body: { msgtype: "m.text", body: "!support help" }, label: "PUT send, same transaction id" });
      s.facts["a repeated transaction id gives the same event"] = bodyField(again, "event_id") === bodyField(first, "event_id");
    },
  },
  {
    name: "the bot answers with an m.notice reply (same transaction id on retry)",
    run: async (s) => {
      const path = `rooms/${enc(s.room("dm"))}/send/m.room.message/sb.1`;
      const content = { msgtype: "m.notice", body: "Commands: ...", format: "org.matrix.custom.html", formatted_body: "<p>Commands: ...</p>", "m.relates_to": { "m.in_reply_to": { event_id: s.event("command") } } };
      const first = await s.call("bot", "PUT", path, { body: content });
      s.rememberEvent("reply", bodyField(first, "event_id"));
      const again = await s.call("bot", "PUT", path, { body: content, label: "PUT send, same transaction id" });
      s.facts["a repeated transaction id gives the same event"] = bodyField(again, "event_id") === bodyField(first, "event_id");
    },
  },
  { name: "the bot's /sync brings the command and its own reply (with transaction_id)", run: async (s) => void (await s.sync("bot")) },
  {
    name: "the reply as the person and as the bot read it (/event, /messages)",
    run: async (s) => {
      const room = enc(s.room("dm"));
      const asManager = await s.call("manager", "GET", `rooms/${room}/event/${enc(s.event("reply"))}`, { label: "GET event (by someone else)" });
      const asBot = await s.call("bot", "GET", `rooms/${room}/event/${enc(s.event("reply"))}`, { label: "GET event (by the sender)" });
      s.facts["transaction_id shown to the sender only"] = `${hasTransactionId(asManager.body)}/${hasTransactionId(asBot.body)}`;
      await s.call("manager", "GET", `rooms/${room}/messages`, { query: { dir: "b", limit: "5" } });
      await s.call("manager", "GET", `rooms/${room}/event/${enc("$doesnotexist0000000000000000000000000000000")}`, { label: "GET an unknown event" });
    },
  },
  {
    name: "a person's read receipt and typing reach the bot's /sync",
    run: async (s) => {
      const room = enc(s.room("dm"));
      await s.call("manager", "POST", `rooms/${room}/receipt/m.read/${enc(s.event("reply"))}`, { body: {} });
      await s.call("manager", "PUT", `rooms/${room}/typing/${enc(s.user("manager"))}`, { body: { typing: true, timeout: 30_000 } });
      await s.sync("bot");
      await s.call("manager", "PUT", `rooms/${room}/typing/${enc(s.user("manager"))}`, { body: { typing: false }, label: "PUT typing false" });
      await s.sync("bot", { label: "GET sync (typing stopped)" });
    },
  },
  {
    name: "the bot deletes an answer holding personal data (redact with a reason)",
    run: async (s) => {
      const room = enc(s.room("dm"));
      const answer = await s.call("manager", "PUT", `rooms/${room}/send/m.room.message/m2`, { body: { msgtype: "m.text", body: "Jane Doe, +41 79 555 01 23" } });
      s.rememberEvent("personal", bodyField(answer, "event_id"));
      const redaction = await s.call("bot", "PUT", `rooms/${room}/redact/${enc(s.event("personal"))}/sb.2`, { body: { reason: "customer's personal data" } });
      s.rememberEvent("redaction", bodyField(redaction, "event_id"));
    },
  },
  {
    name: "how a redacted event then reads (/event by both, /messages)",
    run: async (s) => {
      const room = enc(s.room("dm"));
      await s.call("bot", "GET", `rooms/${room}/event/${enc(s.event("personal"))}`, { label: "GET the redacted event (by the redactor)" });
      await s.call("manager", "GET", `rooms/${room}/event/${enc(s.event("personal"))}`, { label: "GET the redacted event (by its sender)" });
      await s.call("manager", "GET", `rooms/${room}/messages`, { query: { dir: "b", limit: "2" } });
    },
  },
  { name: "the bot's /sync after the redaction", run: async (s) => void (await s.sync("bot")) },
  {
    name: "a team room with an alias (createRoom private_chat, name, topic, invite)",
    run: async (s) => {
      const created = await s.call("manager", "POST", "createRoom", {
        body: { preset: "private_chat", name: "Support team", topic: "Customer support", room_alias_name: ALIAS_LOCALPART, invite: [s.user("bot")] },
      });
      s.rememberRoom("team", bodyField(created, "room_id"));
      s.names.set(`#${ALIAS_LOCALPART}:${s.serverName}`, "#team");
    },
  },
  {
    name: "the bot resolves the configured alias and joins by it",
    run: async (s) => {
      const alias = `#${ALIAS_LOCALPART}:${s.serverName}`;
      await s.call("bot", "GET", `directory/room/${enc(alias)}`);
      await s.call("bot", "GET", `directory/room/${enc(`#nothing-${ALIAS_LOCALPART}:${s.serverName}`)}`, { label: "GET directory/room (unknown alias)" });
      await s.call("bot", "POST", `join/${enc(alias)}`, { body: {} });
      await s.call("bot", "GET", "joined_rooms");
    },
  },
  { name: "the bot's /sync after joining by alias (invite then join in one gap)", run: async (s) => void (await s.sync("bot")) },
  {
    name: "a command in the team room answered in a thread",
    run: async (s) => {
      const room = enc(s.room("team"));
      const command = await s.call("manager", "PUT", `rooms/${room}/send/m.room.message/m3`, { body: { msgtype: "m.text", body: "!support show 12" } });
      s.rememberEvent("root", bodyField(command, "event_id"));
      const first = await s.call("bot", "PUT", `rooms/${room}/send/m.room.message/sb.3`, {
        body: { msgtype: "m.notice", body: "Bug 12: ...", "m.relates_to": { rel_type: "m.thread", event_id: s.event("root"), is_falling_back: true, "m.in_reply_to": { event_id: s.event("root") } } },
      });
      s.rememberEvent("thread1", bodyField(first, "event_id"));
      const second = await s.call("bot", "PUT", `rooms/${room}/send/m.room.message/sb.4`, {
        body: { msgtype: "m.notice", body: "Bug 12 changed", "m.relates_to": { rel_type: "m.thread", event_id: s.event("root"), is_falling_back: true, "m.in_reply_to": { event_id: s.event("thread1") } } },
      });
      s.rememberEvent("thread2", bodyField(second, "event_id"));
    },
  },
  { name: "the bot's /sync with the thread", run: async (s) => void (await s.sync("bot")) },
  {
    name: "the thread root and a thread reply as read later (/event, /messages)",
    run: async (s) => {
      const room = enc(s.room("team"));
      await s.call("bot", "GET", `rooms/${room}/event/${enc(s.event("root"))}`, { label: "GET the thread root" });
      await s.call("manager", "GET", `rooms/${room}/event/${enc(s.event("thread2"))}`, { label: "GET a thread reply" });
      await s.call("manager", "GET", `rooms/${room}/messages`, { query: { dir: "b", limit: "3" } });
    },
  },
  {
    name: "refusals to a member without power (redact others', kick, power levels) and redacting one's own",
    run: async (s) => {
      const room = enc(s.room("team"));
      await s.call("bot", "PUT", `rooms/${room}/redact/${enc(s.event("root"))}/sb.5`, { body: {}, label: "PUT redact someone else's event" });
      await s.call("bot", "POST", `rooms/${room}/kick`, { body: { user_id: s.user("manager"), reason: "no" }, label: "POST kick" });
      await s.call("bot", "PUT", `rooms/${room}/state/m.room.power_levels/`, { body: { users: { [s.user("bot")]: 100 } }, label: "PUT state m.room.power_levels" });
      await s.call("bot", "PUT", `rooms/${room}/redact/${enc(s.event("thread2"))}/sb.6`, { body: {}, label: "PUT redact one's own event" });
    },
  },
  {
    name: "membership: invite, join, kick with a reason",
    run: async (s) => {
      const room = enc(s.room("team"));
      await s.call("manager", "POST", `rooms/${room}/invite`, { body: { user_id: s.user("alice") } });
      await s.call("manager", "POST", `rooms/${room}/invite`, { body: { user_id: s.user("bot") }, label: "POST invite someone already joined" });
      await s.call("alice", "POST", `rooms/${room}/join`, { body: {} });
      await s.call("manager", "POST", `rooms/${room}/kick`, { body: { user_id: s.user("alice"), reason: "wrong room" } });
      await s.call("alice", "GET", `rooms/${room}/state/m.room.member/${enc(s.user("alice"))}`, { label: "GET own membership after a kick" });
    },
  },
  { name: "the bot's /sync sees the membership changes", run: async (s) => void (await s.sync("bot")) },
  {
    name: "refusals to someone not in the room",
    run: async (s) => {
      const room = enc(s.room("team"));
      await s.call("outsider", "PUT", `rooms/${room}/send/m.room.message/o1`, { body: { msgtype: "m.text", body: "hi" }, label: "PUT send into a room one is not in" });
      await s.call("outsider", "POST", `join/${room}`, { body: {}, label: "POST join a private room uninvited" });
      await s.call("outsider", "GET", `rooms/${room}/joined_members`);
      await s.call("outsider", "GET", `rooms/${room}/state`);
      await s.call("outsider", "GET", `rooms/${room}/state/m.room.power_levels/`, { label: "GET state m.room.power_levels" });
      await s.call("outsider", "GET", `rooms/${room}/messages`, { query: { dir: "b" } });
      await s.call("outsider", "GET", `rooms/${room}/event/${enc(s.event("root"))}`, { label: "GET event" });
      await s.call("outsider", "POST", `rooms/${room}/invite`, { body: { user_id: s.user("outsider") }, label: "POST invite" });
      await s.call("outsider", "POST", `rooms/${room}/kick`, { body: { user_id: s.user("bot") }, label: "POST kick" });
      await s.call("outsider", "POST", `rooms/${room}/leave`, { body: {}, label: "POST leave" });
      await s.call("outsider", "PUT", `rooms/${room}/redact/${enc(s.event("root"))}/o2`, { body: {}, label: "PUT redact" });
      await s.call("outsider", "PUT", `rooms/${room}/typing/${enc(s.user("outsider"))}`, { body: { typing: true, timeout: 1000 }, label: "PUT typing" });
      await s.call("outsider", "POST", `rooms/${room}/receipt/m.read/${enc(s.event("root"))}`, { body: {}, label: "POST receipt" });
      await s.call("outsider", "GET", `user/${enc(s.user("bot"))}/account_data/m.direct`, { label: "GET someone else's account data" });
      await s.call("outsider", "PUT", `user/${enc(s.user("bot"))}/account_data/m.direct`, { body: {}, label: "PUT someone else's account data" });
    },
  },
  {
    name: "requests about rooms, users and events that do not exist",
    run: async (s) => {
      const unknownRoom = enc(`!doesnotexist:${s.serverName}`);
      const unknownUser = `@nobody-${ALIAS_LOCALPART}:${s.serverName}`;
      const unknownEvent = enc("$doesnotexist000000000000000000000000000000");
      await s.call("bot", "PUT", `rooms/${unknownRoom}/send/m.room.message/sb.7`, { body: { msgtype: "m.notice", body: "hi" }, label: "PUT send into an unknown room" });
      await s.call("bot", "POST", `join/${unknownRoom}`, { body: {}, label: "POST join an unknown room" });
      await s.call("bot", "GET", `rooms/${unknownRoom}/state/m.room.encryption/`, { label: "GET state of an unknown room" });
      await s.call("bot", "GET", `rooms/${unknownRoom}/joined_members`, { label: "GET joined_members of an unknown room" });
      await s.call("bot", "GET", `rooms/${unknownRoom}/messages`, { query: { dir: "b" }, label: "GET messages of an unknown room" });
      await s.call("bot", "GET", `rooms/${unknownRoom}/event/${unknownEvent}`, { label: "GET an event of an unknown room" });
      await s.call("bot", "POST", `rooms/${unknownRoom}/leave`, { body: {}, label: "POST leave an unknown room" });
      await s.call("bot", "POST", `rooms/${unknownRoom}/invite`, { body: { user_id: s.user("alice") }, label: "POST invite into an unknown room" });
      await s.call("bot", "PUT", `rooms/${unknownRoom}/redact/${unknownEvent}/sb.8`, { body: {}, label: "PUT redact in an unknown room" });
      await s.call("bot", "PUT", `rooms/${unknownRoom}/typing/${enc(s.user("bot"))}`, { body: { typing: true, timeout: 1000 }, label: "PUT typing in an unknown room" });
      await s.call("bot", "POST", `rooms/${unknownRoom}/receipt/m.read/${unknownEvent}`, { body: {}, label: "POST receipt in an unknown room" });
      await s.call("manager", "POST", `rooms/${enc(s.room("team"))}/invite`, { body: { user_id: unknownUser }, label: "POST invite a user who does not exist" });
      await s.call("manager", "POST", `rooms/${enc(s.room("team"))}/kick`, { body: { user_id: s.user("outsider") }, label: "POST kick someone not in the room" });
      const redaction = await s.call("bot", "PUT", `rooms/${enc(s.room("dm"))}/redact/${unknownEvent}/sb.9`, { body: {}, label: "PUT redact an unknown event" });
      s.rememberEvent("orphan redaction", bodyField(redaction, "event_id"));
      await s.call("bot", "GET", `rooms/${enc(s.room("dm"))}/event/${enc(s.event("orphan redaction"))}`, { label: "GET the redaction of an unknown event" });
      await s.call("bot", "PUT", `rooms/${enc(s.room("dm"))}/redact/${enc(s.event("personal"))}/sb.10`, { body: {}, label: "PUT redact an already redacted event" });
    },
  },
  {
    name: "profile: read, change the display name, read one field, an unknown user",
    run: async (s) => {
      await s.call("manager", "GET", `profile/${enc(s.user("bot"))}`);
      await s.call("bot", "PUT", `profile/${enc(s.user("bot"))}/displayname`, { body: { displayname: "Support Bot" } });
      await s.call("manager", "GET", `profile/${enc(s.user("bot"))}/displayname`);
      await s.call("manager", "GET", `profile/${enc(s.user("bot"))}/avatar_url`, { label: "GET profile avatar_url (never set)" });
      await s.call("manager", "GET", `profile/${enc(`@nobody-${ALIAS_LOCALPART}:${s.serverName}`)}`, { label: "GET profile of an unknown user" });
    },
  },
  { name: "the bot's /sync after its display name changed", run: async (s) => void (await s.sync("bot")) },
  {
    name: "the bot opens a DM itself (createRoom with is_direct) and what it creates",
    run: async (s) => {
      const created = await s.call("bot", "POST", "createRoom", { body: { invite: [s.user("alice")], is_direct: true, preset: "trusted_private_chat" } });
      s.rememberRoom("botdm", bodyField(created, "room_id"));
      await s.call("bot", "GET", `rooms/${enc(s.room("botdm"))}/state`);
      await s.call("bot", "GET", `rooms/${enc(s.room("botdm"))}/state/m.room.power_levels/`, { label: "GET state m.room.power_levels" });
    },
  },
  { name: "the person's initial /sync shows the bot's DM invite", run: async (s) => void (await s.sync("alice", { initial: true })) },
  {
    name: "an invite the bot refuses (POST leave on the invite)",
    run: async (s) => {
      const created = await s.call("outsider", "POST", "createRoom", { body: { preset: "private_chat", invite: [s.user("bot")] } });
      s.rememberRoom("refused", bodyField(created, "room_id"));
      await s.sync("bot", { label: "GET sync (the invite)" });
      await s.call("bot", "POST", `rooms/${enc(s.room("refused"))}/leave`, { body: {} });
      await s.sync("bot", { label: "GET sync (the rejected invite)" });
    },
  },
  {
    name: "the bot leaves a room it was in",
    run: async (s) => {
      await s.call("bot", "POST", `rooms/${enc(s.room("team"))}/leave`, { body: {} });
      await s.sync("bot");
      await s.call("bot", "POST", `rooms/${enc(s.room("team"))}/leave`, { body: {}, label: "POST leave again" });
      await s.call("bot", "GET", `rooms/${enc(s.room("team"))}/messages`, { query: { dir: "b", limit: "2" }, label: "GET messages after leaving" });
    },
  },
  { name: "an initial /sync with the uploaded filter (limited timeline)", run: async (s) => void (await s.sync("bot", { initial: true, filter: s.filterId })) },
  { name: "an incremental /sync with nothing new", run: async (s) => void (await s.sync("bot")) },
];

function hasTransactionId(body: unknown): boolean {
  const unsigned = typeof body === "object" && body !== null ? (body as { unsigned?: Record<string, unknown> }).unsigned : undefined;
  return typeof unsigned?.["transaction_id"] === "string";
}

function errcodeOf(body: unknown): string | undefined {
  const errcode = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["errcode"] : undefined;
  return typeof errcode === "string" ? errcode : undefined;
}

/** Every difference between the two sides' answers to one step, one readable line each. */
function differences(real: Side, simulated: Side): string[] {
  const out: string[] = [];
  const count = Math.max(real.answers.length, simulated.answers.length);
  for (let i = 0; i < count; i++) {
    const a = real.answers[i];
    const b = simulated.answers[i];
    if (!a || !b) {
      out.push(`answer ${i + 1}: only ${a ? "synapse" : "the simulator"} gave one (${(a ?? b)!.request})`);
      continue;
    }
    const where = `[${i + 1}] ${a.request}`;
    if (a.status !== b.status) out.push(`${where}: status ${a.status} in synapse, ${b.status} in simulator`);
    if (errcodeOf(a.body) !== errcodeOf(b.body)) out.push(`${where}: errcode ${errcodeOf(a.body)} in synapse, ${errcodeOf(b.body)} in simulator`);
    const [realBody, simulatedBody] = [normaliseMatrixJson(a.body, real.names), normaliseMatrixJson(b.body, simulated.names)];
    const labels = { expected: "synapse", actual: "simulator" };
    out.push(...compareJsonShapes(realBody, simulatedBody, labels).map((line) => `${where}: ${line}`));
    out.push(...compareMatrixValues(realBody, simulatedBody, labels).map((line) => `${where}: ${line}`));
  }
  for (const key of new Set([...Object.keys(real.facts), ...Object.keys(simulated.facts)])) {
    if (real.facts[key] !== simulated.facts[key]) out.push(`fact "${key}": ${String(real.facts[key])} in synapse, ${String(simulated.facts[key])} in simulator`);
  }
  return out;
}

describe("the Matrix simulator answers like Synapse 1.67.0", () => {
  let sim: MatrixSimulator;
  let real: Side;
  let simulated: Side;

  beforeAll(async () => {
    const { synapse } = inject("realServers");
    const prefix = `mc${randomBytes(3).toString("hex")}`;
    const realAccounts = {} as Record<Role, Account>;
    for (const role of ROLES) realAccounts[role] = await registerUser(synapse, `${prefix}-${role}`);
    real = new Side("synapse", synapse.url, synapse.serverName, realAccounts);

    sim = await startMatrixSimulator({ serverName: synapse.serverName });
    const simAccounts = {} as Record<Role, Account>;
    for (const role of ROLES) simAccounts[role] = sim.createUser(`${prefix}-${role}`);
    simulated = new Side("simulator", sim.url, sim.serverName, simAccounts);
  });

  afterAll(async () => {
    await sim?.close();
    expect(sim?.serverErrors ?? []).toEqual([]);
  });

  for (const step of STEPS) {
    it(step.name, async () => {
      for (const side of [real, simulated]) {
        side.answers = [];
        side.facts = {};
        await step.run(side);
      }
      expect(differences(real, simulated)).toEqual([]);
    });
  }

  it("reached every endpoint the bot uses", () => {
    const exercised = sim.requests.map((request) => `${request.method} ${request.path.replace(/^\/_matrix\/client\/(v3|v1)/, "")}`);
    const missing = BOT_ENDPOINTS.filter((endpoint) => {
      const pattern = new RegExp(`^${endpoint.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{\w+\}/g, "[^/]*")}$`);
      return !exercised.some((request) => pattern.test(request));
    });
    expect(missing).toEqual([]);
  });
});
