/**
 * The bot's core, shared by every chat platform: the command registry and the services commands
 * run with. Chat adapters hand it command lines and render what comes back.
 */
import type { Logger } from "pino";
import { buildCommandRegistry } from "../commands/index.js";
import type { AppConfig } from "./config.js";
import type { Notifier } from "./chat/notifier.js";
import type { ErpPort } from "./erp/erp.js";
import { dispatch, type DispatchRequest, type DispatchResult, type DispatchServices } from "./framework/dispatcher.js";
import type { Platform, StaffDirectory } from "./identity.js";
import type { Metrics } from "./metrics.js";
import type { QueueSource } from "./process/queue.js";
import type { ChartRenderer } from "./process/report-chart.js";
import type { Store } from "./store/store.js";
import type { TrackerPort } from "./process/tracker-port.js";

export interface BotCoreOptions {
  config: Pick<AppConfig, "process">;
  logger: Logger;
  store: Store;
  staff: StaffDirectory;
  /** The tracker with the bot's own credentials; commands get it acting as their caller. */
  tracker: TrackerPort;
  /** How commands notify: the outbox's notifier (src/proactive/outbox.ts), so every message is queued and retried. */
  notifier: Notifier;
  erp: ErpPort;
  now?: () => Date;
  /** Counts commands by name and outcome; default: nothing counted. */
  metrics?: Metrics;
  /** Where `mine` and `summary` read open bugs: the engine's mirror when the engine runs; default the tracker. */
  queueSource?: QueueSource;
  /** Draws the report's chart (src/charts/); without, `report` answers with text only. */
  charts?: ChartRenderer;
}

/** What a transport tells about the place of a command: its trigger and message limit. */
export type RunPlace = Pick<DispatchRequest, "trigger" | "messageLimit">;

export interface BotCore {
  services: DispatchServices;
  /** Runs one command line (without the trigger) for a chat user; never throws. */
  run(platform: Platform, platformUser: string, line: string, where?: RunPlace): Promise<DispatchResult>;
}

export function createBotCore(options: BotCoreOptions): BotCore {
  const services: DispatchServices = {
    commands: buildCommandRegistry(),
    trackerFor: (member) => options.tracker.actingAs(member),
    staff: options.staff,
    store: options.store,
    notifier: options.notifier,
    erp: options.erp,
    settings: options.config.process,
    now: options.now ?? (() => new Date()),
    logger: options.logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.queueSource ? { queueSource: options.queueSource } : {}),
    ...(options.charts ? { charts: options.charts } : {}),
  };
  return {
    services,
    run: (platform, platformUser, line, where = {}) => dispatch({ platform, platformUser, line, ...where }, services),
  };
}
