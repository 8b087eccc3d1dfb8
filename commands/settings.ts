/**
 * `settings`: how the proactive engine reaches you. With no arguments it shows your current
 * settings; `key=value` pairs change them: reminders (on-change, daily@09:00, off), quiet hours,
 * time zone, working days and hours, personal days off. `reset` goes back to the defaults.
 */
import { z } from "zod";
import { flagArg } from "../src/framework/arg-types.js";
import { defineCommand, type CommandContext } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { formatLocalTime } from "../src/core/calendar.js";
import { parsedSetting } from "../src/core/parse-result.js";
import {
  formatRemindersMode,
  formatTimeRange,
  formatWeekdays,
  parseHolidays,
  parseQuietHours,
  parseRemindersMode,
  parseTimeZone,
  parseWeekdays,
  parseWorkHours,
  type UserPreferences,
} from "../src/core/people-settings.js";
import { settingsFor } from "../src/process/settings-for.js";


export const settingsCommand = defineCommand({
  name: "settings",
  summary: "Your reminder settings: digest or pings, quiet hours, time zone, working days; no arguments shows them",
  usage: "[reminders=on-change|daily@09:00|off] [quiet=18:00-08:00|off] [tz=<zone>] [days=mon-fri] [hours=09:00-17:00] [holidays=<dates>|none] [reset]",
  examples: ["settings", "settings reminders=daily@09:00 quiet=18:00-08:00 tz=Europe/Zurich", "settings days=mon-thu holidays=24.12.2026,31.12.2026", "settings reset"],
  roles: ["staff", "management"],
  flags: ["reset"],
  args: z.object({
    reminders: parsedSetting(parseRemindersMode).optional(),
    quiet: parsedSetting(parseQuietHours).optional(),
    tz: parsedSetting(parseTimeZone).optional(),
    days: parsedSetting(parseWeekdays).optional(),
    hours: parsedSetting(parseWorkHours).optional(),
    holidays: parsedSetting(parseHolidays).optional(),
    reset: flagArg,
  }),
  async run(ctx, args) {
    const before = args.reset ? {} : await ctx.store.preferences.get(ctx.caller.name);
    const changes: UserPreferences = {
      ...(args.reminders ? { reminders: formatRemindersMode(args.reminders) } : {}),
      ...(args.quiet !== undefined ? { quiet: formatTimeRange(args.quiet) } : {}),
      ...(args.tz ? { tz: args.tz } : {}),
      ...(args.days ? { days: formatWeekdays(args.days) } : {}),
      ...(args.hours ? { hours: formatTimeRange(args.hours) } : {}),
      ...(args.holidays ? { holidays: args.holidays } : {}),
    };
    const changed = Object.keys(changes);
    if (!args.reset && changed.length === 0) return ephemeral(await describeSettings(ctx, "Your settings"));
    const next: UserPreferences = { ...before, ...changes };
    if (args.holidays?.length === 0) delete next.holidays;
    await ctx.store.preferences.set(ctx.caller.name, next, ctx.now());
    const heading = args.reset
      ? `Back to the defaults${changed.length > 0 ? `, then changed ${changed.join(", ")}` : ""}`
      : `Changed ${changed.join(", ")}`;
    return ephemeral(await describeSettings(ctx, heading));
  },
});

async function describeSettings(ctx: CommandContext, heading: string): Promise<string> {
  const preferences = await ctx.store.preferences.get(ctx.caller.name);
  const settings = await settingsFor(ctx, ctx.caller);
  const source = (key: keyof typeof settings.sources): string => settings.sources[key];
  const mode = settings.mode;
  const modeText =
    mode.kind === "daily"
      ? `one digest each working day at ${mode.time}; reminders wait for it`
      : mode.kind === "off"
        ? "no reminder DMs (management is still told when feedback is overdue)"
        : "each reminder as it comes due";
  const calendar = settings.calendar;
  const pad = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  const quiet = settings.quietHours;
  const personal = preferences.holidays ?? [];
  const lines = [
    `**${heading}:**`,
    `- reminders: \`${formatRemindersMode(mode)}\` (${source("reminders")}): ${modeText}`,
    `- quiet: \`${formatTimeRange(quiet)}\` (${source("quiet")}), and your days off`,
    `- tz: \`${settings.timeZone}\` (${source("tz")})`,
    `- days: \`${formatWeekdays([...calendar.workingWeekdays])}\` (${source("days")})`,
    `- hours: \`${pad(calendar.dayStartMinute)}-${pad(calendar.dayEndMinute)}\` (${source("hours")})`,
    `- holidays: ${personal.length > 0 ? `\`${personal.join(",")}\` (yours)` : "none of your own"}${ctx.settings.holidays.length > 0 ? `, plus the company's ${ctx.settings.holidays.join(", ")}` : ""}`,
  ];
  const snoozes = await ctx.store.snoozes.list(ctx.caller.name, ctx.now());
  if (snoozes.length > 0) {
    lines.push(`Snoozed: ${snoozes.map((snooze) => `#${snooze.bugId} until ${formatLocalTime(snooze.until, settings.timeZone)}`).join(", ")} (\`snooze <bug> off\` ends one).`);
  }
  lines.push("Change with `settings reminders=daily@09:00 quiet=18:00-08:00 tz=Europe/Zurich`; `settings reset` goes back to the defaults.");
  return lines.join("\n");
}
