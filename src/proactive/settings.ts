/**
 * Settings of the proactive engine (docs/proactive.md): whether it runs, how often it reads the
 * tracker and checks, when feedback is chased, where daily summaries and the weekly report go, how
 * often delivery is tried. People's working time and reminder preferences are not here: they are the process's
 * (src/core/people-settings.ts), because commands judge deadlines by them too.
 */
import { z } from "zod";
import { isTimeZone } from "../core/calendar.js";
import { parseFailure, parsedValue, type Parsed } from "../core/parse-result.js";
import { normalizeTime, type PersonSettings } from "../core/people-settings.js";
import type { ReminderSettings } from "../core/reminder-policy.js";

/** One channel that gets the daily summary, at a local time in a time zone. */
export interface SummaryChannel {
  channel: string;
  time: string;
  timeZone: string;
}

/** Everything the engine reads from configuration. */
export interface ProactiveSettings {
  /** `auto`: on when running live and in an interactive sandbox, off in a piped sandbox. */
  enabled: "on" | "off" | "auto";
  /** POLL_INTERVAL: how often the watcher reads the tracker. */
  pollIntervalMs: number;
  /** CHECK_INTERVAL: how often reminders, risks, digests and missed summaries are checked (store only). */
  checkIntervalMs: number;
  /** WATCH_PAGE_SIZE: bugs per tracker page while watching. */
  watchPageSize: number;
  newRemindAfterHours: number;
  feedbackRemindAfterHours: number;
  feedbackRemindEveryHours: number;
  feedbackEscalateAfterHours: number;
  summaryChannels: SummaryChannel[];
  /** REPORT_CHANNELS: where the weekly report goes, every Monday at the channel's time (the same form as summary channels). */
  reportChannels: SummaryChannel[];
  /** NOTIFY_MAX_ATTEMPTS: tries per notification before it is given up (logged as an error). */
  notifyMaxAttempts: number;
}

const workingHoursSetting = () => z.coerce.number({ error: "must be a number of working hours" }).positive().max(1000);
const secondsSetting = () => z.coerce.number({ error: "must be a number of seconds" }).min(1).max(3600);

/** The environment variables of the engine, each with its documented default; config.ts composes it. */
export const proactiveEnvSchema = z.object({
  PROACTIVE: z.enum(["on", "off", "auto"], { error: "must be on, off or auto" }).default("auto"),
  POLL_INTERVAL: secondsSetting().default(60),
  CHECK_INTERVAL: secondsSetting().default(60),
  WATCH_PAGE_SIZE: z.coerce.number({ error: "must be a number of bugs" }).int().min(1).max(1000).default(50),
  NEW_REMIND_AFTER: workingHoursSetting().default(4),
  FEEDBACK_REMIND_AFTER: workingHoursSetting().default(4),
  FEEDBACK_REMIND_EVERY: workingHoursSetting().default(4),
  FEEDBACK_ESCALATE_AFTER: workingHoursSetting().default(16),
  // Checked by proactiveSettingsFromEnv: a channel without a zone of its own is in TIMEZONE.
  SUMMARY_CHANNELS: z.string().optional(),
  // Checked by proactiveSettingsFromEnv like SUMMARY_CHANNELS; unset, the report follows the management summary.
  REPORT_CHANNELS: z.string().optional(),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number({ error: "must be a number" }).int().min(1).max(100).default(5),
});
/** The engine's variables as the schema returns them. */
export type ProactiveEnv = z.output<typeof proactiveEnvSchema>;

/** `management@09:00,support@09:30/America/New_York`; `none` for no summaries. */
export function parseSummaryChannels(text: string, defaultTimeZone: string): Parsed<SummaryChannel[]> {
  if (/^(off|none|no)$/i.test(text.trim())) return parsedValue([]);
  const channels: SummaryChannel[] = [];
  for (const part of text.split(",").map((item) => item.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9._-]+)@(\d{1,2}:\d{2})(?:\/(.+))?$/.exec(part);
    const time = match ? normalizeTime(match[2]!) : undefined;
    if (!match || !time) return parseFailure(`"${part}" is not channel@HH:MM (e.g. management@09:00 or support@09:30/Europe/Zurich).`);
    const timeZone = match[3] ?? defaultTimeZone;
    if (!isTimeZone(timeZone)) return parseFailure(`"${part}": ${timeZone} is not an IANA time zone such as Europe/Zurich.`);
    if (channels.some((channel) => channel.channel === match[1])) return parseFailure(`"${match[1]}" is listed twice.`);
    channels.push({ channel: match[1]!, time, timeZone });
  }
  return parsedValue(channels);
}

/**
 * The engine's settings; what depends on another module's setting (summary channels default to
 * TIMEZONE) or on two settings at once is checked here, one problem line each.
 */
export function proactiveSettingsFromEnv(env: ProactiveEnv, process: { timeZone: string }): { settings: ProactiveSettings; problems: string[] } {
  const problems: string[] = [];
  let summaryChannels: SummaryChannel[] = [{ channel: "management", time: "09:00", timeZone: process.timeZone }];
  if (env.SUMMARY_CHANNELS !== undefined) {
    const parsed = parseSummaryChannels(env.SUMMARY_CHANNELS, process.timeZone);
    if (parsed.ok) summaryChannels = parsed.value;
    else problems.push(`SUMMARY_CHANNELS: ${parsed.error}`);
  }
  // The weekly report goes where and when management gets its summary, unless said otherwise.
  let reportChannels = summaryChannels.filter((channel) => channel.channel === "management");
  if (env.REPORT_CHANNELS !== undefined) {
    const parsed = parseSummaryChannels(env.REPORT_CHANNELS, process.timeZone);
    if (parsed.ok) reportChannels = parsed.value;
    else problems.push(`REPORT_CHANNELS: ${parsed.error}`);
  }
  if (env.FEEDBACK_ESCALATE_AFTER < env.FEEDBACK_REMIND_AFTER) {
    problems.push("FEEDBACK_ESCALATE_AFTER: must not be less than FEEDBACK_REMIND_AFTER (management would hear before the developer)");
  }
  return {
    settings: {
      enabled: env.PROACTIVE,
      pollIntervalMs: Math.round(env.POLL_INTERVAL * 1000),
      checkIntervalMs: Math.round(env.CHECK_INTERVAL * 1000),
      watchPageSize: env.WATCH_PAGE_SIZE,
      newRemindAfterHours: env.NEW_REMIND_AFTER,
      feedbackRemindAfterHours: env.FEEDBACK_REMIND_AFTER,
      feedbackRemindEveryHours: env.FEEDBACK_REMIND_EVERY,
      feedbackEscalateAfterHours: env.FEEDBACK_ESCALATE_AFTER,
      summaryChannels,
      reportChannels,
      notifyMaxAttempts: env.NOTIFY_MAX_ATTEMPTS,
    },
    problems,
  };
}

/** The cadence of feedback reminders to a person: the engine's thresholds in their quiet hours and days off. */
export function reminderSettingsFor(settings: ProactiveSettings, person: Pick<PersonSettings, "quietHours">): ReminderSettings {
  return {
    remindAfterHours: settings.feedbackRemindAfterHours,
    repeatEveryHours: settings.feedbackRemindEveryHours,
    escalateAfterHours: settings.feedbackEscalateAfterHours,
    quietHours: person.quietHours,
    quietOnDaysOff: true,
  };
}
