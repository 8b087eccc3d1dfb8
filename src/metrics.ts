/**
 * The metrics port: what the bot counts, told where it happens (the dispatcher, the MantisBT
 * client's requests, the chat kernel's sends, the outbox, the watcher). The composition root hands
 * in the Prometheus implementation (src/ops/prometheus-metrics.ts); everything else defaults to
 * `NO_METRICS`, so code and tests that do not care pass nothing.
 */

/** How a command ended: done, refused with a message for the user (usage, role, process rule), or failed. */
export type CommandOutcome = "ok" | "refused" | "failed";

/** What happened to a queued notification. */
export type NotificationEvent = "queued" | "sent" | "failed" | "given_up";

/** The events and levels the bot reports; every method is cheap and never throws. */
export interface Metrics {
  /** A command finished, with how long it took. */
  commandRan(command: string, outcome: CommandOutcome, seconds: number): void;
  /** A request to the tracker answered (`status` the HTTP status) or not (`status` "error"). */
  trackerRequest(method: string, status: string, seconds: number): void;
  /** A message (or one part of it) went to a chat platform, or failed to. */
  chatSent(platform: string, outcome: "ok" | "failed"): void;
  /** Notifications queued, sent, failed (to be retried) or given up, `count` at once. */
  notification(event: NotificationEvent, count: number): void;
  /** Notifications waiting in the outbox. */
  outboxDepth(depth: number): void;
  /** A watcher cycle ended; a successful one was a successful poll at `at`. */
  watcherCycle(outcome: "ok" | "failed", at: Date): void;
  /** The queue as the last poll saw it: NEW bugs waiting for triage, bugs whose feedback is owed. */
  queue(levels: { newWaiting: number; feedbackOwed: number }): void;
  /** Whether this replica is the leader now (src/ha/leader.ts). */
  leader(isLeader: boolean): void;
}

/** Counts nothing: the default wherever no metrics are wired. */
export const NO_METRICS: Metrics = {
  commandRan: () => undefined,
  trackerRequest: () => undefined,
  chatSent: () => undefined,
  notification: () => undefined,
  outboxDepth: () => undefined,
  watcherCycle: () => undefined,
  queue: () => undefined,
  leader: () => undefined,
};
