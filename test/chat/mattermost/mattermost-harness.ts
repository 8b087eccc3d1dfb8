/**
 * The bot wired as in production with the Mattermost adapter on the official client, against the
 * Mattermost simulator and the MantisBT simulator over loopback: the core, an in-memory store, the
 * sandbox staff (manager, alice, bob, carol; their Mattermost names are the same), the ERP on the
 * store and the sales channel, and the bot's HTTP server on 127.0.0.1. By default the adapter
 * registers `/support` itself (the simulated bot is a team admin).
 *
 *   const h = await startMattermostHarness();  afterEach(() => h.close());
 *   const result = await h.slash("alice", "grab 1");
 */
import { vi } from "vitest";
import type { BotCore } from "../../../src/app.js";
import type { ChatAdapter } from "../../../src/chat/kernel/chat-adapter.js";
import { createMattermostAdapter, type MattermostTiming } from "../../../src/chat/mattermost/mattermost-adapter.js";
import { deriveActionSecret, type MattermostSettings } from "../../../src/chat/mattermost/settings.js";
import { HttpServer } from "../../../src/http/http-server.js";
import type { StaffDirectory } from "../../../src/identity.js";
import type { MantisSimulator } from "../../../src/simulators/mantis/server.js";
import {
  startMattermostSimulator,
  type MattermostSimulator,
  type MattermostSimulatorOptions,
  type SlashCommandResult,
  type WirePost,
} from "../../../src/simulators/mattermost/server.js";
import type { Store } from "../../../src/store/store.js";
import type { Bug, MantisClient } from "../../../src/tracker/mantis/mantis-types.js";
import { relayNotifier, startBotUnderTest } from "../../support/bot-under-test.js";
import { SANDBOX_STAFF } from "../../../src/staff-file.js";
import type { CapturedLog } from "../../support/capture-log.js";

export interface MattermostHarness {
  mm: MattermostSimulator;
  mantis: MantisSimulator;
  tracker: MantisClient;
  store: Store;
  staff: StaffDirectory;
  core: BotCore;
  log: CapturedLog;
  http: HttpServer;
  /** `http://127.0.0.1:<port>`: the bot as Mattermost reaches it (changes with `restart`). */
  readonly botUrl: string;
  settings: MattermostSettings;
  /** The running adapter (replaced by `restart`). */
  adapter: ChatAdapter;
  /** Creates and starts the adapter (done by startMattermostHarness unless `start: false`). */
  start(): Promise<void>;
  /** Resolves once the outbox has sent what commands queued (after a DM to the bot has been answered). */
  settled(): Promise<void>;
  /** `/support <text>` typed by a user in a channel (default `support`); resolves once the notifications it queued are sent. */
  slash(user: string, text: string, channel?: string): Promise<SlashCommandResult>;
  /** The DM channel between a user and the bot. */
  dmChannel(user: string): string;
  /** A user writes to the bot in their DM; resolves with the post. */
  dm(user: string, message: string): WirePost;
  /** The bot's first post in a channel after `after` (a post, or the start). */
  nextBotPost(channelId: string, after?: WirePost, options?: { timeoutMs?: number }): Promise<WirePost>;
  /** Every post the bot made in a channel, oldest first. */
  botPosts(channel: string): WirePost[];
  /** The bug as MantisBT has it (administrator's view). */
  bug(id: number): Promise<Bug>;
  /** Stops the adapter and starts a new one on the same store and HTTP server. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface MattermostHarnessOptions {
  settings?: Partial<MattermostSettings>;
  timing?: Partial<MattermostTiming>;
  simulator?: MattermostSimulatorOptions;
  /** The adapter's wall clock in ms (default Date.now). */
  clock?: () => number;
  /** Read DMs from the start (default true); false starts it as a standby replica does (issue 16). */
  listen?: boolean;
  /** Start the adapter right away (default true). */
  start?: boolean;
  /** Runs before the adapter is created, e.g. to register a command by hand and configure its token. */
  beforeStart?: (mm: MattermostSimulator, settings: MattermostSettings) => void | Promise<void>;
}

/** Fast reconnects for tests; the 2 s answer limit stays as in production unless a test changes it. */
const TEST_TIMING: Partial<MattermostTiming> = { minRetryMs: 20, maxRetryMs: 200, jitterMs: 0, pingIntervalMs: 60_000, connectTimeoutMs: 5_000, stopGraceMs: 5_000 };

export async function startMattermostHarness(options: MattermostHarnessOptions = {}): Promise<MattermostHarness> {
  // WebSocketClient logs every connect and close to the console.
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  const mm = await startMattermostSimulator(options.simulator);
  // The core needs a notifier and the adapter needs the core: the relay points at whichever adapter runs.
  let adapter: ChatAdapter | undefined;
  const bot = await startBotUnderTest({
    notifier: relayNotifier(() => adapter),
    staff: SANDBOX_STAFF.map((member) => ({ ...member, accounts: { ...member.accounts, mattermost: member.name } })),
  });
  const { mantis, tracker, store, staff, log, core } = bot;
  // Commands' notifications go out in the background after the answer: what people do through
  // Mattermost (a slash command, a click, a dialog) resolves once the outbox has sent them too.
  const settled = async <T>(done: T): Promise<T> => {
    await bot.outbox.idle();
    return done;
  };
  const { clickButton, submitDialog } = mm;
  mm.clickButton = async (click) => settled(await clickButton(click));
  mm.submitDialog = async (submission) => settled(await submitDialog(submission));
  const http = new HttpServer({ logger: log.log });
  await http.start(0, "127.0.0.1");
  const botUrl = `http://127.0.0.1:${http.port}`;

  const botToken = mm.tokens["support-bot"]!;
  const settings: MattermostSettings = {
    url: mm.url,
    botToken,
    commandTokens: [],
    team: "taler",
    channels: { management: "support-mgmt", sales: "sales" },
    publicUrl: botUrl,
    registerCommand: true,
    actionSecret: deriveActionSecret(botToken),
    ...options.settings,
  };
  // Every adapter registers its routes; a restarted one gets a fresh server on the same port's role.
  let server = http;
  const makeAdapter = () => createMattermostAdapter({ settings, core, staff, chat: store.chat, logger: log.log, http: { server }, clock: options.clock, timing: { ...TEST_TIMING, ...options.timing } });

  const harness: MattermostHarness = {
    mm,
    mantis,
    tracker,
    store,
    staff,
    core,
    log,
    get http() {
      return server;
    },
    get botUrl() {
      return settings.publicUrl ?? botUrl;
    },
    settings,
    get adapter() {
      if (!adapter) throw new Error("the adapter is not started");
      return adapter;
    },
    async start() {
      await options.beforeStart?.(mm, settings);
      adapter = makeAdapter();
      await adapter.start({ listen: options.listen ?? true });
    },
    slash: async (user, text, channel = "support") => settled(await mm.runSlashCommand({ user, channel, text: `/support ${text}` })),
    settled: () => bot.outbox.idle(),
    dmChannel: (user) => String(mm.directChannel(user, "support-bot")["id"]),
    dm: (user, message) => mm.post({ user, channel: harness.dmChannel(user), message }),
    nextBotPost: (channelId, after, waitOptions = {}) =>
      mm.waitFor(
        () => mm.posts(channelId).find((post) => post.user_id === mm.bot.id && (after === undefined || post.create_at >= after.create_at) && post.id !== after?.id),
        { timeoutMs: waitOptions.timeoutMs ?? 5_000, what: "the bot's post" },
      ),
    botPosts: (channel) => mm.posts(channel).filter((post) => post.user_id === mm.bot.id),
    bug: (id) => tracker.getBug(id),
    async restart() {
      await adapter!.stop();
      await server.close();
      // A new server on a new port: the registered command is updated to point at it.
      server = new HttpServer({ logger: log.log });
      await server.start(0, "127.0.0.1");
      settings.publicUrl = `http://127.0.0.1:${server.port}`;
      adapter = makeAdapter();
      await adapter.start();
    },
    async close() {
      await adapter?.stop();
      await server.close();
      await mm.close();
      await bot.close();
      vi.restoreAllMocks();
    },
  };
  if (options.start ?? true) await harness.start();
  return harness;
}
