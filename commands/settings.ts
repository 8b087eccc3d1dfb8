/**
 * `settings`: how the proactive engine reaches you. With no arguments it shows your current
 * settings; `key=value` pairs change them: reminders (on-change, daily@09:00, off), quiet hours,
 * time zone, working days and hours, personal days off. `reset` goes back to the defaults.
 */
import { z } from "zod";
import { flagArg } from "../src/framework/arg-types.js";
import { defineCommand, type CommandContext } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { isTimeZone } from "../src/core/calendar.js";
import { formatLocalTime } from "../src/proactive/messages.js";
import {
  DEFAULT_PROACTIVE_CONFIG,
  formatRemindersMode,
  formatWeekdays,
  parsedSetting,
  parseHolidays,
  parseRemindersMode,
  parseTimeRange,
  parseWeekdays,
  resolveUserSettings,
  type UserPreferences,
} from "../src/proactive/preferences.js";

const quietArg = z.string().transform((text, ctx): string => {
  if (/^(off|none|no)$/i.test(text.trim())) return "off";
  const parsed = parseTimeRange(text, { spanMidnight: true });
  if (parsed.ok) return `${parsed.value.start}-${parsed.value.end}`;
  ctx.addIssue({ code: "custom", message: `${parsed.error} Or write off for none.`, input: text });
  return z.NEVER;
});

const timeZoneArg = z.string().transform((text, ctx): string => {
  if (isTimeZone(text.trim())) return text.trim();
  ctx.addIssue({ code: "custom", message: `"${text.trim()}" is not an IANA time zone such as Europe/Zurich or America/New_York.`, input: text });
  return z.NEVER;
});

export const settingsCommand = defineCommand({
  name: "settings",
  summary: "Your reminder settings: digest or pings, quiet hours, time zone, working days; no arguments shows them",
  usage: "[reminders=on-change|daily@09:00|off] [quiet=18:00-08:00|off] [tz=<zone>] [days=mon-fri] [hours=09:00-17:00] [holidays=<dates>|none] [reset]",
  examples: ["settings", "settings reminders=daily@09:00 quiet=18:00-08:00 tz=Europe/Zurich", "settings days=mon-thu holidays=24.12.2026,31.12.2026", "settings reset"],
  roles: ["staff", "management"],
  flags: ["reset"],
  args: z.object({
    reminders: parsedSetting(parseRemindersMode).optional(),
    quiet: quietArg.optional(),
    tz: timeZoneArg.optional(),
    days: parsedSetting(parseWeekdays).optional(),
    hours: parsedSetting((text) => parseTimeRange(text, { spanMidnight: false })).optional(),
    holidays: parsedSetting(parseHolidays).optional(),
    reset: flagArg,
  }),
  async run(ctx, args) {
    const before = args.reset ? {} : ctx.store.preferences.get(ctx.caller.name);
    const changes: UserPreferences = {
      ...(args.reminders ? { reminders: formatRemindersMode(args.reminders) } : {}),
      ...(args.quiet ? { quiet: args.quiet } : {}),
      ...(args.tz ? { tz: args.tz } : {}),
      ...(args.days ? { days: formatWeekdays(args.days) } : {}),
      ...(args.hours ? { hours: `${args.hours.start}-${args.hours.end}` } : {}),
      ...(args.holidays ? { holidays: args.holidays } : {}),
    };
    const changed = Object.keys(changes);
    if (!args.reset && changed.length === 0) return ephemeral(describeSettings(ctx, "Your settings"));
    const next: UserPreferences = { ...before, ...changes };
    if (args.holidays?.length === 0) delete next.holidays;
    ctx.store.preferences.set(ctx.caller.name, next, ctx.now());
    const heading = args.reset
      ? `Back to the defaults${changed.length > 0 ? `, then changed ${changed.join(", ")}` : ""}`
      : `Changed ${changed.join(", ")}`;
    return ephemeral(describeSettings(ctx, heading));
  },
});

function describeSettings(ctx: CommandContext, heading: string): string {
  const config = ctx.settings.proactive ?? { ...DEFAULT_PROACTIVE_CONFIG, timeZone: ctx.settings.timezone };
  const preferences = ctx.store.preferences.get(ctx.caller.name);
  const settings = resolveUserSettings(ctx.caller, preferences, config);
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
  const quiet = settings.reminders.quietHours;
  const personal = preferences.holidays ?? [];
  const lines = [
    `**${heading}:**`,
    `- reminders: \`${formatRemindersMode(mode)}\` (${source("reminders")}): ${modeText}`,
    `- quiet: \`${quiet ? `${quiet.start}-${quiet.end}` : "off"}\` (${source("quiet")}), and your days off`,
    `- tz: \`${settings.timeZone}\` (${source("tz")})`,
    `- days: \`${formatWeekdays([...calendar.workingWeekdays])}\` (${source("days")})`,
    `- hours: \`${pad(calendar.dayStartMinute)}-${pad(calendar.dayEndMinute)}\` (${source("hours")})`,
    `- holidays: ${personal.length > 0 ? `\`${personal.join(",")}\` (yours)` : "none of your own"}${config.holidays.length > 0 ? `, plus the company's ${config.holidays.join(", ")}` : ""}`,
  ];
  const snoozes = ctx.store.snoozes.list(ctx.caller.name, ctx.now());
  if (snoozes.length > 0) {
    lines.push(`Snoozed: ${snoozes.map((snooze) => `#${snooze.bugId} until ${formatLocalTime(snooze.until, settings.timeZone)}`).join(", ")} (\`snooze <bug> off\` ends one).`);
  }
  lines.push("Change with `settings reminders=daily@09:00 quiet=18:00-08:00 tz=Europe/Zurich`; `settings reset` goes back to the defaults.");
  return lines.join("\n");
}
