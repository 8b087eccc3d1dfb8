/**
 * Listens on Mattermost's WebSocket for DMs to the bot, so people can write `grab 1234` to it
 * without the slash command. Built on the official WebSocketClient, which reconnects with backoff
 * by itself; the bot authenticates on the upgrade (Authorization header), so a short drop resumes
 * the same connection and the server replays what was missed. When the server cannot (restart, an
 * outage longer than it keeps a dropped connection: 0 to 5 minutes, or more than 128 missed events:
 * a new `hello`, "missed messages"), and once after every start, the listener reads over REST every
 * DM channel the bot has (the server lists them), those it has never seen included: a known one since
 * the newest post it saw there, a new one since the bot last ran. Each post is claimed in the
 * kernel's table of processed events before it is acted on, so a replay or an overlapping catch-up
 * never runs a command twice.
 */
import mattermostClient from "@mattermost/client";
import type { WebSocketMessage } from "@mattermost/client";
import type { Logger } from "pino";
import WebSocket from "ws";
import { z } from "zod";
import { installWebSocketGlobals, type BotClient } from "./bot-client.js";
import { channelSchema } from "./channels.js";
import type { MattermostMemory } from "./memory.js";
import { KeyedQueue } from "../kernel/keyed-queue.js";

const { WebSocketClient } = mattermostClient;
type SocketClient = InstanceType<typeof WebSocketClient>;

/** A person's post in a DM with the bot, ready to be run as a command. */
export interface DirectMessage {
  postId: string;
  channelId: string;
  userId: string;
  /** The thread the person wrote in, or "" for the channel itself. */
  rootId: string;
  message: string;
  createAt: number;
  /** Found by a catch-up and older than the catch-up window: answered with a notice, not run. */
  late: boolean;
}

/** Reconnect and liveness tuning; the defaults suit production, tests shorten them. */
export interface ListenerTiming {
  /** First wait before reconnecting; WebSocketClient grows it after 7 failures. Default 3 s. */
  minRetryMs: number;
  /** Longest wait between reconnects. Default 5 minutes. */
  maxRetryMs: number;
  /** Random extra wait, so many bots do not reconnect at once. Default 2 s. */
  jitterMs: number;
  /** How often the client pings; no pong in time means reconnect. Default 30 s. */
  pingIntervalMs: number;
  /** Missed DMs older than this are not run any more, only answered with a notice. Default 1 h. */
  catchUpMaxAgeMs: number;
}

export const DEFAULT_LISTENER_TIMING: ListenerTiming = {
  minRetryMs: 3_000,
  maxRetryMs: 300_000,
  jitterMs: 2_000,
  pingIntervalMs: 30_000,
  catchUpMaxAgeMs: 3_600_000,
};

export interface DmListenerOptions {
  client: BotClient;
  /** `ws(s)://<host>/api/v4/websocket`. */
  websocketUrl: string;
  token: string;
  botUserId: string;
  /** The bot's DM channels and up to when it has read them. */
  chat: MattermostMemory;
  /** Marks a post as processed; false when it was before (the kernel's de-duplication). */
  claim(postId: string, channelId: string): Promise<boolean>;
  log: Logger;
  now: () => number;
  timing: ListenerTiming;
  /** Acts on one DM; called in order per DM channel, never twice for one post. */
  onMessage(message: DirectMessage): Promise<void>;
  /**
   * A reply in a thread of a channel the bot is a member of (the WebSocket delivers those too): it may
   * write to a bug (the kernel decides). Never twice for one post.
   */
  onThreadReply?(post: ThreadReply): Promise<void>;
  /**
   * The channels where the bot keeps bugs' threads: after a start or a lost connection, their replies
   * posted since the bot last read are caught up too (a note written in a thread while the bot was
   * stopped, or while another replica took over, is not lost).
   */
  threadChannels?(): Promise<string[]>;
  /** Called when the bot learns of a DM channel (a person opened one with it). */
  onDirectChannel(channelId: string, userId: string, seenAt: number): Promise<void>;
}

/**
 * How far before that moment a new channel is read: the server stamps posts with its own clock.
 * Reading more is harmless: a channel the bot has never seen holds no post it has acted on.
 */
const CLOCK_SKEW_MS = 5 * 60_000;

const postSchema = z.looseObject({
  id: z.string().min(1),
  create_at: z.number(),
  delete_at: z.number().optional().default(0),
  user_id: z.string(),
  channel_id: z.string(),
  root_id: z.string().optional().default(""),
  message: z.string(),
  type: z.string().optional().default(""),
  props: z.record(z.string(), z.unknown()).nullish(),
});
type WirePost = z.infer<typeof postSchema>;

/** A reply someone wrote in a thread of a channel (not a DM). */
export interface ThreadReply {
  postId: string;
  channelId: string;
  userId: string;
  rootId: string;
  message: string;
}

const postedDataSchema = z.looseObject({ channel_type: z.string(), post: z.string() });
const directAddedDataSchema = z.looseObject({ creator_id: z.string(), teammate_id: z.string() });
const postListSchema = z.looseObject({ order: z.array(z.string()), posts: z.record(z.string(), z.unknown()) });

/** The WebSocket URL for a site URL: `https://chat.example.com` -> `wss://chat.example.com/api/v4/websocket`. */
export function websocketUrlFor(siteUrl: string): string {
  const url = new URL(siteUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/api/v4/websocket`;
  return url.toString();
}

/** The WebSocket connection for DMs, with catch-up and de-duplication. */
export class DirectMessageListener {
  private socketClient: SocketClient | undefined;
  private socket: SocketShim | undefined;
  private readonly queue = new KeyedQueue();
  /** Posts claimed by this process (the store has them too; this spares it most lookups). */
  private readonly seen = new Set<string>();
  private connectedState = false;
  private disconnectedSince: number | undefined;
  private helloSeen = false;
  /** The WebSocket events being handled, in arrival order. */
  private events: Promise<void> = Promise.resolve();
  private stopped = false;
  private catchUp: Promise<void> | undefined;
  private catchUpAgain = false;
  /** How often the WebSocket closed: a catch-up covers the connection it ran on, no later one. */
  private closes = 0;
  /** `closes` at the start of the last complete catch-up: on that connection DMs arrive live. */
  private caughtUpOn = -1;
  /** Set when this is the bot's very first start (nothing was ever read): the time it started. */
  private firstStartAt: number | undefined;
  /** Live posts that arrived during a catch-up: acted on after it, so answers keep the posts' order. */
  private held: WirePost[] = [];
  private readonly connectedWaiters = new Set<() => void>();

  constructor(private readonly options: DmListenerOptions) {}

  /** Whether the WebSocket is open now. */
  get connected(): boolean {
    return this.connectedState;
  }

  /** Since when (ms) the WebSocket is down, or undefined while it is up. */
  get downSince(): number | undefined {
    return this.disconnectedSince;
  }

  /** Connects (and keeps reconnecting until `stop`). */
  async start(): Promise<void> {
    installWebSocketGlobals();
    this.disconnectedSince = this.options.now();
    if ((await this.readUntil()) === undefined) {
      // The very first start: what people wrote to the bot before it ran is conversation, not commands.
      this.firstStartAt = this.options.now();
      await this.options.chat.setMattermostDmsReadUntil(this.firstStartAt);
    }
    const { timing, token } = this.options;
    const client = new WebSocketClient({
      newWebSocketFn: (url: string) => {
        // Header authentication lets the server resume a dropped connection without loss.
        const socket = new SocketShim(new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } }), this.options.log);
        this.socket = socket;
        return socket as unknown as globalThis.WebSocket;
      },
      minWebSocketRetryTime: timing.minRetryMs,
      maxWebSocketRetryTime: timing.maxRetryMs,
      reconnectJitterRange: timing.jitterMs,
      clientPingInterval: timing.pingIntervalMs,
    });
    // One event after another: taking a post reads and writes the store (its claim), and the posts of a
    // channel must reach their queue in the order the server sent them.
    client.addMessageListener((message) => {
      this.events = this.events.then(() => this.onEvent(message)).catch((error: unknown) => this.options.log.error({ err: error }, "handling a Mattermost event failed"));
    });
    client.addMissedMessageListener(() => {
      this.options.log.info("Mattermost could not replay what the WebSocket missed; reading the DMs over REST");
      this.requestCatchUp();
    });
    client.addCloseListener((failures) => {
      if (this.connectedState) this.options.log.warn("Mattermost WebSocket closed; reconnecting");
      else if (failures === 10) this.options.log.warn({ failures }, "still cannot connect to the Mattermost WebSocket; retrying with longer waits");
      this.connectedState = false;
      this.closes += 1;
      this.disconnectedSince ??= this.options.now();
    });
    client.addReconnectListener(() => this.markConnected("Mattermost WebSocket connected again"));
    client.addFirstConnectListener(() => this.markConnected("Mattermost WebSocket connected"));
    this.socketClient = client;
    // No token here: it went in the upgrade's header; a challenge would make every reconnect a new connection.
    client.initialize(this.options.websocketUrl);
  }

  /** Resolves true once connected, false after `timeoutMs` (the client keeps trying). */
  waitConnected(timeoutMs: number): Promise<boolean> {
    if (this.connectedState) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.connectedWaiters.delete(onConnected);
        resolve(value);
      };
      const onConnected = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.connectedWaiters.add(onConnected);
    });
  }

  /** Closes the connection, stops reconnecting, and waits for commands already started. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    const stoppedAt = this.options.now();
    const liveOn = this.connectedState ? this.closes : undefined;
    this.stopped = true;
    this.socketClient?.close();
    // close() leaves a socket that is still connecting alone; detach it so no reconnect follows.
    this.socket?.detach();
    this.connectedState = false;
    for (const waiter of this.connectedWaiters) waiter();
    await this.catchUp;
    await this.queue.idle();
    // Connected and caught up until now: the next start reads DM channels it has never seen from here.
    if (liveOn !== undefined && this.caughtUpOn === liveOn) await this.markReadUntil(stoppedAt);
  }

  /** Resolves when every DM received so far has been acted on (for tests and shutdown). */
  async idle(): Promise<void> {
    await this.catchUp;
    await this.queue.idle();
  }

  private markConnected(what: string): void {
    this.connectedState = true;
    this.disconnectedSince = undefined;
    this.options.log.info(what);
    for (const waiter of [...this.connectedWaiters]) waiter();
  }

  private async onEvent(message: WebSocketMessage): Promise<void> {
    if (this.stopped) return;
    switch (message.event) {
      case "hello":
        if (!this.helloSeen) {
          // After a start, read what people wrote while the bot was away.
          this.helloSeen = true;
          this.requestCatchUp();
        }
        return;
      case "posted":
        await this.onPosted(message.data);
        return;
      case "direct_added":
        await this.onDirectAdded(message.data, message.broadcast.channel_id);
        return;
      default:
        return;
    }
  }

  private async onPosted(data: unknown): Promise<void> {
    const parsed = postedDataSchema.safeParse(data);
    if (!parsed.success) return;
    const direct = parsed.data.channel_type === "D";
    // Channel posts matter only as thread replies (a bug's thread); the rest of a channel is chat.
    if (!direct && (parsed.data.channel_type !== "O" && parsed.data.channel_type !== "P")) return;
    if (!direct && !this.options.onThreadReply) return;
    let post: WirePost;
    try {
      post = postSchema.parse(JSON.parse(parsed.data.post));
    } catch (error) {
      this.options.log.warn({ err: error }, "ignored a posted event whose post could not be read");
      return;
    }
    if (direct) await this.accept(post, false);
    else await this.acceptThreadReply(post);
  }

  /** A channel post: handed over when it is someone's reply in a thread, once per post. */
  private async acceptThreadReply(post: WirePost): Promise<void> {
    const onThreadReply = this.options.onThreadReply;
    if (!onThreadReply || post.root_id === "" || post.user_id === this.options.botUserId || post.type !== "" || post.delete_at > 0) return;
    if (post.props?.["from_bot"] === "true" || post.props?.["from_webhook"] === "true") return;
    if (!(await this.options.claim(post.id, post.channel_id))) return;
    const reply: ThreadReply = { postId: post.id, channelId: post.channel_id, userId: post.user_id, rootId: post.root_id, message: post.message };
    void this.queue.run(post.channel_id, async () => {
      try {
        await onThreadReply(reply);
      } catch (error) {
        this.options.log.error({ err: error, postId: post.id }, "handling a thread reply failed");
      }
    });
  }

  private async onDirectAdded(data: unknown, channelId: string): Promise<void> {
    const parsed = directAddedDataSchema.safeParse(data);
    if (!parsed.success || channelId === "") return;
    const { creator_id: creator, teammate_id: teammate } = parsed.data;
    const other = creator === this.options.botUserId ? teammate : creator;
    if (other !== this.options.botUserId && (creator === this.options.botUserId || teammate === this.options.botUserId)) {
      // A new channel has no history: everything in it from now on is for the bot.
      await this.options.onDirectChannel(channelId, other, 0);
    }
  }

  /** Takes a post from an event or a catch-up: checks, claims and queues it. */
  private async accept(post: WirePost, fromCatchUp: boolean): Promise<void> {
    if (!fromCatchUp && this.catchUp) {
      this.held.push(post);
      return;
    }
    // The bot's own posts come back as events; system messages and other bots' posts are no commands.
    if (post.user_id === this.options.botUserId || post.type !== "" || post.delete_at > 0) return;
    if (post.props?.["from_bot"] === "true" || post.props?.["from_webhook"] === "true") return;
    if (this.seen.has(post.id)) return;
    const now = this.options.now();
    if (!(await this.options.claim(post.id, post.channel_id))) {
      this.seen.add(post.id);
      return;
    }
    this.seen.add(post.id);
    await this.options.onDirectChannel(post.channel_id, post.user_id, 0);
    await this.options.chat.advanceMattermostDm(post.channel_id, post.create_at, new Date(now));
    const message: DirectMessage = {
      postId: post.id,
      channelId: post.channel_id,
      userId: post.user_id,
      rootId: post.root_id,
      message: post.message,
      createAt: post.create_at,
      late: fromCatchUp && now - post.create_at > this.options.timing.catchUpMaxAgeMs,
    };
    void this.queue.run(post.channel_id, async () => {
      try {
        await this.options.onMessage(message);
      } catch (error) {
        this.options.log.error({ err: error, postId: post.id }, "answering a direct message failed");
      }
    });
  }

  /** Starts a catch-up, or (when one runs) another one right after it. */
  private requestCatchUp(): void {
    if (this.stopped) return;
    if (this.catchUp) {
      this.catchUpAgain = true;
      return;
    }
    this.catchUp = (async () => {
      do {
        this.catchUpAgain = false;
        await this.readMissedPosts();
      } while (this.catchUpAgain && !this.stopped);
    })().finally(async () => {
      this.catchUp = undefined;
      // The catch-up has claimed what it found; the rest of the held posts are new.
      for (const post of this.held.splice(0).sort((a, b) => a.create_at - b.create_at)) await this.accept(post, false);
    });
  }

  private async readMissedPosts(): Promise<void> {
    const startedAt = this.options.now();
    const connection = this.closes;
    const readBefore = await this.readUntil();
    let complete = await this.learnDirectChannels();
    for (const dm of await this.options.chat.mattermostDms()) {
      if (this.stopped) return;
      try {
        const list = postListSchema.parse(await this.options.client.getPostsSince(dm.channelId, dm.lastPostAt));
        const posts = list.order
          .map((id) => postSchema.safeParse(list.posts[id]))
          .flatMap((parsed) => (parsed.success ? [parsed.data] : []))
          // `since` also returns older posts edited since; those were there before.
          .filter((post) => post.create_at >= dm.lastPostAt)
          .sort((a, b) => a.create_at - b.create_at);
        for (const post of posts) await this.accept(post, true);
      } catch (error) {
        complete = false;
        this.options.log.warn({ err: error, channelId: dm.channelId }, "could not read missed direct messages; they are read at the next reconnect");
      }
    }
    if (readBefore !== undefined && !(await this.readMissedThreadReplies(readBefore))) complete = false;
    if (complete) {
      // What was posted before the catch-up started has been read; what came after arrives live.
      await this.markReadUntil(startedAt);
      this.caughtUpOn = connection;
    }
  }

  /**
   * Replies in bugs' threads posted since `readBefore` (less the server's clock skew) in the channels
   * where the bot keeps threads, each handed over as a live one would be (the claim keeps it once).
   * Resolves false when a channel could not be read.
   */
  private async readMissedThreadReplies(readBefore: number): Promise<boolean> {
    if (!this.options.onThreadReply || !this.options.threadChannels) return true;
    let complete = true;
    const since = Math.max(0, readBefore - CLOCK_SKEW_MS);
    for (const channelId of await this.options.threadChannels()) {
      if (this.stopped) return complete;
      try {
        const list = postListSchema.parse(await this.options.client.getPostsSince(channelId, since));
        const replies = list.order
          .map((id) => postSchema.safeParse(list.posts[id]))
          .flatMap((parsed) => (parsed.success ? [parsed.data] : []))
          .filter((post) => post.root_id !== "" && post.create_at >= since)
          .sort((a, b) => a.create_at - b.create_at);
        for (const post of replies) await this.acceptThreadReply(post);
      } catch (error) {
        complete = false;
        this.options.log.warn({ err: error, channelId }, "could not read missed replies in bug threads; they are read at the next reconnect");
      }
    }
    return complete;
  }

  /**
   * Adds the bot's DM channels it has never seen to the store, to be read from when the bot last
   * read its DMs (after its very first start: from that start exactly). Resolves false when the
   * server could not list them.
   */
  private async learnDirectChannels(): Promise<boolean> {
    let listed: unknown[];
    try {
      listed = z.array(z.unknown()).parse(await this.options.client.getAllTeamsChannels());
    } catch (error) {
      this.options.log.warn({ err: error }, "could not list the bot's direct message channels; only those it knows are read");
      return false;
    }
    const known = new Set((await this.options.chat.mattermostDms()).map((dm) => dm.channelId));
    const readUntil = (await this.readUntil()) ?? this.options.now();
    const since = readUntil === this.firstStartAt ? readUntil : Math.max(0, readUntil - CLOCK_SKEW_MS);
    for (const entry of listed) {
      const channel = channelSchema.safeParse(entry);
      if (!channel.success || channel.data.type !== "D" || known.has(channel.data.id)) continue;
      // A DM channel is named after both members' ids: `<id>__<id>`.
      const other = channel.data.name.split("__").find((id) => id !== this.options.botUserId);
      if (other === undefined || other === "") continue;
      await this.options.onDirectChannel(channel.data.id, other, since);
    }
    return true;
  }

  private readUntil(): Promise<number | undefined> {
    return this.options.chat.mattermostDmsReadUntil();
  }

  private async markReadUntil(at: number): Promise<void> {
    if (at > ((await this.readUntil()) ?? 0)) await this.options.chat.setMattermostDmsReadUntil(at);
  }
}

type Handler<T> = ((event: T) => void) | null;

/**
 * The `ws` socket as WebSocketClient sees it: the browser WebSocket's few members it uses. The
 * client writes every error event to the console; a raw `ws` event would drag the upgrade request,
 * bot token included, into stdout, so it only ever gets a bare Event and the reason goes to the log.
 */
class SocketShim {
  onopen: Handler<Event> = null;
  onclose: Handler<{ code: number; reason: string; wasClean: boolean }> = null;
  onmessage: Handler<{ data: string }> = null;
  onerror: Handler<Event> = null;

  constructor(
    private readonly socket: WebSocket,
    log: Logger,
  ) {
    socket.on("open", () => this.onopen?.(new Event("open")));
    socket.on("message", (data: WebSocket.RawData) => this.onmessage?.({ data: rawText(data) }));
    socket.on("close", (code: number, reason: Buffer) => this.onclose?.({ code, reason: reason.toString("utf8"), wasClean: code === 1000 }));
    // Always listened to: an "error" without a listener (a socket ended while connecting) would crash the process.
    socket.on("error", (error: Error) => {
      log.debug({ reason: error.message }, "Mattermost WebSocket error");
      this.onerror?.(new Event("error"));
    });
  }

  get readyState(): number {
    return this.socket.readyState;
  }

  send(data: string): void {
    this.socket.send(data);
  }

  close(): void {
    this.socket.close();
  }

  /** Ends the socket without telling the client (it is being shut down). */
  detach(): void {
    this.onopen = null;
    this.onclose = null;
    this.onmessage = null;
    this.onerror = null;
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.terminate();
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}
