/**
 * Entry point (`npm start`). Reads the configuration, then runs the sandbox (nothing configured)
 * or the bot against the configured tracker and chat platforms. Invalid configuration: exit code 2
 * and one line per problem, no stack trace.
 */
import { loadConfig, readEnvironment } from "./config.js";
import { ConfigError } from "./errors.js";
import { createLogger } from "./logger.js";

function exitWithConfigProblems(error: ConfigError): never {
  process.stderr.write(`support-bot: invalid configuration\n${error.problems.map((line) => `  ${line}`).join("\n")}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const environment = readEnvironment(process.env);
  const config = loadConfig(environment, { isTTY: Boolean(process.stderr.isTTY) });
  if (config.mode === "sandbox") {
    // The terminal chat owns stdout; logs go to stderr, and only warnings unless LOG_LEVEL asks for more.
    const level = environment.LOG_LEVEL ? config.logLevel : "warn";
    const logger = createLogger({ level, format: config.logFormat, fd: 2 });
    const interactive = Boolean(process.stdin.isTTY);
    // Each mode loads only its own modules (the sandbox its simulator and terminal chat): a live start is faster.
    const { runSandbox } = await import("./sandbox.js");
    await runSandbox({ config, logger, input: process.stdin, output: process.stdout, interactive });
    return;
  }
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const { runLive } = await import("./live.js");
  await runLive(config, logger);
}

main().catch((error: unknown) => {
  // Configuration problems found later (users file, a refused token) end the same way as bad settings.
  if (error instanceof ConfigError) exitWithConfigProblems(error);
  process.stderr.write(`support-bot: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
