/**
 * A `fetch` stand-in for unit tests of the MantisBT client: it records every request and answers
 * through a handler, so tests can serve odd bodies (empty, HTML, wrong shape) a real server sends.
 * Any request the handler does not expect fails the test instead of reaching the network.
 */
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";

export interface RecordedFetch {
  method: string;
  url: URL;
  /** Path below `/api/rest/`, e.g. `issues/5`. */
  route: string;
  headers: Headers;
  body: unknown;
}

export type FakeHandler = (request: RecordedFetch) => Response | Promise<Response> | undefined;

export interface FakeFetch {
  fetch: typeof fetch;
  requests: RecordedFetch[];
}

/** Builds a recording fetch; a handler returning undefined means "unexpected request". */
export function createFakeFetch(handler: FakeHandler): FakeFetch {
  const requests: RecordedFetch[] = [];
  const fake = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const headers = new Headers(init.headers);
    const body = typeof init.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    const route = url.pathname.replace(/^.*\/api\/rest\//, "");
    const request: RecordedFetch = { method: init.method ?? "GET", url, route, headers, body };
    requests.push(request);
    const response = await handler(request);
    if (!response) throw new Error(`unexpected request ${request.method} ${url.pathname}${url.search}`);
    return response;
  };
  return { fetch: fake as typeof fetch, requests };
}

/** A fetch that never answers but honours the abort signal, as a hung server would look. */
export function hangingFetch(): typeof fetch {
  return ((_input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((_resolve, reject) => {
      init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
    })) as typeof fetch;
}

/** A JSON answer with MantisBT's content type. */
export function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    ...init,
    headers: { "Content-Type": "application/json;charset=utf-8", ...(init.headers as Record<string, string> | undefined) },
  });
}

/** A pino logger at debug level whose lines end up in `lines` (parsed JSON). */
export function captureLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines };
}

/** An issue as a real 2.28.4 server sends it (OBSERVED.md): tag ids as strings, empty fields left out. */
export function issueJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 42,
    summary: "[4h, 14.3.2034] Wallet shows wrong balance",
    description: "The balance is off after a refund.",
    project: { id: 1, name: "Taler" },
    category: { id: 1, name: "General" },
    reporter: { id: 2, name: "alice", real_name: "Alice Example", email: "alice@example.com" },
    status: { id: 10, name: "new", label: "new", color: "#fcbdbd" },
    resolution: { id: 10, name: "open", label: "open" },
    view_state: { id: 10, name: "public", label: "public" },
    priority: { id: 30, name: "normal", label: "normal" },
    severity: { id: 50, name: "minor", label: "minor" },
    reproducibility: { id: 70, name: "have not tried", label: "have not tried" },
    sticky: false,
    created_at: "2026-11-26T14:14:37+00:00",
    updated_at: "2026-11-26T15:00:00+00:00",
    tags: [{ id: "1", name: "Customer" }],
    ...overrides,
  };
}
