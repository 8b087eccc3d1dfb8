/**
 * Runs the bot for real: the configured MantisBT, the SQLite store under DATA_DIR, and every
 * configured chat platform at once (Mattermost and Matrix can both run from one process).
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
import { CHAT_ACCOUNT_PLATFORMS } from "./identity.js";
import { loadStaffFile } from "./staff-file.js";
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
  const tracker = createMantisTracker({
    client: createMantisClient({ ...config.mantis, category: config.process.category, log: logger.child({ component: "mantis" }) }),
    staff,
  });
  // Adapters join the fan-out as they start; notifications before that go nowhere and are retried by their senders.
  const targets: Notifier[] = [];
  const notifier = new FanOutNotifier(targets, logger);
  const erp = createErp(config, store, notifier, () => new Date());
  // Each chat adapter's kernel tells the core its trigger (a configured Matrix prefix) with every command.
  const core = createBotCore({ config, logger, store, staff, tracker, notifier, erp });

  // What the chat platforms keep between restarts (threads, processed events, notices, DM channels).
  const chat = new ChatRepository(store);
  const adapters: ChatAdapter[] = [];
  if (config.matrix) {
    const { createMatrixAdapter } = await import("./chat/matrix/matrix-adapter.js");
    adapters.push(createMatrixAdapter({ settings: config.matrix, core, staff, chat, logger: logger.child({ platform: "matrix" }) }));
  }
  if (config.mattermost) {
    const { createMattermostAdapter } = await import("./chat/mattermost/mattermost-adapter.js");
    adapters.push(createMattermostAdapter({ settings: config.mattermost, core, staff, chat, logger, http: { port: config.httpPort } }));
  }
  for (const adapter of adapters) {
    await adapter.start();
    targets.push(adapter.notifier);
    logger.info({ platform: adapter.platform }, "chat platform connected");
  }

  // Pings, reminders and summaries; PROACTIVE=off leaves only the commands (auto means on when live).
  let engine: ProactiveEngine | undefined;
  if (config.proactive.enabled !== "off") {
    engine = startProactiveEngine({ tracker, store, staff, notifier, settings: config.process, proactive: config.proactive, logger: logger.child({ component: "proactive" }) });
  }

  await waitForStopSignal(logger);
  await engine?.stop();
  for (const adapter of adapters.reverse()) await adapter.stop();
  store.close();
  logger.info("stopped");
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
