/**
 * Runs the bot for real: the configured MantisBT, the SQLite store under DATA_DIR, and every
 * configured chat platform at once (Mattermost and Matrix can both run from one process), with the
 * HTTP server (HTTP_PORT: Mattermost's requests, `/healthz`, `/readyz`, `/metrics`) whatever the
 * platforms. After the start it runs the doctor's checks and logs each failure as a warning.
 * SIGINT/SIGTERM stop everything cleanly.
 *
 * Work that must happen once (the engine, customers' filings retried, retention, reading
 * Mattermost DMs and syncing Matrix) runs on the leader only and starts and stops with its
 * leadership (src/ha/leader.ts): with SQLite this one process leads; with replicas on PostgreSQL
 * one of them does. Every replica answers Mattermost's requests and delivers the outbox.
 */
import type { Logger } from "pino";
import { createBotCore } from "./app.js";
import { createVegaChartRenderer } from "./charts/vega-chart-renderer.js";
import type { ChatAdapter } from "./chat/kernel/chat-adapter.js";
import type { AppConfig } from "./config.js";
import { createErp } from "./erp/create-erp.js";
import { createPostgresLeadership, singleProcessLeadership, type Leadership } from "./ha/leader.js";
import { startProactiveEngine } from "./proactive/engine.js";
import { createOutbox } from "./proactive/outbox.js";
import { ConfigError } from "./errors.js";
import { HttpServer, type HealthCheck } from "./http/http-server.js";
import { CHAT_ACCOUNT_PLATFORMS, type StaffDirectory } from "./identity.js";
import { runChecks } from "./ops/doctor.js";
import { fileClock } from "./ops/test-clock.js";
import { PrometheusMetrics } from "./ops/prometheus-metrics.js";
import { loadStaffFile } from "./staff-file.js";
import { startRetentionJob } from "./process/customer-data.js";
import { startFilingRetries } from "./process/pending-filings.js";
import { Store } from "./store/store.js";
import { createMantisClient } from "./tracker/mantis/mantis-client.js";
import { createMantisTracker } from "./tracker/mantis/mantis-tracker.js";

export async function runLive(config: AppConfig, logger: Logger): Promise<void> {
  // loadConfig guarantees both in live mode; checked again so the types say so.
  if (!config.mantis || !config.usersFile) throw new Error("live mode needs MantisBT settings and USERS_FILE");
  const staff = loadStaffFile(config.usersFile);
  const platforms = CHAT_ACCOUNT_PLATFORMS.filter((platform) => config[platform] !== undefined);
  const undeclared = staff.undeclaredAccounts(platforms);
  if (undeclared.length > 0) throw new ConfigError(undeclared);
  // Listen for SIGINT/SIGTERM before anything starts: a stop asked for while the adapters still
  // connect then ends the run cleanly once they have, instead of killing the process half-way.
  const stopAsked = waitForStopSignal(logger);
  // The real time, or in a test against simulators the instant TEST_CLOCK_FILE holds.
  const now = config.testClockFile ? fileClock(config.testClockFile) : () => new Date();
  if (config.testClockFile) logger.warn({ file: config.testClockFile, now: now().toISOString() }, "TEST_CLOCK_FILE is set: the bot's clock is the instant in that file (tests only)");
  const store = await Store.open(config.store);
  // Replicas share the PostgreSQL store; they elect their leader there too.
  const databaseUrl = "databaseUrl" in config.store ? config.store.databaseUrl : undefined;
  const metrics = new PrometheusMetrics();
  const tracker = createMantisTracker({
    client: createMantisClient({ ...config.mantis, category: config.process.category, log: logger.child({ component: "mantis" }), metrics }),
    staff,
  });
  // Every notification goes through the outbox, one route per configured platform; a platform's routes
  // wait until its adapter is connected. The outbox retries on its own timer, with the engine on or off.
  const { outbox, notifier } = createOutbox({ store, staff, platforms, settings: config.process, proactive: config.proactive, log: logger.child({ component: "outbox" }), quietHours: true, metrics, now, shared: databaseUrl !== undefined });
  await outbox.start();
  const erp = createErp(config, store, notifier, now);
  // Each chat adapter's kernel tells the core its trigger (a configured Matrix prefix) with every command.
  // Pings, reminders and summaries; PROACTIVE=off leaves only the commands (auto means on when live).
  // While the engine runs, `mine` and `summary` read its mirror instead of paging through MantisBT.
  const engineOn = config.proactive.enabled !== "off";
  const leadership = createLeadership({ databaseUrl, takeoverMs: config.leader.takeoverMs }, logger, metrics);
  const queueSource = engineOn ? { kind: "mirror" as const, pollIntervalMs: config.proactive.pollIntervalMs } : undefined;
  // The report's chart, drawn in process (Vega-Lite, resvg, the packaged font); its packages load on the first chart.
  const charts = createVegaChartRenderer();
  const core = createBotCore({ config, logger, store, staff, tracker, notifier, erp, metrics, charts, now, ...(queueSource ? { queueSource } : {}) });

  // Up before the adapters, so /healthz and /readyz answer while they connect.
  const http = new HttpServer({ logger });
  http.route("GET", "/metrics", async () => {
    const { text, contentType } = await metrics.render();
    return { status: 200, text, headers: { "Content-Type": contentType } };
  });
  await http.start(config.httpPort);

  // What the chat platforms keep between restarts (threads, processed events, notices, DM channels).
  const chat = store.chat;
  const adapters: ChatAdapter[] = [];
  if (config.matrix) {
    const { createMatrixAdapter } = await import("./chat/matrix/matrix-adapter.js");
    adapters.push(createMatrixAdapter({ settings: config.matrix, chatSettings: config.chat, core, staff, chat, logger, metrics, http: { server: http } }));
  }
  if (config.mattermost) {
    const { createMattermostAdapter } = await import("./chat/mattermost/mattermost-adapter.js");
    adapters.push(createMattermostAdapter({ settings: config.mattermost, chatSettings: config.chat, core, staff, chat, logger, metrics, http: { server: http } }));
  }
  // Messages sent while no replica read them (a takeover) still count as new for the next leader.
  const catchUpMs = 2 * config.leader.takeoverMs;
  for (const adapter of adapters) {
    await adapter.start({ listen: false, catchUpMs });
    outbox.attach(adapter.platform, adapter.notifier);
    logger.info({ platform: adapter.platform }, "chat platform connected");
  }

  // The leader's work, started once the chat platforms are connected (so the DMs with filed bugs'
  // numbers and the engine's pings reach people), stopped in reverse order when it stops leading.
  let leaderWork: { stop(): Promise<void> }[] = [];
  // The chat listeners first: a new leader is reachable at once, while the engine's first checks run.
  for (const adapter of adapters) {
    leadership.onElected(() => adapter.listen());
    leadership.onDeposed(() => adapter.stopListening());
  }
  leadership.onElected(() => {
    // Customers' filings MantisBT could not take are filed when it answers again, with the engine on or off.
    leaderWork.push(startFilingRetries({ tracker, store, staff, notifier, now, log: logger.child({ component: "filings" }) }));
    // Customers' personal data past PII_RETENTION_DAYS is erased at start and daily.
    leaderWork.push(startRetentionJob({ tracker, store, retentionDays: config.process.piiRetentionDays, now, log: logger.child({ component: "retention" }) }));
    if (engineOn) leaderWork.push(startProactiveEngine({ tracker, store, staff, outbox, settings: config.process, proactive: config.proactive, logger, metrics, charts, now }));
  });
  leadership.onDeposed(async () => {
    for (const work of leaderWork.reverse()) await work.stop();
    leaderWork = [];
  });
  addReadinessChecks(http, { store, adapters, leadership, now, pollIntervalMs: engineOn ? config.proactive.pollIntervalMs : undefined });
  await leadership.start();
  void warnAboutChecks(config, staff, logger);

  await stopAsked;
  await leadership.stop();
  await outbox.stop();
  for (const adapter of adapters.reverse()) await adapter.stop();
  await http.close();
  await store.close();
  logger.info("stopped");
}

/** A poll counts as fresh for this many poll intervals (one slow or failed cycle is no alarm). */
const FRESH_POLL_INTERVALS = 3;

/**
 * The election: one PostgreSQL session advisory lock among replicas sharing a database, or this
 * process alone on SQLite. Every change of role is logged by the election and counted in `/metrics`.
 */
function createLeadership({ databaseUrl, takeoverMs }: { databaseUrl: string | undefined; takeoverMs: number }, logger: Logger, metrics: PrometheusMetrics): Leadership {
  const log = logger.child({ component: "leader" });
  if (databaseUrl !== undefined) return createPostgresLeadership({ connection: databaseUrl, takeoverMs, log, onRoleChange: (leader) => metrics.leader(leader) });
  const leadership = singleProcessLeadership(log);
  leadership.onElected(() => metrics.leader(true));
  leadership.onDeposed(() => metrics.leader(false));
  return leadership;
}

/**
 * `/readyz`: the store is open, the watcher read MantisBT lately (when the engine runs), every chat
 * platform is connected; and whether this replica leads (a standby is ready too: it answers Mattermost).
 */
function addReadinessChecks(http: HttpServer, ready: { store: Store; adapters: readonly ChatAdapter[]; leadership: Leadership; now: () => Date; pollIntervalMs: number | undefined }): void {
  http.addReadinessCheck("store", () => (ready.store.isOpen ? { ok: true, detail: "open" } : { ok: false, detail: "closed" }));
  http.addReadinessCheck("leader", () => ({ ok: true, detail: ready.leadership.status().detail }));
  const { pollIntervalMs } = ready;
  if (pollIntervalMs !== undefined) {
    const poll: HealthCheck = async () => {
      const last = ready.store.isOpen ? await ready.store.mirror.lastPoll() : undefined;
      if (!last) return { ok: false, detail: "no successful poll of MantisBT yet" };
      const ageMs = ready.now().getTime() - last.getTime();
      return { ok: ageMs <= FRESH_POLL_INTERVALS * pollIntervalMs + 60_000, detail: `last poll ${last.toISOString()}` };
    };
    http.addReadinessCheck("poll", poll);
  }
  for (const adapter of ready.adapters) http.addReadinessCheck(adapter.platform, () => adapter.health());
}

/** The doctor's checks, run once after the start; each failure becomes a warning in the log. */
async function warnAboutChecks(config: AppConfig, staff: StaffDirectory, logger: Logger): Promise<void> {
  try {
    const sections = await runChecks({ config, staff });
    for (const section of sections) {
      for (const result of section.results) {
        if (result.status === "fail") logger.warn({ part: section.part, fix: result.fix }, `setup check failed: ${result.what}`);
      }
    }
  } catch (error) {
    logger.warn({ err: error }, "the setup checks could not run");
  }
}

function waitForStopSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, "stopping");
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
