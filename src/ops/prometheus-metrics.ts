/**
 * The metrics port (src/metrics.ts) counted with prom-client in a registry of the bot's own, served
 * as `GET /metrics` in the Prometheus text format. docs/operations.md (section Metrics) says what
 * each metric means and which alerts to set on them.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { CommandOutcome, Metrics, NotificationEvent } from "../metrics.js";

/** Latency buckets in seconds: a command or a MantisBT request takes from tens of ms to the 10 s timeout. */
const SECONDS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The port counted in Prometheus metrics, and the registry that renders them. */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly commands = new Counter({ name: "support_bot_commands_total", help: "Commands run, by command and outcome (ok, refused, failed).", labelNames: ["command", "outcome"], registers: [this.registry] });
  private readonly commandSeconds = new Histogram({ name: "support_bot_command_duration_seconds", help: "How long commands took, by command.", labelNames: ["command"], buckets: SECONDS, registers: [this.registry] });
  private readonly trackerRequests = new Counter({ name: "support_bot_mantis_requests_total", help: "Requests to MantisBT, by method and HTTP status (error: no answer).", labelNames: ["method", "status"], registers: [this.registry] });
  private readonly trackerSeconds = new Histogram({ name: "support_bot_mantis_request_duration_seconds", help: "How long MantisBT took to answer, by method.", labelNames: ["method"], buckets: SECONDS, registers: [this.registry] });
  private readonly chatSends = new Counter({ name: "support_bot_chat_sends_total", help: "Messages sent to chat platforms, by platform and outcome (ok, failed).", labelNames: ["platform", "outcome"], registers: [this.registry] });
  private readonly notifications = new Counter({ name: "support_bot_notifications_total", help: "Notifications through the outbox, per route (chat platform), by event (queued, sent, failed, given_up).", labelNames: ["event"], registers: [this.registry] });
  private readonly outbox = new Gauge({ name: "support_bot_outbox_depth", help: "Notification routes waiting to be sent (pending, or failed with attempts left).", registers: [this.registry] });
  private readonly watcherCycles = new Counter({ name: "support_bot_watcher_cycles_total", help: "Watcher cycles (reads of MantisBT), by outcome (ok, failed).", labelNames: ["outcome"], registers: [this.registry] });
  private readonly lastPoll = new Gauge({ name: "support_bot_last_successful_poll_timestamp_seconds", help: "When the watcher last read MantisBT successfully (Unix time; 0: not yet).", registers: [this.registry] });
  private readonly newWaiting = new Gauge({ name: "support_bot_new_bugs_waiting", help: "NEW bugs nobody has taken yet, as of the last successful poll.", registers: [this.registry] });
  private readonly leaderGauge = new Gauge({ name: "support_bot_leader", help: "1 while this replica is the leader (watcher, schedules, Mattermost DMs, Matrix sync), 0 while it is a standby.", registers: [this.registry] });
  private readonly feedbackOwed = new Gauge({ name: "support_bot_feedback_owed", help: "Bugs in FEEDBACK waiting for a developer's answer, as of the last successful poll.", registers: [this.registry] });

  constructor(options: { processMetrics?: boolean } = {}) {
    // Memory, CPU, event-loop lag and open handles of the process, prefixed as Prometheus names them.
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    // Present from the first scrape, so alerts see 0 rather than no series.
    for (const outcome of ["ok", "failed"]) this.watcherCycles.inc({ outcome }, 0);
    for (const event of ["queued", "sent", "failed", "given_up"]) this.notifications.inc({ event }, 0);
    this.lastPoll.set(0);
    this.leaderGauge.set(0);
  }

  commandRan(command: string, outcome: CommandOutcome, seconds: number): void {
    this.commands.inc({ command, outcome });
    this.commandSeconds.observe({ command }, seconds);
  }

  trackerRequest(method: string, status: string, seconds: number): void {
    this.trackerRequests.inc({ method, status });
    this.trackerSeconds.observe({ method }, seconds);
  }

  chatSent(platform: string, outcome: "ok" | "failed"): void {
    this.chatSends.inc({ platform, outcome });
  }

  notification(event: NotificationEvent, count: number): void {
    if (count > 0) this.notifications.inc({ event }, count);
  }

  outboxDepth(depth: number): void {
    this.outbox.set(depth);
  }

  watcherCycle(outcome: "ok" | "failed", at: Date): void {
    this.watcherCycles.inc({ outcome });
    if (outcome === "ok") this.lastPoll.set(at.getTime() / 1000);
  }

  queue(levels: { newWaiting: number; feedbackOwed: number }): void {
    this.newWaiting.set(levels.newWaiting);
    this.feedbackOwed.set(levels.feedbackOwed);
  }

  leader(isLeader: boolean): void {
    this.leaderGauge.set(isLeader ? 1 : 0);
  }

  /** The metrics in the Prometheus text format, and its content type. */
  async render(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
