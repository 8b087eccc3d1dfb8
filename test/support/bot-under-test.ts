/**
 * The bot's core wired as in production, without a chat platform: the MantisBT simulator over
 * loopback on a settable clock, the tracker with the administrator token, an in-memory store, a
 * staff directory, the outbox (delivering to the given notifier as one platform, without its retry
 * timer: tests call `outbox.deliver()`), the ERP on the store, a captured log and createBotCore. The command harness
 * (harness.ts) and the chat harnesses (Matrix, Mattermost) build on it and add their platform.
 */
import type { ChartRenderer } from "../../src/process/report-chart.js";
import { createBotCore, type BotCore } from "../../src/app.js";
import type { ChatAdapter } from "../../src/chat/kernel/chat-adapter.js";
import type { Notifier } from "../../src/chat/notifier.js";
import { loadConfig } from "../../src/config.js";
import { ChannelErp } from "../../src/erp/channel-erp.js";
import { StaffDirectory, type Platform, type StaffMemberInput } from "../../src/identity.js";
import { createOutbox, type Outbox } from "../../src/proactive/outbox.js";
import { startMantisSimulator, type MantisSimulator, type MantisSimulatorOptions } from "../../src/simulators/mantis/server.js";
import { SANDBOX_STAFF } from "../../src/staff-file.js";
import { Store } from "../../src/store/store.js";
import { openHarnessStore } from "./store-backends.js";
import type { TrackerPort } from "../../src/process/tracker-port.js";
import { createMantisClient } from "../../src/tracker/mantis/mantis-client.js";
import { createMantisTracker } from "../../src/tracker/mantis/mantis-tracker.js";
import type { MantisClient } from "../../src/tracker/mantis/mantis-types.js";
import { captureLog, type CapturedLog } from "./capture-log.js";

/** What the bot's core runs on in a test, and how to stop it. */
export interface BotUnderTest {
  mantis: MantisSimulator;
  /** The MantisBT client with the bot's administrator token (not acting as anyone), to set up and read MantisBT. */
  tracker: MantisClient;
  /** The tracker port the core runs on, over that client. */
  port: TrackerPort;
  store: Store;
  staff: StaffDirectory;
  /** Where the core's notifications go (recovered, no timer). */
  outbox: Outbox;
  log: CapturedLog;
  core: BotCore;
  /** The clock the core and the MantisBT simulator see; change `clock.now` to move time. */
  clock: { now: Date };
  /** A new in-memory store and a core on it, as for a bot restarted without its data (closed by `close`). */
  freshCore(): Promise<{ store: Store; core: BotCore; outbox: Outbox }>;
  /** Closes every store it opened and the MantisBT simulator. */
  close(): Promise<void>;
}

/** How the bot under test is set up; everything but the notifier has the defaults of the sandbox. */
export interface BotUnderTestOptions {
  /** Where the outbox delivers direct messages and channel posts, as the `sandbox` platform (which reaches everyone). */
  notifier?: Notifier;
  /** Instead of `notifier`: one notifier per platform, each reaching the people with an account there. */
  platforms?: Partial<Record<Platform, Notifier>>;
  /** Extra environment settings (as in .env), e.g. { DOCS_REPEAT_THRESHOLD: "2" }. */
  env?: Record<string, string>;
  simulator?: MantisSimulatorOptions;
  /** Start time; default 2026-11-26T10:00:00Z (a Thursday). */
  now?: Date;
  /** Act through X-Mantis-Username (default true), or as the bot naming people in notes. */
  impersonate?: boolean;
  /** The staff file's entries (default the sandbox staff manager, alice, bob, carol). */
  staff?: readonly StaffMemberInput[];
  /** Draws the report's chart (default none). */
  charts?: ChartRenderer;
}

/** Starts the MantisBT simulator and wires the bot's core to it. */
export async function startBotUnderTest(options: BotUnderTestOptions): Promise<BotUnderTest> {
  const clock = { now: options.now ?? new Date("2026-11-26T10:00:00Z") };
  const mantis = await startMantisSimulator({ now: () => clock.now, ...options.simulator });
  const config = loadConfig(options.env ?? {});
  const log = captureLog("debug");
  const staff = new StaffDirectory([...(options.staff ?? SANDBOX_STAFF)]);
  const client = createMantisClient({
    url: mantis.url,
    token: mantis.tokens.administrator!,
    project: 1,
    impersonate: options.impersonate ?? true,
    timeoutMs: 5_000,
    category: config.process.category,
    log: log.log,
  });
  const port = createMantisTracker({ client, staff });
  const stores: Store[] = [];
  const platforms = Object.entries(options.platforms ?? { sandbox: options.notifier }).flatMap(([platform, notifier]) =>
    notifier ? [{ platform: platform as Platform, notifier }] : [],
  );
  const freshCore = async () => {
    const store = await openHarnessStore();
    stores.push(store);
    const { outbox, notifier } = createOutbox({
      store,
      staff,
      platforms: platforms.map((entry) => entry.platform),
      settings: config.process,
      proactive: config.proactive,
      log: log.log,
      now: () => clock.now,
      quietHours: true,
    });
    for (const entry of platforms) outbox.attach(entry.platform, entry.notifier);
    await outbox.recover();
    const core = createBotCore({
      config,
      logger: log.log,
      store,
      staff,
      tracker: port,
      notifier,
      erp: new ChannelErp(store, notifier, () => clock.now),
      now: () => clock.now,
      ...(options.charts ? { charts: options.charts } : {}),
    });
    return { store, core, outbox };
  };
  const { store, core, outbox } = await freshCore();
  return {
    mantis,
    tracker: client,
    port,
    store,
    staff,
    outbox,
    log,
    core,
    clock,
    freshCore,
    async close() {
      for (const opened of stores) await opened.close();
      await mantis.close();
    },
  };
}

/**
 * A notifier that sends through whichever chat adapter runs now: the core needs a notifier before
 * the adapter exists (the adapter needs the core), and a restart replaces the adapter.
 */
export function relayNotifier(current: () => ChatAdapter | undefined): Notifier {
  return {
    direct: (recipient, message) => current()!.notifier.direct(recipient, message),
    channel: (channel, message) => current()!.notifier.channel(channel, message),
  };
}
