/**
 * What `support-bot doctor` (and the live bot at start) reports: one line per thing the bot needs,
 * found or not, with the fix. Each adapter owns its checks and returns these; src/ops/doctor.ts
 * composes them. Shared by every adapter, so it sits beside src/errors.ts.
 */
import type { HttpFetch } from "./http/http-client.js";

/** `ok` found as needed; `warn` works, but less well (the line says how); `fail` the bot needs it. */
export type CheckStatus = "ok" | "warn" | "fail";

/** One checked thing: what was found, and for a `warn` or `fail` what to do about it. */
export interface CheckResult {
  status: CheckStatus;
  /** What was checked and found, e.g. `MantisBT token belongs to administrator (administrator)`. */
  what: string;
  /** The fix, for `warn` and `fail`. */
  fix?: string;
}

/** A thing found as the bot needs it. */
export function passed(what: string): CheckResult {
  return { status: "ok", what };
}

/** A thing the bot needs and does not have, with the fix. */
export function failed(what: string, fix: string): CheckResult {
  return { status: "fail", what, fix };
}

/** A thing that works, but less well than it could; the fix says how to get the rest. */
export function advised(what: string, fix: string): CheckResult {
  return { status: "warn", what, fix };
}

/**
 * The request function of the checks: the adapters' kept-alive client (`httpClient`) unless a test
 * hands in its own (fetch fits). Not Node's global fetch: its first call loads Node's own undici,
 * ~60 ms of every live start (the bot runs these checks at start) and memory kept for nothing.
 */
export type FetchFunction = HttpFetch;

/** The answer of one check request: status and parsed JSON (undefined when not JSON), or why it failed. */
export type Probe = { reached: true; status: number; json: unknown } | { reached: false; reason: string };

/** One GET for a check: never throws; a network failure or timeout says why. */
export async function probe(fetchFn: FetchFunction, url: string | URL, headers: Record<string, string>, timeoutMs: number): Promise<Probe> {
  try {
    const response = await fetchFn(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let json: unknown;
    try {
      json = text.trim() === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { reached: true, status: response.status, json };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
    const reason = error instanceof Error ? (error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (cause ?? error.message)) : String(error);
    return { reached: false, reason };
  }
}
