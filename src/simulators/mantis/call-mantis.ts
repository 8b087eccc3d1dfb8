/**
 * A small raw-HTTP helper for tests that talk to the simulator directly (not through the bot's client):
 * it keeps what a real client would see (status, reason phrase, headers, raw text).
 */
import type { MantisSimulator } from "./server.js";

/** One request to the simulator's REST API. */
export interface MantisCall {
  method?: string;
  /** Name of the seeded user whose token to send (default `administrator`), or null for no token. */
  as?: string | null;
  /** Sent as JSON with `Content-Type: application/json` unless `contentType` says otherwise. */
  body?: unknown;
  /** Overrides the Content-Type; `null` sends none. */
  contentType?: string | null;
  headers?: Record<string, string>;
}

/** What came back. `json` is undefined when the body is empty or not JSON. */
export interface MantisReply {
  status: number;
  reason: string;
  headers: Headers;
  text: string;
  json: unknown;
}

/** Calls `<sim.url>api/rest/<path>` (or `<sim.url><path>` when `path` starts with `/`). */
export async function callMantis(simulator: MantisSimulator, path: string, call: MantisCall = {}): Promise<MantisReply> {
  const headers: Record<string, string> = { ...call.headers };
  const as = call.as === undefined ? "administrator" : call.as;
  if (as !== null) {
    const token = simulator.tokens[as];
    if (token === undefined) throw new Error(`the simulator has no user named ${as}`);
    headers.Authorization = token;
  }
  let body: Uint8Array | undefined;
  if (call.body !== undefined) {
    // Bytes rather than a string: fetch would otherwise add "text/plain" when no Content-Type is wanted.
    body = new TextEncoder().encode(typeof call.body === "string" ? call.body : JSON.stringify(call.body));
    const contentType = call.contentType === undefined ? "application/json" : call.contentType;
    if (contentType !== null) headers["Content-Type"] = contentType;
  }
  const url = path.startsWith("/") ? new URL(path.slice(1), simulator.url) : new URL(`api/rest/${path}`, simulator.url);
  const response = await fetch(url, { method: call.method ?? "GET", headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  return { status: response.status, reason: response.statusText, headers: response.headers, text, json };
}
