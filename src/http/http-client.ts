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

/**
 * A fetch-like function over kept-alive connections. A failure to connect or read rejects like
 * fetch does (`TypeError("fetch failed")` with the socket error as `cause`); an aborted signal
 * rejects with its reason (a TimeoutError for AbortSignal.timeout).
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpFetch {
  const maxSockets = options.maxSockets ?? 50;
  const agents = { http: new HttpAgent({ keepAlive: true, maxSockets }), https: new HttpsAgent({ keepAlive: true, maxSockets }) };
  return (url, init = {}) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const target = typeof url === "string" ? new URL(url) : url;
      const secure = target.protocol === "https:";
      const signal = init.signal;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const headers: Record<string, string> = { "Accept-Encoding": "gzip, deflate", ...init.headers };
      if (init.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(init.body));
      const onAbort = () => outgoing.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      const settle = () => signal?.removeEventListener("abort", onAbort);
      const outgoing = (secure ? httpsRequest : httpRequest)(target, { method: init.method ?? "GET", headers, agent: secure ? agents.https : agents.http }, (response) => {
        readBody(response).then(
          (body) => {
            settle();
            resolve(toResponse(response, body));
          },
          (error: unknown) => {
            settle();
            reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: error }));
          },
        );
      });
      outgoing.on("error", (error) => {
        settle();
        reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: error }));
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      outgoing.end(init.body);
    });
}

/** The process's one client: connections are shared by every adapter. */
export const httpClient: HttpFetch = createHttpClient();
