/**
 * Deadlines at risk: each developer's bugs in action are assessed together, earliest deadline first,
 * in the developer's working calendar (overdue, at risk, stale estimate). The developer gets a DM
 * asking to update the estimate or to put the delay in writing; management gets the list in its
 * channel. A bug is reported again only when its state worsens or on a new day, and only during the
 * recipient's working time.
 */
import { isWorkingTime, toLocalDateTime } from "../../core/calendar.js";
import { hasRiskWorsened, RISK_STATES, type RiskState } from "../../core/deadline-risk.js";
import { companyCalendar } from "../../core/people-settings.js";
import { buildNotificationKey } from "../../core/reminder-policy.js";
import type { RiskReport } from "../../store/risk-repo.js";
import type { EngineContext } from "../context.js";
import type { ProactiveJob } from "../job.js";
import { riskDirectMessage, riskReportMessage } from "../messages.js";
import { channelRecipient } from "../outbox.js";
import { assessTeamRisk, type TeamRisk } from "../team-risk.js";
import { reminderDueAt } from "./dm-digest.js";
import { MANAGEMENT_CHANNEL, messageBug } from "./watch-tracker.js";

function shouldReport(previous: RiskReport | undefined, state: RiskState, today: string): boolean {
  if (!previous || previous.reportedOn !== today) return true;
  const known = (RISK_STATES as readonly string[]).includes(previous.state) ? (previous.state as RiskState) : undefined;
  return hasRiskWorsened(known, state);
}

/** What a report's key says: the day and each bug with its state, so a changed list is a new report. */
function reportPeriod(today: string, items: readonly TeamRisk[]): string {
  return `${today}/${items.map((item) => `${item.risk.bugId}=${item.risk.state}`).join(",")}`;
}

/** Reports deadlines at risk, overdue or stale to developers and management. */
export const deadlineRiskJob: ProactiveJob = {
  name: "deadline-risk",
  schedules: (config) => [{ every: config.checkIntervalMs }],
  async run(ctx) {
    const now = ctx.now();
    const team = await assessTeamRisk(ctx, await ctx.store.mirror.list({ statuses: ["confirmed", "assigned"] }), now);
    const management = channelRecipient(MANAGEMENT_CHANNEL);
    const company = companyCalendar(ctx.settings);
    const managementToday = toLocalDateTime(now, company.timeZone).date;
    const managementAtWork = isWorkingTime(company, now);

    if (!(await ctx.store.risk.isBaselined())) {
      if (await ctx.store.mirror.installedAt()) await baseline(ctx, team.values(), now);
      return;
    }

    const perDeveloper = new Map<string, TeamRisk[]>();
    const forManagement: TeamRisk[] = [];
    for (const entry of team.values()) {
      if (entry.risk.state === "ok") continue;
      if (entry.member) {
        const settings = await ctx.settingsFor(entry.member);
        const today = toLocalDateTime(now, settings.timeZone).date;
        const snoozed = (await ctx.store.snoozes.get(entry.risk.bugId, entry.member.name, now)) !== undefined;
        if (settings.mode.kind !== "off" && !snoozed && isWorkingTime(settings.calendar, now) && shouldReport(await ctx.store.risk.get(entry.risk.bugId, entry.member.name), entry.risk.state, today)) {
          perDeveloper.set(entry.member.name, [...(perDeveloper.get(entry.member.name) ?? []), entry]);
        }
      }
      if (managementAtWork && shouldReport(await ctx.store.risk.get(entry.risk.bugId, management), entry.risk.state, managementToday)) forManagement.push(entry);
    }

    await ctx.store.transaction(async () => {
      // A bug that is fine again (or left the action phase) starts afresh: a new risk is news.
      for (const bugId of await ctx.store.risk.reportedBugs()) {
        const entry = team.get(bugId);
        if (!entry || entry.risk.state === "ok") await ctx.store.risk.clear(bugId);
      }
      for (const items of perDeveloper.values()) {
        const member = items[0]!.member!;
        const settings = await ctx.settingsFor(member);
        const today = toLocalDateTime(now, settings.timeZone).date;
        await ctx.outbox.enqueue({
          key: buildNotificationKey({ kind: "deadline-risk", recipient: member.name, period: reportPeriod(today, items) }),
          target: "direct",
          message: riskDirectMessage(items.map((item) => ({ bug: messageBug(ctx, item.row), risk: item.risk }))),
          dueAt: await reminderDueAt(ctx, member, settings, now),
        });
        for (const item of items) await ctx.store.risk.set(item.risk.bugId, member.name, { state: item.risk.state, reportedOn: today, reportedAt: now });
      }
      if (forManagement.length > 0) {
        await ctx.outbox.enqueue({
          key: buildNotificationKey({ kind: "deadline-risk", recipient: management, period: reportPeriod(managementToday, forManagement) }),
          target: "channel",
          message: riskReportMessage(forManagement.map((item) => ({ bug: messageBug(ctx, item.row), risk: item.risk, handler: item.member?.name ?? item.handler }))),
        });
        for (const item of forManagement) await ctx.store.risk.set(item.risk.bugId, management, { state: item.risk.state, reportedOn: managementToday, reportedAt: now });
      }
    });
  },
};

/**
 * At installation every risk is news, and reporting them all at once is the flood the first run
 * avoids: they are recorded as known (the first-run message counts them) and reported from the next
 * day on, or as soon as one gets worse.
 */
async function baseline(ctx: EngineContext, entries: Iterable<TeamRisk>, now: Date): Promise<void> {
  const management = channelRecipient(MANAGEMENT_CHANNEL);
  const companyToday = toLocalDateTime(now, ctx.settings.timeZone).date;
  await ctx.store.transaction(async () => {
    for (const entry of entries) {
      if (entry.risk.state === "ok") continue;
      const report = { state: entry.risk.state, reportedAt: now };
      if (entry.member) {
        const today = toLocalDateTime(now, (await ctx.settingsFor(entry.member)).timeZone).date;
        await ctx.store.risk.set(entry.risk.bugId, entry.member.name, { ...report, reportedOn: today });
      }
      await ctx.store.risk.set(entry.risk.bugId, management, { ...report, reportedOn: companyToday });
    }
    await ctx.store.risk.setBaselined(now);
  });
}
