/**
 * Runs the bot for real: the configured MantisBT, the SQLite store under DATA_DIR, and every
 * configured chat platform at once (Mattermost and Matrix can both run from one process), with the
 * HTTP server (HTTP_PORT: Mattermost's requests, `/healthz`, `/readyz`, `/metrics`) whatever the
 * platforms. After the start it runs the doctor's checks and logs each failure as a warning.
 * SIGINT/SIGTERM stop everything cleanly.
 */
import { join } from "node:path";
import type { Logger } from "pino";
import { createBotCore } from "./app.js";
import type { ChatAdapter } from "./chat/kernel/chat-adapter.js";
import { FanOutNotifier } from "./chat/fan-out-notifier.js";
import type { Notifier } from "./chat/notifier.js";
import type { AppConfig } from "./config.js";
import { createErp } from "./erp/create-erp.js";
import { startProactiveEngine, type ProactiveEngine } from "./proactive/engine.js";
import { ConfigError } from "./errors.js";
import { HttpServer, type HealthCheck } from "./http/http-server.js";
import { CHAT_ACCOUNT_PLATFORMS, type StaffDirectory } from "./identity.js";
import { runChecks } from "./ops/doctor.js";
import { PrometheusMetrics } from "./ops/prometheus-metrics.js";
import { loadStaffFile } from "./staff-file.js";
import { getLastPoll } from "./store/proactive-repo.js";
import { ChatRepository } from "./store/chat-repo.js";
import { Store } from "./store/store.js";
import { createMantisClient } from "./tracker/mantis/mantis-client.js";
import { createMantisTracker } from "./tracker/mantis/mantis-tracker.js";

export async function runLive(config: AppConfig, logger: Logger): Promise<void> {
  // loadConfig guarantees both in live mode; checked again so the types say so.
  if (!config.mantis || !config.usersFile) throw new Error("live mode needs MantisBT settings and USERS_FILE");
  const staff = loadStaffFile(config.usersFile);
  const undeclared = staff.undeclaredAccounts(CHAT_ACCOUNT_PLATFORMS.filter((platform) => config[platform] !== undefined));
  if (undeclared.length > 0) throw new ConfigError(undeclared);
  const store = new Store(join(config.dataDir, "support-bot.sqlite"));
  const metrics = new PrometheusMetrics();
  const tracker = createMantisTracker({
    client: createMantisClient({ ...config.mantis, category: config.process.category, log: logger.child({ component: "mantis" }), metrics }),
    staff,
  });
  // Adapters join the fan-out as they start; notifications before that go nowhere and are retried by their senders.
  const targets: Notifier[] = [];
  const notifier = new FanOutNotifier(targets, logger);
  const erp = createErp(config, store, notifier, () => new Date());
  // Each chat adapter's kernel tells the core its trigger (a configured Matrix prefix) with every command.
  const core = createBotCore({ config, logger, store, staff, tracker, notifier, erp, metrics });

  // Up before the adapters, so /healthz and /readyz answer while they connect.
  const http = new HttpServer({ logger });
  http.route("GET", "/metrics", async () => {
    const { text, contentType } = await metrics.render();
    return { status: 200, text, headers: { "Content-Type": contentType } };
  });
  await http.start(config.httpPort);

  // What the chat platforms keep between restarts (threads, processed events, notices, DM channels).
  const chat = new ChatRepository(store);
  const adapters: ChatAdapter[] = [];
  if (config.matrix) {
    const { createMatrixAdapter } = await import("./chat/matrix/matrix-adapter.js");
    adapters.push(createMatrixAdapter({ settings: config.matrix, core, staff, chat, logger, metrics, http: { server: http } }));
  }
  if (config.mattermost) {
    const { createMattermostAdapter } = await import("./chat/mattermost/mattermost-adapter.js");
    adapters.push(createMattermostAdapter({ settings: config.mattermost, core, staff, chat, logger, metrics, http: { server: http } }));
  }
  for (const adapter of adapters) {
    await adapter.start();
    targets.push(adapter.notifier);
    logger.info({ platform: adapter.platform }, "chat platform connected");
  }

  // Pings, reminders and summaries; PROACTIVE=off leaves only the commands (auto means on when live).
  let engine: ProactiveEngine | undefined;
  if (config.proactive.enabled !== "off") {
    engine = startProactiveEngine({ tracker, store, staff, notifier, settings: config.process, proactive: config.proactive, logger, metrics });
  }
  addReadinessChecks(http, { store, adapters, pollIntervalMs: engine ? config.proactive.pollIntervalMs : undefined });
  void warnAboutChecks(config, staff, logger);

  await waitForStopSignal(logger);
  await engine?.stop();
  for (const adapter of adapters.reverse()) await adapter.stop();
  await http.close();
  store.close();
  logger.info("stopped");
}

/** A poll counts as fresh for this many poll intervals (one slow or failed cycle is no alarm). */
const FRESH_POLL_INTERVALS = 3;

/** `/readyz`: the store is open, the watcher read MantisBT lately (when the engine runs), every chat platform is connected. */
function addReadinessChecks(http: HttpServer, ready: { store: Store; adapters: readonly ChatAdapter[]; pollIntervalMs: number | undefined }): void {
  http.addReadinessCheck("store", () => (ready.store.isOpen ? { ok: true, detail: "open" } : { ok: false, detail: "closed" }));
  const { pollIntervalMs } = ready;
  if (pollIntervalMs !== undefined) {
    const poll: HealthCheck = () => {
      const last = ready.store.isOpen ? getLastPoll(ready.store) : undefined;
      if (!last) return { ok: false, detail: "no successful poll of MantisBT yet" };
      const ageMs = Date.now() - last.getTime();
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
