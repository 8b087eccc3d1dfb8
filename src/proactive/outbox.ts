/**
 * Exactly-once delivery of the engine's notifications. Each has a key (kind, bug, recipient, period)
 * and a row in the store's notifications table that is written before anything is sent: queueing
 * the same key again changes nothing, so no notification goes out twice, also across restarts.
 * A send is recorded as started, made, then recorded as done; a failure is retried on later runs up
 * to NOTIFY_MAX_ATTEMPTS. When several combinable notifications are due for one recipient at once
 * they go out as one message: always for DMs, for a channel when there are many or they are late
 * (after downtime), so a catch-up never floods anyone.
 */
import type { Logger } from "pino";
import type { Notifier } from "../chat/notifier.js";
import { splitMarkdown } from "../core/summary.js";
import type { Message, MessageButton } from "../framework/reply.js";
import type { StaffDirectory } from "../identity.js";
import { NO_METRICS, type Metrics } from "../metrics.js";
import {
  countWaitingNotifications,
  enqueueNotification,
  listDueNotifications,
  markNotificationAttempt,
  markNotificationFailed,
  markNotificationSent,
  settleInterruptedNotifications,
  type NotificationRow,
  type OutboxItem,
} from "../store/proactive-repo.js";
import type { Store } from "../store/store.js";

/**
 * Largest message the engine sends. The Notifier does not say which platform it reaches (a fan-out
 * reaches both), so this fits both: Mattermost counts 16,383 characters, Matrix 32,000 bytes; counted
 * in UTF-8 bytes, 16,000 is within both.
 */
export const MAX_MESSAGE_BYTES = 16_000;
/** More buttons than this make a combined message unreadable; the texts still name every command. */
const MAX_COMBINED_BUTTONS = 10;
/** Channel posts are merged only from this many at once: a few stay separate, in their bug threads. */
const CHANNEL_COMBINE_FROM = 4;
/** A notification this much past its due time is late (the bot was down): late ones are merged from two. */
const LATE_AFTER_MS = 15 * 60_000;
/** DMs are merged from two at once: one message instead of a burst. */
const DIRECT_COMBINE_FROM = 2;

/** How a channel recipient is written in keys, so a staff name and a channel never collide. */
export function channelRecipient(channel: string): string {
  return `#${channel}`;
}

/** What the outbox needs. */
export interface OutboxDeps {
  store: Store;
  staff: StaffDirectory;
  notifier: Notifier;
  now: () => Date;
  log: Logger;
  maxAttempts: number;
  /** Counts notifications queued, sent, failed and given up, and the outbox's depth; default: nothing counted. */
  metrics?: Metrics;
}

/** What one delivery run did. */
export interface DeliveryReport {
  sent: number;
  failed: number;
  /** Messages actually posted (combined ones count once). */
  messages: number;
}

/** Queues and delivers notifications exactly once. */
export class Outbox {
  constructor(private readonly deps: OutboxDeps) {}

  /** Queues a notification; false when its key was already queued (or sent) before. */
  enqueue(item: Omit<OutboxItem, "dueAt" | "combinable"> & Partial<Pick<OutboxItem, "dueAt" | "combinable">>): boolean {
    const now = this.deps.now();
    const queued = enqueueNotification(this.deps.store, { dueAt: now, combinable: true, ...item }, now);
    if (queued) this.metrics.notification("queued", 1);
    return queued;
  }

  private get metrics(): Metrics {
    return this.deps.metrics ?? NO_METRICS;
  }

  /** Settles sends cut off by a stop of the process; call once before the first delivery. */
  settleInterrupted(): void {
    const keys = settleInterruptedNotifications(this.deps.store, this.deps.now());
    if (keys.length > 0) this.deps.log.warn({ keys }, "notifications interrupted during sending were not sent again");
  }

  /** Sends everything due, merging what may be merged; never throws for a chat failure. */
  async deliver(): Promise<DeliveryReport> {
    const { store, log } = this.deps;
    const report: DeliveryReport = { sent: 0, failed: 0, messages: 0 };
    const groups = new Map<string, NotificationRow[]>();
    for (const row of listDueNotifications(store, this.deps.now(), this.deps.maxAttempts)) {
      const id = `${row.target}:${row.recipient}`;
      groups.set(id, [...(groups.get(id) ?? []), row]);
    }
    for (const rows of groups.values()) {
      const target = rows[0]!.target!;
      const combinable = rows.filter((row) => row.combinable);
      const now = this.deps.now().getTime();
      const late = combinable.some((row) => now - (row.dueAt ?? row.createdAt).getTime() > LATE_AFTER_MS);
      const threshold = target === "direct" || late ? DIRECT_COMBINE_FROM : CHANNEL_COMBINE_FROM;
      const batches: NotificationRow[][] = rows.filter((row) => !row.combinable || combinable.length < threshold).map((row) => [row]);
      if (combinable.length >= threshold) batches.push(combinable);
      batches.sort((a, b) => a[0]!.createdAt.getTime() - b[0]!.createdAt.getTime());
      for (const batch of batches) {
        const ok = await this.sendBatch(batch);
        if (ok) {
          report.sent += batch.length;
          report.messages++;
        } else {
          report.failed += batch.length;
        }
      }
    }
    if (report.sent + report.failed > 0) log.debug({ ...report }, "outbox delivered");
    this.metrics.outboxDepth(countWaitingNotifications(store, this.deps.maxAttempts));
    return report;
  }

  private async sendBatch(batch: NotificationRow[]): Promise<boolean> {
    const { store, log } = this.deps;
    const first = batch[0]!;
    const send = this.sender(first);
    if (!send) {
      // Not retryable: the person left the users file. Give up at once rather than try N times.
      for (const row of batch) {
        store.db.prepare("UPDATE notifications SET attempts = ? WHERE key = ?").run(this.deps.maxAttempts, row.key);
        markNotificationFailed(store, row.key, `no staff member "${row.recipient}" to send to`);
      }
      log.warn({ recipient: first.recipient, keys: batch.map((row) => row.key) }, "notification recipient is not in the staff directory");
      this.metrics.notification("given_up", batch.length);
      return false;
    }
    const messages = batch.length === 1 ? splitMessage(first.message!) : combineMessages(batch.map((row) => row.message!));
    const startedAt = this.deps.now();
    store.db.transaction(() => {
      for (const row of batch) markNotificationAttempt(store, row.key, startedAt);
    })();
    try {
      for (const message of messages) await send(message);
    } catch (err) {
      store.db.transaction(() => {
        for (const row of batch) markNotificationFailed(store, row.key, err instanceof Error ? err.message : String(err));
      })();
      const exhausted = batch.filter((row) => row.attempts + 1 >= this.deps.maxAttempts).map((row) => row.key);
      if (exhausted.length > 0) log.error({ err, keys: exhausted }, "notification given up after the last attempt");
      else log.warn({ err, keys: batch.map((row) => row.key) }, "notification failed; retrying on the next run");
      this.metrics.notification("failed", batch.length - exhausted.length);
      this.metrics.notification("given_up", exhausted.length);
      return false;
    }
    const sentAt = this.deps.now();
    store.db.transaction(() => {
      for (const row of batch) markNotificationSent(store, row.key, sentAt, batch.length > 1 ? `combined with ${batch.length - 1} more` : undefined);
    })();
    this.metrics.notification("sent", batch.length);
    return true;
  }

  private sender(row: NotificationRow): ((message: Message) => Promise<void>) | undefined {
    if (row.target === "channel") {
      const channel = row.recipient.replace(/^#/, "");
      return (message) => this.deps.notifier.channel(channel, message);
    }
    const member = this.deps.staff.find(row.recipient);
    return member ? (message) => this.deps.notifier.direct(member, message) : undefined;
  }
}

/** A message cut to the size limit; buttons and thread stay with the last part. */
export function splitMessage(message: Message): Message[] {
  const parts = splitMarkdown(message.text, { maxLength: MAX_MESSAGE_BYTES, measure: "utf8-bytes" });
  return parts.map((text, index) =>
    index === parts.length - 1 ? { ...message, text } : { text, ...(message.bugId !== undefined ? { bugId: message.bugId } : {}) },
  );
}

/** Several notifications as one message (or as few as the size limit allows). */
export function combineMessages(messages: readonly Message[]): Message[] {
  const text = [`**${messages.length} updates**`, ...messages.map((message) => message.text)].join("\n\n");
  const buttons: MessageButton[] = [];
  // Side by side, two "Snooze 1 day" buttons need to say which bug each is for.
  const labelled = messages.flatMap((message) =>
    (message.buttons ?? []).map((button) =>
      message.bugId !== undefined && !button.label.includes(`#${message.bugId}`) ? { ...button, label: `${button.label} (#${message.bugId})` } : button,
    ),
  );
  for (const button of labelled) {
    if (buttons.length >= MAX_COMBINED_BUTTONS) break;
    if (!buttons.some((known) => known.command === button.command)) buttons.push(button);
  }
  return splitMessage(buttons.length > 0 ? { text, buttons } : { text });
}
