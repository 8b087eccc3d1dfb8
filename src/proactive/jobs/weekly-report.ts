/**
 * The weekly report (`report week`, issue 14) in each channel of REPORT_CHANNELS, every Monday at
 * the channel's time: last week against the week before, with its chart where a renderer is wired.
 * It goes through the outbox like every other post, once per channel and week: a report missed
 * while the bot was down goes out late the same week, and one due before the bot was installed is
 * not sent at all (the first comes the next Monday).
 */
import { addIsoDays, parseTimeOfDay, toLocalDateTime, zonedInstant } from "../../core/calendar.js";
import { isoWeekday } from "../../core/dates.js";
import { buildNotificationKey } from "../../core/reminder-policy.js";
import { composeReport } from "../../process/report-chart.js";
import { buildReport } from "../../process/report-input.js";
import type { ProactiveJob } from "../job.js";
import { channelRecipient } from "../outbox.js";

/** Posts each report channel's weekly report, on Monday at its time or late that week. */
export const weeklyReportJob: ProactiveJob = {
  name: "weekly-report",
  // At each channel's time (node-schedule, in its time zone; the run checks for Monday), plus the
  // regular check that catches up after downtime.
  schedules: (config) => [...config.reportChannels.map((channel) => ({ daily: channel.time, timeZone: channel.timeZone })), { every: config.checkIntervalMs }],
  async run(ctx) {
    const now = ctx.now();
    for (const channel of ctx.config.reportChannels) {
      const today = toLocalDateTime(now, channel.timeZone).date;
      const monday = addIsoDays(today, 1 - isoWeekday(today));
      const due = zonedInstant(channel.timeZone, monday, parseTimeOfDay(channel.time));
      if (now.getTime() < due.getTime()) continue;
      // A report due before the bot was installed was not missed.
      if (due.getTime() < ((await ctx.store.mirror.installedAt())?.getTime() ?? Number.POSITIVE_INFINITY)) continue;
      const recipient = channelRecipient(channel.channel);
      // The period of the key is the week reported on: its Monday.
      const week = addIsoDays(monday, -7);
      if ((await ctx.store.outbox.list({ kind: "report", recipient, periodPrefix: week })).length > 0) continue;
      // The week is judged in the company's calendar, whatever the channel's time zone.
      const report = await buildReport(ctx.store, ctx.settings, "week", now);
      const { text, picture } = await composeReport(report, {
        bugUrl: ctx.bugUrl,
        ...(ctx.charts ? { charts: ctx.charts } : {}),
        onChartError: (err) => ctx.log.warn({ err }, "the weekly report's chart could not be drawn; the report goes without it"),
      });
      await ctx.outbox.enqueue({
        key: buildNotificationKey({ kind: "report", recipient, period: week }),
        target: "channel",
        message: { text, ...(picture ? { image: picture } : {}) },
        combinable: false,
      });
    }
  },
};
