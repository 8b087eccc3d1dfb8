/**
 * The bot wired as in production, against the MantisBT simulator over real loopback HTTP, with an
 * in-memory store, the sandbox staff (manager, alice, bob, carol), a recording notifier, a
 * captured log and a settable clock. Use it for command tests:
 *
 *   const h = await startHarness();  afterEach(() => h.close());
 *   const result = await h.run("alice", "grab 1");
 *   expect(result.kind).toBe("ok");  expect((await h.bug(1)).status).toBe("feedback");
 */
import { createBotCore, type BotCore } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import type { DispatchResult } from "../../src/framework/dispatcher.js";
import { ChannelErp } from "../../src/erp/channel-erp.js";
import { StaffDirectory } from "../../src/identity.js";
import { startMantisSimulator, type MantisSimulator, type MantisSimulatorOptions } from "../../src/simulators/mantis/server.js";
import { SANDBOX_STAFF } from "../../src/staff-file.js";
import { Store } from "../../src/store/store.js";
import { createMantisTracker } from "../../src/tracker/mantis-client.js";
import type { Bug, TrackerPort } from "../../src/tracker/tracker.js";
import { captureLog, type CapturedLog } from "./capture-log.js";
import { RecordingNotifier } from "./recording-notifier.js";

export interface Harness {
  sim: MantisSimulator;
  /** The tracker with the bot's administrator token (not acting as anyone). */
  tracker: TrackerPort;
  store: Store;
  staff: StaffDirectory;
  notifier: RecordingNotifier;
  log: CapturedLog;
  core: BotCore;
  /** The clock every command sees; change `clock.now` to move time. */
  clock: { now: Date };
  /** Runs a command line (without `/support`) as a sandbox account. */
  run(user: string, line: string): Promise<DispatchResult>;
  /** The bug as MantisBT has it now (read with the administrator token, private notes included). */
  bug(id: number): Promise<Bug>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra environment settings (as in .env), e.g. { DOCS_REPEAT_THRESHOLD: "2" }. */
  env?: Record<string, string>;
  simulator?: MantisSimulatorOptions;
  /** Start time; default 2026-11-26T10:00:00Z (a Thursday). */
  now?: Date;
  /** Act through X-Mantis-Username (default true), or as the bot naming people in notes. */
  impersonate?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = { now: options.now ?? new Date("2026-11-26T10:00:00Z") };
  const sim = await startMantisSimulator({ now: () => clock.now, ...options.simulator });
  const config = loadConfig(options.env ?? {});
  const log = captureLog("debug");
  const store = new Store(":memory:");
  const staff = new StaffDirectory([...SANDBOX_STAFF]);
  const notifier = new RecordingNotifier();
  const tracker = createMantisTracker({
    url: sim.url,
    token: sim.tokens.administrator!,
    project: 1,
    impersonate: options.impersonate ?? true,
    timeoutMs: 5_000,
    category: config.process.category,
    log: log.log,
  });
  const erp = new ChannelErp(store, notifier, () => clock.now);
  const core = createBotCore({ config, logger: log.log, store, staff, tracker, notifier, erp, now: () => clock.now });
  return {
    sim,
    tracker,
    store,
    staff,
    notifier,
    log,
    core,
    clock,
    run: (user, line) => core.run("sandbox", user, line),
    bug: (id) => tracker.getBug(id),
    async close() {
      store.close();
      await sim.close();
    },
  };
}
