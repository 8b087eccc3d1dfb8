/**
 * The proactive engine on top of the command harness: same simulator, store, staff, recording
 * notifier and settable clock, with no timers. Tests move the clock and call `runOnce()`.
 */
import { loadConfig } from "../../src/config.js";
import { createProactiveEngine, type ProactiveEngine } from "../../src/proactive/engine.js";
import { createMantisClient } from "../../src/tracker/mantis/mantis-client.js";
import type { MantisClient } from "../../src/tracker/mantis/mantis-types.js";
import { startHarness, type Harness, type HarnessOptions } from "../support/harness.js";

export interface EngineHarness extends Harness {
  engine: ProactiveEngine;
  /** Moves the clock (simulator and engine share it). */
  advance(ms: number): void;
  at(iso: string): void;
  /** Stops the engine and builds a new one over the same store, recovering the outbox as a start does (a restart of the bot). */
  restart(): Promise<void>;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export async function startEngineHarness(options: HarnessOptions = {}): Promise<EngineHarness> {
  const h = await startHarness(options);
  const config = loadConfig(options.env ?? {});
  const build = (): ProactiveEngine =>
    createProactiveEngine({
      tracker: h.port,
      store: h.store,
      staff: h.staff,
      outbox: h.outbox,
      settings: config.process,
      proactive: config.proactive,
      logger: h.log.log,
      now: () => h.clock.now,
      ...(options.charts ? { charts: options.charts } : {}),
    });
  const harness: EngineHarness = Object.assign(h, {
    engine: build(),
    advance(ms: number) {
      h.clock.now = new Date(h.clock.now.getTime() + ms);
    },
    at(iso: string) {
      h.clock.now = new Date(iso);
    },
    async restart() {
      await harness.engine.stop();
      await h.outbox.recover();
      harness.engine = build();
    },
  });
  const close = h.close.bind(h);
  harness.close = async () => {
    await harness.engine.stop();
    await close();
  };
  return harness;
}

/**
 * The simulated MantisBT as one of its own users, for changes made directly in MantisBT (not through
 * the bot); `fetch` stands between the client and the simulator when a test needs to alter answers.
 */
export function trackerAs(harness: Pick<Harness, "sim" | "log">, user: string, options: { fetch?: typeof fetch } = {}): MantisClient {
  const token = harness.sim.tokens[user];
  if (token === undefined) throw new Error(`the simulator has no user named ${user}`);
  return createMantisClient({ url: harness.sim.url, token, project: 1, impersonate: false, timeoutMs: 5_000, category: "General", log: harness.log.log, ...options });
}
