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
import type { RiskState } from "../../core/deadline-risk.js";
import { composeSummary, inWorkOrder, sectionOf, type SummaryBug, type SummaryChange } from "../../core/summary.js";
import { isCustomerBug } from "../../process/bug-format.js";
import type { EngineContext } from "../context.js";
import type { ProactiveJob } from "../job.js";
import { channelRecipient, MAX_MESSAGE_BYTES } from "../outbox.js";
import type { SummaryChannel } from "../settings.js";
import { isActionPhase } from "../../process/developer-risk.js";
import type { MirrorRow } from "../../store/mirror-repo.js";
import { assessByDeveloper, workFactsOf } from "../team-risk.js";

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
 * The summary of one channel as one Markdown message that fits every platform (MAX_MESSAGE_BYTES).
 * Only what it shows is read in full: the store counts each section and picks its first items;
 * "In work" is ranked here by deadline risk, which needs every bug in action with its subject tag.
 */
export async function buildDailySummary(ctx: EngineContext, channel: SummaryChannel, now: Date, lastPoll: Date): Promise<string> {
  const itemsPerSection = ctx.settings.summaryItemsPerSection;
  const work = await ctx.store.mirror.actionWork();
  const facts = new Map(work.map((row) => [row.id, workFactsOf(ctx.settings, row.summary, { estimateMinutes: row.storedEstimateMinutes, deadline: row.storedDeadline })]));
  const risks = await assessByDeveloper(
    ctx,
    work.flatMap((row) => {
      const { workLeftMinutes, deadline } = facts.get(row.id)!;
      if (!isActionPhase(row.status, row.stage) || workLeftMinutes === undefined || deadline === undefined) return [];
      return [{ row, work: { bugId: row.id, workLeftMinutes, deadline, lastEstimateUpdate: row.lastEstimateUpdate } }];
    }),
    now,
  );
  const riskOf = (id: number): RiskState | undefined => risks.get(id)?.risk.state;
  const firstInWork = work
    .filter((row) => sectionOf(row) === "work")
    .map((row) => ({ id: row.id, risk: riskOf(row.id), deadline: facts.get(row.id)!.deadline }))
    .sort(inWorkOrder)
    .slice(0, itemsPerSection)
    .map((row) => row.id);
  const selection = await ctx.store.mirror.summarySelection({ customerTag: ctx.settings.customerTag, itemsPerSection, alsoIds: firstInWork });
  const openSubBugs = await ctx.store.subFeedback.openSubBugs(selection.rows.map((row) => row.id));
  const bugs = selection.rows.map((row) =>
    summaryBugOf(ctx, row, { ...facts.get(row.id), risk: riskOf(row.id), stage: row.stage, openSubBugs: openSubBugs.get(row.id) }),
  );
  const previous = (await ctx.store.outbox.list({ kind: "summary", recipient: channelRecipient(channel.channel) }))
    .map((row) => row.sentAt ?? row.createdAt)
    .reduce<Date | undefined>((latest, at) => (!latest || at.getTime() > latest.getTime() ? at : latest), undefined);
  const since = new Date(Math.max(previous?.getTime() ?? now.getTime() - DAY_MS, now.getTime() - 7 * DAY_MS));
  const stale = now.getTime() - lastPoll.getTime() > Math.max(STALE_POLL_MS, 3 * ctx.config.pollIntervalMs);
  return composeSummary({
    bugs,
    counts: selection.counts,
    changes: await changesSince(ctx, since),
    now,
    timeZone: channel.timeZone,
    bugUrl: ctx.bugUrl,
    itemsPerSection,
    // The same text goes to every platform: MAX_MESSAGE_BYTES fits them all.
    limit: { length: MAX_MESSAGE_BYTES, measure: "utf8-bytes" },
    notes: stale ? [`_MantisBT has not answered since ${formatLocalTime(lastPoll, channel.timeZone)}; later changes are missing._`] : [],
  });
}

/** A mirror row as the summary shows it, with what the bot derived about the bug. */
export function summaryBugOf(
  ctx: Pick<EngineContext, "settings" | "staffByTrackerUser">,
  row: MirrorRow,
  derived: Pick<SummaryBug, "workLeftMinutes" | "deadline" | "risk" | "stage" | "openSubBugs">,
): SummaryBug {
  return {
    id: row.id,
    summary: row.summary,
    status: row.status,
    handler: row.handler ? (ctx.staffByTrackerUser(row.handler)?.name ?? row.handler) : undefined,
    priority: row.priority,
    customer: isCustomerBug(row, ctx.settings.customerTag),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    statusSince: row.status === "feedback" ? (row.feedbackSince ?? row.statusSince) : row.statusSince,
    ...derived,
  };
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
