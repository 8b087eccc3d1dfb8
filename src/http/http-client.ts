/**
 * The bot's HTTP client for the services it calls many times a second (MantisBT, Mattermost's REST
 * API): `node:http`/`node:https` on kept-alive connections, behind the part of `fetch`'s interface
 * the adapters use, so tests can still hand them a `fetch` of their own. Node's built-in fetch
 * costs several times the CPU per request (WHATWG streams, a new AbortSignal.timeout each time):
 * docs/benchmarks.md. Compressed answers (gzip, deflate) are decompressed, as fetch does.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { createGunzip, createInflate } from "node:zlib";

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
function readBody(response: IncomingMessage): Promise<string> {
  const encoding = String(response.headers["content-encoding"] ?? "").trim().toLowerCase();
  const stream = encoding === "gzip" || encoding === "x-gzip" ? response.pipe(createGunzip()) : encoding === "deflate" ? response.pipe(createInflate()) : response;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
    if (stream !== response) response.on("error", reject);
  });
}

function toResponse(response: IncomingMessage, body: string): HttpResponse {
  const status = response.statusCode ?? 0;
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: response.statusMessage ?? "",
    headers: {
      get(name: string): string | null {
        const value = response.headers[name.toLowerCase()];
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
 * connection is closed after 4 s or a second before the server's own `Keep-Alive: timeout=`
 * (Apache and Node close theirs after 5 s).
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpFetch {
  const maxSockets = options.maxSockets ?? 50;
  const settings = { keepAlive: true, maxSockets, timeout: IDLE_TIMEOUT_MS };
  const agents = { http: new HttpAgent(settings), https: new HttpsAgent(settings) };

  const attempt = (target: URL, init: HttpRequestInit): Promise<Attempt> =>
    new Promise<Attempt>((resolve) => {
      const secure = target.protocol === "https:";
      const signal = init.signal;
      const headers: Record<string, string> = { "Accept-Encoding": "gzip, deflate", ...init.headers };
      if (init.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(init.body));
      let answered = false;
      const fail = (error: unknown) => {
        signal?.removeEventListener("abort", onAbort);
        if (signal?.aborted) resolve({ error: signal.reason, retry: false });
        else resolve({ error: new TypeError("fetch failed", { cause: error }), retry: !answered && outgoing.reusedSocket && IDEMPOTENT.has(outgoing.method) });
      };
      const onAbort = () => outgoing.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      const outgoing = (secure ? httpsRequest : httpRequest)(target, { method: init.method ?? "GET", headers, agent: secure ? agents.https : agents.http }, (response) => {
        answered = true;
        readBody(response).then((body) => {
          signal?.removeEventListener("abort", onAbort);
          resolve({ response: toResponse(response, body) });
        }, fail);
      });
      outgoing.on("error", fail);
      signal?.addEventListener("abort", onAbort, { once: true });
      outgoing.end(init.body);
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
