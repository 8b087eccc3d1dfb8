/**
 * The bot's small HTTP server (HTTP_PORT): routes by method and exact path, a request body limit,
 * `GET /healthz` that reports every registered health check (is the process well: restart it if
 * not) and `GET /readyz` every readiness check (can it do its work now: store, tracker polls, chat). Chat adapters that receive
 * requests (Mattermost's slash commands, dialogs and buttons) register their routes on it.
 * Bodies are never logged: they carry what people typed, customers' data included.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";

/** One request as a handler sees it; the body is read completely (within the limit) before. */
export interface HttpRequest {
  method: string;
  /** The path without the query, e.g. `/mattermost/command`. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names, as Node gives them. */
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a handler answers: JSON (serialised here), plain text, or no body. */
export interface HttpAnswer {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export type HttpHandler = (request: HttpRequest) => Promise<HttpAnswer>;

/** The outcome of one check. */
export interface CheckResult {
  ok: boolean;
  detail?: string;
}

/** A named check for `/healthz` or `/readyz`: `ok: false` makes the whole answer 503. It may read the store (asynchronous). */
export type HealthCheck = () => CheckResult | Promise<CheckResult>;

export interface HttpServerOptions {
  logger: Logger;
  /** Larger request bodies are refused with 413 before they are read in full. Default 64 KiB. */
  maxBodyBytes?: number;
  /** How long one request may take to arrive completely. Default 30 s. */
  requestTimeoutMs?: number;
}

const DEFAULT_MAX_BODY = 64 * 1024;

/** Thrown inside body reading when the limit is passed; becomes 413. */
class BodyTooLargeError extends Error {
  override readonly name = "BodyTooLargeError";
}

/** 200 `{status: "ok", checks}` when every check passes, else 503 with `"status": "failing"`. */
async function report(registered: ReadonlyMap<string, HealthCheck>): Promise<HttpAnswer> {
  const checks: Record<string, string> = {};
  let ok = true;
  for (const [name, check] of registered) {
    const result = await check();
    ok &&= result.ok;
    checks[name] = result.detail ?? (result.ok ? "ok" : "failing");
  }
  return { status: ok ? 200 : 503, json: { status: ok ? "ok" : "failing", checks } };
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        // Stop buffering; the rest of the upload is discarded while the 413 goes out.
        chunks.length = 0;
        reject(new BodyTooLargeError(`body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    request.on("error", (error) => {
      if (!done) reject(error);
    });
  });
}

/** Routes, health checks and the listening socket; `start` once, `close` when the bot stops. */
export class HttpServer {
  private readonly routes = new Map<string, HttpHandler>();
  private readonly checks = new Map<string, HealthCheck>();
  private readonly readiness = new Map<string, HealthCheck>();
  private readonly server: Server;
  private readonly log: Logger;
  private readonly maxBodyBytes: number;
  private listening = false;

  constructor(options: HttpServerOptions) {
    this.log = options.logger.child({ module: "http" });
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.log.error({ err: error }, "HTTP handler crashed");
        if (!response.headersSent) this.send(response, { status: 500, json: { error: "internal error" } });
        else response.destroy();
      });
    });
    this.server.requestTimeout = options.requestTimeoutMs ?? 30_000;
    this.route("GET", "/healthz", async () => report(this.checks));
    this.route("GET", "/readyz", async () => report(this.readiness));
  }

  /** Registers a handler; a second handler for the same method and path is a programming error. */
  route(method: string, path: string, handler: HttpHandler): void {
    const key = `${method.toUpperCase()} ${path}`;
    if (this.routes.has(key)) throw new Error(`HTTP route ${key} is registered twice`);
    this.routes.set(key, handler);
  }

  /** Adds a check that `/healthz` reports under `name`. */
  addHealthCheck(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  /** Adds a check that `/readyz` reports under `name`. */
  addReadinessCheck(name: string, check: HealthCheck): void {
    this.readiness.set(name, check);
  }

  /** Listens on `port` (0 picks a free one) and `host` (default: every interface). */
  async start(port: number, host?: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once("error", onError);
      this.server.listen(port, host, () => {
        this.server.off("error", onError);
        resolve();
      });
    });
    this.listening = true;
    this.log.info({ port: this.port, host: host ?? "*" }, "HTTP server listening");
  }

  /** The port it listens on (after `start`). */
  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Stops accepting requests and closes open connections (keep-alive ones included). */
  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://localhost");
    } catch {
      // A target such as `//` or `//[` reads as a URL with a broken host: the client's mistake, not a crash.
      request.resume();
      this.send(response, { status: 400, json: { error: "malformed request target: send a path such as /healthz" } });
      return;
    }
    const method = (request.method ?? "GET").toUpperCase();
    const handler = this.routes.get(`${method} ${url.pathname}`);
    const finish = (answer: HttpAnswer): void => {
      this.send(response, answer);
      this.log.debug({ method, path: url.pathname, status: answer.status, durationMs: Math.round(performance.now() - started) }, "HTTP request");
    };
    if (!handler) {
      const known = [...this.routes.keys()].some((key) => key.endsWith(` ${url.pathname}`));
      request.resume();
      finish(known ? { status: 405, json: { error: "method not allowed" } } : { status: 404, json: { error: "not found" } });
      return;
    }
    const declared = Number(request.headers["content-length"] ?? "0");
    if (Number.isFinite(declared) && declared > this.maxBodyBytes) {
      this.refuseTooLarge(request, finish);
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(request, this.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        this.refuseTooLarge(request, finish);
        return;
      }
      throw error;
    }
    const answer = await handler({ method, path: url.pathname, query: url.searchParams, headers: request.headers, body });
    finish(answer);
  }

  /**
   * 413 with `Connection: close`; the rest of the upload is discarded unread (not buffered) so the
   * client gets to read the answer, and the request timeout bounds how long that may take.
   */
  private refuseTooLarge(request: IncomingMessage, finish: (answer: HttpAnswer) => void): void {
    request.resume();
    finish({ status: 413, json: { error: `request body larger than ${this.maxBodyBytes} bytes` }, headers: { Connection: "close" } });
  }

  private send(response: ServerResponse, answer: HttpAnswer): void {
    const headers: Record<string, string> = { ...answer.headers };
    let body = "";
    if (answer.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(answer.json);
    } else if (answer.text !== undefined) {
      headers["Content-Type"] ??= "text/plain; charset=utf-8";
      body = answer.text;
    }
    headers["Content-Length"] = String(Buffer.byteLength(body));
    response.writeHead(answer.status, headers);
    response.end(body);
  }
}
