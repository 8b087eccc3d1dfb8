/**
 * The daily summary in each configured channel (SUMMARY_CHANNELS) on working days at its local time:
 * NEW bugs awaiting triage, feedback owed, confirmed bugs not started, work in progress with
 * deadlines (at risk first), reviews, customers still to be told, and what changed since the last
 * summary. Built from the mirror with src/core/summary.ts; only bug fields, never call records.
 * One message at any tracker size: each section its count and most urgent items, and the command
 * that lists the rest.
 * A summary missed while the bot was down goes out late the same day; a day is never summarized twice.
 */
import { formatLocalTime, isWorkingDay, parseTimeOfDay, toLocalDateTime, zonedInstant } from "../../core/calendar.js";
import { companyCalendar } from "../../core/people-settings.js";
import { buildNotificationKey } from "../../core/reminder-policy.js";
import { composeSummary, type SummaryBug, type SummaryChange } from "../../core/summary.js";
import { isCustomerBug } from "../../process/bug-format.js";
import type { EngineContext } from "../context.js";
import type { ProactiveJob } from "../job.js";
import { channelRecipient, MAX_MESSAGE_BYTES } from "../outbox.js";
import type { SummaryChannel } from "../settings.js";
import { assessTeamRisk, workFacts } from "../team-risk.js";

const DAY_MS = 86_400_000;
/** A gap longer than this between polls means the summary may be out of date; it says so. */
const STALE_POLL_MS = 10 * 60_000;
/** Journal entries this close to a change seen by the watcher are taken as its cause. */
const ATTRIBUTION_WINDOW_MS = 5 * 60_000;

/** Posts each channel's daily summary, on time or late the same day. */
export const channelSummaryJob: ProactiveJob = {
  name: "channel-summary",
  // At each channel's time (node-schedule, in its time zone), plus the regular check that catches up
  // after downtime or a tracker outage at the scheduled minute.
  schedules: (config) => [...config.summaryChannels.map((channel) => ({ daily: channel.time, timeZone: channel.timeZone })), { every: config.checkIntervalMs }],
  async run(ctx) {
    const now = ctx.now();
    const lastPoll = await ctx.store.mirror.lastPoll();
    if (!lastPoll) return;
    for (const channel of ctx.config.summaryChannels) {
      const local = toLocalDateTime(now, channel.timeZone);
      const calendar = companyCalendar(ctx.settings, channel.timeZone);
      if (!isWorkingDay(calendar, local.date) || local.time < channel.time) continue;
      // A summary due before the bot was installed was not missed: the first one comes the next day.
      if (zonedInstant(channel.timeZone, local.date, parseTimeOfDay(channel.time)).getTime() < ((await ctx.store.mirror.installedAt())?.getTime() ?? 0)) continue;
      const recipient = channelRecipient(channel.channel);
      if ((await ctx.store.outbox.list({ kind: "summary", recipient, periodPrefix: `${local.date}/` })).length > 0) continue;
      await ctx.outbox.enqueue({
        key: buildNotificationKey({ kind: "summary", recipient, period: `${local.date}/daily` }),
        target: "channel",
        message: { text: await buildDailySummary(ctx, channel, now, lastPoll) },
        combinable: false,
      });
    }
  },
};

/**
 * The daily summary as a list of messages, as bench/run.ts counts them: always one now.
 * @deprecated Use buildDailySummary; kept until the benchmark (issue 15, part 1) switches.
 */
export async function buildSummary(ctx: EngineContext, channel: SummaryChannel, now: Date, lastPoll: Date): Promise<string[]> {
  return [await buildDailySummary(ctx, channel, now, lastPoll)];
}

/** The summary of one channel as one Markdown message that fits every platform (MAX_MESSAGE_BYTES). */
export async function buildDailySummary(ctx: EngineContext, channel: SummaryChannel, now: Date, lastPoll: Date): Promise<string> {
  const rows = await ctx.store.mirror.list({ openOnly: true });
  const risks = await assessTeamRisk(ctx, rows, now);
  const openSubBugs = await openSubBugsByParent(ctx, new Set(rows.map((row) => row.id)));
  const bugs: SummaryBug[] = [];
  for (const row of rows) {
    const facts = await workFacts(ctx, row);
    const handler = row.handler ? (ctx.staffByTrackerUser(row.handler)?.name ?? row.handler) : undefined;
    bugs.push({
      id: row.id,
      summary: row.summary,
      status: row.status,
      handler,
      priority: row.priority,
      customer: isCustomerBug(row, ctx.settings.customerTag),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      statusSince: row.status === "feedback" ? (row.feedbackSince ?? row.statusSince) : row.statusSince,
      workLeftMinutes: facts.workLeftMinutes,
      deadline: facts.deadline,
      risk: risks.get(row.id)?.risk.state,
      stage: (await ctx.processFacts(row.id))?.stage,
      openSubBugs: openSubBugs.get(row.id),
  });
  }
  const previous = (await ctx.store.outbox.list({ kind: "summary", recipient: channelRecipient(channel.channel) }))
    .map((row) => row.sentAt ?? row.createdAt)
    .reduce<Date | undefined>((latest, at) => (!latest || at.getTime() > latest.getTime() ? at : latest), undefined);
  const since = new Date(Math.max(previous?.getTime() ?? now.getTime() - DAY_MS, now.getTime() - 7 * DAY_MS));
  const stale = now.getTime() - lastPoll.getTime() > Math.max(STALE_POLL_MS, 3 * ctx.config.pollIntervalMs);
  return composeSummary({
    bugs,
    changes: await changesSince(ctx, since),
    now,
    timeZone: channel.timeZone,
    bugUrl: ctx.bugUrl,
    itemsPerSection: ctx.settings.summaryItemsPerSection,
    // The same text goes to every platform: MAX_MESSAGE_BYTES fits them all.
    limit: { length: MAX_MESSAGE_BYTES, measure: "utf8-bytes" },
    notes: stale ? [`_MantisBT has not answered since ${formatLocalTime(lastPoll, channel.timeZone)}; later changes are missing._`] : [],
  });
}

/**
 * Each parent's sub-bugs that are still open. The mirror keeps no relationships, so the sub-bugs are
 * those opened with `ask` (the store's record); `summary` on demand reads MantisBT's relationships.
 */
async function openSubBugsByParent(ctx: EngineContext, open: ReadonlySet<number>): Promise<Map<number, number[]>> {
  const byParent = new Map<number, number[]>();
  for (const { parentBugId, childBugId } of await ctx.store.subFeedback.links()) {
    if (open.has(childBugId)) byParent.set(parentBugId, [...(byParent.get(parentBugId) ?? []), childBugId]);
  }
  return byParent;
}

/** Changes the watcher saw since a moment, each with who did it when the journal knows. */
async function changesSince(ctx: EngineContext, since: Date): Promise<SummaryChange[]> {
  const journal = await ctx.store.journal.since(new Date(since.getTime() - ATTRIBUTION_WINDOW_MS));
  return (await ctx.store.mirror.changesSince(since)).map((change) => {
    const cause = journal
      .filter((entry) => entry.bugId === change.bugId && Math.abs(entry.at.getTime() - change.at.getTime()) <= ATTRIBUTION_WINDOW_MS)
      .at(-1);
    const by = cause ? ` (${cause.actor}${cause.command ? `, ${cause.command}` : ""})` : "";
    return { bugId: change.bugId, at: change.at, change: `${change.change}${by}` };
  });
}
