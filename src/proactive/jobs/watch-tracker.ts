/**
 * Watches MantisBT every POLL_INTERVAL: records what changed in the mirror and announces, exactly
 * once, each bug that becomes NEW and unassigned, and each bug whose developer feedback came in.
 * Once a day (after 03:00 in TIMEZONE) the cycle is a full reconciling scan instead.
 */
import { toLocalDateTime } from "../../core/calendar.js";
import { buildNotificationKey } from "../../core/reminder-policy.js";
import { isCustomerBug } from "../../process/bug-format.js";
import type { MirrorRow } from "../../store/mirror-repo.js";
import type { EngineContext } from "../context.js";
import type { ProactiveJob } from "../job.js";
import { customerNoteDirectMessage, customerNoteThreadMessage, feedbackInMessage, firstRunMessage, newBugMessage, type CustomerNoteFacts, type MessageBug } from "../messages.js";
import { channelRecipient } from "../outbox.js";
import { assessTeamRisk, workFacts } from "../team-risk.js";
import type { WatchEvent } from "../transitions.js";
import { watchTracker } from "../watcher.js";

/** Local time after which the day's full scan runs (a quiet hour for most teams). */
export const RECONCILE_AFTER = "03:00";
/** Kinds of the feedback reminder notifications (src/core/reminder-policy.ts names them). */
export const FEEDBACK_REMINDER_KINDS = ["feedback-remind", "feedback-escalate"] as const;

/** The channel that hears about NEW bugs, escalations and risks. */
export const MANAGEMENT_CHANNEL = "management";

/** Reads MantisBT and announces what changed. */
export const watchTrackerJob: ProactiveJob = {
  name: "watch-tracker",
  schedules: (config) => [{ every: config.pollIntervalMs }],
  async run(ctx) {
    try {
      await watchOnce(ctx);
    } catch (error) {
      ctx.metrics.watcherCycle("failed", ctx.now());
      throw error;
    }
    ctx.metrics.watcherCycle("ok", ctx.now());
    ctx.metrics.queue(await queueLevels(ctx));
  },
};

/**
 * The queue's levels after a cycle: NEW bugs nobody took yet, and bugs whose feedback a developer
 * owes. From ids, not whole rows: reading every open row took ~150 ms per cycle over 10,000 bugs.
 */
async function queueLevels(ctx: EngineContext): Promise<{ newWaiting: number; feedbackOwed: number }> {
  let feedbackOwed = 0;
  for (const id of await ctx.store.mirror.ids({ statuses: ["feedback"] })) {
    if ((await ctx.processFacts(id))?.stage !== "review") feedbackOwed++;
  }
  return { newWaiting: (await ctx.store.mirror.ids({ statuses: ["new"], unassigned: true })).length, feedbackOwed };
}

/** One watcher cycle and the announcements it makes. */
async function watchOnce(ctx: EngineContext): Promise<void> {
  const today = toLocalDateTime(ctx.now(), ctx.settings.timeZone);
  const reconciledOn = await ctx.store.mirror.reconciledOn();
  const reconcile = reconciledOn !== undefined && reconciledOn !== today.date && today.time >= RECONCILE_AFTER;
  const result = await watchTracker(
    {
      tracker: ctx.tracker,
      store: ctx.store,
      now: ctx.now,
      log: ctx.log,
      pageSize: ctx.config.watchPageSize,
      feedbackRecorded: (bugId, since) => feedbackRecorded(ctx, bugId, since),
    },
    {
      onFirstRun: async ({ total, rows }) => {
        const open = await ctx.store.mirror.list({ openOnly: true });
        const { feedbackOwed } = await queueLevels(ctx);
        const atRisk = [...(await assessTeamRisk(ctx, open, ctx.now())).values()].filter((entry) => entry.risk.state !== "ok").length;
        await ctx.outbox.enqueue({
          key: buildNotificationKey({ kind: "watch-first-run", recipient: channelRecipient(MANAGEMENT_CHANNEL), period: "install" }),
          target: "channel",
          message: firstRunMessage({ total, newBugs: [...rows].sort(byPriorityThenAge).map((row) => messageBug(ctx, row)), feedbackOwed, atRisk }),
          combinable: false,
        });
        await ctx.store.mirror.setReconciledOn(today.date);
      },
      onEvents: async (events) => {
        for (const event of events) await handleEvent(ctx, event);
      },
    },
    { reconcile },
  );
  if (result.mode === "reconcile") await ctx.store.mirror.setReconciledOn(today.date);
}

async function handleEvent(ctx: EngineContext, event: WatchEvent): Promise<void> {
  const bug = event.bug;
  switch (event.kind) {
    case "new-bug":
      await ctx.outbox.enqueue({
        key: buildNotificationKey({ kind: "new-bug", bugId: bug.id, recipient: channelRecipient(MANAGEMENT_CHANNEL), period: bug.statusSince.toISOString() }),
        target: "channel",
        message: newBugMessage(messageBug(ctx, bug)),
        dueAt: minDate(bug.statusSince, ctx.now()),
      });
      return;
    case "feedback-in": {
      const developer = ctx.staffByTrackerUser(bug.handler)?.name ?? (await ctx.store.bugProcess.get(bug.id))?.developer ?? bug.handler;
      await ctx.outbox.enqueue({
        key: buildNotificationKey({ kind: "feedback-in", bugId: bug.id, recipient: channelRecipient(MANAGEMENT_CHANNEL), period: bug.statusSince.toISOString() }),
        target: "channel",
        message: feedbackInMessage(messageBug(ctx, bug), { developer, work: await workFacts(ctx, bug), workdayHours: ctx.settings.workdayHours }),
      });
      // The feedback round is over even when the status went straight back to NEW.
      await ctx.store.outbox.cancelPending({ kinds: FEEDBACK_REMINDER_KINDS, bugId: bug.id }, ctx.now());
      return;
    }
    case "feedback-ended":
      await ctx.store.outbox.cancelPending({ kinds: FEEDBACK_REMINDER_KINDS, bugId: bug.id }, ctx.now());
      return;
    case "customer-note":
      await tellCustomerNote(ctx, event);
      return;
  }
}

/**
 * A note from outside the team: a DM to the handler and a line in the bug's thread, each keyed by the
 * note's id, so each goes out exactly once across restarts and re-reads of the same second.
 */
async function tellCustomerNote(ctx: EngineContext, event: Extract<WatchEvent, { kind: "customer-note" }>): Promise<void> {
  const { bug, note } = event;
  const handler = ctx.staffByTrackerUser(bug.handler);
  const moved = event.leftState === "feedback" && ctx.tracker.reporterNoteEndsFeedback;
  const facts: CustomerNoteFacts = {
    note: { text: note.text, private: note.private, authorName: note.author.name },
    byReporter: event.byReporter,
    ...(handler ? { handler: handler.name } : {}),
    ...(moved ? { movedByTracker: { tracker: ctx.tracker.name, from: (event.leftState ?? "").toUpperCase(), to: bug.status.toUpperCase() } } : {}),
  };
  const about = messageBug(ctx, bug);
  if (handler) {
    await ctx.outbox.enqueue({
      key: buildNotificationKey({ kind: "customer-note", bugId: bug.id, recipient: handler.name, period: note.id }),
      target: "direct",
      message: customerNoteDirectMessage(about, facts),
    });
  }
  await ctx.outbox.enqueue({
    key: buildNotificationKey({ kind: "customer-note", bugId: bug.id, recipient: channelRecipient(MANAGEMENT_CHANNEL), period: note.id }),
    target: "channel",
    message: customerNoteThreadMessage(about, facts),
    // A merged post would leave the bug's thread.
    combinable: false,
  });
}

/**
 * Whether the developer's feedback was recorded: the bot's stage says `timeline`, or its journal has
 * a `feedback` entry since the bug's previous status began.
 */
export async function feedbackRecorded(ctx: Pick<EngineContext, "store">, bugId: number, since: Date | undefined): Promise<boolean> {
  if ((await ctx.store.bugProcess.get(bugId))?.stage === "timeline") return true;
  return (await ctx.store
    .journal.list(bugId))
    .some((entry) => (entry.action === "feedback" || entry.command === "feedback") && (since === undefined || entry.at.getTime() >= since.getTime()));
}

/** The message facts of a mirror row. */
export function messageBug(ctx: Pick<EngineContext, "bugUrl" | "settings">, row: MirrorRow): MessageBug {
  return { row, url: ctx.bugUrl(row.id), customer: isCustomerBug(row, ctx.settings.customerTag) };
}

const PRIORITY_ORDER = ["immediate", "urgent", "high", "normal", "low", "none"];

function byPriorityThenAge(a: MirrorRow, b: MirrorRow): number {
  return PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority) || a.statusSince.getTime() - b.statusSince.getTime() || a.id - b.id;
}

function minDate(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}
