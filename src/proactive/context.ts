/**
 * What every proactive job receives: the ports, the settings, the clock and the outbox. Built once by
 * the engine; jobs never reach for globals, so tests drive them with a fake clock and the simulator.
 */
import type { Logger } from "pino";
import type { PersonSettings } from "../core/people-settings.js";
import type { ProcessSettings } from "../core/process-settings.js";
import type { StaffDirectory, StaffMember } from "../identity.js";
import { NO_METRICS, type Metrics } from "../metrics.js";
import { settingsFor } from "../process/settings-for.js";
import type { ProcessFacts } from "../store/bug-process-repo.js";
import type { ChartRenderer } from "../process/report-chart.js";
import type { Store } from "../store/store.js";
import type { TrackerPort } from "../process/tracker-port.js";
import type { Outbox } from "./outbox.js";
import type { ProactiveSettings } from "./settings.js";

/** What the engine needs from the rest of the bot. */
export interface ProactiveEngineDeps {
  /** The tracker with the bot's own credentials (it must see private bugs too). */
  tracker: TrackerPort;
  store: Store;
  staff: StaffDirectory;
  /** Where jobs queue what they send; its owner recovers it at start and retries on its timer. */
  outbox: Outbox;
  settings: ProcessSettings;
  proactive: ProactiveSettings;
  /** The root logger; the engine's lines carry `component: "proactive"`. */
  logger: Logger;
  now?: () => Date;
  /** Draws the weekly report's chart; without, the report goes as text. */
  charts?: ChartRenderer;
  /** Counts watcher cycles and the queue's levels; default: nothing counted. */
  metrics?: Metrics;
}

/** The services a job runs with. */
export interface EngineContext {
  tracker: TrackerPort;
  store: Store;
  staff: StaffDirectory;
  /** The process's settings, everyone's default working time included. */
  settings: ProcessSettings;
  /** The engine's own settings (intervals, reminder thresholds, summary channels). */
  config: ProactiveSettings;
  now: () => Date;
  log: Logger;
  outbox: Outbox;
  metrics: Metrics;
  /**
   * A person's effective settings (src/process/settings-for.ts), read fresh each time; `undefined`
   * (a handler who is no staff member) gets the company's.
   */
  settingsFor(member: StaffMember | undefined): Promise<PersonSettings>;
  /** The bot's process state of a bug (stage, estimate, deadline, developer), read once per job run. */
  processFacts(bugId: number): Promise<ProcessFacts | undefined>;
  /** The staff member behind a MantisBT user name, if any. */
  staffByTrackerUser(trackerUser: string | undefined): StaffMember | undefined;
  bugUrl(id: number): string;
  /** Draws the weekly report's chart, where one is wired. */
  charts?: ChartRenderer;
}

/** Builds the job context from the engine's dependencies. */
export function createEngineContext(deps: ProactiveEngineDeps): EngineContext {
  const config = deps.proactive;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: "proactive" });
  const metrics = deps.metrics ?? NO_METRICS;
  return {
    tracker: deps.tracker,
    store: deps.store,
    staff: deps.staff,
    settings: deps.settings,
    config,
    now,
    log,
    outbox: deps.outbox,
    metrics,
    settingsFor: (member) => settingsFor(deps, member),
    processFacts: async (bugId) => (await deps.store.bugProcess.facts()).get(bugId),
    staffByTrackerUser: (trackerUser) => (trackerUser ? deps.staff.byTrackerUser(trackerUser) : undefined),
    bugUrl: (id) => deps.tracker.ticketUrl(id),
    ...(deps.charts ? { charts: deps.charts } : {}),
  };
}

/**
 * The context for one job run: people's settings and the bots' process state are read once and
 * remembered until the run ends (a check over thousands of bugs would otherwise query per bug).
 */
export function contextForRun(ctx: EngineContext, log: Logger): EngineContext {
  const settings = new Map<string | undefined, Promise<PersonSettings>>();
  let facts: Promise<Map<number, ProcessFacts>> | undefined;
  return {
    ...ctx,
    log,
    settingsFor(member) {
      let known = settings.get(member?.name);
      if (!known) {
        known = ctx.settingsFor(member);
        settings.set(member?.name, known);
      }
      return known;
    },
    async processFacts(bugId) {
      facts ??= ctx.store.bugProcess.facts();
      return (await facts).get(bugId);
    },
  };
}
