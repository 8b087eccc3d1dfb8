import { describe, expect, it } from "vitest";
import { filingMarker, isRetryDue, mustLookBeforeFiling, retryDelayMs } from "../../src/core/pending-filing.js";

describe("pending filings: the rules", () => {
  it("makes a marker per filing that does not match another filing's", () => {
    expect(filingMarker(12)).toBe("(support filing 12)");
    expect(filingMarker(12).includes(filingMarker(1))).toBe(false);
  });

  it.each([
    [0, 0],
    [1, 30_000],
    [2, 60_000],
    [3, 120_000],
    [5, 480_000],
    [6, 900_000],
    [40, 900_000],
  ])("waits after %i failed attempts %i ms", (attempts, ms) => {
    expect(retryDelayMs(attempts)).toBe(ms);
  });

  it("tries a filing never tried at once, and one that failed once after 30 seconds", () => {
    const now = new Date("2026-11-26T10:00:00Z");
    expect(isRetryDue({ attempts: 0 }, now)).toBe(true);
    const failedAt = new Date(now.getTime() - 29_000);
    expect(isRetryDue({ attempts: 1, lastAttemptAt: failedAt }, now)).toBe(false);
    expect(isRetryDue({ attempts: 1, lastAttemptAt: new Date(now.getTime() - 30_000) }, now)).toBe(true);
  });

  it("leaves an attempt that started and never reported alone for two minutes (the command's own may still run)", () => {
    const now = new Date("2026-11-26T10:00:00Z");
    expect(isRetryDue({ attempts: 0, lastAttemptAt: new Date(now.getTime() - 119_000) }, now)).toBe(false);
    expect(isRetryDue({ attempts: 0, lastAttemptAt: new Date(now.getTime() - 120_000) }, now)).toBe(true);
  });

  it("looks for an earlier ticket before filing once any attempt started", () => {
    expect(mustLookBeforeFiling({ attempts: 0 })).toBe(false);
    expect(mustLookBeforeFiling({ attempts: 0, lastAttemptAt: new Date() })).toBe(true);
    expect(mustLookBeforeFiling({ attempts: 1, lastAttemptAt: new Date() })).toBe(true);
  });
});
