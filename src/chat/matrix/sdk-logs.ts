/**
 * matrix-bot-sdk logs through a global LogService; this routes it into the bot's logger, never at
 * TRACE (where the SDK logs request and sync bodies).
 */
import { LogLevel, LogService } from "matrix-bot-sdk";
import type { Logger } from "pino";

/** Routes the SDK's global log through our logger. */
export function routeSdkLogs(log: Logger): void {
  const text = (parts: unknown[]) =>
    parts.map((part) => (typeof part === "string" ? part : part instanceof Error ? part.message : JSON.stringify(part))).join(" ");
  // The HTTP client reports every refused request (an expected 404, a 429 that is retried) as an
  // error; the adapter logs what a failure means, so those stay at debug.
  const quietModules = new Set(["MatrixHttpClient"]);
  LogService.setLogger({
    trace: () => undefined,
    debug: (module: string, ...parts: unknown[]) => log.debug({ sdkModule: module }, text(parts)),
    info: (module: string, ...parts: unknown[]) => log.debug({ sdkModule: module }, text(parts)),
    warn: (module: string, ...parts: unknown[]) => log.warn({ sdkModule: module }, text(parts)),
    error: (module: string, ...parts: unknown[]) =>
      quietModules.has(module) ? log.debug({ sdkModule: module }, text(parts)) : log.warn({ sdkModule: module }, text(parts)),
  });
  LogService.setLevel(LogLevel.INFO);
}
