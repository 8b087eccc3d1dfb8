/**
 * The Matrix chat adapter on matrix-bot-sdk 0.7.1: commands typed as `!support ...` in the
 * configured rooms and in DMs, answered with `m.notice` events (the spec's message type for bots,
 * which no bot answers); a guided conversation in place of Mattermost's call dialog; DMs through
 * `m.direct`; one thread per bug per room; invites accepted only from trusted people; the sync
 * position in the store so a restart does not replay history. Encryption is off: the bot cannot
 * read encrypted rooms and says so once per room.
 */
import { LogLevel, LogService, MatrixClient, MatrixError } from "matrix-bot-sdk";
import type { Logger } from "pino";
import { z } from "zod";
import type { BotCore } from "../../app.js";
import { BotError, ConfigError, UpstreamUnavailableError } from "../../errors.js";
import type { Message, Reply } from "../../framework/reply.js";
import type { StaffDirectory, StaffMember } from "../../identity.js";
import type { MatrixNoticeKind } from "../../store/matrix-repo.js";
import type { Store } from "../../store/store.js";
import type { ChatAdapter } from "../chat-adapter.js";
import type { ChannelKey, Notifier } from "../notifier.js";
import { CALL_FIELDS, CallConversation, validatorFromCatalog } from "./call-conversation.js";
import { DirectRooms } from "./direct-rooms.js";
import { KeyedQueue } from "../keyed-queue.js";
import { DEFAULT_RETRY, withRateLimitRetry, type RetryPolicy } from "./rate-limit.js";
import { renderNotice, type NoticeContent } from "./render.js";
import { inviterAllowed, type MatrixSettings } from "./settings.js";
import { StoreStorageProvider } from "./store-storage-provider.js";
import { abortSyncRequests, trackSyncRequests } from "./sync-requests.js";

/** What the adapter needs; built once at start-up by the live runner. */
export interface MatrixAdapterOptions {
  settings: MatrixSettings;
  /** The bot core every command line goes to (its registry also checks the guided `call` answers). */
  core: BotCore;
  staff: StaffDirectory;
  store: Store;
  logger: Logger;
  /** Wall clock in ms, to tell events sent before the start from new ones; default Date.now. */
  clock?: () => number;
  /** Overrides of the rate-limit retry policy. */
  retry?: Partial<Omit<RetryPolicy, "log" | "signal">>;
  /** Runs `callback` after `ms` (the guided conversation's timeout); tests fire it by hand. */
  schedule?: (callback: () => void, ms: number) => ScheduledTimer;
}

/** A pending callback of {@link MatrixAdapterOptions.schedule}. */
export interface ScheduledTimer {
  cancel(): void;
}

function scheduleWithTimeout(callback: () => void, ms: number): ScheduledTimer {
  const timer = setTimeout(callback, ms);
  // A pending form must not keep the process alive on shutdown.
  timer.unref();
  return { cancel: () => clearTimeout(timer) };
}

/** How long a handled event id is remembered; older events are ignored by their age anyway. */
/**
 * Commands whose replies show customers' personal data "only to you" (commands/lead.ts). A thread
 * is visible to the whole room, so in rooms their replies go to the caller's DM instead.
 */
const PERSONAL_DATA_REPLY_COMMANDS = new Set(["lead"]);

const HANDLED_EVENTS_KEPT_MS = 7 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 24 * 3_600_000;

const relatesToSchema = z.looseObject({
  rel_type: z.string().optional(),
  event_id: z.string().optional(),
});

const roomEventSchema = z.looseObject({
  event_id: z.string(),
  sender: z.string(),
  type: z.string(),
  origin_server_ts: z.number(),
  content: z.looseObject({
    msgtype: z.string().optional(),
    body: z.unknown().optional(),
    is_direct: z.boolean().optional(),
    "m.relates_to": relatesToSchema.optional(),
  }),
  unsigned: z.looseObject({ age: z.number().optional() }).optional(),
});
type RoomEvent = z.infer<typeof roomEventSchema>;

const encryptedEventSchema = z.looseObject({ type: z.literal("m.room.encrypted") });
const accountDataSchema = z.looseObject({ type: z.string(), content: z.unknown() });
const sendResponseSchema = z.looseObject({ event_id: z.string() });

/** Where a command came from: the room, the event, and the thread it was typed in (if any). */
interface CommandOrigin {
  roomId: string;
  eventId: string;
  sender: string;
  threadRoot?: string;
  isDirect: boolean;
}

interface ActiveConversation {
  form: CallConversation;
  /** The person filling it in (their Matrix id as the events carry it). */
  sender: string;
  roomId: string;
  member: StaffMember;
  /** Answers typed by the person: personal data, deleted from the room when the form ends. */
  answerEventIds: string[];
  timer: ScheduledTimer | undefined;
}

/** Routes the SDK's global log through our logger; never at TRACE, where the SDK logs request and sync bodies. */
function routeSdkLogs(log: Logger): void {
  const text = (parts: unknown[]) =>
    parts.map((part) => (typeof part === "string" ? part : part instanceof Error ? part.message : JSON.stringify(part))).join(" ");
  // The HTTP client reports every refused request (an expected 404, a 429 that is retried) as an
  // error; the adapter logs what a failure means, so those stay at debug.
  const quietModules = new Set(["MatrixHttpClient"]);
  LogService.setLogger({
    trace: () => undefined,
    debug: (module: string, ...parts: unknown[]) => log.debug({ sdkModule: module }, text(parts)),
    info: (module: string, ...parts: unknown[]) => log.debug({ sdkModule: module }, text(parts)),
    warn: (module: string, ...parts: unknown[]) => log.warn({ sdkModule: module }, text(parts)),
    error: (module: string, ...parts: unknown[]) =>
      quietModules.has(module) ? log.debug({ sdkModule: module }, text(parts)) : log.warn({ sdkModule: module }, text(parts)),
  });
  LogService.setLevel(LogLevel.INFO);
}

/** Creates the Matrix adapter; nothing connects until `start()`. */
export function createMatrixAdapter(options: MatrixAdapterOptions): ChatAdapter {
  return new MatrixAdapter(options);
}

class MatrixAdapter implements ChatAdapter {
  readonly platform = "matrix" as const;
  readonly notifier: Notifier;

  private readonly settings: MatrixSettings;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly schedule: (callback: () => void, ms: number) => ScheduledTimer;
  private readonly storage: StoreStorageProvider;
  private readonly client: MatrixClient;
  private readonly directRooms: DirectRooms;
  private readonly abort = new AbortController();
  private readonly retryPolicy: RetryPolicy;
  /** Incoming events, in order per room. */
  private readonly incoming = new KeyedQueue();
  /** Bug threads, one writer per room and bug. */
  private readonly threads = new KeyedQueue();
  private readonly conversations = new Map<string, ActiveConversation>();
  /** Configured room id to channel key, once aliases are resolved. */
  private readonly channelOfRoom = new Map<string, string>();
  private readonly roomOfChannel = new Map<string, string>();
  private botUserId = "";
  private startedAt = Number.POSITIVE_INFINITY;
  private stopped = false;
  private lastPrune = 0;
  private txnCounter = 0;

  constructor(private readonly options: MatrixAdapterOptions) {
    this.settings = options.settings;
    this.log = options.logger.child({ component: "matrix" });
    this.clock = options.clock ?? Date.now;
    this.schedule = options.schedule ?? scheduleWithTimeout;
    this.retryPolicy = { ...DEFAULT_RETRY, ...options.retry, log: this.log, signal: this.abort.signal };
    this.storage = new StoreStorageProvider(options.store);
    this.client = new MatrixClient(this.settings.homeserverUrl, this.settings.accessToken, this.storage);
    this.disableSdkDirectTracking();
    this.directRooms = new DirectRooms(this.client, (what, action) => this.retry(what, action), this.log);
    this.notifier = {
      direct: (recipient, message) => this.sendDirect(recipient, message),
      channel: (channel, message) => this.sendToChannel(channel, message),
    };
  }

  async start(): Promise<void> {
    routeSdkLogs(this.log);
    trackSyncRequests();
    try {
      this.botUserId = await this.client.getUserId();
    } catch (error) {
      if (error instanceof MatrixError && (error.statusCode === 401 || error.errcode === "M_UNKNOWN_TOKEN" || error.errcode === "M_MISSING_TOKEN")) {
        throw new ConfigError(["MATRIX_ACCESS_TOKEN: the homeserver refused it (log the bot in again and use the new token; see docs/matrix.md)"]);
      }
      throw new UpstreamUnavailableError("The Matrix homeserver could not be reached.", {
        cause: error,
        hint: "Check MATRIX_HOMESERVER_URL (the client-server API base URL, e.g. https://matrix.example.org) and that the homeserver is up.",
      });
    }
    this.storage.bindUser(this.botUserId);
    this.lastPrune = this.clock();
    this.options.store.matrix.pruneHandledEvents(new Date(this.lastPrune - HANDLED_EVENTS_KEPT_MS));
    await this.directRooms.load();
    await this.joinConfiguredRooms();

    this.client.on("room.invite", (roomId: string, event: unknown) => {
      if (!this.stopped) void this.incoming.run(roomId, () => this.guard("invite", () => this.onInvite(roomId, event)));
    });
    this.client.on("room.message", (roomId: string, event: unknown) => this.onRoomEvent(roomId, event, (e) => this.onMessage(roomId, e)));
    this.client.on("room.event", (roomId: string, event: unknown) => {
      if (encryptedEventSchema.safeParse(event).success) {
        this.onRoomEvent(roomId, event, (e) => this.onEncrypted(roomId, e));
      }
    });
    this.client.on("room.leave", (roomId: string) => this.directRooms.forget(roomId));
    this.client.on("account_data", (event: unknown) => {
      const parsed = accountDataSchema.safeParse(event);
      if (parsed.success && parsed.data.type === "m.direct") this.directRooms.update(parsed.data.content);
    });
    // As late as possible before the first sync: everything sent earlier counts as history.
    this.startedAt = this.clock();
    await this.client.start();
    this.log.info({ userId: this.botUserId, rooms: Object.keys(this.settings.rooms) }, "Matrix adapter started");
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // Whatever a last sync brings is left for the next start (the storage keeps the old position),
    // which ignores it by age.
    this.storage.freeze();
    this.client.stop();
    abortSyncRequests(this.settings.accessToken);
    const open = [...this.conversations.values()];
    this.conversations.clear();
    for (const conversation of open) conversation.timer?.cancel();
    await this.incoming.idle();
    await Promise.allSettled(open.map((conversation) => this.endConversation(conversation, "I am restarting, so I stopped the call form; nothing was logged.")));
    this.abort.abort();
    this.log.info("Matrix adapter stopped");
  }

  // --- incoming ------------------------------------------------------------------------------

  /**
   * The gate every room event passes: not ours, not from before the start (estimated with the
   * server's `unsigned.age`, so clock skew does not matter), not handled before (a replayed sync).
   */
  private onRoomEvent(roomId: string, raw: unknown, handle: (event: RoomEvent) => Promise<void>): void {
    if (this.stopped) return;
    const parsed = roomEventSchema.safeParse(raw);
    if (!parsed.success) return;
    const event = parsed.data;
    if (event.sender === this.botUserId) return;
    const now = this.clock();
    const sentAt = event.unsigned?.age !== undefined ? now - event.unsigned.age : event.origin_server_ts;
    if (sentAt < this.startedAt) {
      this.log.debug({ roomId, eventId: event.event_id }, "ignoring an event from before the start");
      return;
    }
    if (!this.options.store.matrix.markEventHandled(event.event_id, roomId, new Date(now))) return;
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now;
      this.options.store.matrix.pruneHandledEvents(new Date(now - HANDLED_EVENTS_KEPT_MS));
    }
    void this.incoming.run(roomId, () => this.guard("event", () => handle(event)));
  }

  /** Runs a handler and logs (never throws) what went wrong; the event text is never logged. */
  private async guard(what: string, handler: () => Promise<void>): Promise<void> {
    try {
      await handler();
    } catch (error) {
      this.log.error({ err: error, what }, "handling a Matrix event failed");
    }
  }

  private async onInvite(roomId: string, raw: unknown): Promise<void> {
    const parsed = roomEventSchema.safeParse(raw);
    if (!parsed.success) return;
    const inviter = parsed.data.sender;
    const configured = this.channelOfRoom.has(roomId);
    const trusted = this.options.staff.findByPlatformUser("matrix", inviter) !== undefined || inviterAllowed(inviter, this.settings.allowedInviters);
    if (!configured && !trusted) {
      this.log.info({ roomId, inviter }, "refused an invite from someone not allowed to invite the bot");
      await this.retry("reject an invite", () => this.client.leaveRoom(roomId));
      return;
    }
    await this.retry("join a room", () => this.client.joinRoom(roomId));
    this.log.info({ roomId, inviter }, "joined a room on invite");
    if (parsed.data.content.is_direct === true) await this.directRooms.record(inviter, roomId);
  }

  private async onMessage(roomId: string, event: RoomEvent): Promise<void> {
    const { content } = event;
    // m.notice is for bots and must never be answered (spec: m.notice); edits would run a command twice.
    if (content.msgtype !== "m.text" || typeof content.body !== "string") return;
    if (content["m.relates_to"]?.rel_type === "m.replace") return;
    const body = content.body.trim();
    const line = this.commandLine(body);
    const isDirect = this.directRooms.isDirect(roomId);
    const threadRoot = content["m.relates_to"]?.rel_type === "m.thread" ? content["m.relates_to"].event_id : undefined;
    const origin: CommandOrigin = { roomId, eventId: event.event_id, sender: event.sender, threadRoot, isDirect };

    if (line === undefined) {
      const conversation = this.conversations.get(event.sender);
      if (conversation && conversation.roomId === roomId) await this.onAnswer(conversation, event.event_id, body);
      return;
    }
    const member = this.options.staff.findByPlatformUser("matrix", event.sender);
    if (!isDirect && !this.channelOfRoom.has(roomId)) {
      if (member) {
        await this.noticeOnce("room-not-allowed", roomId, origin, [
          `I take commands only in the rooms configured for me and in direct messages, so I ignore them here.`,
          `An administrator can add this room to MATRIX_ROOMS, or send me \`${this.settings.commandPrefix} help\` in a direct message.`,
        ].join(" "));
      }
      return;
    }
    if (!member) {
      await this.noticeOnce("unlinked", event.sender, origin, this.unlinkedText(event.sender));
      return;
    }
    const commandLine = line === "" ? "help" : line;
    if (this.isBareCall(commandLine)) {
      await this.startConversation(member, origin);
      return;
    }
    const result = await this.options.core.run("matrix", event.sender, commandLine);
    let reply = result.reply;
    if (this.isCall(commandLine) && !(await this.redact(roomId, [event.event_id]))) {
      reply = { ...reply, text: `${reply.text}\nPlease delete your message with the command: it holds the customer's personal data, which belongs only in the bot's store.` };
    }
    if (!isDirect && reply.visibility === "ephemeral" && PERSONAL_DATA_REPLY_COMMANDS.has(this.commandName(commandLine) ?? "")) {
      await this.sendNotice(await this.directRooms.roomFor(event.sender), renderNotice(reply, this.settings.commandPrefix));
      await this.reply(origin, { visibility: "ephemeral", text: "I answered you in a direct message: the answer holds customers' personal data." });
      return;
    }
    await this.reply(origin, reply);
  }

  private async onEncrypted(roomId: string, event: RoomEvent): Promise<void> {
    const isDirect = this.directRooms.isDirect(roomId);
    if (!isDirect && !this.channelOfRoom.has(roomId)) return;
    const member = this.options.staff.findByPlatformUser("matrix", event.sender);
    const origin: CommandOrigin = { roomId, eventId: event.event_id, sender: event.sender, isDirect };
    const lines = [
      "This room is end-to-end encrypted, and I cannot read encrypted messages, so I do not see commands here.",
      "Use me in an unencrypted room or direct chat.",
    ];
    if (isDirect && member && this.options.store.matrix.claimNotice("encrypted", roomId, new Date(this.clock()))) {
      try {
        const plainRoom = await this.directRooms.roomFor(event.sender);
        lines[1] = "I invited you to a direct chat without encryption: commands and reminders work there.";
        await this.sendNotice(plainRoom, renderNotice({ text: `Here you can send me commands, e.g. \`${this.settings.commandPrefix} help\`.` }, this.settings.commandPrefix));
      } catch (error) {
        this.log.warn({ err: error, roomId }, "could not open an unencrypted DM");
      }
      await this.sendReplyNotice(origin, lines.join(" "), "encrypted", roomId);
      return;
    }
    await this.noticeOnce("encrypted", roomId, origin, lines.join(" "));
  }

  /** The text after the prefix (empty for the bare prefix), or undefined when the message is no command. */
  private commandLine(body: string): string | undefined {
    const prefix = this.settings.commandPrefix;
    if (body.length < prefix.length || body.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return undefined;
    const rest = body.slice(prefix.length);
    if (rest !== "" && !/^\s/.test(rest)) return undefined;
    return rest.trim();
  }

  /** The registered name of the command a line runs (aliases resolved). */
  private commandName(line: string): string | undefined {
    return this.options.core.services.commands.find(line.split(/\s+/, 1)[0] ?? "")?.name;
  }

  private isCall(line: string): boolean {
    return this.commandName(line) === "call";
  }

  private isBareCall(line: string): boolean {
    return this.isCall(line) && line.trim().split(/\s+/).length === 1;
  }

  /** The dispatcher's own explanation of how to get linked. */
  private unlinkedText(sender: string): string {
    try {
      this.options.staff.requireByPlatformUser("matrix", sender);
      return "";
    } catch (error) {
      return error instanceof BotError ? error.userMessage : "You are not linked to a staff account yet.";
    }
  }

  // --- guided call form ----------------------------------------------------------------------

  private async startConversation(member: StaffMember, origin: CommandOrigin): Promise<void> {
    const previous = this.conversations.get(origin.sender);
    if (previous) {
      this.conversations.delete(origin.sender);
      previous.timer?.cancel();
      await this.redact(previous.roomId, previous.answerEventIds);
    }
    const roomId = origin.isDirect ? origin.roomId : await this.directRooms.roomFor(origin.sender);
    const form = new CallConversation(validatorFromCatalog(this.options.core.services.commands), this.settings.commandPrefix);
    const conversation: ActiveConversation = { form, sender: origin.sender, roomId, member, answerEventIds: [], timer: undefined };
    this.conversations.set(origin.sender, conversation);
    this.armTimeout(conversation);
    if (!origin.isDirect) {
      await this.reply(origin, {
        visibility: "ephemeral",
        text: "I sent you a direct message to take the call's details, so the customer's personal data stays out of this room.",
      });
    }
    await this.sendNotice(roomId, renderNotice({ text: form.start() }, this.settings.commandPrefix));
  }

  private async onAnswer(conversation: ActiveConversation, eventId: string, body: string): Promise<void> {
    conversation.answerEventIds.push(eventId);
    this.armTimeout(conversation);
    const step = conversation.form.answer(body);
    const prefix = this.settings.commandPrefix;
    switch (step.kind) {
      case "ask":
      case "invalid":
        await this.sendNotice(conversation.roomId, renderNotice({ text: step.text }, prefix));
        return;
      case "cancelled":
        this.finish(conversation);
        await this.endConversation(conversation, step.text);
        return;
      case "done": {
        conversation.timer?.cancel();
        const result = await this.options.core.run("matrix", conversation.sender, step.line);
        const field = /^(\w+):/.exec(result.reply.text)?.[1];
        if (result.kind === "refused" && field !== undefined && (CALL_FIELDS as readonly string[]).includes(field) && conversation.form.reopen(field)) {
          this.armTimeout(conversation);
          await this.sendNotice(conversation.roomId, renderNotice({ text: `${result.reply.text.split("\n")[0]}\n\n${conversation.form.question}` }, prefix));
          return;
        }
        this.finish(conversation);
        await this.sendNotice(conversation.roomId, renderNotice(result.reply, prefix));
        await this.endConversation(conversation, result.kind === "ok" ? undefined : `Nothing was logged. Start again with \`${prefix} call\`.`);
        return;
      }
    }
  }

  private armTimeout(conversation: ActiveConversation): void {
    conversation.timer?.cancel();
    const minutes = Math.round(this.settings.conversationTimeoutMs / 60_000);
    const after = minutes >= 1 ? `${minutes} minute${minutes === 1 ? "" : "s"}` : "a while";
    conversation.timer = this.schedule(() => {
      void this.incoming.run(conversation.roomId, () =>
        this.guard("conversation timeout", async () => {
          if (this.conversations.get(conversation.sender) !== conversation) return;
          this.finish(conversation);
          await this.endConversation(conversation, `No answer for ${after}, so I stopped the call form; nothing was logged. Start again with \`${this.settings.commandPrefix} call\`.`);
        }),
      );
    }, this.settings.conversationTimeoutMs);
  }

  private finish(conversation: ActiveConversation): void {
    conversation.timer?.cancel();
    for (const [sender, active] of this.conversations) if (active === conversation) this.conversations.delete(sender);
  }

  /** Says the last word (if any) and deletes the person's answers from the room. */
  private async endConversation(conversation: ActiveConversation, text: string | undefined): Promise<void> {
    if (text !== undefined) await this.sendNotice(conversation.roomId, renderNotice({ text }, this.settings.commandPrefix));
    if (!(await this.redact(conversation.roomId, conversation.answerEventIds))) {
      await this.sendNotice(
        conversation.roomId,
        renderNotice({ text: "I could not delete your answers above; please delete them yourself, they hold the customer's personal data." }, this.settings.commandPrefix),
      );
    }
  }

  /** Deletes events (best effort); false when any could not be deleted. */
  private async redact(roomId: string, eventIds: readonly string[]): Promise<boolean> {
    let allDone = true;
    for (const eventId of eventIds) {
      try {
        await this.retry("redact a message", () => this.client.redactEvent(roomId, eventId, "customer's personal data: kept in the support bot's store"));
      } catch (error) {
        allDone = false;
        this.log.warn({ err: error, roomId, eventId }, "could not delete a message holding personal data");
      }
    }
    return allDone;
  }

  // --- outgoing ------------------------------------------------------------------------------

  /**
   * Answers a command. Matrix has no ephemeral messages: replies meant for the caller go into a
   * thread under the command (in rooms), replies for everyone answer the command in the room.
   */
  private async reply(origin: CommandOrigin, reply: Reply): Promise<void> {
    const content = renderNotice(reply, this.settings.commandPrefix);
    await this.sendNotice(origin.roomId, { ...content, "m.relates_to": this.replyRelation(origin, reply.visibility) });
  }

  private replyRelation(origin: CommandOrigin, visibility: Reply["visibility"]): Record<string, unknown> {
    const inReplyTo = { event_id: origin.eventId };
    if (origin.threadRoot !== undefined) {
      return { rel_type: "m.thread", event_id: origin.threadRoot, is_falling_back: false, "m.in_reply_to": inReplyTo };
    }
    if (!origin.isDirect && visibility === "ephemeral") {
      // A new thread rooted at the command; the reply fallback points at the root.
      return { rel_type: "m.thread", event_id: origin.eventId, is_falling_back: true, "m.in_reply_to": inReplyTo };
    }
    return { "m.in_reply_to": inReplyTo };
  }

  /** A one-time notice as a reply; claimed in the store first, given back if sending fails. */
  private async noticeOnce(kind: MatrixNoticeKind, target: string, origin: CommandOrigin, text: string): Promise<void> {
    if (!this.options.store.matrix.claimNotice(kind, target, new Date(this.clock()))) {
      this.log.debug({ kind, roomId: origin.roomId, sender: origin.sender }, "ignored a message (notice already given)");
      return;
    }
    await this.sendReplyNotice(origin, text, kind, target);
  }

  private async sendReplyNotice(origin: CommandOrigin, text: string, kind: MatrixNoticeKind, target: string): Promise<void> {
    try {
      await this.reply(origin, { visibility: "ephemeral", text });
      this.log.info({ kind, roomId: origin.roomId, sender: origin.sender }, "gave a one-time notice");
    } catch (error) {
      this.options.store.matrix.releaseNotice(kind, target);
      throw error;
    }
  }

  private async sendDirect(recipient: StaffMember, message: Message): Promise<void> {
    const userId = recipient.accounts.matrix;
    if (!userId) {
      this.log.debug({ staff: recipient.name }, "no Matrix id; direct message not sent on Matrix");
      return;
    }
    const content = renderNotice(message, this.settings.commandPrefix);
    const roomId = await this.directRooms.roomFor(userId);
    try {
      await this.sendNotice(roomId, content);
    } catch (error) {
      // Removed from the DM since it was chosen: find or create another one, once.
      if (!(error instanceof MatrixError && error.errcode === "M_FORBIDDEN")) throw error;
      this.directRooms.forget(roomId);
      await this.sendNotice(await this.directRooms.roomFor(userId), content);
    }
  }

  /** A post in a configured room; a message about a bug goes into that bug's thread there. */
  private async sendToChannel(channel: ChannelKey, message: Message): Promise<void> {
    const roomId = this.roomOfChannel.get(channel);
    if (roomId === undefined) {
      this.log.debug({ channel }, "no Matrix room configured for this channel; post not sent on Matrix");
      return;
    }
    const content = renderNotice(message, this.settings.commandPrefix);
    const bugId = message.bugId;
    if (bugId === undefined) {
      await this.sendNotice(roomId, content);
      return;
    }
    await this.threads.run(`${roomId}|${bugId}`, async () => {
      const thread = this.options.store.matrix.getThread(roomId, bugId);
      if (thread === undefined) {
        const rootEventId = await this.sendNotice(roomId, content);
        this.options.store.matrix.saveThread({ roomId, bugId, rootEventId, lastEventId: rootEventId }, new Date(this.clock()));
        return;
      }
      const eventId = await this.sendNotice(roomId, {
        ...content,
        "m.relates_to": { rel_type: "m.thread", event_id: thread.rootEventId, is_falling_back: true, "m.in_reply_to": { event_id: thread.lastEventId } },
      });
      this.options.store.matrix.saveThread({ ...thread, lastEventId: eventId }, new Date(this.clock()));
    });
  }

  /**
   * Sends an `m.room.message` with one transaction id for every retry, so the homeserver drops a
   * duplicate if an earlier try did arrive (room_send.yaml: idempotency per access token and txnId).
   */
  private async sendNotice(roomId: string, content: NoticeContent): Promise<string> {
    const txnId = `sb.${this.startedAt.toString(36)}.${++this.txnCounter}`;
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${encodeURIComponent(txnId)}`;
    const response = await this.retry("send a message", () => this.client.doRequest("PUT", path, null, content));
    return sendResponseSchema.parse(response).event_id;
  }

  private retry<T>(what: string, action: () => Promise<T>): Promise<T> {
    return withRateLimitRetry(what, action, this.retryPolicy);
  }

  // --- set-up --------------------------------------------------------------------------------

  /** Resolves configured aliases and joins every configured room the bot is not in yet. */
  private async joinConfiguredRooms(): Promise<void> {
    const joined = new Set(await this.client.getJoinedRooms());
    for (const [channel, room] of Object.entries(this.settings.rooms)) {
      try {
        const roomId = room.startsWith("!") ? room : await this.client.resolveRoom(room);
        this.channelOfRoom.set(roomId, channel);
        this.roomOfChannel.set(channel, roomId);
        if (!joined.has(roomId)) await this.retry("join a configured room", () => this.client.joinRoom(room));
      } catch (error) {
        this.log.warn(
          { err: error, channel, room },
          "cannot join a configured room; invite the bot to it (or check the room id or alias in MATRIX_ROOMS)",
        );
        continue;
      }
      const roomId = this.roomOfChannel.get(channel)!;
      if (await this.directRooms.isEncrypted(roomId).catch(() => false)) {
        this.log.warn({ channel, roomId }, "a configured room is encrypted: the bot cannot read commands there and posts unencrypted; configure an unencrypted room");
      }
    }
  }

  /**
   * The SDK records every `is_direct` invite in `m.direct` from a cached copy, also invites the
   * bot refuses, and may overwrite a newer `m.direct`. DirectRooms does this itself (read, merge,
   * write; accepted invites only), so the SDK's handler is switched off.
   */
  private disableSdkDirectTracking(): void {
    const dms = this.client.dms as unknown as { handleInvite: (roomId: string, event: unknown) => Promise<void> };
    dms.handleInvite = async () => undefined;
  }
}
