import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileClock } from "../../src/ops/test-clock.js";

describe("the test clock (TEST_CLOCK_FILE)", () => {
  it("shows the file's instant, standing still, and the new one as soon as the file is replaced", () => {
    const dir = mkdtempSync(join(tmpdir(), "support-bot-clock-"));
    const file = join(dir, "now");
    const set = (instant: string) => {
      writeFileSync(join(dir, "next"), instant);
      renameSync(join(dir, "next"), file);
    };
    set("2026-11-23T08:00:00Z");
    const now = fileClock(file);
    expect(now().toISOString()).toBe("2026-11-23T08:00:00.000Z");
    expect(now().toISOString()).toBe("2026-11-23T08:00:00.000Z");
    set("2026-11-23T09:00:00Z");
    expect(now().toISOString()).toBe("2026-11-23T09:00:00.000Z");
    // A file that does not read (being written by hand) leaves the last instant.
    writeFileSync(file, "");
    expect(now().toISOString()).toBe("2026-11-23T09:00:00.000Z");
  });
});
