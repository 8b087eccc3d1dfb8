/**
 * The sandbox: with nothing configured, `npm start` runs the bot against the in-process MantisBT
 * simulator (with its seed data) and a terminal chat. Everything is in memory and starts fresh.
 */
import type { Readable, Writable } from "node:stream";
import type { Logger } from "pino";
import { createBotCore } from "./app.js";
import { createVegaChartRenderer } from "./charts/vega-chart-renderer.js";
import { ChatKernel } from "./chat/kernel/chat-kernel.js";
import { ChatOutbound } from "./chat/kernel/chat-outbound.js";
import { runTerminalChat } from "./chat/terminal/terminal-chat.js";
import { TerminalTransport } from "./chat/terminal/terminal-transport.js";
import type { AppConfig } from "./config.js";
import { createErp } from "./erp/create-erp.js";
import { StaffDirectory } from "./identity.js";
import { startProactiveEngine, type ProactiveEngine } from "./proactive/engine.js";
import { createOutbox, type Outbox } from "./proactive/outbox.js";
import { startMantisSimulator } from "./simulators/mantis/server.js";
import { SANDBOX_STAFF } from "./staff-file.js";
import { startRetentionJob, type RetentionJob } from "./process/customer-data.js";
import { startFilingRetries, type FilingRetries } from "./process/pending-filings.js";
import { Store } from "./store/store.js";
import { createMantisClient } from "./tracker/mantis/mantis-client.js";
import { createMantisTracker } from "./tracker/mantis/mantis-tracker.js";

export interface SandboxOptions {
  config: AppConfig;
  logger: Logger;
  input: Readable;
  output: Writable;
  interactive: boolean;
}

/**
 * The sandbox's clock: the real time, or a time set with `/time` that stays until set again, so a
 * script can play a week of the process in seconds (docs/report-example/).
 */
export class SandboxClock {
  private fixed: Date | undefined;

  /** The time every part of the sandbox reads. */
  readonly now = (): Date => this.fixed ?? new Date();

  /** `/time <ISO instant>` sets it, `/time now` lets it run again, `/time` alone tells it; answers what it is. */
  set(text: string): string {
    if (/^now$/i.test(text)) this.fixed = undefined;
    else if (text !== "") {
      const at = new Date(text);
      if (Number.isNaN(at.getTime())) return `"${text}" is not a time; write it like 2026-11-23T09:00Z, or "now".`;
      this.fixed = at;
    }
    return `The sandbox's clock says ${this.now().toISOString()}${this.fixed ? " (set with /time; /time now lets it run again)" : ""}.`;
  }
}

export async function runSandbox({ config, logger, input, output, interactive }: SandboxOptions): Promise<void> {
  const clock = new SandboxClock();
  const now = clock.now;
  const simulator = await startMantisSimulator({ seed: true, now });
  const store = await Store.open({ path: ":memory:" });
  let engine: ProactiveEngine | undefined;
  let filingRetries: FilingRetries | undefined;
  let retention: RetentionJob | undefined;
  let outbox: Outbox | undefined;
  try {
    const staff = new StaffDirectory([...SANDBOX_STAFF]);
    const client = createMantisClient({
      url: simulator.url,
      token: simulator.tokens.administrator!,
      project: 1,
      // The simulator's administrator token may act as each sandbox account, as a real admin token would.
      impersonate: true,
      timeoutMs: config.mantis?.timeoutMs ?? 10_000,
      category: config.process.category,
      log: logger,
    });
    const tracker = createMantisTracker({ client, staff });
    // The terminal is the sandbox's chat platform: its transport under the chat kernel. Every message
    // goes through the outbox to the transport's outgoing side; nothing waits for quiet hours, because
    // one person plays every account at the terminal and a held DM would never show in a scripted run.
    const chat = store.chat;
    // A terminal shows no pictures: the report's chart is saved under DATA_DIR and its path printed.
    const transport = new TerminalTransport(output, { imageDir: config.dataDir });
    const outbound = new ChatOutbound({ transport, chat, logger, clock: () => now().getTime() });
    const created = createOutbox({ store, staff, platforms: ["sandbox"], settings: config.process, proactive: config.proactive, log: logger, quietHours: false, now });
    outbox = created.outbox;
    const notifier = created.notifier;
    outbox.attach("sandbox", outbound);
    await outbox.start();
    const erp = createErp(config, store, notifier, now);
    // The proactive engine prints its pings, reminders and summaries as they come due. Off for piped
    // input unless PROACTIVE=on, so scripted runs stay deterministic; POLL_INTERVAL=5 and small
    // FEEDBACK_REMIND_AFTER etc. make a quick demo (docs/proactive.md). While it runs, `mine` and
    // `summary` read its mirror; without it they read the simulated MantisBT.
    const enabled = config.proactive.enabled;
    const engineOn = enabled === "on" || (enabled === "auto" && interactive);
    const queueSource = engineOn ? { kind: "mirror" as const, pollIntervalMs: config.proactive.pollIntervalMs } : undefined;
    const charts = createVegaChartRenderer();
    const core = createBotCore({ config, logger, store, staff, tracker, notifier, erp, charts, now, ...(queueSource ? { queueSource } : {}) });
    const kernel = new ChatKernel({ transport, core, staff, chat, logger, outbound });
    // Customers' filings the simulator could not take are filed when it answers, engine on or off.
    filingRetries = startFilingRetries({ tracker, store, staff, notifier, now: () => new Date(), log: logger });
    retention = startRetentionJob({ tracker, store, retentionDays: config.process.piiRetentionDays, now: () => new Date(), log: logger });
    if (engineOn) {
      engine = startProactiveEngine({ tracker, store, staff, outbox, settings: config.process, proactive: config.proactive, logger, charts, now });
    }
    const accounts = staff.all().map((member) => member.name);
    await runTerminalChat({
      input,
      output,
      interactive,
      accounts,
      startAs: "manager",
      banner: sandboxBanner(simulator.url, accounts, interactive),
      kernel,
      setTime: (text) => clock.set(text),
    });
    await kernel.stop();
  } finally {
    await engine?.stop();
    await filingRetries?.stop();
    await retention?.stop();
    await outbox?.stop();
    await store.close();
    await simulator.close();
  }
}

function sandboxBanner(trackerUrl: string, accounts: string[], interactive: boolean): string {
  const lines = [
    "support-bot SANDBOX: terminal chat + built-in MantisBT simulator with seed data (all in memory, fresh on every start).",
    `Simulated MantisBT: ${trackerUrl} . Nothing reaches a real tracker or chat. Configure MANTIS_* and MATTERMOST_*/MATRIX_* to run for real.`,
  ];
  if (interactive) {
    lines.push(`You are "manager" (management). Switch with /as <account> (${accounts.join(", ")}). Try: /support help, /support new, /support show 1. /time <instant> sets the clock. /quit leaves.`);
  }
  return lines.join("\n");
}
