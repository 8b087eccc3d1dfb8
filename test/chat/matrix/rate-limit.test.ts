import { MatrixError } from "matrix-bot-sdk";
import { describe, expect, it } from "vitest";
import { withRateLimitRetry, type RetryPolicy } from "../../../src/chat/matrix/rate-limit.js";
import { captureLog } from "../../support/capture-log.js";

const limited = (retryAfterMs?: number) => new MatrixError({ errcode: "M_LIMIT_EXCEEDED", error: "Too Many Requests", retry_after_ms: retryAfterMs }, 429);

function policy(extra: Partial<RetryPolicy> = {}): RetryPolicy {
  return { maxAttempts: 3, defaultWaitMs: 0, maxWaitMs: 5, log: captureLog().log, ...extra };
}

describe("withRateLimitRetry", () => {
  it("tries again after a rate limit and returns the result", async () => {
    const answers: Array<() => Promise<string>> = [() => Promise.reject(limited(1)), () => Promise.reject(limited()), () => Promise.resolve("$event")];
    let calls = 0;
    await expect(withRateLimitRetry("send", () => answers[calls++]!(), policy())).resolves.toBe("$event");
    expect(calls).toBe(3);
  });

  it("gives up after the last attempt with the rate-limit error", async () => {
    let calls = 0;
    await expect(withRateLimitRetry("send", () => (calls++, Promise.reject(limited(0))), policy())).rejects.toThrow(MatrixError);
    expect(calls).toBe(3);
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    const forbidden = new MatrixError({ errcode: "M_FORBIDDEN", error: "not in room" }, 403);
    await expect(withRateLimitRetry("send", () => (calls++, Promise.reject(forbidden)), policy())).rejects.toBe(forbidden);
    expect(calls).toBe(1);
  });

  it("stops waiting when the adapter stops", async () => {
    const controller = new AbortController();
    const attempt = withRateLimitRetry("send", () => Promise.reject(limited(60_000)), policy({ maxWaitMs: 60_000, signal: controller.signal }));
    controller.abort();
    await expect(attempt).rejects.toThrow(/stopped while waiting/);
  });
});
