/**
 * Entry point (`npm start`). Reads the configuration, then runs the sandbox (nothing configured)
 * or the bot against the configured tracker and chat platforms. Invalid configuration: exit code 2
 * and one line per problem, no stack trace.
 */
import { loadConfig, readEnvironment, type AppConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { createLogger } from "./logger.js";
import { runSandbox } from "./sandbox.js";

function readConfig(): AppConfig {
  try {
    return loadConfig(readEnvironment(process.env), { isTTY: Boolean(process.stderr.isTTY) });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`support-bot: invalid configuration\n${error.problems.map((line) => `  ${line}`).join("\n")}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  if (config.mode === "sandbox") {
    // The terminal chat owns stdout; logs go to stderr and only warnings unless asked for more.
    const level = config.env.LOG_LEVEL === "info" && !process.env.LOG_LEVEL ? "warn" : config.logLevel;
    const logger = createLogger({ level, format: config.logFormat, fd: 2 });
    const interactive = Boolean(process.stdin.isTTY);
    await runSandbox({ config, logger, input: process.stdin, output: process.stdout, interactive });
    return;
  }
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const { runLive } = await import("./live.js");
  await runLive(config, logger);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`support-bot: invalid configuration\n${error.problems.map((line) => `  ${line}`).join("\n")}\n`);
    process.exit(2);
  }
  process.stderr.write(`support-bot: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
