/**
 * The one way notifications leave the bot, the engine's and the commands' alike. Each has a key
 * (kind, bug, recipient, period) and a row in the store's outbox that is written before anything is
 * sent: queueing the same key again changes nothing, so no notification goes out twice, also across
 * restarts. It is delivered per route, one per chat platform that reaches the recipient (a person
 * without an account on a platform gets no route there): a send is recorded as started, made, then
 * recorded as done, route by route, so a platform that failed is retried up to NOTIFY_MAX_ATTEMPTS
 * while one that delivered is never sent to again. When several combinable notifications are due for
 * one recipient at once they go out as one message: always for DMs, for a channel when there are many
 * or they are late (after downtime), so a catch-up never floods anyone.
 *
 * The outbox delivers right after a command queues something (in the background: the command answers
 * once its notification is committed, and one that was queued before a crash goes out at the next
 * start), after each engine job, when a platform becomes ready, and on its own retry timer (owned by
 * whoever starts it), so it works without the engine. Routes of different recipients (or platforms)
 * go out concurrently, each recipient's in the order they were queued.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import type { ChannelKey, Notifier } from "../chat/notifier.js";
import { buildNotificationKey, endOfQuietTime, type NotificationKey } from "../core/reminder-policy.js";
import { splitMarkdown } from "../core/summary.js";
import type { Message, MessageButton } from "../framework/reply.js";
import { NO_METRICS, type Metrics } from "../metrics.js";
import { platformUserOf, type Platform, type StaffDirectory, type StaffMember } from "../identity.js";
import type { DueRoute, NotificationRow, NotificationTarget, RouteRef } from "../store/outbox-repo.js";
import type { Store } from "../store/store.js";
import type { ProcessSettings } from "../core/process-settings.js";
import { settingsFor } from "../process/settings-for.js";
import { reminderSettingsFor, type ProactiveSettings } from "./settings.js";

/**
 * Largest message the outbox sends. A notification may reach several platforms, so this fits them
 * all: Mattermost counts 16,383 characters, Matrix 24,000 bytes of Markdown (MATRIX_MESSAGE_LIMIT);
 * counted in UTF-8 bytes, 16,000 is within both.
 */
export const MAX_MESSAGE_BYTES = 16_000;
/** How often the owner's timer retries failed routes and sends what came due (quiet hours ended). */
export const RETRY_EVERY_MS = 30_000;
/**
 * On a shared database, a send recorded as started this long ago and not finished was cut off (its
 * replica died): far longer than a send takes (one request within its time limit, or a few retries).
 */
export const INTERRUPTED_AFTER_MS = 5 * 60_000;
/** More buttons than this make a combined message unreadable; the texts still name every command. */
const MAX_COMBINED_BUTTONS = 10;
/** Channel posts are merged only from this many at once: a few stay separate, in their bug threads. */
const CHANNEL_COMBINE_FROM = 4;
/** A notification this much past its due time is late (the bot was down): late ones are merged from two. */
const LATE_AFTER_MS = 15 * 60_000;
/** DMs are merged from two at once: one message instead of a burst. */
const DIRECT_COMBINE_FROM = 2;
/**
 * Recipients served at once by one delivery run. Each recipient's messages still go one after the
 * other; more at once only helps until the chat server is the bottleneck.
 */
const DELIVERY_CONCURRENCY = 8;

/** How a channel recipient is written in keys, so a staff name and a channel never collide. */
export function channelRecipient(channel: string): string {
  return `#${channel}`;
}

/** Whether a platform reaches a person: the terminal reaches everyone, a chat platform those with an account there. */
export function reaches(member: StaffMember, platform: Platform): boolean {
  return platformUserOf(member, platform) !== undefined;
}

const messageSchema = z.object({
  text: z.string(),
  buttons: z
    .array(z.object({ label: z.string(), command: z.string(), style: z.enum(["primary", "danger", "default"]).optional() }))
    .optional(),
  // A picture is stored with its PNG in base64 (see `storedPayload`).
  image: z
    .object({
      png: z.base64().transform((text) => new Uint8Array(Buffer.from(text, "base64"))),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      name: z.string(),
      alt: z.string(),
    })
    .optional(),
  bugId: z.number().int().optional(),
});

/** A message as the outbox row keeps it: JSON, so a picture's PNG goes as base64. */
function storedPayload(message: Message): unknown {
  return message.image ? { ...message, image: { ...message.image, png: Buffer.from(message.image.png).toString("base64") } } : message;
}

/** What the outbox needs. */
export interface OutboxDeps {
  store: Store;
  staff: StaffDirectory;
  /** The chat platforms the bot runs on: each notification gets a route on those that reach its recipient. */
  platforms: readonly Platform[];
  now: () => Date;
  log: Logger;
  /** NOTIFY_MAX_ATTEMPTS: tries per route before it is given up (logged as an error). */
  maxAttempts: number;
  /** Counts notification routes queued, sent, failed and given up, and the outbox's depth; default: nothing counted. */
  metrics?: Metrics;
  /**
   * Whether other processes deliver from the same database (replicas on PostgreSQL): a send under
   * way there is not one this process's stop cut off, so only sends older than INTERRUPTED_AFTER_MS
   * are settled as interrupted, at start and on each timer run. Default false (SQLite: one process).
   */
  shared?: boolean;
}

/** A notification to queue. */
export interface OutboxEntry {
  key: NotificationKey;
  target: NotificationTarget;
  message: Message;
  /** Not before this instant (quiet hours, digest time); default now. */
  dueAt?: Date;
  /** Whether it may be merged with others due for the same recipient at once (catch-up); default true. */
  combinable?: boolean;
}

/** What one delivery run did. */
export interface DeliveryReport {
  /** Routes delivered. */
  sent: number;
  /** Routes that failed (retried while attempts are left). */
  failed: number;
  /** Messages actually posted (combined ones count once). */
  messages: number;
}

/** How commands' DMs are held. */
export interface CommandNotifierOptions {
  /**
   * When a DM to this person sent at `at` may go out: `at`, or the end of their quiet time. Without
   * it, DMs go at once (the sandbox, where one person plays everyone).
   */
  quietTimeEnd?: (member: StaffMember, at: Date) => Promise<Date>;
}

/** Queues and delivers notifications exactly once per route. */
export class Outbox {
  private readonly notifiers = new Map<string, Notifier>();
  private running: Promise<DeliveryReport> | undefined;
  private queued: Promise<DeliveryReport> | undefined;
  /** A delivery asked for by a command, to run once the current turn of the event loop is over. */
  private scheduled: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private recovered = false;

  constructor(private readonly deps: OutboxDeps) {}

  /**
   * Hands over a platform's notifier once its adapter is connected: routes on it wait until then
   * (without using up attempts) and go out now.
   */
  attach(platform: Platform, notifier: Notifier): void {
    this.notifiers.set(platform, notifier);
    if (this.recovered) void this.deliverInBackground();
  }

  /** Queues a notification with its routes; false when its key was already queued (or sent) before. */
  async enqueue(entry: OutboxEntry): Promise<boolean> {
    const now = this.deps.now();
    const platforms = this.platformsFor(entry.target, entry.key.recipient);
    const note = platforms.length === 0 ? `nobody to send to: ${entry.key.recipient} has no account on ${this.deps.platforms.join(" or ")}` : undefined;
    const queued = await this.deps.store.outbox.enqueue(
      { key: entry.key, target: entry.target, payload: storedPayload(entry.message), dueAt: entry.dueAt ?? now, combinable: entry.combinable ?? true },
      platforms,
      now,
      note,
    );
    if (queued) this.metrics.notification("queued", platforms.length);
    return queued;
  }

  private get metrics(): Metrics {
    return this.deps.metrics ?? NO_METRICS;
  }

  /** Records a key as handled without sending anything (a digest with nothing to say), so it is not reconsidered. */
  async recordWithoutSending(key: NotificationKey, note: string): Promise<void> {
    const now = this.deps.now();
    await this.deps.store.outbox.enqueue({ key, target: "direct", payload: { text: "" }, dueAt: now, combinable: false }, [], now, note);
  }

  /**
   * What a start needs before the first delivery: sends cut off by a stop of the process are settled
   * (not repeated), and notifications queued before routes existed get theirs.
   */
  async recover(): Promise<void> {
    const { store, log } = this.deps;
    await this.settleInterrupted();
    const routed = await store.outbox.routeUnrouted((row) => this.platformsFor(row.target ?? "direct", row.recipient));
    if (routed > 0) log.info({ routed }, "notifications queued before delivery routes existed now have routes");
    this.recovered = true;
  }

  /** Settles sends cut off by a stop (this process's, or on a shared database another replica's). */
  private async settleInterrupted(): Promise<void> {
    const now = this.deps.now();
    const startedBy = this.deps.shared ? new Date(now.getTime() - INTERRUPTED_AFTER_MS) : now;
    const keys = await this.deps.store.outbox.settleInterrupted(now, startedBy);
    if (keys.length > 0) this.deps.log.warn({ keys }, "notifications interrupted during sending were not sent again");
  }

  /** Recovers, then retries and sends what came due on a timer until `stop`. */
  async start(everyMs: number = RETRY_EVERY_MS): Promise<void> {
    await this.recover();
    this.stopped = false;
    const tick = (): void => {
      if (this.stopped) return;
      // A replica that died during a send left its route claimed: settled here once it is old enough.
      const settled = this.deps.shared ? this.settleInterrupted() : Promise.resolve();
      void settled
        .catch((err: unknown) => this.deps.log.error({ err }, "settling interrupted sends failed"))
        .then(() => this.deliverInBackground())
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, everyMs);
        });
    };
    this.timer = setTimeout(tick, everyMs);
  }

  /** Stops the timer and waits for deliveries under way or asked for. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  /**
   * Resolves once no delivery runs, waits to run or is asked for: everything due when it was called
   * has been tried (tests look at the chat after a command with it; `stop` waits with it).
   */
  async idle(): Promise<void> {
    for (;;) {
      const pending = this.scheduled ?? this.queued ?? this.running;
      if (!pending) return;
      await pending.then(ignore, ignore);
    }
  }

  /**
   * Sends everything due on every ready platform, merging what may be merged; never throws for a
   * chat failure. One delivery runs at a time: a call during one waits for it and runs once more after.
   */
  deliver(): Promise<DeliveryReport> {
    if (!this.running) {
      this.running = this.deliverDue().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    // After the running one, whatever its outcome: a failed run must not leave this waiting forever.
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.deliver();
      });
    return this.queued;
  }

  /**
   * The notifier commands (and the ERP's sales posts) use: each message is queued with a key of its
   * own and delivered right after, in the background, except a DM due in the recipient's quiet time,
   * which waits for it to end (as the engine's reminders do; channel posts are management's and never
   * wait). It resolves once the message is committed to the outbox, without waiting for the chat
   * platforms: the command answers at once, and a platform that fails is retried by the outbox (a
   * failure is logged, not reported to the command).
   */
  notifier(options: CommandNotifierOptions = {}): Notifier {
    const send = async (target: NotificationTarget, recipient: string, message: Message, dueAt?: Date): Promise<void> => {
      const now = this.deps.now();
      const key = buildNotificationKey({ kind: `command-${target}`, bugId: message.bugId, recipient, period: `${now.toISOString()}/${randomUUID()}` });
      await this.enqueue({ key, target, message, dueAt: dueAt ?? now, combinable: false });
      if (dueAt !== undefined && dueAt.getTime() > now.getTime()) return;
      this.deliverSoon();
    };
    return {
      direct: async (member, message) => send("direct", member.name, message, await options.quietTimeEnd?.(member, this.deps.now())),
      channel: (channel: ChannelKey, message) => send("channel", channelRecipient(channel), message),
    };
  }

  /**
   * A delivery after the current turn of the event loop: the command that asked for it answers first,
   * and the commands of one burst share one run (one query for what is due).
   */
  private deliverSoon(): void {
    if (this.scheduled) return;
    this.scheduled = new Promise((resolve) => {
      setImmediate(() => {
        this.scheduled = undefined;
        void this.deliverInBackground().then(resolve);
      });
    });
  }

  /** A delivery nobody awaits (a timer, a platform coming up): a failure is logged, never unhandled. */
  private deliverInBackground(): Promise<void> {
    return this.deliver().then(
      () => undefined,
      (err: unknown) => this.deps.log.error({ err }, "outbox delivery failed"),
    );
  }

  private platformsFor(target: NotificationTarget, recipient: string): string[] {
    if (target === "channel") return [...this.deps.platforms];
    const member = this.deps.staff.find(recipient);
    // Someone who left the users file keeps their routes: delivery gives them up with a warning.
    return this.deps.platforms.filter((platform) => !member || reaches(member, platform));
  }

  private async deliverDue(): Promise<DeliveryReport> {
    const { store, log } = this.deps;
    const report: DeliveryReport = { sent: 0, failed: 0, messages: 0 };
    const groups = new Map<string, DueRoute[]>();
    for (const route of await store.outbox.dueRoutes(this.deps.now(), this.deps.maxAttempts)) {
      // A platform not connected yet: its routes wait, attempts untouched.
      if (!this.notifiers.has(route.platform)) continue;
      const id = `${route.platform}:${route.notification.target}:${route.notification.recipient}`;
      const group = groups.get(id);
      if (group) group.push(route);
      else groups.set(id, [route]);
    }
    // Recipients at once, each one's batches in order; the run ends when all are done, so the next
    // run (one at a time) never sees a route this one still sends.
    const pending = [...groups.values()];
    const worker = async (): Promise<void> => {
      for (let routes = pending.shift(); routes; routes = pending.shift()) await this.deliverTo(routes, report);
    };
    const outcomes = await Promise.allSettled(Array.from({ length: Math.min(DELIVERY_CONCURRENCY, pending.length) }, worker));
    const broken = outcomes.find((outcome) => outcome.status === "rejected");
    if (broken) throw broken.reason;
    if (report.sent + report.failed > 0) log.debug({ ...report }, "outbox delivered");
    this.metrics.outboxDepth(await this.deps.store.outbox.waiting(this.deps.maxAttempts));
    return report;
  }

  /** Sends the due routes of one platform and recipient, merged where they may be, oldest first. */
  private async deliverTo(routes: readonly DueRoute[], report: DeliveryReport): Promise<void> {
    const target = routes[0]!.notification.target;
    const combinable = routes.filter((route) => route.notification.combinable);
    const now = this.deps.now().getTime();
    const late = combinable.some((route) => now - (route.notification.dueAt ?? route.notification.createdAt).getTime() > LATE_AFTER_MS);
    const threshold = target === "direct" || late ? DIRECT_COMBINE_FROM : CHANNEL_COMBINE_FROM;
    const batches: DueRoute[][] = routes.filter((route) => !route.notification.combinable || combinable.length < threshold).map((route) => [route]);
    if (combinable.length >= threshold) batches.push(combinable);
    batches.sort((a, b) => a[0]!.notification.createdAt.getTime() - b[0]!.notification.createdAt.getTime());
    for (const batch of batches) {
      const outcome = await this.sendBatch(batch);
      if (outcome.sent) {
        report.sent += outcome.routes;
        report.messages++;
      } else {
        report.failed += outcome.routes;
      }
    }
  }

  /**
   * Sends one batch of routes of one platform and recipient as one message (or its parts), after
   * claiming them: routes another delivery claimed since they were read (another replica's, on a
   * shared database) are left to it. Says whether it sent and how many routes it handled.
   */
  private async sendBatch(due: readonly DueRoute[]): Promise<{ sent: boolean; routes: number }> {
    const { store, log, maxAttempts } = this.deps;
    const platform = due[0]!.platform;
    const claimed = new Set((await store.outbox.claim(due.map((route) => ({ key: route.notification.key, platform })), this.deps.now())).map((route) => route.key));
    const batch = due.filter((route) => claimed.has(route.notification.key));
    if (batch.length === 0) return { sent: false, routes: 0 };
    const first = batch[0]!.notification;
    const refs: RouteRef[] = batch.map((route) => ({ key: route.notification.key, platform }));
    const keys = refs.map((ref) => ref.key);
    const send = this.sender(platform, first);
    const stored = batch.map((route) => messageSchema.safeParse(route.notification.payload));
    if (!send || stored.some((parsed) => !parsed.success)) {
      // Not retryable (the person left the users file; a stored message no longer reads): give up at once.
      const reason = send ? "the stored message could not be read" : `no staff member "${first.recipient}" to send to`;
      await store.outbox.giveUp(refs, maxAttempts, reason);
      log.warn({ recipient: first.recipient, platform, keys }, send ? "stored notification could not be read" : "notification recipient is not in the staff directory");
      this.metrics.notification("given_up", batch.length);
      return { sent: false, routes: batch.length };
    }
    const messages = stored.flatMap((parsed) => (parsed.success ? [parsed.data] : []));
    const parts = messages.length === 1 ? splitMessage(messages[0]!) : combineMessages(messages);
    try {
      for (const part of parts) await send(part);
    } catch (err) {
      await store.outbox.markFailed(refs, err instanceof Error ? err.message : String(err));
      const exhausted = batch.filter((route) => route.attempts + 1 >= maxAttempts).map((route) => route.notification.key);
      if (exhausted.length > 0) log.error({ err, platform, keys: exhausted }, "notification given up after the last attempt");
      else log.warn({ err, platform, keys }, "notification failed; retrying on the next run");
      this.metrics.notification("failed", batch.length - exhausted.length);
      this.metrics.notification("given_up", exhausted.length);
      return { sent: false, routes: batch.length };
    }
    await store.outbox.markSent(refs, this.deps.now(), batch.length > 1 ? `combined with ${batch.length - 1} more` : undefined);
    this.metrics.notification("sent", batch.length);
    return { sent: true, routes: batch.length };
  }

  private sender(platform: string, row: NotificationRow): ((message: Message) => Promise<void>) | undefined {
    const notifier = this.notifiers.get(platform)!;
    if (row.target === "channel") {
      const channel = row.recipient.replace(/^#/, "");
      return (message) => notifier.channel(channel, message);
    }
    const member = this.deps.staff.find(row.recipient);
    return member ? (message) => notifier.direct(member, message) : undefined;
  }
}

/** What the composition root needs to build the outbox. */
export interface CreateOutboxOptions extends Omit<OutboxDeps, "maxAttempts" | "now"> {
  settings: ProcessSettings;
  proactive: ProactiveSettings;
  now?: () => Date;
  /** Whether commands' DMs wait out the recipient's quiet time (not in the sandbox: one person plays everyone at the terminal). */
  quietHours: boolean;
}

/** The outbox over the store, and the notifier commands and the ERP send through, as live and sandbox wire them. */
export function createOutbox(options: CreateOutboxOptions): { outbox: Outbox; notifier: Notifier } {
  const { store } = options;
  const outbox = new Outbox({
    store,
    staff: options.staff,
    platforms: options.platforms,
    now: options.now ?? (() => new Date()),
    log: options.log,
    maxAttempts: options.proactive.notifyMaxAttempts,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.shared ? { shared: true } : {}),
  });
  // The same quiet hours and days off as the engine's reminders to the person.
  const quietTimeEnd = async (member: StaffMember, at: Date): Promise<Date> => {
    const person = await settingsFor({ store, settings: options.settings }, member);
    return endOfQuietTime(at, reminderSettingsFor(options.proactive, person), person.calendar);
  };
  return { outbox, notifier: outbox.notifier(options.quietHours ? { quietTimeEnd } : {}) };
}

function ignore(): void {}

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
