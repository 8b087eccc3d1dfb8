import mattermostClient from "@mattermost/client";
import type { WebSocketMessage } from "@mattermost/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { type MattermostSimulator, startMattermostSimulator } from "../../src/simulators/mattermost/server.js";

const { Client4, WebSocketClient } = mattermostClient;
type SocketClient = InstanceType<typeof WebSocketClient>;

// Node 20 has no global WebSocket, and the client reads `WebSocket.OPEN` from the global scope:
// without this it throws a ReferenceError inside the socket's open handler.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

let sim: MattermostSimulator;
const sockets: SocketClient[] = [];
const rawSockets: WebSocket[] = [];

beforeEach(async () => {
  // The client logs every connect and close to the console.
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  sim = await startMattermostSimulator({ wsAuthTimeoutMs: 200 });
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  for (const socket of rawSockets.splice(0)) socket.terminate();
  await sim.close();
  vi.restoreAllMocks();
});

interface Listening {
  client: SocketClient;
  events: WebSocketMessage[];
  missed: number[];
}

/** The official client, authenticating with a challenge (or with a header on the upgrade). */
function connect(username: string, options: { headerAuth?: boolean } = {}): Listening {
  const token = sim.tokens[username] ?? "";
  const client = new WebSocketClient({
    newWebSocketFn: (url: string) =>
      (options.headerAuth ? new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } }) : new WebSocket(url)) as unknown as globalThis.WebSocket,
    minWebSocketRetryTime: 20,
    reconnectJitterRange: 0,
    clientPingInterval: 60_000,
  });
  const listening: Listening = { client, events: [], missed: [] };
  client.addMessageListener((message) => listening.events.push(message));
  client.addMissedMessageListener(() => listening.missed.push(listening.events.length));
  client.initialize(sim.websocketUrl, options.headerAuth ? undefined : token);
  sockets.push(client);
  return listening;
}

function posted(listening: Listening): Array<{ message: string; user_id: string; data: Record<string, unknown> }> {
  return listening.events
    .filter((event) => event.event === "posted")
    .map((event) => {
      const data = event.data as unknown as Record<string, unknown>;
      const post = JSON.parse(String(data["post"])) as { message: string; user_id: string };
      return { message: post.message, user_id: post.user_id, data };
    });
}

function openRaw(query = "", headers: Record<string, string> = {}): Promise<{ socket: WebSocket; messages: Array<Record<string, unknown>> }> {
  const socket = new WebSocket(`${sim.websocketUrl}${query}`, { headers });
  rawSockets.push(socket);
  const messages: Array<Record<string, unknown>> = [];
  socket.on("message", (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve({ socket, messages }));
    socket.once("error", reject);
  });
}

describe("events for the bot", () => {
  it("sends hello, then posted for a DM with the post JSON-encoded", async () => {
    const bot = connect("support-bot");
    await sim.waitFor(() => sim.connectedUsers().includes("support-bot"), { what: "the bot to connect" });
    const dm = sim.directChannel("alice", "support-bot");
    sim.post({ user: "alice", channel: String(dm["id"]), message: "hello bot" });
    const [event] = await sim.waitFor(() => (posted(bot).length > 0 ? posted(bot) : undefined), { what: "posted" });
    expect(bot.events[0]?.event).toBe("hello");
    expect(bot.events[0]?.seq).toBe(0);
    expect(event?.message).toBe("hello bot");
    expect(event?.data).toMatchObject({ channel_type: "D", channel_name: dm["name"], sender_name: "@alice", team_id: "", set_online: true });
    expect(JSON.parse(String(event?.data["mentions"]))).toEqual([sim.bot.id]);
    expect(bot.events.find((entry) => entry.event === "posted")?.broadcast.channel_id).toBe(dm["id"]);
  });

  it("echoes the bot's own posts back to it", async () => {
    const bot = connect("support-bot");
    await sim.waitFor(() => sim.connectedUsers().includes("support-bot"));
    const client = new Client4();
    client.setUrl(sim.url);
    client.setToken(sim.tokens["support-bot"] ?? "");
    await client.createPost({ channel_id: sim.channelId("support-mgmt"), message: "announcement" } as Parameters<InstanceType<typeof Client4>["createPost"]>[0]);
    const [event] = await sim.waitFor(() => (posted(bot).length > 0 ? posted(bot) : undefined));
    expect(event).toMatchObject({ message: "announcement", user_id: sim.bot.id, data: { channel_type: "O", channel_name: "support-mgmt", channel_display_name: "Support Management" } });
  });

  it("delivers nothing from channels the bot is not a member of", async () => {
    const bot = connect("support-bot");
    await sim.waitFor(() => sim.connectedUsers().includes("support-bot"));
    sim.post({ user: "alice", channel: String(sim.directChannel("alice", "bob")["id"]), message: "private" });
    sim.post({ user: "alice", channel: "support", message: "public" });
    await sim.waitFor(() => posted(bot).length > 0);
    expect(posted(bot).map((event) => event.message)).toEqual(["public"]);
  });

  it("sends post_edited when a post changes and numbers events without gaps", async () => {
    const bot = connect("support-bot");
    await sim.waitFor(() => sim.connectedUsers().includes("support-bot"));
    const post = sim.post({ user: "alice", channel: "support", message: "typo" });
    const client = new Client4();
    client.setUrl(sim.url);
    client.setToken(sim.tokens["alice"] ?? "");
    await client.patchPost({ id: post.id, message: "fixed" });
    const edited = await sim.waitFor(() => bot.events.find((event) => event.event === "post_edited"));
    expect(JSON.parse(String((edited.data as unknown as Record<string, unknown>)["post"]))).toMatchObject({ id: post.id, message: "fixed" });
    expect(bot.events.map((event) => event.seq)).toEqual([0, 1, 2]);
  });
});

describe("the WebSocket protocol", () => {
  it("answers the authentication challenge with OK, then hello, then answers ping", async () => {
    const { socket, messages } = await openRaw();
    socket.send(JSON.stringify({ seq: 1, action: "authentication_challenge", data: { token: sim.tokens["alice"] } }));
    await sim.waitFor(() => messages.length >= 2);
    expect(messages[0]).toEqual({ status: "OK", seq_reply: 1 });
    expect(messages[1]).toMatchObject({ event: "hello", seq: 0, broadcast: { user_id: sim.users["alice"]?.id } });
    expect((messages[1]?.["data"] as Record<string, unknown>)["connection_id"]).toMatch(/^[a-z0-9]{26}$/);
    socket.send(JSON.stringify({ seq: 2, action: "ping" }));
    const pong = await sim.waitFor(() => messages.find((message) => message["seq_reply"] === 2));
    expect(pong).toMatchObject({ status: "OK", data: { text: "pong" } });
  });

  it("closes the socket when the challenge carries a wrong token", async () => {
    const { socket } = await openRaw();
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send(JSON.stringify({ seq: 1, action: "authentication_challenge", data: { token: "wrong" } }));
    expect(await closed).toBeGreaterThan(0);
  });

  it("refuses actions before authentication and closes idle unauthenticated sockets", async () => {
    const { socket, messages } = await openRaw();
    socket.send(JSON.stringify({ seq: 1, action: "get_statuses" }));
    const reply = await sim.waitFor(() => messages[0]);
    expect(reply).toMatchObject({ status: "FAIL", seq_reply: 1, error: { id: "api.web_socket_router.not_authenticated.app_error" } });
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
  });

  it("authenticates by header on the upgrade without a challenge", async () => {
    const { messages } = await openRaw("", { Authorization: `Bearer ${sim.tokens["bob"]}` });
    const hello = await sim.waitFor(() => messages[0]);
    expect(hello).toMatchObject({ event: "hello", broadcast: { user_id: sim.users["bob"]?.id } });
  });

  it("replays missed events to a header-authenticated client that resumes its connection id", async () => {
    const first = await openRaw("?connection_id=&sequence_number=0", { Authorization: `Bearer ${sim.tokens["support-bot"]}` });
    const hello = await sim.waitFor(() => first.messages[0]);
    const connectionId = String((hello["data"] as Record<string, unknown>)["connection_id"]);
    sim.post({ user: "alice", channel: "support", message: "one" });
    await sim.waitFor(() => first.messages.length === 2);
    const closed = new Promise<void>((resolve) => first.socket.once("close", () => resolve()));
    sim.dropConnections();
    await closed;
    sim.post({ user: "alice", channel: "support", message: "two" });
    sim.post({ user: "alice", channel: "support", message: "three" });
    const second = await openRaw(`?connection_id=${connectionId}&sequence_number=2`, { Authorization: `Bearer ${sim.tokens["support-bot"]}` });
    await sim.waitFor(() => second.messages.length === 2);
    expect(second.messages.map((message) => [message["event"], message["seq"]])).toEqual([["posted", 2], ["posted", 3]]);
  });
});

describe("reconnects", () => {
  it("reconnects after the server drops the connection and tells the client it missed messages", async () => {
    const bot = connect("support-bot");
    await sim.waitFor(() => sim.connectedUsers().includes("support-bot"));
    sim.dropConnections();
    // A challenge-authenticated client always gets a new connection id, hence "missed messages".
    await sim.waitFor(() => bot.missed.length === 1, { what: "the missed-messages callback" });
    await sim.waitFor(() => sim.connectedUsers().includes("support-bot"));
    sim.post({ user: "alice", channel: "support", message: "after the drop" });
    const events = await sim.waitFor(() => (posted(bot).length > 0 ? posted(bot) : undefined));
    expect(events.map((event) => event.message)).toEqual(["after the drop"]);
  });

  it("keeps refusing connections while asked to, then lets the client back in", async () => {
    const bot = connect("support-bot");
    await sim.waitFor(() => sim.connectedUsers().includes("support-bot"));
    sim.refuseConnections(2);
    sim.dropConnections();
    await sim.waitFor(() => sim.refusedConnections === 2 && bot.missed.length === 1, { what: "two refusals and a reconnect" });
    expect(sim.connectedUsers()).toEqual(["support-bot"]);
  });

  it("refuses everything until connections are accepted again", async () => {
    connect("support-bot");
    await sim.waitFor(() => sim.connectedUsers().includes("support-bot"));
    sim.refuseConnections();
    sim.dropConnections();
    await sim.waitFor(() => sim.refusedConnections >= 3);
    expect(sim.connectedUsers()).toEqual([]);
    sim.acceptConnections();
    await sim.waitFor(() => sim.connectedUsers().includes("support-bot"));
  });

  it("delivers what happened while away to a client resuming with header authentication", async () => {
    const bot = connect("support-bot", { headerAuth: true });
    await sim.waitFor(() => sim.connectedUsers().includes("support-bot"));
    sim.post({ user: "alice", channel: "support", message: "before" });
    await sim.waitFor(() => posted(bot).length === 1);
    sim.refuseConnections(1);
    sim.dropConnections();
    await sim.waitFor(() => sim.refusedConnections === 1);
    sim.post({ user: "alice", channel: "support", message: "while away" });
    await sim.waitFor(() => posted(bot).length === 2, { what: "the queued post" });
    expect(posted(bot).map((event) => event.message)).toEqual(["before", "while away"]);
    expect(bot.missed).toEqual([]);
  });

  it("starts over with a new hello when the server forgot the connection (restart)", async () => {
    const bot = connect("support-bot", { headerAuth: true });
    await sim.waitFor(() => sim.connectedUsers().includes("support-bot"));
    sim.dropConnections({ forgetSessions: true });
    await sim.waitFor(() => bot.missed.length === 1, { what: "the missed-messages callback" });
    expect(bot.events.filter((event) => event.event === "hello")).toHaveLength(2);
  });

  it("keeps a dropped connection for a resume only until the reaper's next run, 0 to 5 minutes after the drop", async () => {
    await sim.close();
    let clock = 1_800_000_000_000;
    sim = await startMattermostSimulator({ now: () => clock, reaperIntervalMs: 5 * 60_000 });
    const auth = { Authorization: `Bearer ${sim.tokens["support-bot"]}` };
    const first = await openRaw("", auth);
    const hello = await sim.waitFor(() => first.messages[0]);
    const connectionId = String((hello["data"] as Record<string, unknown>)["connection_id"]);
    const drop = async (socket: WebSocket): Promise<void> => {
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      sim.dropConnections();
      await closed;
    };

    // Connected for six minutes, then dropped; the reaper runs at 5 and 10 minutes.
    clock += 6 * 60_000;
    await drop(first.socket);
    sim.post({ user: "alice", channel: "support", message: "while away" });
    clock += 3 * 60_000;
    const resumed = await openRaw(`?connection_id=${connectionId}&sequence_number=1`, auth);
    await sim.waitFor(() => resumed.messages.length === 1);
    expect(resumed.messages.map((message) => [message["event"], message["seq"]])).toEqual([["posted", 1]]);

    // Resumed at 9 minutes, dropped at 14:50: the run at 15:00 finds it inactive and idle for over
    // 5 minutes since the resume, so 11 seconds after the drop it is gone.
    clock += 5 * 60_000 + 50_000;
    await drop(resumed.socket);
    sim.post({ user: "alice", channel: "support", message: "lost" });
    clock += 11_000;
    const after = await openRaw(`?connection_id=${connectionId}&sequence_number=2`, auth);
    const next = await sim.waitFor(() => after.messages[0]);
    expect(next).toMatchObject({ event: "hello", seq: 0 });
    expect((next["data"] as Record<string, unknown>)["connection_id"]).not.toBe(connectionId);
    expect(after.messages.filter((message) => message["event"] === "posted")).toEqual([]);
  });

  it("tells the server version in hello", async () => {
    await sim.close();
    sim = await startMattermostSimulator({ serverVersion: "10.11.3" });
    const { messages } = await openRaw("", { Authorization: `Bearer ${sim.tokens["support-bot"]}` });
    const hello = await sim.waitFor(() => messages[0]);
    expect(String((hello["data"] as Record<string, unknown>)["server_version"])).toMatch(/^10\.11\.3\./);
  });
});
