/**
 * The bot wired as in production, against the MantisBT simulator over real loopback HTTP, with an
 * in-memory store, the sandbox staff (manager, alice, bob, carol), the outbox delivering to a
 * recording notifier, a captured log and a settable clock. Use it for command tests:
 *
 *   const h = await startHarness();  afterEach(() => h.close());
 *   const result = await h.run("alice", "grab 1");
 *   expect(result.kind).toBe("ok");  expect((await h.bug(1)).status).toBe("feedback");
 *
 * `h.tracker` and `h.bug` speak MantisBT (statuses, user names): tests check what people see in
 * MantisBT. The core itself runs on the tracker port (`h.port`).
 */
import type { BotCore } from "../../src/app.js";
import type { DispatchResult } from "../../src/framework/dispatcher.js";
import type { StaffDirectory } from "../../src/identity.js";
import type { Outbox } from "../../src/proactive/outbox.js";
import type { ChartRenderer } from "../../src/process/report-chart.js";
import type { MantisSimulator, MantisSimulatorOptions } from "../../src/simulators/mantis/server.js";
import type { Store } from "../../src/store/store.js";
import type { TrackerPort } from "../../src/process/tracker-port.js";
import type { Bug, MantisClient } from "../../src/tracker/mantis/mantis-types.js";
import { startBotUnderTest } from "./bot-under-test.js";
import type { CapturedLog } from "./capture-log.js";
import { RecordingNotifier } from "./recording-notifier.js";

export interface Harness {
  sim: MantisSimulator;
  /** The MantisBT client with the bot's administrator token (not acting as anyone). */
  tracker: MantisClient;
  /** The tracker port the core runs on (administrator token, not acting as anyone). */
  port: TrackerPort;
  store: Store;
  staff: StaffDirectory;
  notifier: RecordingNotifier;
  /** The outbox every notification goes through (no timer: call `outbox.deliver()` after moving the clock). */
  outbox: Outbox;
  log: CapturedLog;
  core: BotCore;
  /** The clock every command sees; change `clock.now` to move time. */
  clock: { now: Date };
  /** Runs a command line (without `/support`) as a sandbox account; resolves once the outbox has delivered what it queued. */
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
  /** Draws the report's chart (default none: `report` answers with text only). */
  charts?: ChartRenderer;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const notifier = new RecordingNotifier();
  const bot = await startBotUnderTest({ ...options, notifier });
  return {
    sim: bot.mantis,
    tracker: bot.tracker,
    port: bot.port,
    store: bot.store,
    staff: bot.staff,
    notifier,
    outbox: bot.outbox,
    log: bot.log,
    core: bot.core,
    clock: bot.clock,
    // The outbox delivers a command's notifications in the background: tests look once it is done.
    run: async (user, line) => {
      const result = await bot.core.run("sandbox", user, line);
      await bot.outbox.idle();
      return result;
    },
    bug: (id) => bot.tracker.getBug(id),
    close: () => bot.close(),
  };
}
