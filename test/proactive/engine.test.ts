import { afterEach, describe, expect, it, vi } from "vitest";
import schedule from "node-schedule";
import { loadConfig } from "../../src/config.js";
import { StaffDirectory } from "../../src/identity.js";
import { createProactiveEngine, PROACTIVE_JOBS, startProactiveEngine, type ProactiveEngine } from "../../src/proactive/engine.js";
import type { ProactiveJob } from "../../src/proactive/job.js";
import { SANDBOX_STAFF } from "../../src/staff-file.js";
import { Store } from "../../src/store/store.js";
import { createMantisClient } from "../../src/tracker/mantis/mantis-client.js";
import { createMantisTracker } from "../../src/tracker/mantis/mantis-tracker.js";
import { captureLog, type CapturedLog } from "../support/capture-log.js";
import { createOutbox } from "../../src/proactive/outbox.js";
import { RecordingNotifier } from "../support/recording-notifier.js";
import { startEngineHarness, type EngineHarness } from "./engine-harness.js";

let store: Store | undefined;
let engine: ProactiveEngine | undefined;
let h: EngineHarness | undefined;
afterEach(async () => {
  await engine?.stop();
  await store?.close();
  await h?.close();
  vi.useRealTimers();
  engine = undefined;
  store = undefined;
  h = undefined;
});

/** An engine with only the given jobs, over ports the jobs never touch. */
async function engineWith(jobs: ProactiveJob[], env: Record<string, string> = {}): Promise<{ engine: ReturnType<typeof createProactiveEngine>; log: CapturedLog }> {
  const log = captureLog("debug");
  store = await Store.open({ path: ":memory:" });
  const config = loadConfig(env);
  const staff = new StaffDirectory([...SANDBOX_STAFF]);
  const { outbox } = createOutbox({ store, staff, platforms: ["sandbox"], settings: config.process, proactive: config.proactive, log: log.log, quietHours: true });
  outbox.attach("sandbox", new RecordingNotifier());
  const built = createProactiveEngine(
    {
      // Never called by these jobs: an unreachable address fails loudly if one tried.
      tracker: createMantisTracker({
        client: createMantisClient({ url: "http://127.0.0.1:9/", token: "unused", project: 1, impersonate: false, timeoutMs: 100, category: "General", log: log.log }),
        staff: new StaffDirectory([...SANDBOX_STAFF]),
      }),
      store,
      staff,
      outbox,
      settings: config.process,
      proactive: config.proactive,
      logger: log.log,
    },
    jobs,
  );
  engine = built;
  return { engine: built, log };
}

describe("job runner", () => {
  it("runs a daily job at its local time in its time zone through node-schedule", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-26T07:59:58Z") });
    const runs: Date[] = [];
    const job: ProactiveJob = { name: "at-nine", schedules: () => [{ daily: "09:00", timeZone: "Europe/Zurich" }], run: async () => void runs.push(new Date()) };
    const { engine } = await engineWith([job]);
    engine.start();

    const [scheduled] = engine.scheduledJobs();
    expect(scheduled!.nextInvocation()?.toISOString()).toBe("2026-11-26T08:00:00.000Z");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs.map((at) => at.toISOString())).toEqual(["2026-11-26T08:00:00.000Z"]);
    expect(scheduled!.nextInvocation()?.toISOString()).toBe("2026-11-27T08:00:00.000Z");
  });

  it("runs an interval job again after each run, and skips a run while the previous one still runs", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-26T10:00:00Z") });
    let release: () => void = () => undefined;
    let started = 0;
    const job: ProactiveJob = {
      name: "slow",
      schedules: () => [{ every: 1_000 }],
      run: () => {
        started++;
        return new Promise<void>((resolve) => (release = resolve));
      },
    };
    const { engine } = await engineWith([job]);
    engine.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toBe(1);
    expect(await engine.runJob("slow")).toBe("skipped");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(started).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toBe(2);
    release();
  });

  it("logs a failing job with its name and keeps it scheduled", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-26T10:00:00Z") });
    let calls = 0;
    const job: ProactiveJob = {
      name: "broken",
      schedules: () => [{ every: 1_000 }],
      run: async () => {
        calls++;
        throw new Error("tracker exploded");
      },
    };
    const { engine, log } = await engineWith([job]);
    engine.start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toBe(2);
    const failures = log.records().filter((record) => record.msg === "job failed");
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ job: "broken", err: { message: "tracker exploded" } });
  });

  it("stop() cancels every timer and scheduled job and waits for the run under way", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-26T10:00:00Z") });
    let finished = false;
    let release: () => void = () => undefined;
    const job: ProactiveJob = {
      name: "both",
      schedules: () => [{ every: 1_000 }, { daily: "11:00", timeZone: "UTC" }],
      run: () =>
        new Promise<void>((resolve) => {
          release = () => {
            finished = true;
            resolve();
          };
        }),
    };
    const { engine } = await engineWith([job]);
    engine.start();
    expect(engine.scheduledJobs()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    const stopped = engine.stop();
    release();
    await stopped;
    expect(finished).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(Object.keys(schedule.scheduledJobs).filter((name) => name.startsWith("both@"))).toEqual([]);
  });
});

describe("production schedules", () => {
  it("watches every POLL_INTERVAL, checks every CHECK_INTERVAL and summarizes at each channel's time", () => {
    const config = loadConfig({ POLL_INTERVAL: "30", CHECK_INTERVAL: "120", SUMMARY_CHANNELS: "management@09:00,support@09:30/America/New_York", TIMEZONE: "Europe/Zurich" }).proactive;
    const plans = Object.fromEntries(PROACTIVE_JOBS.map((job) => [job.name, job.schedules(config)]));
    expect(plans).toEqual({
      "watch-tracker": [{ every: 30_000 }],
      "new-bug-reminders": [{ every: 120_000 }],
      "feedback-reminders": [{ every: 120_000 }],
      "deadline-risk": [{ every: 120_000 }],
      "channel-summary": [{ daily: "09:00", timeZone: "Europe/Zurich" }, { daily: "09:30", timeZone: "America/New_York" }, { every: 120_000 }],
      // The weekly report follows the management summary (REPORT_CHANNELS unset); the run checks for Monday.
      "weekly-report": [{ daily: "09:00", timeZone: "Europe/Zurich" }, { every: 120_000 }],
      "dm-digest": [{ every: 120_000 }],
      // Right after every other job; retries run on the outbox's own timer, engine or not.
      "deliver-notifications": [],
    });
  });

  it("startProactiveEngine catches up at once (the first run's message) and stops cleanly", async () => {
    h = await startEngineHarness();
    await h.engine.stop();
    const config = loadConfig({});
    const started = startProactiveEngine({ tracker: h.port, store: h.store, staff: h.staff, outbox: h.outbox, settings: config.process, proactive: config.proactive, logger: h.log.log, now: () => h!.clock.now });
    await vi.waitFor(() => expect(h!.notifier.postsIn("management")).toHaveLength(1), { timeout: 10_000 });
    expect(h.notifier.postsIn("management")[0]!.text).toMatch(/^I am now watching MantisBT/);
    await started.stop();
  });
});
