/**
 * The Matrix adapter end to end: the real matrix-bot-sdk client against the homeserver simulator,
 * the bot core against the MantisBT simulator. Every wait is for an event (sim.waitForEvent).
 */
import { afterEach, describe, expect, it } from "vitest";
import { buildCommandRegistry } from "../../../commands/index.js";
import { createMatrixAdapter } from "../../../src/chat/matrix/matrix-adapter.js";
import { ConfigError, UpstreamUnavailableError } from "../../../src/errors.js";
import { createMatrixSpecValidator } from "../../../src/simulators/matrix/spec-validator.js";
import type { ClientEvent } from "../../../src/simulators/matrix/server.js";
import { relatesTo, startMatrixHarness, type MatrixHarness } from "./matrix-harness.js";

let h: MatrixHarness | undefined;
afterEach(async () => {
  await h?.close();
  expect(h?.matrix.serverErrors ?? []).toEqual([]);
  h = undefined;
});

const spec = createMatrixSpecValidator();
const COMMAND_NAMES = buildCommandRegistry()
  .all()
  .map((command) => command.name);

function expectValidNotice(event: ClientEvent): void {
  const schema = spec.eventSchemaFor(event);
  expect(schema).toBe("event-schemas/schema/m.room.message$m.notice.yaml");
  expect(spec.schemaErrors(schema!, event)).toEqual([]);
  expect(event.content).toMatchObject({ msgtype: "m.notice", format: "org.matrix.custom.html" });
  expect(String(event.content["body"]).length).toBeGreaterThan(0);
  expect(String(event.content["formatted_body"]).length).toBeGreaterThan(0);
}

/** Sends a command from a linked user and waits for its answer, which proves earlier events were handled. */
async function roundTrip(harness: MatrixHarness, roomId: string, text = "!support help", user = "alice"): Promise<ClientEvent> {
  const id = harness.say(user, roomId, text);
  return harness.replyTo(id, roomId);
}

function repliesTo(harness: MatrixHarness, roomId: string, eventId: string): ClientEvent[] {
  return harness.notices(roomId).filter((event) => relatesTo(event).inReplyTo === eventId || relatesTo(event).threadRoot === eventId);
}

function patchesOf(harness: MatrixHarness, bugId: number): number {
  return harness.mantis.requests.filter((request) => request.method === "PATCH" && request.path === `/api/rest/issues/${bugId}`).length;
}

describe("start", () => {
  it("stops with a configuration error naming the token when the homeserver refuses it", async () => {
    h = await startMatrixHarness({ start: false, settings: { accessToken: "syt_not_a_token" } });
    const started = h.start();
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/MATRIX_ACCESS_TOKEN: the homeserver refused it/);
  });

  it("says the homeserver is unreachable, with a hint about the URL", async () => {
    h = await startMatrixHarness({ start: false, settings: { homeserverUrl: "http://127.0.0.1:1" } });
    await expect(h.start()).rejects.toThrow(UpstreamUnavailableError);
  });
});

describe("commands in a configured room", () => {
  it.each(COMMAND_NAMES)("answers `!support %s` with an m.notice in a thread under the command", async (name) => {
    h = await startMatrixHarness();
    const id = h.say("manager", h.managementRoom, `!support ${name}`);
    const reply = await h.replyTo(id, h.managementRoom);
    expectValidNotice(reply);
    expect(relatesTo(reply).inReplyTo).toBe(id);
  });

  it("runs a command for the linked sender and answers ephemeral replies in a thread", async () => {
    h = await startMatrixHarness();
    const id = h.say("alice", h.managementRoom, "!support show 1");
    const reply = await h.replyTo(id, h.managementRoom);
    expect(relatesTo(reply)).toEqual({ threadRoot: id, inReplyTo: id, isFallingBack: true });
    expect(reply.content["formatted_body"]).toContain(`<a href="${h.mantis.url}view.php?id=1">`);
  });

  it("answers a command typed inside a thread in that thread, as a real reply", async () => {
    h = await startMatrixHarness();
    const root = h.say("alice", h.managementRoom, "Looking at the queue");
    const id = h.matrix.sendMessage("alice", h.managementRoom, {
      msgtype: "m.text",
      body: "!support new",
      "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } },
    });
    const reply = await h.replyTo(id, h.managementRoom);
    expect(relatesTo(reply)).toEqual({ threadRoot: root, inReplyTo: id, isFallingBack: false });
  });

  it("treats the bare prefix as help and ignores words that only start like it", async () => {
    h = await startMatrixHarness();
    const lookalike = h.say("alice", h.managementRoom, "!supportive words");
    const bare = h.say("alice", h.managementRoom, "!SUPPORT");
    const reply = await h.replyTo(bare, h.managementRoom);
    expect(String(reply.content["body"])).toContain("!support help <command>");
    expect(repliesTo(h, h.managementRoom, lookalike)).toEqual([]);
  });

  it("never answers an m.notice, an edit, or its own messages", async () => {
    h = await startMatrixHarness();
    const notice = h.matrix.sendMessage("alice", h.managementRoom, { msgtype: "m.notice", body: "!support help" });
    const original = h.say("alice", h.managementRoom, "hello");
    const edit = h.matrix.sendMessage("alice", h.managementRoom, {
      msgtype: "m.text",
      body: "* !support help",
      "m.new_content": { msgtype: "m.text", body: "!support help" },
      "m.relates_to": { rel_type: "m.replace", event_id: original },
    });
    await roundTrip(h, h.managementRoom);
    expect(repliesTo(h, h.managementRoom, notice)).toEqual([]);
    expect(repliesTo(h, h.managementRoom, edit)).toEqual([]);
    expect(h.notices(h.managementRoom)).toHaveLength(1);
  });

  it("tells an unlinked user once how to get linked, and ignores them afterwards", async () => {
    h = await startMatrixHarness();
    h.matrix.invite("manager", h.managementRoom, "mallory");
    h.matrix.join("mallory", h.managementRoom);
    const first = h.say("mallory", h.managementRoom, "!support show 1");
    const answer = await h.replyTo(first, h.managementRoom);
    expect(String(answer.content["body"])).toContain("not linked to a staff account");
    expect(String(answer.content["body"])).toContain("@mallory:localhost");
    const second = h.say("mallory", h.managementRoom, "!support grab 1");
    await roundTrip(h, h.managementRoom);
    expect(repliesTo(h, h.managementRoom, second)).toEqual([]);
    expect(patchesOf(h, 1)).toBe(0);
  });

  it("says once that it takes no commands in a room that is not configured", async () => {
    h = await startMatrixHarness();
    const other = h.matrix.createRoom("alice", { name: "Random", invite: [h.matrix.bot.userId] });
    await h.matrix.waitForEvent({ roomId: other, type: "m.room.member", sender: h.matrix.bot });
    const first = h.say("alice", other, "!support show 1");
    const answer = await h.replyTo(first, other);
    expect(String(answer.content["body"])).toContain("MATRIX_ROOMS");
    const second = h.say("alice", other, "!support show 1");
    await roundTrip(h, h.managementRoom);
    expect(repliesTo(h, other, second)).toEqual([]);
  });
});

describe("rooms and trust", () => {
  it("refuses an invite from someone who is neither staff nor allowed", async () => {
    h = await startMatrixHarness();
    const roomId = h.matrix.createRoom("mallory", { name: "Trap", invite: [h.matrix.bot.userId] });
    await h.matrix.waitForEvent((event) => event.room_id === roomId && event.type === "m.room.member" && event.state_key === h!.matrix.bot.userId && event.content["membership"] === "leave");
    expect(h.matrix.membership(roomId, h.matrix.bot)).toBe("leave");
    expect(h.matrix.joinedRooms(h.matrix.bot)).not.toContain(roomId);
  });

  it("joins on invite from a server listed in MATRIX_ALLOWED_INVITERS", async () => {
    h = await startMatrixHarness({ settings: { allowedInviters: ["localhost"] } });
    const roomId = h.matrix.createRoom("mallory", { name: "Partner", invite: [h.matrix.bot.userId] });
    await h.matrix.waitForEvent((event) => event.room_id === roomId && event.type === "m.room.member" && event.state_key === h!.matrix.bot.userId && event.content["membership"] === "join");
    expect(h.matrix.joinedRooms(h.matrix.bot)).toContain(roomId);
  });

  it("joins a configured room given by alias at start", async () => {
    let aliasRoom = "";
    h = await startMatrixHarness({
      start: false,
      before: (matrix) => {
        aliasRoom = matrix.createRoom("manager", { name: "Sales", preset: "public_chat", room_alias_name: "sales" });
      },
    });
    h.settings.rooms["sales"] = "#sales:localhost";
    await h.start();
    expect(h.matrix.membership(aliasRoom, h.matrix.bot)).toBe("join");
    await h.adapter.notifier.channel("sales", { text: "A new lead" });
    const post = await h.nextNotice(aliasRoom);
    expect(post.content["body"]).toBe("A new lead");
  });
});

describe("direct messages", () => {
  it("accepts a staff member's DM invite, records it in m.direct and answers commands there without a thread", async () => {
    h = await startMatrixHarness();
    const dm = h.matrix.createDirectRoom("alice", h.matrix.bot);
    await h.matrix.waitForEvent((event) => event.room_id === dm && event.state_key === h!.matrix.bot.userId && event.content["membership"] === "join");
    const id = h.say("alice", dm, "!support mine");
    const reply = await h.replyTo(id, dm);
    expect(relatesTo(reply)).toEqual({ inReplyTo: id, threadRoot: undefined, isFallingBack: undefined });
    expect(h.matrix.accountData(h.matrix.bot, "m.direct")).toEqual({ "@alice:localhost": [dm] });
  });

  it("sends a reminder into the existing DM room from m.direct instead of creating one", async () => {
    let dm = "";
    h = await startMatrixHarness({
      start: false,
      before: (matrix) => {
        dm = matrix.createDirectRoom("alice", matrix.bot);
        matrix.join(matrix.bot, dm);
        matrix.setAccountData(matrix.bot, "m.direct", { "@alice:localhost": [dm], "@bob:localhost": ["!gone:localhost"] });
      },
    });
    await h.start();
    const roomsBefore = h.matrix.roomIds().length;
    const alice = h.staff.find("alice")!;
    await h.adapter.notifier.direct(alice, { text: "Reminder: **#3** waits for your feedback", bugId: 3 });
    await h.adapter.notifier.direct(alice, { text: "Second reminder" });
    const notices = h.notices(dm);
    expect(notices.map((event) => event.content["body"])).toEqual(["Reminder: #3 waits for your feedback", "Second reminder"]);
    expect(notices[0]!.content["formatted_body"]).toBe("<p>Reminder: <strong>#3</strong> waits for your feedback</p>");
    expect(h.matrix.roomIds()).toHaveLength(roomsBefore);
    expect(h.matrix.requests.filter((request) => request.path.endsWith("/createRoom"))).toEqual([]);
  });

  it("creates one DM when there is none, records it in m.direct (merged) and reuses it", async () => {
    h = await startMatrixHarness({
      start: false,
      before: (matrix) => matrix.setAccountData(matrix.bot, "m.direct", { "@carol:localhost": ["!old:localhost"] }),
    });
    await h.start();
    const bob = h.staff.find("bob")!;
    await Promise.all([h.adapter.notifier.direct(bob, { text: "One" }), h.adapter.notifier.direct(bob, { text: "Two" })]);
    const created = h.matrix.requests.filter((request) => request.path.endsWith("/createRoom"));
    expect(created).toHaveLength(1);
    expect(created[0]!.body).toMatchObject({ is_direct: true, preset: "trusted_private_chat", invite: ["@bob:localhost"] });
    const direct = h.matrix.accountData(h.matrix.bot, "m.direct") as Record<string, string[]>;
    expect(direct["@carol:localhost"]).toEqual(["!old:localhost"]);
    const dm = direct["@bob:localhost"]![0]!;
    expect(h.matrix.membership(dm, "bob")).toBe("invite");
    expect(h.notices(dm).map((event) => event.content["body"]).sort()).toEqual(["One", "Two"]);
  });

  it("skips staff without a Matrix id instead of failing", async () => {
    h = await startMatrixHarness();
    await h.adapter.notifier.direct({ name: "zoe", role: "staff", accounts: { mantis: "zoe", mattermost: "zoe" }, displayName: "Zoe" }, { text: "hi" });
    expect(h.matrix.requests.filter((request) => request.path.endsWith("/createRoom"))).toEqual([]);
  });
});

describe("threads per bug", () => {
  it("keeps the updates about one bug in one thread per room, across a restart", async () => {
    h = await startMatrixHarness();
    const room = h.managementRoom;
    await h.adapter.notifier.channel("management", { text: "#1 is NEW", bugId: 1 });
    await h.adapter.notifier.channel("management", { text: "#2 is NEW", bugId: 2 });
    await h.adapter.notifier.channel("management", { text: "alice grabbed #1", bugId: 1 });
    await h.adapter.notifier.channel("management", { text: "Daily summary" });
    await h.restart();
    await h.adapter.notifier.channel("management", { text: "#1 feedback is in", bugId: 1 });

    const [root1, root2, grabbed, summary, feedback] = h.notices(room);
    expect(relatesTo(root1!)).toEqual({});
    expect(relatesTo(root2!)).toEqual({});
    expect(relatesTo(summary!)).toEqual({});
    expect(relatesTo(grabbed!)).toEqual({ threadRoot: root1!.event_id, inReplyTo: root1!.event_id, isFallingBack: true });
    expect(relatesTo(feedback!)).toEqual({ threadRoot: root1!.event_id, inReplyTo: grabbed!.event_id, isFallingBack: true });
    expect(h.notices(room)).toHaveLength(5);
  });

  it("drops a post for a channel with no Matrix room configured", async () => {
    h = await startMatrixHarness();
    await h.adapter.notifier.channel("sales", { text: "A new lead" });
    expect(h.matrix.requests.filter((request) => request.method === "PUT" && request.path.includes("/send/"))).toEqual([]);
  });
});

describe("rate limits", () => {
  it("retries a send answered 429 M_LIMIT_EXCEEDED after retry_after_ms, posting once", async () => {
    h = await startMatrixHarness();
    h.matrix.rateLimitNextSends(2, 20);
    const id = h.say("alice", h.managementRoom, "!support show 1");
    await h.replyTo(id, h.managementRoom);
    const sends = h.matrix.requests.filter((request) => request.method === "PUT" && request.path.includes("/send/m.room.message/"));
    // The third try's status is recorded as its answer goes out, which may be after the event is stored.
    expect(sends).toHaveLength(3);
    expect(sends.slice(0, 2).map((request) => request.status)).toEqual([429, 429]);
    expect(new Set(sends.map((request) => request.path)).size).toBe(1);
    expect(repliesTo(h, h.managementRoom, id)).toHaveLength(1);
  });
});

describe("restarts", () => {
  it("does not run a command again after a restart, with or without the stored sync position", async () => {
    h = await startMatrixHarness();
    const grab = h.say("alice", h.managementRoom, "!support grab 1");
    await h.replyTo(grab, h.managementRoom);
    const patches = patchesOf(h, 1);
    expect(patches).toBeGreaterThan(0);

    await h.restart();
    await roundTrip(h, h.managementRoom, "!support show 1");
    // A lost store means a first sync that brings recent history again; its age tells it is old.
    h.advanceServerClock(60_000);
    await h.restart({ freshStore: true });
    await roundTrip(h, h.managementRoom, "!support show 1");

    expect(patchesOf(h, 1)).toBe(patches);
    expect(repliesTo(h, h.managementRoom, grab)).toHaveLength(1);
  });

  it("ends the SDK's pending long-poll when stopped instead of waiting for it", async () => {
    h = await startMatrixHarness();
    await roundTrip(h, h.managementRoom);
    await h.adapter.stop();
    expect(h.log.text()).toContain("Client stop requested - cancelling sync");
  });

  it("ignores commands sent while it was down", async () => {
    h = await startMatrixHarness();
    await h.stopAdapter();
    const missed = h.say("alice", h.managementRoom, "!support grab 1");
    h.advanceServerClock(60_000);
    await h.restart();
    await roundTrip(h, h.managementRoom);
    expect(repliesTo(h, h.managementRoom, missed)).toEqual([]);
    expect(patchesOf(h, 1)).toBe(0);
  });
});

describe("replicas (issue 16): only the leader syncs", () => {
  it("a standby does not answer; when it takes over it answers the commands sent while nobody synced, once each", async () => {
    h = await startMatrixHarness();
    // A second replica on the same store, started as a standby.
    const standby = createMatrixAdapter({ settings: h.settings, core: h.core, staff: h.staff, chat: h.store.chat, logger: h.log.log });
    await standby.start({ listen: false, catchUpMs: 60_000 });
    try {
      expect(standby.health()).toEqual({ ok: true, detail: "connected; the leader replica syncs" });
      const before = h.say("alice", h.managementRoom, "!support show 1");
      await h.replyTo(before, h.managementRoom);

      // The leader goes away; a command arrives while no replica syncs; the standby is elected.
      await h.stopAdapter();
      const during = h.say("alice", h.managementRoom, "!support show 2");
      // The takeover takes a while: the command is 20 s old when the new leader syncs.
      h.advanceServerClock(20_000);
      await standby.listen();
      await h.replyTo(during, h.managementRoom);
      await roundTrip(h, h.managementRoom);

      expect(repliesTo(h, h.managementRoom, before)).toHaveLength(1);
      expect(repliesTo(h, h.managementRoom, during)).toHaveLength(1);
      expect(standby.health()).toEqual({ ok: true, detail: "syncing" });
    } finally {
      await standby.stop();
      h.matrix.wakeSyncs();
    }
  });
});

describe("encrypted rooms", () => {
  it("says once that it cannot read an encrypted DM and opens an unencrypted one", async () => {
    h = await startMatrixHarness();
    const encrypted = h.matrix.createRoom("alice", {
      preset: "trusted_private_chat",
      is_direct: true,
      invite: [h.matrix.bot.userId],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    await h.matrix.waitForEvent((event) => event.room_id === encrypted && event.state_key === h!.matrix.bot.userId && event.content["membership"] === "join");
    const ciphertext = { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "AwgAEnAC", device_id: "ALICEDEV", sender_key: "c2VuZGVy", session_id: "c2Vzc2lvbg" };
    const first = h.matrix.sendEvent("alice", encrypted, "m.room.encrypted", ciphertext);
    const notice = await h.replyTo(first, encrypted);
    expect(String(notice.content["body"])).toContain("cannot read encrypted messages");
    const direct = h.matrix.accountData(h.matrix.bot, "m.direct") as Record<string, string[]>;
    const plain = direct["@alice:localhost"]!.find((roomId) => roomId !== encrypted)!;
    expect(h.matrix.stateContent(plain, "m.room.encryption")).toBeUndefined();
    expect(h.matrix.membership(plain, "alice")).toBe("invite");

    const second = h.matrix.sendEvent("alice", encrypted, "m.room.encrypted", ciphertext);
    await roundTrip(h, h.managementRoom);
    expect(repliesTo(h, encrypted, second)).toEqual([]);
  });
});
