/**
 * Scheduled jobs: one file each in ./jobs exporting its name, schedule and `run`. The runner wraps
 * every run: a child logger per run, errors logged (never thrown into a timer), a run skipped while
 * the previous one still runs, and `cancel()` stopping every timer and node-schedule job it owns.
 */
import { randomUUID } from "node:crypto";
import schedule from "node-schedule";
import type { Logger } from "pino";
import { contextForRun, type EngineContext } from "./context.js";
import type { ProactiveSettings } from "./settings.js";

/** When a job runs: every so many milliseconds (a timer), or daily at a local time (node-schedule, time-zone aware). */
export type JobSchedule = { every: number } | { daily: string; timeZone: string };

/** A scheduled job: its name, when it runs, and what it does. */
export interface ProactiveJob {
  name: string;
  /** The job's schedules under the given settings. */
  schedules(config: ProactiveSettings): JobSchedule[];
  run(ctx: EngineContext): Promise<void>;
}

/** How a run ended: ran, skipped (the previous run was still going) or failed (logged). */
export type RunOutcome = "ran" | "skipped" | "failed";

/** Runs one job on its schedules, one run at a time. */
export class JobRunner {
  private running: Promise<RunOutcome> | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly scheduled: schedule.Job[] = [];
  private stopped = false;

  constructor(
    readonly job: ProactiveJob,
    private readonly ctx: EngineContext,
    private readonly afterRun?: (job: ProactiveJob) => void,
  ) {}

  /** Runs now unless a run is under way (then "skipped"); never rejects. */
  run(): Promise<RunOutcome> {
    if (this.running) {
      this.ctx.log.debug({ job: this.job.name }, "job still running; this run is skipped");
      return Promise.resolve("skipped");
    }
    const log: Logger = this.ctx.log.child({ job: this.job.name, runId: randomUUID().slice(0, 8) });
    const started = performance.now();
    this.running = this.job
      .run(contextForRun(this.ctx, log))
      .then(
        (): RunOutcome => {
          log.debug({ ms: Math.round(performance.now() - started) }, "job ran");
          return "ran";
        },
        (err: unknown): RunOutcome => {
          log.error({ err }, "job failed");
          return "failed";
        },
      )
      .finally(() => {
        this.running = undefined;
        if (!this.stopped) this.afterRun?.(this.job);
      });
    return this.running;
  }

  /** Starts the job's timers and node-schedule jobs. */
  schedule(config: ProactiveSettings): schedule.Job[] {
    for (const plan of this.job.schedules(config)) {
      if ("every" in plan) {
        // One slot per schedule, re-armed after each run: runs never pile up behind a slow one.
        const slot = this.timers.length;
        const tick = (): void => {
          if (this.stopped) return;
          void this.run().finally(() => {
            if (!this.stopped) this.timers[slot] = setTimeout(tick, plan.every);
          });
        };
        this.timers.push(setTimeout(tick, plan.every));
      } else {
        const [hour, minute] = plan.daily.split(":").map(Number);
        const rule = new schedule.RecurrenceRule();
        rule.hour = hour!;
        rule.minute = minute!;
        rule.second = 0;
        rule.tz = plan.timeZone;
        const scheduled = schedule.scheduleJob(`${this.job.name}@${plan.daily}/${plan.timeZone}`, rule, () => void this.run());
        // scheduleJob returns null for a rule that never fires; the config schema makes that impossible.
        if (scheduled) this.scheduled.push(scheduled);
      }
    }
    return [...this.scheduled];
  }

  /** Cancels every timer and scheduled job, then waits for a run under way to finish. */
  async cancel(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
    for (const scheduled of this.scheduled.splice(0)) scheduled.cancel();
    await this.running;
  }
}
