/**
 * What every proactive job receives: the ports, the settings, the clock and the outbox. Built once by
 * the engine; jobs never reach for globals, so tests drive them with a fake clock and the simulator.
 */
import type { Logger } from "pino";
import type { ProcessSettings } from "../config.js";
import type { StaffDirectory, StaffMember } from "../identity.js";
import type { ProcessFacts } from "../store/bug-process-repo.js";
import type { Store } from "../store/store.js";
import type { TrackerPort } from "../tracker/tracker.js";
import type { Outbox } from "./outbox.js";
import { DEFAULT_PROACTIVE_CONFIG, resolveUserSettings, type ProactiveConfig, type UserSettings } from "./preferences.js";

/** What the engine needs from the rest of the bot. */
export interface ProactiveEngineDeps {
  /** The tracker with the bot's own credentials (it must see private bugs too). */
  tracker: TrackerPort;
  store: Store;
  staff: StaffDirectory;
  /** Where jobs queue what they send; its owner recovers it at start and retries on its timer. */
  outbox: Outbox;
  settings: ProcessSettings;
  /** Defaults to `settings.proactive`, then to the documented defaults. */
  proactive?: ProactiveConfig;
  logger: Logger;
  now?: () => Date;
}

/** The services a job runs with. */
export interface EngineContext {
  tracker: TrackerPort;
  store: Store;
  staff: StaffDirectory;
  settings: ProcessSettings;
  config: ProactiveConfig;
  now: () => Date;
  log: Logger;
  outbox: Outbox;
  /** A person's effective settings (their overrides over the defaults), read fresh each time. */
  userSettings(member: StaffMember): UserSettings;
  /** The bot's process state of a bug (stage, estimate, deadline, developer), read once per job run. */
  processFacts(bugId: number): ProcessFacts | undefined;
  /** The staff member behind a MantisBT user name, if any. */
  staffByTrackerUser(trackerUser: string | undefined): StaffMember | undefined;
  bugUrl(id: number): string;
}

/** Builds the job context from the engine's dependencies. */
export function createEngineContext(deps: ProactiveEngineDeps): EngineContext {
  const config = deps.proactive ?? deps.settings.proactive ?? { ...DEFAULT_PROACTIVE_CONFIG, timeZone: deps.settings.timezone };
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: "proactive" });
  return {
    tracker: deps.tracker,
    store: deps.store,
    staff: deps.staff,
    settings: deps.settings,
    config,
    now,
    log,
    outbox: deps.outbox,
    userSettings: (member) => resolveUserSettings(member, deps.store.preferences.get(member.name), config),
    processFacts: (bugId) => deps.store.bugProcess.facts().get(bugId),
    staffByTrackerUser: (trackerUser) => (trackerUser ? deps.staff.byTrackerUser(trackerUser) : undefined),
    bugUrl: (id) => deps.tracker.bugUrl(id),
  };
}

/**
 * The context for one job run: people's settings and the bots' process state are read once and
 * remembered until the run ends (a check over thousands of bugs would otherwise query per bug).
 */
export function contextForRun(ctx: EngineContext, log: Logger): EngineContext {
  const settings = new Map<string, UserSettings>();
  let facts: Map<number, ProcessFacts> | undefined;
  return {
    ...ctx,
    log,
    userSettings(member) {
      let known = settings.get(member.name);
      if (!known) {
        known = ctx.userSettings(member);
        settings.set(member.name, known);
      }
      return known;
    },
    processFacts(bugId) {
      facts ??= ctx.store.bugProcess.facts();
      return facts.get(bugId);
    },
  };
}
