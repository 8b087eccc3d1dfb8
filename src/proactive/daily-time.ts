/** When a daily item (a person's digest) is next due, in their calendar and time zone. */
import { addIsoDays, isWorkingDay, parseTimeOfDay, toLocalDateTime, zonedInstant, type WorkingCalendar } from "../core/calendar.js";

/**
 * The next instant at or after `now` at which the local clock shows `time` on a working day of the
 * calendar; `now` itself when today's time has passed and today's item is still to come (late).
 */
export function nextDailyTime(options: { calendar: WorkingCalendar; time: string; now: Date; todayStillDue: boolean }): Date {
  const { calendar, now } = options;
  const minute = parseTimeOfDay(options.time);
  const today = toLocalDateTime(now, calendar.timeZone).date;
  for (let offset = 0; offset < 400; offset++) {
    const date = addIsoDays(today, offset);
    if (!isWorkingDay(calendar, date)) continue;
    const at = zonedInstant(calendar.timeZone, date, minute);
    if (at.getTime() >= now.getTime()) return at;
    if (offset === 0 && options.todayStillDue) return now;
  }
  return now;
}
