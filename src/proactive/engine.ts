/**
 * The proactive engine (issue 6): keeps the process moving without anyone asking. It watches
 * MantisBT, announces NEW bugs and incoming feedback, chases feedback, flags deadlines at risk, posts
 * daily summaries and digests, and delivers all of it exactly once. Jobs run on timers and
 * node-schedule in production; tests call `runOnce()` with a fake clock instead.
 */
import type schedule from "node-schedule";
import { createEngineContext, type EngineContext, type ProactiveEngineDeps } from "./context.js";
import { JobRunner, type ProactiveJob, type RunOutcome } from "./job.js";
import { channelSummaryJob } from "./jobs/channel-summary.js";
import { deadlineRiskJob } from "./jobs/deadline-risk.js";
import { deliverNotificationsJob } from "./jobs/deliver-notifications.js";
import { dmDigestJob } from "./jobs/dm-digest.js";
import { feedbackRemindersJob } from "./jobs/feedback-reminders.js";
import { newBugRemindersJob } from "./jobs/new-bug-reminders.js";
import { watchTrackerJob } from "./jobs/watch-tracker.js";
import { weeklyReportJob } from "./jobs/weekly-report.js";

export type { ProactiveEngineDeps } from "./context.js";

/** Every job, in the order one catch-up pass runs them: read the tracker, decide, then deliver. */
export const PROACTIVE_JOBS: readonly ProactiveJob[] = [
  watchTrackerJob,
  newBugRemindersJob,
  feedbackRemindersJob,
  deadlineRiskJob,
  channelSummaryJob,
  weeklyReportJob,
  dmDigestJob,
  deliverNotificationsJob,
];

/** A running (or ready) engine. */
export interface ProactiveEngine {
  readonly context: EngineContext;
  /** Runs every job once, in order (the catch-up pass at start; what tests call after moving the clock). */
  runOnce(): Promise<Record<string, RunOutcome>>;
  /** Runs one job by name now. */
  runJob(name: string): Promise<RunOutcome>;
  /** The node-schedule jobs created by `start` (daily summaries), for inspection. */
  scheduledJobs(): readonly schedule.Job[];
  /** Cancels every job and timer and waits for runs under way. */
  stop(): Promise<void>;
}

/** Builds the engine without starting timers (tests drive it with `runOnce`). */
export function createProactiveEngine(deps: ProactiveEngineDeps, jobs: readonly ProactiveJob[] = PROACTIVE_JOBS): ProactiveEngine & { start(): void } {
  const context = createEngineContext(deps);
  let started = false;
  let stopped = false;
  let deliverAgain = false;
  const scheduled: schedule.Job[] = [];

  // Once scheduled, whatever a job queued is delivered right after it instead of waiting for the
  // delivery timer; a trigger during a delivery makes it run once more.
  const afterRun = (job: ProactiveJob): void => {
    if (!started || stopped) return;
    if (job === deliverNotificationsJob) {
      if (deliverAgain) {
        deliverAgain = false;
        void runners.get(deliverNotificationsJob.name)?.run();
      }
      return;
    }
    const deliver = runners.get(deliverNotificationsJob.name);
    if (!deliver) return;
    void deliver.run().then((outcome) => {
      if (outcome === "skipped") deliverAgain = true;
    });
  };
  const runners = new Map(jobs.map((job) => [job.name, new JobRunner(job, context, afterRun)]));

  return {
    context,
    async runOnce() {
      const outcomes: Record<string, RunOutcome> = {};
      for (const [name, runner] of runners) {
        if (stopped) break;
        outcomes[name] = await runner.run();
      }
      return outcomes;
    },
    runJob(name) {
      const runner = runners.get(name);
      if (!runner) throw new RangeError(`no proactive job named "${name}"`);
      return runner.run();
    },
    scheduledJobs: () => scheduled,
    start() {
      if (started) return;
      started = true;
      for (const runner of runners.values()) scheduled.push(...runner.schedule(context.config));
    },
    async stop() {
      stopped = true;
      await Promise.all([...runners.values()].map((runner) => runner.cancel()));
    },
  };
}

/**
 * Starts the engine: one catch-up pass now (a summary missed while the bot was down is sent late,
 * overdue reminders go out combined), then every job on its schedule.
 */
export function startProactiveEngine(deps: ProactiveEngineDeps): ProactiveEngine {
  const engine = createProactiveEngine(deps);
  let stopping = false;
  const catchUp = engine
    .runOnce()
    .then(() => {
      if (!stopping) engine.start();
    })
    .catch((err: unknown) => engine.context.log.error({ err }, "proactive engine failed to start"));
  return {
    ...engine,
    async stop() {
      stopping = true;
      await engine.stop();
      await catchUp;
    },
  };
}
