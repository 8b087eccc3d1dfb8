/**
 * Retries a homeserver request answered 429 M_LIMIT_EXCEEDED after the `retry_after_ms` it names.
 * matrix-bot-sdk 0.7.1 does not retry (its doHttpRequest throws a MatrixError), so every write the
 * adapter makes goes through here. Sends keep one transaction id across retries, which the server
 * uses to drop duplicates (room_send.yaml), so a retry never posts twice.
 */
import { MatrixError } from "matrix-bot-sdk";
import type { Logger } from "pino";

/** How retries behave; tests shorten nothing here, the simulator names short waits itself. */
export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** Wait when the server names none. */
  defaultWaitMs: number;
  /** Longest single wait; a server asking for more gets this much before the next try. */
  maxWaitMs: number;
  /** Ends waiting early when the adapter stops. */
  signal?: AbortSignal;
  log: Logger;
}

export const DEFAULT_RETRY: Omit<RetryPolicy, "log" | "signal"> = { maxAttempts: 5, defaultWaitMs: 1_000, maxWaitMs: 60_000 };

/** Whether an error is the homeserver's rate limit. */
export function isRateLimited(error: unknown): error is MatrixError {
  return error instanceof MatrixError && (error.errcode === "M_LIMIT_EXCEEDED" || error.statusCode === 429);
}

/** Runs `action`, waiting and trying again while the homeserver answers with its rate limit. */
export async function withRateLimitRetry<T>(what: string, action: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (!isRateLimited(error) || attempt >= policy.maxAttempts) throw error;
      const waitMs = Math.min(Math.max(error.retryAfterMs ?? policy.defaultWaitMs, 0), policy.maxWaitMs);
      policy.log.warn({ what, attempt, waitMs }, "homeserver rate limit; retrying");
      await sleep(waitMs, policy.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error("stopped while waiting for the homeserver's rate limit"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error("stopped while waiting for the homeserver's rate limit"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
