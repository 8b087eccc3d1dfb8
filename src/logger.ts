/**
 * The one root logger. Personal data of customers (name, phone, e-mail, contact) is redacted here,
 * centrally, by key name at any depth, so no later code can leak it into a log line by accident.
 */
import { pino, type Logger, type DestinationStream } from "pino";

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
export const PERSONAL_DATA_KEYS = [
  "name",
  "customer",
  "customerName",
  "customer_name",
  "phone",
  "email",
  "contact",
  "realName",
  "real_name",
  "issue",
  "details",
  "text",
  "submission",
] as const;

const redactPaths = PERSONAL_DATA_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);

export interface LoggerOptions {
  level: string;
  format: "json" | "pretty";
  /** Where to write; defaults to stdout (JSON) or stderr (pretty). Tests pass a capture stream. */
  destination?: DestinationStream;
  /** File descriptor for the default destinations (the sandbox keeps stdout for the chat: 2). */
  fd?: 1 | 2;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    redact: { paths: redactPaths, censor: "[redacted]" },
    serializers: { err: pino.stdSerializers.err },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.format === "pretty") {
    return pino({ ...base, transport: { target: "pino-pretty", options: { destination: options.fd ?? 2, colorize: true } } });
  }
  return pino(base, pino.destination({ fd: options.fd ?? 1, sync: true }));
}
