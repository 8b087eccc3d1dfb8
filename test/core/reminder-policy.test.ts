import { describe, expect, it } from "vitest";
import { createWorkingCalendar } from "../../src/core/calendar.js";
import {
  buildNotificationKey,
  dailyPeriod,
  DEFAULT_REMINDER_SETTINGS,
  endOfQuietTime,
  feedbackReminderKey,
  isQuietTime,
  planFeedbackReminders,
  reminderSettingsSchema,
  type ReminderKind,
  type ReminderSettings,
  type SentReminder,
} from "../../src/core/reminder-policy.js";

// March 2034 in Zurich (+01:00): Fri 10, Sat 11, Sun 12, Mon 13, Tue 14, Wed 15, ... Sat 18, Mon 20.
const at = (text: string): Date => new Date(text);
const local = (dayAndTime: string): Date => at(`2034-03-${dayAndTime}+01:00`);
const calendar = createWorkingCalendar({ timeZone: "Europe/Zurich" });
const settings = DEFAULT_REMINDER_SETTINGS;
const since = local("13T09:00");

const remind = (when: string): SentReminder => ({ kind: "remind", at: local(when) });
const escalate = (when: string): SentReminder => ({ kind: "escalate", at: local(when) });
type Expected = [ReminderKind, number, string];
const item = ([kind, ordinal, when]: Expected) => ({ kind, ordinal, at: local(when) });

describe("planFeedbackReminders", () => {
  it.each<[string, SentReminder[], string | undefined, string, Expected[], Expected | undefined]>([
    ["nothing before 4 working hours", [], undefined, "13T12:59", [], ["remind", 1, "13T13:00"]],
    ["the first reminder after 4 working hours", [], undefined, "13T13:00", [["remind", 1, "13T13:00"]], ["remind", 2, "13T17:00"]],
    ["the next reminder 4 working hours after the last was sent", [remind("13T13:30")], undefined, "13T17:00", [], ["remind", 2, "14T09:30"]],
    ["working hours only, not the night", [remind("13T13:00"), remind("13T17:00")], undefined, "14T12:00", [], ["remind", 3, "14T13:00"]],
    [
      "an escalation after 16 working hours, next to the reminder due then",
      [remind("13T13:00"), remind("13T17:00"), remind("14T13:00")],
      undefined,
      "14T17:00",
      [
        ["remind", 4, "14T17:00"],
        ["escalate", 1, "14T17:00"],
      ],
      ["remind", 5, "15T13:00"],
    ],
    [
      "the escalation only once",
      [remind("13T13:00"), remind("13T17:00"), remind("14T13:00"), remind("14T17:00"), escalate("14T17:00")],
      undefined,
      "15T13:00",
      [["remind", 5, "15T13:00"]],
      ["remind", 6, "15T17:00"],
    ],
    [
      "one catch-up reminder after an outage, not one per missed slot",
      [],
      undefined,
      "15T10:00",
      [
        ["remind", 1, "13T13:00"],
        ["escalate", 1, "14T17:00"],
      ],
      ["remind", 2, "15T14:00"],
    ],
    ["a snoozed reminder waiting for the snooze to end", [], "14T11:00", "13T13:00", [], ["remind", 1, "14T11:00"]],
    ["an escalation despite a snooze", [], "15T12:00", "14T17:00", [["escalate", 1, "14T17:00"]], ["remind", 1, "15T12:00"]],
    ["a snooze ending at night waiting for the quiet hours to end", [], "13T22:00", "14T08:00", [["remind", 1, "14T08:00"]], ["remind", 2, "14T13:00"]],
    ["a snooze ending on Saturday waiting for Monday morning", [escalate("14T17:00")], "18T10:00", "18T12:00", [], ["remind", 1, "20T08:00"]],
  ])("plans %s", (_name, sent, snoozedUntil, now, due, next) => {
    const plan = planFeedbackReminders({
      feedbackSince: since,
      feedbackGiven: false,
      sent,
      settings,
      calendar,
      snoozedUntil: snoozedUntil === undefined ? undefined : local(snoozedUntil),
      now: local(now),
    });
    expect(plan.due).toEqual(due.map(item));
    expect(plan.next).toEqual(next === undefined ? undefined : item(next));
  });

  it("stops once feedback was given", () => {
    const plan = planFeedbackReminders({ feedbackSince: since, feedbackGiven: true, sent: [], settings, calendar, now: local("16T12:00") });
    expect(plan).toEqual({ due: [], next: undefined });
  });

  it("holds back a reminder that falls due in the morning quiet hours of an early starter", () => {
    // Works 05:00-13:00; 4 working hours after Monday 11:00 is Tuesday 07:00, still quiet until 08:00.
    const early = createWorkingCalendar({ timeZone: "Europe/Zurich", dayStart: "05:00" });
    const options = { feedbackSince: local("13T11:00"), feedbackGiven: false, sent: [], settings, calendar: early };
    expect(planFeedbackReminders({ ...options, now: local("14T07:30") })).toEqual({ due: [], next: item(["remind", 1, "14T08:00"]) });
    expect(planFeedbackReminders({ ...options, now: local("14T08:00") }).due).toEqual([item(["remind", 1, "14T08:00"])]);
  });

  it("follows the handler's settings", () => {
    const eager: ReminderSettings = reminderSettingsSchema.parse({ remindAfterHours: 1, repeatEveryHours: 2, escalateAfterHours: 3 });
    const plan = planFeedbackReminders({ feedbackSince: since, feedbackGiven: false, sent: [remind("13T10:00")], settings: eager, calendar, now: local("13T12:00") });
    expect(plan.due).toEqual([item(["remind", 2, "13T12:00"]), item(["escalate", 1, "13T12:00"])]);
  });
});

describe("quiet time", () => {
  const withHoliday = createWorkingCalendar({ timeZone: "Europe/Zurich", holidays: ["2034-03-13"] });
  const lunchOnly = reminderSettingsSchema.parse({ quietHours: { start: "12:00", end: "13:00" }, quietOnDaysOff: false });
  const never = reminderSettingsSchema.parse({ quietOnDaysOff: false });

  it.each([
    ["late evening, until the next morning", settings, calendar, "2034-03-13T23:30+01:00", "2034-03-14T08:00+01:00"],
    ["after midnight, until the same morning", settings, calendar, "2034-03-14T02:00+01:00", "2034-03-14T08:00+01:00"],
    ["one minute before the end", settings, calendar, "2034-03-14T07:59+01:00", "2034-03-14T08:00+01:00"],
    ["the start of the evening", settings, calendar, "2034-03-14T18:00+01:00", "2034-03-15T08:00+01:00"],
    ["Friday evening, over the weekend", settings, calendar, "2034-03-10T19:00+01:00", "2034-03-13T08:00+01:00"],
    ["Sunday before a Monday holiday", settings, withHoliday, "2034-03-12T12:00+01:00", "2034-03-14T08:00+01:00"],
    ["the spring-forward weekend, to 08:00 summer time", settings, calendar, "2034-03-25T19:00+01:00", "2034-03-27T08:00+02:00"],
    ["the fall-back weekend, to 08:00 winter time", settings, calendar, "2034-10-28T19:00+02:00", "2034-10-30T08:00+01:00"],
    ["lunch quiet hours that do not span midnight", lunchOnly, calendar, "2034-03-14T12:30+01:00", "2034-03-14T13:00+01:00"],
  ])("lasts, if it begins %s", (_name, rules, cal, from, end) => {
    expect(isQuietTime(at(from), rules, cal)).toBe(true);
    expect(endOfQuietTime(at(from), rules, cal).toISOString()).toBe(at(end).toISOString());
  });

  it.each([
    ["08:00, the end of the night", settings, "2034-03-14T08:00+01:00"],
    ["17:59 on a weekday", settings, "2034-03-14T17:59+01:00"],
    ["a Saturday when days off are not quiet", lunchOnly, "2034-03-11T10:00+01:00"],
    ["any time without quiet hours", never, "2034-03-11T03:00+01:00"],
  ])("is not quiet at %s", (_name, rules, instant) => {
    expect(isQuietTime(at(instant), rules, calendar)).toBe(false);
    expect(endOfQuietTime(at(instant), rules, calendar).toISOString()).toBe(at(instant).toISOString());
  });

  it("refuses quiet hours that start when they end", () => {
    expect(reminderSettingsSchema.safeParse({ quietHours: { start: "08:00", end: "08:00" } }).success).toBe(false);
  });

  it("defaults to 4, 4 and 16 working hours, quiet 18:00-08:00 and on days off", () => {
    expect(DEFAULT_REMINDER_SETTINGS).toEqual({
      remindAfterHours: 4,
      repeatEveryHours: 4,
      escalateAfterHours: 16,
      quietHours: { start: "18:00", end: "08:00" },
      quietOnDaysOff: true,
    });
  });
});

describe("notification keys", () => {
  it.each<[{ kind: string; bugId?: number; recipient: string; period: string | number }, string]>([
    [{ kind: "daily-summary", recipient: "management", period: "2034-03-14" }, "daily-summary|-|management|2034-03-14"],
    [{ kind: "feedback-remind", bugId: 42, recipient: "alice", period: 1 }, "feedback-remind|42|alice|1"],
    [{ kind: "dm", bugId: 7, recipient: "@alice:example.org", period: "x" }, "dm|7|%40alice%3Aexample.org|x"],
  ])("builds the key for %j", (parts, key) => {
    expect(buildNotificationKey(parts)).toEqual({ key, kind: parts.kind, bugId: parts.bugId, recipient: parts.recipient, period: String(parts.period) });
  });

  it("never gives two different notifications the same key", () => {
    const a = buildNotificationKey({ kind: "a|b", recipient: "c", period: "1" });
    const b = buildNotificationKey({ kind: "a", recipient: "b|c", period: "1" });
    expect(a.key).not.toBe(b.key);
  });

  it("refuses a key without kind or recipient", () => {
    expect(() => buildNotificationKey({ kind: "", recipient: "alice", period: 1 })).toThrow(RangeError);
    expect(() => buildNotificationKey({ kind: "x", recipient: "", period: 1 })).toThrow(RangeError);
  });

  it("uses the recipient's local date as the period of daily items", () => {
    expect(dailyPeriod(at("2034-03-13T23:30Z"), "Europe/Zurich")).toBe("2034-03-14");
    expect(dailyPeriod(at("2034-03-13T23:30Z"), "UTC")).toBe("2034-03-13");
  });

  it("keeps reminders of different feedback rounds apart", () => {
    const first = feedbackReminderKey({ bugId: 42, recipient: "alice", feedbackSince: since, item: { kind: "remind", ordinal: 1 } });
    const later = feedbackReminderKey({ bugId: 42, recipient: "alice", feedbackSince: local("20T09:00"), item: { kind: "remind", ordinal: 1 } });
    const escalation = feedbackReminderKey({ bugId: 42, recipient: "management", feedbackSince: since, item: { kind: "escalate", ordinal: 1 } });
    expect(first).toMatchObject({ kind: "feedback-remind", bugId: 42, period: "2034-03-13T08:00:00.000Z#1" });
    expect(later.key).not.toBe(first.key);
    expect(escalation.kind).toBe("feedback-escalate");
  });
});
