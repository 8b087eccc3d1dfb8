/**
 * The benchmark's HTTP client: `concurrency` clients on kept-alive connections, each sending its
 * next request as soon as its previous one is answered, recording every latency. The same client
 * measures the bot and the bare server it is compared with.
 */
import { Agent, request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";

/** One request to send, and how to tell a right answer from a wrong one. */
export interface LoadRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
  /** Whether the answer (status 200) is the one wanted; a wrong answer counts as an error. */
  check?: (body: string) => boolean;
  /** The mix's name for this request (e.g. `grab`), for the latencies by kind. */
  kind?: string;
}

/** What a load run saw. */
export interface LoadResult {
  /** Milliseconds per rightly answered request, in the order answered. */
  latencies: number[];
  /** Latencies by `kind`. */
  byKind: Map<string, number[]>;
  errors: string[];
  elapsedMs: number;
}

export interface LoadOptions {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  concurrency: number;
  /** The n-th request (from 0); undefined ends that client. */
  next(index: number): LoadRequest | undefined;
  /** Stop taking new requests after this long (requests under way finish). */
  durationMs?: number;
}

/** Sends one request and reads the whole answer. */
function send(agent: Agent, base: URL, request: LoadRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { agent, host: base.hostname, port: base.port, method: "POST", path: request.path, headers: { ...request.headers, "Content-Length": Buffer.byteLength(request.body) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}

/** Runs the load: `concurrency` clients until `next` gives no more requests or the time is up. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const base = new URL(options.url);
  const latencies: number[] = [];
  const byKind = new Map<string, number[]>();
  const errors: string[] = [];
  let index = 0;
  const started = performance.now();
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  const client = async (): Promise<void> => {
    for (;;) {
      if (performance.now() >= deadline) return;
      const request = options.next(index++);
      if (!request) return;
      const sent = performance.now();
      try {
        const answer = await send(agent, base, request);
        const ms = performance.now() - sent;
        if (answer.status !== 200) {
          errors.push(`${request.kind ?? request.path}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
          continue;
        }
        if (request.check && !request.check(answer.body)) {
          errors.push(`${request.kind ?? request.path}: unexpected answer ${answer.body.slice(0, 300)}`);
          continue;
        }
        latencies.push(ms);
        if (request.kind) {
          const kind = byKind.get(request.kind) ?? [];
          kind.push(ms);
          byKind.set(request.kind, kind);
        }
      } catch (error) {
        errors.push(`${request.kind ?? request.path}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => client()));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { latencies, byKind, errors, elapsedMs };
}

/** The p-th percentile (nearest rank) of some values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
