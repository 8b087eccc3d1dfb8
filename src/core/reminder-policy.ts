/**
 * When to chase a bug in `feedback`. The seed says the developer "MUST urgently respond"; the bot
 * reminds the handler after a few working hours, keeps reminding, and escalates to management when
 * the feedback is still missing. Nobody is pinged at night or on days off: a reminder that comes due
 * then waits for the quiet period to end, it is not dropped.
 *
 * Pure: the caller passes in what was already sent and the clock, and gets back what is due now and
 * when to look again.
 */
import { z } from "zod";
import {
  addIsoDays,
  addWorkingMinutes,
  isWorkingDay,
  parseTimeOfDay,
  toLocalDateTime,
  zonedInstant,
  type WorkingCalendar,
} from "./calendar.js";

const MS_PER_MINUTE = 60_000;

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day such as 18:00");

/** Reminder settings as they come from configuration; hours are working hours of the handler's calendar. */
export const reminderSettingsSchema = z.object({
  /** FEEDBACK_REMIND_AFTER: first DM to the handler after this many working hours in feedback. */
  remindAfterHours: z.number().positive().default(4),
  /** Then again every this many working hours after the previous reminder. */
  repeatEveryHours: z.number().positive().default(4),
  /** Tell management after this many working hours in feedback (once per feedback round). */
  escalateAfterHours: z.number().positive().default(16),
  /** Local quiet hours; `start` after `end` spans midnight (18:00-08:00). Omit for none. */
  quietHours: z
    .object({ start: timeOfDay, end: timeOfDay })
    .refine((quiet) => quiet.start !== quiet.end, "start and end must differ")
    .optional(),
  /** Also keep quiet on the calendar's non-working days (weekends, holidays). */
  quietOnDaysOff: z.boolean().default(true),
});
export type ReminderSettings = z.output<typeof reminderSettingsSchema>;

/** The defaults: remind after 4 working hours, every 4 more, escalate after 16, quiet 18:00-08:00 and days off. */
export const DEFAULT_REMINDER_SETTINGS: Readonly<ReminderSettings> = Object.freeze(
  reminderSettingsSchema.parse({ quietHours: { start: "18:00", end: "08:00" } }),
);

export type ReminderKind = "remind" | "escalate";

/** A reminder already sent for the current feedback round. */
export interface SentReminder {
  kind: ReminderKind;
  at: Date;
}

/** A reminder to send: `remind` #ordinal to the handler, or the (single) `escalate` to management. */
export interface ReminderItem {
  kind: ReminderKind;
  /** 1, 2, 3, ... for reminders; always 1 for the escalation. */
  ordinal: number;
  /** When it is (or was) due, after quiet hours and snooze. */
  at: Date;
}

export interface PlanFeedbackRemindersOptions {
  /** When the bug entered `feedback` (this round). */
  feedbackSince: Date;
  /** True once the handler gave feedback: nothing more is due. */
  feedbackGiven: boolean;
  /** Reminders sent in this round, any order. */
  sent: readonly SentReminder[];
  settings: ReminderSettings;
  /** The handler's working calendar: hours count in it, quiet hours are in its time zone. */
  calendar: WorkingCalendar;
  /** Reminders to the handler wait until then. Escalation is not snoozed: it is management's safety net. */
  snoozedUntil?: Date;
  now: Date;
}

export interface ReminderPlan {
  /** What to send now, in time order (a reminder before an escalation due at the same instant). Empty: nothing. */
  due: ReminderItem[];
  /** The next item after those, assuming the due ones are sent now; undefined when nothing more will come. */
  next: ReminderItem | undefined;
}

/** Decides which feedback reminders are due now and when the next one will be. */
export function planFeedbackReminders(options: PlanFeedbackRemindersOptions): ReminderPlan {
  const { settings, calendar, now } = options;
  if (options.feedbackGiven) return { due: [], next: undefined };
  const quiet = quietRule(settings, calendar);
  const nowMs = now.getTime();
  const snooze = options.snoozedUntil?.getTime() ?? Number.NEGATIVE_INFINITY;
  const due: ReminderItem[] = [];
  const upcoming: ReminderItem[] = [];

  // Reminders: the first after remindAfterHours in feedback, each further one repeatEveryHours after the
  // previous one was actually sent, so a reminder held back by quiet hours does not bunch up with the next.
  const reminders = options.sent.filter((item) => item.kind === "remind");
  const lastSent = reminders.reduce<number | undefined>((latest, item) => Math.max(latest ?? item.at.getTime(), item.at.getTime()), undefined);
  const remindBase =
    lastSent === undefined
      ? addWorkingMinutes(calendar, options.feedbackSince, settings.remindAfterHours * 60)
      : addWorkingMinutes(calendar, new Date(lastSent), settings.repeatEveryHours * 60);
  const remindAt = quiet(Math.max(remindBase.getTime(), snooze));
  if (remindAt <= nowMs) {
    due.push({ kind: "remind", ordinal: reminders.length + 1, at: new Date(remindAt) });
    const following = addWorkingMinutes(calendar, now, settings.repeatEveryHours * 60);
    upcoming.push({ kind: "remind", ordinal: reminders.length + 2, at: new Date(quiet(Math.max(following.getTime(), snooze))) });
  } else {
    upcoming.push({ kind: "remind", ordinal: reminders.length + 1, at: new Date(remindAt) });
  }

  if (!options.sent.some((item) => item.kind === "escalate")) {
    const escalateAt = quiet(addWorkingMinutes(calendar, options.feedbackSince, settings.escalateAfterHours * 60).getTime());
    const item: ReminderItem = { kind: "escalate", ordinal: 1, at: new Date(escalateAt) };
    (escalateAt <= nowMs ? due : upcoming).push(item);
  }

  return { due: due.sort(byTimeThenKind), next: upcoming.sort(byTimeThenKind)[0] };
}

function byTimeThenKind(a: ReminderItem, b: ReminderItem): number {
  return a.at.getTime() - b.at.getTime() || (a.kind === b.kind ? 0 : a.kind === "remind" ? -1 : 1);
}

/**
 * Whether an instant falls in quiet time: inside the local quiet hours, or (with `quietOnDaysOff`) on a
 * local date that is not a working day of the calendar.
 */
export function isQuietTime(at: Date, settings: ReminderSettings, calendar: WorkingCalendar): boolean {
  return quietRule(settings, calendar)(at.getTime()) !== at.getTime();
}

/** The instant a notification due at `at` may go out: `at` itself, or the end of the quiet period it falls in. */
export function endOfQuietTime(at: Date, settings: ReminderSettings, calendar: WorkingCalendar): Date {
  return new Date(quietRule(settings, calendar)(at.getTime()));
}

/** Builds a function that moves an instant past quiet hours and days off (in the calendar's time zone). */
function quietRule(settings: ReminderSettings, calendar: WorkingCalendar): (at: number) => number {
  const zone = calendar.timeZone;
  const quietStart = settings.quietHours ? parseTimeOfDay(settings.quietHours.start) * MS_PER_MINUTE : undefined;
  const quietEnd = settings.quietHours ? parseTimeOfDay(settings.quietHours.end) * MS_PER_MINUTE : undefined;
  return (at) => {
    let current = at;
    // Each step moves forward to a day start or a quiet-hours end; a handful of steps always suffice,
    // the bound only guards against a calendar with no working days at all.
    for (let step = 0; step < 1000; step++) {
      const local = toLocalDateTime(new Date(current), zone);
      let target: number | undefined;
      let wallDelta = 0;
      if (settings.quietOnDaysOff && !isWorkingDay(calendar, local.date)) {
        target = zonedInstant(zone, addIsoDays(local.date, 1), 0).getTime();
        wallDelta = 86_400_000 - local.msOfDay;
      } else if (quietStart !== undefined && quietEnd !== undefined) {
        const spansMidnight = quietStart > quietEnd;
        const inQuiet = spansMidnight
          ? local.msOfDay >= quietStart || local.msOfDay < quietEnd
          : local.msOfDay >= quietStart && local.msOfDay < quietEnd;
        if (inQuiet) {
          const endsTomorrow = spansMidnight && local.msOfDay >= quietStart;
          target = zonedInstant(zone, endsTomorrow ? addIsoDays(local.date, 1) : local.date, quietEnd / MS_PER_MINUTE).getTime();
          wallDelta = (endsTomorrow ? 86_400_000 : 0) + quietEnd - local.msOfDay;
        }
      }
      if (target === undefined) return current;
      // On the night clocks go back, the first pass of a repeated hour can lie before `current`;
      // never move backwards, step by the wall-clock distance instead.
      current = target > current ? target : current + wallDelta;
    }
    throw new RangeError("no time outside quiet hours found; check the quiet hours and working days");
  };
}

/** A notification's identity for exactly-once sending; the store keeps one row per `key`. */
export interface NotificationKey {
  key: string;
  kind: string;
  bugId: number | undefined;
  recipient: string;
  /** What makes repeats distinct: a reminder ordinal, a local date for daily items, ... */
  period: string;
}

/** Builds an unambiguous key from kind, bug, recipient and period (each part escaped, so no two differ only in splitting). */
export function buildNotificationKey(parts: { kind: string; bugId?: number; recipient: string; period: string | number }): NotificationKey {
  if (parts.kind === "") throw new RangeError("a notification key needs a kind");
  if (parts.recipient === "") throw new RangeError("a notification key needs a recipient");
  const period = String(parts.period);
  const key = [parts.kind, parts.bugId === undefined ? "-" : String(parts.bugId), parts.recipient, period].map(encodeURIComponent).join("|");
  return { key, kind: parts.kind, bugId: parts.bugId, recipient: parts.recipient, period };
}

/** The period of a daily item: the local date (ISO) of `at` in the recipient's time zone. */
export function dailyPeriod(at: Date, timeZone: string): string {
  return toLocalDateTime(at, timeZone).date;
}

/**
 * The key of a feedback reminder or escalation. The period includes when this feedback round began,
 * because a bug goes through `feedback` more than once (analysis, sub-bugs, review) and reminder #1 of
 * a later round must still be sent.
 */
export function feedbackReminderKey(options: { bugId: number; recipient: string; feedbackSince: Date; item: Pick<ReminderItem, "kind" | "ordinal"> }): NotificationKey {
  return buildNotificationKey({
    kind: options.item.kind === "remind" ? "feedback-remind" : "feedback-escalate",
    bugId: options.bugId,
    recipient: options.recipient,
    period: `${options.feedbackSince.toISOString()}#${options.item.ordinal}`,
  });
}
