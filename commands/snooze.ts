/**
 * `snooze 1234 2d`: holds the bot's reminders to you about one bug (feedback reminders, deadline
 * DMs) for a while; `snooze 1234 off` ends it. Management's escalation is not snoozed: it is the
 * safety net for feedback that stays overdue.
 */
import { z } from "zod";
import { addIsoDays, formatLocalTime, toLocalDateTime, zonedInstant } from "../src/core/calendar.js";
import { parseDate } from "../src/core/dates.js";
import { parseDuration } from "../src/core/duration.js";
import { parseFailure, parsedValue, unwrapParsed, type Parsed } from "../src/core/parse-result.js";
import { bugIdArg, nonEmptyArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { settingsFor } from "../src/process/settings-for.js";


/** The longest snooze: beyond this a reminder is not snoozed but ignored, and that needs a word with management. */
const MAX_SNOOZE_DAYS = 30;
const MINUTE_MS = 60_000;

/**
 * `30m`, `4h`, `1d` (a calendar day: "snooze for a day"), `1w`, combinations like `1d4h`, or a date
 * (reminders come back at the start of that working day).
 */
function parseSnoozeEnd(text: string, options: { now: Date; timeZone: string; dayStartMinute: number }): Parsed<Date> {
  const today = toLocalDateTime(options.now, options.timeZone).date;
  if (/\d[./-]\d|^(today|tomorrow)$/i.test(text.trim())) {
    const date = parseDate(text, { today });
    if (!date.ok) return date;
    if (date.value <= today) return parseFailure(`${date.value} is not in the future; give a later date or a length such as 1d.`);
    return parsedValue(zonedInstant(options.timeZone, date.value, options.dayStartMinute));
  }
  const duration = parseDuration(text);
  if (!duration.ok) return parseFailure(`"${text.trim()}" is neither a length such as 4h, 1d or 1w nor a date such as 14.3.2034.`);
  const { weeks, days, hours, minutes } = duration.value;
  const ms = (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * MINUTE_MS;
  if (ms <= 0) return parseFailure("A snooze must last longer than 0; `snooze <bug> off` ends one.");
  return parsedValue(new Date(options.now.getTime() + ms));
}

export const snoozeCommand = defineCommand({
  name: "snooze",
  summary: "Hold the bot's reminders to you about one bug for a while (2d, 4h, a date), or `off`",
  usage: "<bug> <for how long, e.g. 1d, 4h, 14.3.2034, or off>",
  examples: ["snooze 1234 1d", "snooze 1234 4h", "snooze 1234 off"],
  roles: ["staff", "management"],
  positional: ["bug", "length"],
  args: z.object({ bug: bugIdArg, length: nonEmptyArg("1d or 4h or off") }),
  async run(ctx, args) {
    if (/^(off|stop|end|none)$/i.test(args.length)) {
      const had = await ctx.store.snoozes.clear(args.bug, ctx.caller.name);
      return ephemeral(had ? `Reminders about #${args.bug} are on again.` : `Reminders about #${args.bug} were not snoozed.`);
    }
    const settings = await settingsFor(ctx, ctx.caller);
    const now = ctx.now();
    const until = unwrapParsed(parseSnoozeEnd(args.length, { now, timeZone: settings.timeZone, dayStartMinute: settings.calendar.dayStartMinute }));
    const latest = zonedInstant(settings.timeZone, addIsoDays(toLocalDateTime(now, settings.timeZone).date, MAX_SNOOZE_DAYS + 1), 0);
    if (until.getTime() > latest.getTime()) {
      return ephemeral(`A snooze lasts at most ${MAX_SNOOZE_DAYS} days. If the bug should wait longer, tell management (it may need a new timeline).`);
    }
    // Reading the bug checks that it exists and gives the reply its subject.
    const bug = await ctx.tracker.getTicket(args.bug);
    await ctx.store.snoozes.set(bug.id, ctx.caller.name, until, now);
    return ephemeral(
      `Reminders to you about ${bugLink(bug, ctx.tracker.ticketUrl(bug.id))} ${escapeMarkdown(bug.summary)} are snoozed until ` +
        `${formatLocalTime(until, settings.timeZone)} (${settings.timeZone}). Management is still told if feedback stays overdue. ` +
        `\`snooze ${bug.id} off\` ends it early.`,
      { bugId: bug.id },
    );
  },
});
