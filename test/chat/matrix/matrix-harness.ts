/**
 * The bot wired as in production with the Matrix adapter on the real matrix-bot-sdk client, against
 * the Matrix homeserver simulator and the MantisBT simulator over loopback. Staff: manager, alice,
 * bob, carol with Matrix ids `@<name>:localhost`; `@mallory:localhost` is nobody. A `management`
 * room (created by manager, alice and bob joined, the bot invited) is configured as MATRIX_ROOMS.
 */
import type { BotCore } from "../../../src/app.js";
import type { ChatAdapter } from "../../../src/chat/kernel/chat-adapter.js";
import { createMatrixAdapter, type MatrixAdapterOptions } from "../../../src/chat/matrix/matrix-adapter.js";
import type { MatrixSettings } from "../../../src/chat/matrix/settings.js";
import type { StaffDirectory } from "../../../src/identity.js";
import type { MantisSimulator } from "../../../src/simulators/mantis/server.js";
import { startMatrixSimulator, type ClientEvent, type MatrixSimulator } from "../../../src/simulators/matrix/server.js";
import { SANDBOX_STAFF } from "../../../src/staff-file.js";
import type { Store } from "../../../src/store/store.js";
import type { MantisClient } from "../../../src/tracker/mantis/mantis-types.js";
import { relayNotifier, startBotUnderTest } from "../../support/bot-under-test.js";
import type { CapturedLog } from "../../support/capture-log.js";

export interface MatrixHarness {
  matrix: MatrixSimulator;
  mantis: MantisSimulator;
  tracker: MantisClient;
  store: Store;
  staff: StaffDirectory;
  core: BotCore;
  log: CapturedLog;
  /** The running adapter (replaced by `restart`). */
  adapter: ChatAdapter;
  /** The configured `management` room. */
  managementRoom: string;
  settings: MatrixSettings;
  /** Starts the adapter (done by startMatrixHarness unless `start: false`). */
  start(): Promise<void>;
  /** Stops the adapter and ends the SDK's pending long-poll. */
  stopAdapter(): Promise<void>;
  /** Stops the adapter and starts a new one with the same store (or a fresh store). */
  restart(options?: { freshStore?: boolean }): Promise<void>;
  /** Moves the homeserver's clock forward, so events sent so far look that much older to the bot. */
  advanceServerClock(ms: number): void;
  /** Sends a message as a human; returns its event id. */
  say(user: string, roomId: string, text: string): string;
  /** The bot's first m.notice that relates to (replies to or is in the thread of) an event. */
  replyTo(eventId: string, roomId: string, options?: { timeoutMs?: number }): Promise<ClientEvent>;
  /** The bot's next m.notice in a room after an event. */
  nextNotice(roomId: string, after?: string): Promise<ClientEvent>;
  /** Every m.notice the bot sent in a room. */
  notices(roomId: string): ClientEvent[];
  close(): Promise<void>;
}

export interface MatrixHarnessOptions {
  settings?: Partial<MatrixSettings>;
  /** Extra adapter options (e.g. a hand-fired `schedule`). */
  adapter?: Partial<Pick<MatrixAdapterOptions, "schedule" | "retry" | "clock">>;
  /** Start the adapter right away (default true). */
  start?: boolean;
  /** Called before the adapter starts, e.g. to prepare rooms the bot should find. */
  before?: (matrix: MatrixSimulator) => void;
}

/** The relation an event has to another: thread root or reply target. */
export function relatesTo(event: ClientEvent): { threadRoot?: string; inReplyTo?: string; isFallingBack?: boolean } {
  const relation = event.content["m.relates_to"] as Record<string, unknown> | undefined;
  if (!relation) return {};
  const inReplyTo = (relation["m.in_reply_to"] as { event_id?: string } | undefined)?.event_id;
  return {
    threadRoot: relation["rel_type"] === "m.thread" ? (relation["event_id"] as string) : undefined,
    inReplyTo,
    isFallingBack: relation["is_falling_back"] as boolean | undefined,
  };
}

export async function startMatrixHarness(options: MatrixHarnessOptions = {}): Promise<MatrixHarness> {
  // The homeserver's clock runs with the real one, but a test can move it forward to make events old.
  let serverClockOffset = 0;
  const matrix = await startMatrixSimulator({ now: () => Date.now() + serverClockOffset });
  // The core needs a notifier and the adapter needs the core: the relay points at whichever adapter runs.
  let adapter: ChatAdapter | undefined;
  const bot = await startBotUnderTest({
    notifier: relayNotifier(() => adapter),
    staff: SANDBOX_STAFF.map((member) => ({ ...member, accounts: { ...member.accounts, matrix: `@${member.name}:localhost` } })),
  });
  const { mantis, tracker, staff, log } = bot;
  let { store, core } = bot;

  const managementRoom = matrix.createRoom("manager", { name: "Management", invite: ["@alice:localhost", "@bob:localhost", matrix.bot.userId] });
  matrix.join("alice", managementRoom);
  matrix.join("bob", managementRoom);
  options.before?.(matrix);

  const settings: MatrixSettings = {
    homeserverUrl: matrix.url,
    accessToken: matrix.bot.accessToken,
    commandPrefix: "!support",
    rooms: { management: managementRoom },
    allowedInviters: [],
    conversationTimeoutMs: 10 * 60_000,
    ...options.settings,
  };

  const makeAdapter = () => createMatrixAdapter({ settings, core, staff, chat: store.chat, logger: log.log, ...options.adapter });
  adapter = makeAdapter();

  const isBotNotice = (event: ClientEvent) => event.sender === matrix.bot.userId && event.type === "m.room.message" && event.content["msgtype"] === "m.notice";

  const harness: MatrixHarness = {
    matrix,
    mantis,
    tracker,
    get store() {
      return store;
    },
    staff,
    get core() {
      return core;
    },
    log,
    get adapter() {
      return adapter!;
    },
    managementRoom,
    settings,
    start: () => adapter!.start(),
    async stopAdapter() {
      await adapter!.stop();
      matrix.wakeSyncs();
    },
    async restart(restartOptions = {}) {
      await harness.stopAdapter();
      if (restartOptions.freshStore) ({ store, core } = await bot.freshCore());
      adapter = makeAdapter();
      await adapter.start();
    },
    advanceServerClock(ms) {
      serverClockOffset += ms;
    },
    say: (user, roomId, text) => matrix.sendMessage(user, roomId, text),
    replyTo: (eventId, roomId, waitOptions = {}) =>
      matrix.waitForEvent(
        (event) => event.room_id === roomId && isBotNotice(event) && (relatesTo(event).inReplyTo === eventId || relatesTo(event).threadRoot === eventId),
        { after: eventId, timeoutMs: waitOptions.timeoutMs },
      ),
    nextNotice: (roomId, after) => matrix.waitForEvent((event) => event.room_id === roomId && isBotNotice(event), { after }),
    notices: (roomId) => matrix.timeline(roomId).filter(isBotNotice),
    async close() {
      await adapter?.stop();
      matrix.wakeSyncs();
      await matrix.close();
      await bot.close();
    },
  };
  if (options.start ?? true) await harness.start();
  return harness;
}
