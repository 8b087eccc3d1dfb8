/**
 * The one root logger. Personal data of customers (name, phone, e-mail, contact) is redacted here,
 * centrally, by key name at any depth, so no later code can leak it into a log line by accident.
 */
import { writeSync } from "node:fs";
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

const PERSONAL_KEYS: ReadonlySet<string> = new Set(PERSONAL_DATA_KEYS);
const CENSOR = "[redacted]";
/** Deeper than this, a logged value is left out whole rather than searched. */
const MAX_DEPTH = 8;

/**
 * The value with every PERSONAL_DATA_KEYS property censored, at any depth. Copies only what it
 * changes: a log object without personal data is passed on as it is. (pino's own path redaction
 * needs one wildcard path per key and depth, and costs far more per log line and child logger:
 * docs/benchmarks.md.) Values with their own JSON form (dates, buffers) are kept; an `err` is
 * redacted after the error serializer has turned it into plain data.
 */
export function redactPersonalKeys(value: unknown, depth = 0): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_DEPTH) return "[too deep to log]";
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, index) => {
      const redacted = redactPersonalKeys(item, depth + 1);
      if (redacted !== item) (copy ??= [...value])[index] = redacted;
    });
    return copy ?? value;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const current = record[key];
    const redacted = PERSONAL_KEYS.has(key) && current !== undefined ? CENSOR : redactPersonalKeys(current, depth + 1);
    if (redacted !== current) (copy ??= { ...record })[key] = redacted;
  }
  return copy ?? value;
}

/** The object of one log line: `err` is left to its serializer, which redacts it itself. */
function redactLogObject(object: Record<string, unknown>): Record<string, unknown> {
  if (!("err" in object)) return redactPersonalKeys(object) as Record<string, unknown>;
  const { err, ...rest } = object;
  return { ...(redactPersonalKeys(rest) as Record<string, unknown>), err };
}

export interface LoggerOptions {
  level: string;
  format: "json" | "pretty";
  /** Where to write; defaults to stdout (JSON) or stderr (pretty). Tests pass a capture stream. */
  destination?: DestinationStream;
  /** File descriptor for the default destinations (the sandbox keeps stdout for the chat: 2). */
  fd?: 1 | 2;
}

/**
 * Child loggers' bindings are redacted too. pino applies no formatter to a child's bindings, so
 * `child` itself is wrapped; children inherit it from the root (pino makes them with Object.create).
 */
function redactChildBindings(root: Logger): Logger {
  const child = root.child;
  const redactingChild = function (this: Logger, bindings: Record<string, unknown>, options?: unknown) {
    return child.call(this, redactPersonalKeys(bindings) as Record<string, unknown>, options as Parameters<Logger["child"]>[1]);
  };
  root.child = redactingChild as Logger["child"];
  return root;
}

/** pino's level number of `warn`: lines at this level or above are written at once. */
const WARN_LEVEL = 40;
/** The property by which a destination asks pino for each line's level (pino's own multistream uses it). */
const NEEDS_METADATA: unique symbol = Symbol.for("pino.metadata") as never;

/**
 * Where the JSON log goes in production: the lines of one turn of the event loop are written with
 * one system call right after it (under load, many commands' lines at once), instead of one
 * blocking write per line. A warning or an error is written at once, with every line before it, in
 * order; so are the last lines when the process exits (also after an uncaught exception). What a
 * hard kill (SIGKILL, V8 out of memory) can lose is the info and debug lines of the last turn, never
 * an error already logged. (pino's asynchronous destination writes from a worker thread of libuv
 * and can lose more; its flushSync also fsyncs, which takes milliseconds.)
 */
export class TurnBufferedDestination implements DestinationStream {
  /** Asks pino for each line's level (in `lastLevel`) before it is written. */
  readonly [NEEDS_METADATA] = true;
  lastLevel = 0;
  private buffered = "";
  private scheduled = false;

  constructor(private readonly fd: number) {
    process.once("exit", () => this.flush());
  }

  write(line: string): void {
    this.buffered += line;
    if (this.lastLevel >= WARN_LEVEL) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Writes what is buffered now, blocking until it is written. */
  flush(): void {
    if (this.buffered === "") return;
    let bytes = Buffer.from(this.buffered, "utf8");
    this.buffered = "";
    while (bytes.length > 0) {
      try {
        bytes = bytes.subarray(writeSync(this.fd, bytes));
      } catch (error) {
        // A full pipe (stdout to a slow reader): wait a moment and write the rest.
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      }
    }
  }
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    // Log objects here, errors once serialized, child loggers' bindings in redactChildBindings.
    formatters: { log: redactLogObject },
    serializers: { err: (error: unknown) => redactPersonalKeys(pino.stdSerializers.err(error as Error)) },
  };
  if (options.destination) return redactChildBindings(pino(base, options.destination));
  if (options.format === "pretty") {
    return redactChildBindings(pino({ ...base, transport: { target: "pino-pretty", options: { destination: options.fd ?? 2, colorize: true } } }));
  }
  return redactChildBindings(pino(base, new TurnBufferedDestination(options.fd ?? 1)));
}
