/** Runs the bot for real: the configured MantisBT plus every configured chat platform. */
import type { Logger } from "pino";
import type { AppConfig } from "./config.js";
import { ConfigError } from "./errors.js";

export async function runLive(config: AppConfig, logger: Logger): Promise<void> {
  logger.info({ mode: config.mode }, "starting");
  throw new ConfigError(["MATTERMOST_URL / MATRIX_HOMESERVER_URL: the chat adapters are not part of this build yet"]);
}
