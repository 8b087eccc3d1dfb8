/**
 * The Mattermost chat platform on the official driver (@mattermost/client), with the chat kernel
 * on top: the `/support` slash command, dialogs and buttons over the bot's HTTP endpoint
 * (endpoints.ts); DMs to the bot over the WebSocket (dm-listener.ts), handled by the kernel; posts,
 * DMs and one thread per bug as the bot account (mattermost-transport.ts). README.md, section
 * Mattermost, has the set-up.
 */
import type { Logger } from "pino";
import { BotError, ConfigError } from "../../errors.js";
import type { DispatchResult } from "../../framework/dispatcher.js";
import { HttpServer } from "../../http/http-server.js";
import type { StaffDirectory } from "../../identity.js";
import type { Metrics } from "../../metrics.js";
import type { AdapterStartOptions, ChatAdapter } from "../kernel/chat-adapter.js";
import type { ChatMemory } from "../kernel/chat-memory.js";
import type { ChatSettings } from "../kernel/settings.js";
import { ChatKernel, type CommandCore } from "../kernel/chat-kernel.js";
import { commandWord } from "../kernel/trigger.js";
import type { Notifier } from "../notifier.js";
import { BotClient, mattermostStatus, toBotError } from "./bot-client.js";
import { ChannelDirectory } from "./channels.js";
import { DEFAULT_LISTENER_TIMING, DirectMessageListener, websocketUrlFor, type DirectMessage, type ListenerTiming, type ThreadReply } from "./dm-listener.js";
import { MattermostEndpoints, PATHS } from "./endpoints.js";
import { MattermostTransport } from "./mattermost-transport.js";
import type { MattermostMemory } from "./memory.js";
import { MattermostPoster } from "./poster.js";
import { registerSlashCommand } from "./registration.js";
import type { MattermostSettings } from "./settings.js";
import { Signer } from "./signing.js";

/** Timing knobs; production uses the defaults, tests shorten them. */
export interface MattermostTiming extends ListenerTiming {
  /** Commands still running after this long are answered "working on it" first. Default 2 s. */
  ackAfterMs: number;
  /** How long `start` waits for the WebSocket before going on without it. Default 10 s. */
  connectTimeoutMs: number;
  /** Time limit of one REST request. Default 15 s. */
  requestTimeoutMs: number;
  /** How long `stop` waits for commands that are still running. Default 10 s. */
  stopGraceMs: number;
}

/** What the adapter needs; built once at start-up by the live runner. */
export interface MattermostAdapterOptions {
  settings: MattermostSettings;
  /** What every platform does alike (the note word of bug threads); the defaults when left out. */
  chatSettings?: ChatSettings;
  /** The bot core every command line goes to (its registry also holds the forms). */
  core: CommandCore;
  staff: StaffDirectory;
  /** The kernel's memory and the transport's own (DM channels), kept in the store. */
  chat: ChatMemory & MattermostMemory;
  logger: Logger;
  /**
   * Where Mattermost's requests arrive: a shared server (started and stopped by the caller), or a
   * port (and host) for a server of the adapter's own (started and stopped with it).
   */
  http: { server: HttpServer } | { port: number; host?: string };
  /** Wall clock in ms; default Date.now. */
  clock?: () => number;
  timing?: Partial<MattermostTiming>;
  /** Counts the messages the kernel sends; default: nothing counted. */
  metrics?: Metrics;
}

const DEFAULT_TIMING: MattermostTiming = {
  ...DEFAULT_LISTENER_TIMING,
  ackAfterMs: 2_000,
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  stopGraceMs: 10_000,
};

/** Creates the Mattermost adapter; nothing connects until `start()`. */
export function createMattermostAdapter(options: MattermostAdapterOptions): ChatAdapter {
  return new MattermostAdapter(options);
}

/** A down WebSocket counts as unhealthy after this long (short drops are normal). */
const UNHEALTHY_AFTER_MS = 2 * 60_000;

class MattermostAdapter implements ChatAdapter {
  readonly platform = "mattermost" as const;
  readonly notifier: Notifier;

  private readonly settings: MattermostSettings;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly timing: MattermostTiming;
  private readonly abort = new AbortController();
  private readonly client: BotClient;
  private readonly signer: Signer;
  private readonly poster: MattermostPoster;
  private readonly chat: ChatMemory & MattermostMemory;
  private readonly kernel: ChatKernel;
  private channels: ChannelDirectory | undefined;
  private readonly server: HttpServer;
  private readonly ownServer: { port: number; host?: string } | undefined;
  private listener: DirectMessageListener | undefined;
  private botUserId = "";
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly commandTokens: string[];
  private state: "new" | "starting" | "running" | "stopped" = "new";
  /**
   * Opens once `start` has returned to its caller: commands that arrive earlier (a catch-up of DMs,
   * an early slash command) wait, so their notifications find this adapter already in the live
   * runner's outbox (attached as this platform).
   */
  private readonly ready: Promise<void>;
  private openGate: () => void = () => undefined;

  constructor(private readonly options: MattermostAdapterOptions) {
    this.settings = options.settings;
    this.log = options.logger.child({ platform: "mattermost" });
    this.clock = options.clock ?? Date.now;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.commandTokens = [...this.settings.commandTokens];
    this.client = new BotClient({ url: this.settings.url, token: this.settings.botToken, timeoutMs: this.timing.requestTimeoutMs, signal: this.abort.signal });
    this.signer = new Signer(this.settings.actionSecret, this.clock);
    this.chat = options.chat;
    this.poster = new MattermostPoster({
      client: this.client,
      chat: this.chat,
      signer: this.signer,
      actionUrl: this.settings.publicUrl ? `${this.settings.publicUrl}${PATHS.action}` : undefined,
      log: this.log,
      now: () => new Date(this.clock()),
    });
    if ("server" in options.http) {
      this.server = options.http.server;
      this.ownServer = undefined;
    } else {
      this.server = new HttpServer({ logger: this.log });
      this.ownServer = options.http;
    }
    this.ready = new Promise((resolve) => {
      this.openGate = resolve;
    });
    const transport = new MattermostTransport({
      poster: this.poster,
      channels: () => this.channels,
      publicUrl: this.settings.publicUrl,
      requireRunning: () => this.requireRunning(),
    });
    this.kernel = new ChatKernel({
      transport,
      core: options.core,
      staff: options.staff,
      chat: this.chat,
      logger: this.log,
      clock: this.clock,
      ...(options.chatSettings ? { noteWord: options.chatSettings.noteWord } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    this.notifier = this.kernel.notifier;
  }

  async start(options: AdapterStartOptions = {}): Promise<void> {
    if (this.state !== "new") throw new Error("the Mattermost adapter can be started once");
    this.state = "starting";
    try {
      await this.connect();
      if (options.listen ?? true) await this.openListener();
    } catch (error) {
      // Nothing half-started stays behind: no socket retrying, no port held.
      await this.stop();
      throw error;
    }
    this.state = "running";
    // After the caller's continuation (which attaches this adapter's notifier to the outbox) has run.
    setImmediate(() => this.openGate());
  }

  private async connect(): Promise<void> {
    const me = await this.call("read the bot account", () => this.client.getMe());
    if (!me.is_bot) this.log.warn({ username: me.username }, "MATTERMOST_BOT_TOKEN belongs to a person, not a bot account; posts will show that person as author");
    const { id: teamId, name: teamName } = await this.resolveTeam();
    const channels = new ChannelDirectory({ client: this.client, teamId, channels: this.settings.channels, bot: { id: me.id, username: me.username }, log: this.log });
    await channels.prepare();
    if (this.settings.channels["management"] === undefined) this.log.warn("MATTERMOST_CHANNELS has no management channel: NEW-bug pings and reports for management fail");
    this.poster.configure({ botUserId: me.id });
    this.channels = channels;

    if (this.settings.registerCommand && this.settings.publicUrl) {
      const registered = await registerSlashCommand(this.client, {
        teamId,
        teamName,
        url: `${this.settings.publicUrl}${PATHS.command}`,
        catalog: this.kernel.commands,
        log: this.log,
        botUsername: me.username,
        hasCommandTokens: this.commandTokens.length > 0,
      });
      if (registered && !this.commandTokens.includes(registered.token)) this.commandTokens.push(registered.token);
    }
    if (this.commandTokens.length === 0) {
      this.log.warn("no slash command token: /support requests are refused until MATTERMOST_COMMAND_TOKEN is set or MATTERMOST_REGISTER_COMMAND=true; DMs to the bot work");
    }
    if (!this.settings.publicUrl) this.log.warn("MATTERMOST_PUBLIC_URL is not set: no buttons (commands to type instead) and no dialogs");

    const endpoints = new MattermostEndpoints({
      commands: this.kernel.commands,
      staff: this.options.staff,
      client: this.client,
      poster: this.poster,
      signer: this.signer,
      log: this.log,
      siteUrl: this.settings.url,
      publicUrl: this.settings.publicUrl,
      commandTokens: () => this.commandTokens,
      run: (username, line) => this.run(username, line),
      ackAfterMs: this.timing.ackAfterMs,
      track: (task) => this.track(task),
      now: this.clock,
    });
    endpoints.register(this.server);
    if (this.ownServer) await this.server.start(this.ownServer.port, this.ownServer.host);

    this.botUserId = me.id;
    this.server.addHealthCheck("mattermost", () => this.health());
    this.log.info({ bot: me.username, team: teamName, channels: Object.keys(this.settings.channels) }, "Mattermost adapter started");
  }

  async listen(): Promise<void> {
    if (this.state !== "running" || this.listener) return;
    await this.openListener();
  }

  async stopListening(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.stop();
    if (listener) this.log.info("stopped reading DMs over the WebSocket (another replica leads)");
  }

  /** Opens the WebSocket that brings DMs and thread replies (a new listener each time: a stopped one stays stopped). */
  private async openListener(): Promise<void> {
    const listener = new DirectMessageListener({
      client: this.client,
      websocketUrl: websocketUrlFor(this.settings.url),
      token: this.settings.botToken,
      botUserId: this.botUserId,
      chat: this.chat,
      claim: (postId, channelId) => this.kernel.claim(postId, channelId),
      log: this.log,
      now: this.clock,
      timing: this.timing,
      onMessage: (message) => this.onDirectMessage(message),
      onThreadReply: (reply) => this.onThreadReply(reply),
      threadChannels: () => this.chat.threadPlaces(this.platform),
      onDirectChannel: (channelId, userId, seenAt) => this.poster.rememberDirectChannel(channelId, userId, seenAt),
    });
    this.listener = listener;
    await listener.start();
    if (!(await listener.waitConnected(this.timing.connectTimeoutMs))) {
      this.log.warn("the Mattermost WebSocket is not connected yet; DMs to the bot are read once it is");
    }
  }

  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    this.state = "stopped";
    // Commands still waiting for the start run now (and answer), rather than hang the shutdown.
    this.openGate();
    await this.listener?.stop();
    await this.kernel.stop();
    // Commands already running finish (their tracker changes must be reported), within a grace period.
    const grace = new Promise<void>((resolve) => setTimeout(resolve, this.timing.stopGraceMs).unref());
    await Promise.race([Promise.allSettled([...this.tasks]), grace]);
    this.abort.abort();
    if (this.ownServer) await this.server.close();
    this.log.info("Mattermost adapter stopped");
  }

  /** Runs a command line for a Mattermost user once the adapter is ready. */
  private async run(username: string, line: string): Promise<DispatchResult> {
    await this.ready;
    return this.kernel.run(username, line);
  }

  /** Posting works once the adapter runs (notifications before that are the caller's to retry). */
  private requireRunning(): void {
    if (this.state === "new") throw new BotError("upstream-unavailable", "The Mattermost connection is not started yet.");
    if (this.state === "stopped") throw new BotError("upstream-unavailable", "The Mattermost connection is stopped.");
  }

  private track(task: Promise<unknown>): void {
    const settled = task.catch((error: unknown) => this.log.error({ err: error }, "a command's late answer failed"));
    this.tasks.add(settled);
    void settled.finally(() => this.tasks.delete(settled));
  }

  health(): { ok: boolean; detail: string } {
    const listener = this.listener;
    if (this.state !== "running") return { ok: false, detail: `adapter ${this.state}` };
    // A standby replica: it answers Mattermost's requests; the leader reads the DMs.
    if (!listener) return { ok: true, detail: "connected; DMs are read by the leader replica" };
    if (listener.connected) return { ok: true, detail: "connected" };
    const since = listener.downSince ?? this.clock();
    return { ok: this.clock() - since < UNHEALTHY_AFTER_MS, detail: `websocket reconnecting since ${new Date(since).toISOString()}` };
  }

  /** A reply in a channel thread: a note on the bug when it is one (the kernel decides), else chat. */
  private async onThreadReply(reply: ThreadReply): Promise<void> {
    await this.ready;
    await this.kernel.handleThreadReply({
      place: reply.channelId,
      id: reply.postId,
      sender: await this.poster.usernameFor(reply.userId),
      isDirect: false,
      threadId: reply.rootId,
      text: reply.message,
    });
  }

  /** A DM to the bot: `grab 1234`, `/support grab 1234` or `support grab 1234`, answered in the DM by the kernel. */
  private async onDirectMessage(message: DirectMessage): Promise<void> {
    if (message.late) {
      const line = message.message.trim().replace(/^\/?support(?:\s+|$)/i, "");
      if (line === "") return;
      const word = commandWord(line) ?? "your message";
      await this.poster.post(
        message.channelId,
        { text: `I was offline when you sent \`${word}\` at ${new Date(message.createAt).toISOString()}, so I did not run it. Send it again if it is still needed.` },
        { rootId: message.rootId },
      );
      return;
    }
    const username = await this.poster.usernameFor(message.userId);
    // Commands that arrive before the start returned wait, so their notifications find this adapter attached to the outbox.
    await this.ready;
    await this.kernel.handle({
      place: message.channelId,
      id: message.postId,
      sender: username,
      isDirect: true,
      ...(message.rootId !== "" ? { threadId: message.rootId } : {}),
      text: message.message,
    });
  }

  private async resolveTeam(): Promise<{ id: string; name: string }> {
    if (this.settings.team) {
      try {
        const team = await this.client.getTeamByName(this.settings.team);
        return { id: team.id, name: team.name };
      } catch (error) {
        if (mattermostStatus(error) === 404 || mattermostStatus(error) === 403) {
          throw new ConfigError([`MATTERMOST_TEAM: the bot is not in a team named "${this.settings.team}" (add the bot account to the team, or fix the name: it is the part of the team's URL)`]);
        }
        throw toBotError(error, "find the team");
      }
    }
    const teams = await this.call("list the bot's teams", () => this.client.getMyTeams());
    if (teams.length === 1) return { id: teams[0]!.id, name: teams[0]!.name };
    throw new ConfigError([
      teams.length === 0
        ? "MATTERMOST_TEAM: the bot account is in no team; add it to the team it serves"
        : `MATTERMOST_TEAM: missing (the bot is in ${teams.length} teams: ${teams.map((team) => team.name).join(", ")}; name the one it serves)`,
    ]);
  }

  /** A REST call during start-up; a refused token becomes a configuration error with a hint. */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (mattermostStatus(error) === 401) {
        throw new ConfigError([
          `MATTERMOST_BOT_TOKEN: ${this.settings.url} refused the token (create a new one: System Console > Integrations > Bot Accounts > the bot > Create New Token)`,
        ]);
      }
      throw toBotError(error, what);
    }
  }
}
