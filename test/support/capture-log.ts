/** A pino logger writing JSON lines into memory, so tests can assert on (and search) log output. */
import { Writable } from "node:stream";
import type { Logger } from "pino";
import { createLogger } from "../../src/logger.js";

export interface CapturedLog {
  log: Logger;
  /** Raw JSON lines written so far. */
  lines: string[];
  /** Parsed records. */
  records(): Record<string, unknown>[];
  /** Everything written, as one string (to search for data that must not leak). */
  text(): string;
}

export function captureLog(level = "trace"): CapturedLog {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      callback();
    },
  });
  const log = createLogger({ level, format: "json", destination });
  return {
    log,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join("\n"),
  };
}
