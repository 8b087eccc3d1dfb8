/**
 * The bot's HTTP client for the services it calls many times a second (MantisBT, Mattermost's REST
 * API): undici's dispatcher on kept-alive connections, behind the part of `fetch`'s interface the
 * adapters use, so tests can still hand them a `fetch` of their own. Node's built-in fetch costs
 * several times the CPU per request (WHATWG streams, a new AbortSignal.timeout each time), and
 * `node:http`'s ClientRequest about twice undici's dispatch (docs/benchmarks.md). Compressed answers
 * (gzip, deflate) are decompressed, as fetch does; the reason phrase is kept (MantisBT puts its
 * error messages there).
 */
import { createRequire } from "node:module";
import { gunzipSync, inflateSync } from "node:zlib";
import type { Agent as UndiciAgent, Dispatcher } from "undici";

/**
 * undici's Agent alone. The package's entry point also loads its fetch, WebSocket, caches and mocks:
 * ~80 ms of every start and ~19 MB resident, against ~35 ms and ~10 MB for the Agent, whose
 * `dispatch` is all the bot uses. The path is inside the package (undici declares no `exports`, so
 * Node allows it): package.json pins undici's exact version, and every test of this client fails if
 * the path moves.
 */
const Agent = createRequire(import.meta.url)("undici/lib/dispatcher/agent.js") as typeof UndiciAgent;

/** What the adapters read of an answer; fetch's Response has all of it. */
export interface HttpResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** What the adapters send; a subset of fetch's RequestInit. */
export interface HttpRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** A request function with fetch's calling convention, for the adapters' transports. */
export type HttpFetch = (url: string | URL, init?: HttpRequestInit) => Promise<HttpResponse>;

export interface HttpClientOptions {
  /** Connections kept per host at most (default 50: as many requests at once as Mattermost's clients). */
  maxSockets?: number;
}

/** An idle kept connection is closed after this long (or earlier when the server says so). */
const IDLE_TIMEOUT_MS = 4_000;
/** Requests that may be sent again when a kept connection turns out closed: they change nothing. */
const IDEMPOTENT: ReadonlySet<string> = new Set(["GET", "HEAD"]);

/** The answer's body as text, decompressed when the server compressed it. */
function decodeBody(chunks: readonly Buffer[], encoding: string): string {
  const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  const coding = encoding.trim().toLowerCase();
  if (coding === "gzip" || coding === "x-gzip") return gunzipSync(raw).toString("utf8");
  if (coding === "deflate") return inflateSync(raw).toString("utf8");
  return raw.toString("utf8");
}

/** The answer's headers as undici hands them over, lower-case names. */
type ResponseHeaders = Record<string, string | string[] | undefined>;

function toResponse(status: number, statusText: string, headers: ResponseHeaders, body: string): HttpResponse {
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText,
    headers: {
      get(name: string): string | null {
        const value = headers[name.toLowerCase()];
        if (value === undefined) return null;
        return Array.isArray(value) ? value.join(", ") : value;
      },
    },
    text: () => Promise.resolve(body),
  };
}

/** What one try of a request came to: an answer, or an error and whether a retry is safe. */
type Attempt = { response: HttpResponse } | { error: unknown; retry: boolean };

/**
 * A fetch-like function over kept-alive connections. A failure to connect or read rejects like
 * fetch does (`TypeError("fetch failed")` with the socket error as `cause`); an aborted signal
 * rejects with its reason (a TimeoutError for AbortSignal.timeout).
 *
 * A kept connection the server closes just as a request goes out fails that request; a GET (which
 * changes nothing) is then sent once more on a new connection. To make that rare, an idle
 * connection is closed after 4 s, or earlier when the server's `Keep-Alive: timeout=` says so
 * (Apache and Node close theirs after 5 s).
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpFetch {
  const agent = new Agent({ connections: options.maxSockets ?? 50, pipelining: 1, keepAliveTimeout: IDLE_TIMEOUT_MS, keepAliveMaxTimeout: IDLE_TIMEOUT_MS });

  const attempt = (target: URL, init: HttpRequestInit): Promise<Attempt> =>
    new Promise<Attempt>((resolve) => {
      const signal = init.signal;
      const method = (init.method ?? "GET").toUpperCase();
      const headers: Record<string, string> = { "accept-encoding": "gzip, deflate", ...init.headers };
      let controller: Dispatcher.DispatchController | undefined;
      let answered = false;
      let settled = false;
      const settle = (result: Attempt): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        resolve(result);
      };
      const onAbort = (): void => {
        controller?.abort(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
        settle({ error: signal?.reason, retry: false });
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      let status = 0;
      let statusText = "";
      let responseHeaders: ResponseHeaders = {};
      const chunks: Buffer[] = [];
      agent.dispatch(
        { origin: target.origin, path: `${target.pathname}${target.search}`, method: method as Dispatcher.HttpMethod, headers, body: init.body ?? null },
        {
          onRequestStart(started) {
            controller = started;
            if (signal?.aborted) started.abort(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
          },
          onResponseStart(_controller, statusCode, headersIn, statusMessage) {
            answered = true;
            status = statusCode;
            statusText = statusMessage ?? "";
            responseHeaders = headersIn as ResponseHeaders;
          },
          onResponseData(_controller, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            try {
              settle({ response: toResponse(status, statusText, responseHeaders, decodeBody(chunks, String(responseHeaders["content-encoding"] ?? ""))) });
            } catch (error) {
              settle({ error: new TypeError("fetch failed", { cause: error }), retry: false });
            }
          },
          onResponseError(_controller, error) {
            if (signal?.aborted) settle({ error: signal.reason, retry: false });
            else settle({ error: new TypeError("fetch failed", { cause: error }), retry: !answered && IDEMPOTENT.has(method) });
          },
        },
      );
    });

  return async (url, init = {}) => {
    if (init.signal?.aborted) throw init.signal.reason;
    const target = typeof url === "string" ? new URL(url) : url;
    let result = await attempt(target, init);
    if ("error" in result && result.retry) result = await attempt(target, init);
    if ("error" in result) throw result.error;
    return result.response;
  };
}

/** The process's one client: connections are shared by every adapter. */
export const httpClient: HttpFetch = createHttpClient();
