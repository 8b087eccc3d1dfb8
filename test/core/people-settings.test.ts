import { describe, expect, it } from "vitest";
import { workingMinutesBetween } from "../../src/core/calendar.js";
import { companyCalendar, parseQuietHours, peopleDefaultsFromEnv, peopleEnvSchema, resolvePersonSettings } from "../../src/core/people-settings.js";

const defaults = peopleDefaultsFromEnv(peopleEnvSchema.parse({ TIMEZONE: "Europe/Zurich", HOLIDAYS: "2026-12-24" }));

describe("resolvePersonSettings", () => {
  it("gives someone with no settings of their own the company's calendar, time zone and reminders", () => {
    const settings = resolvePersonSettings({}, {}, defaults);
    expect(settings).toMatchObject({ timeZone: "Europe/Zurich", mode: { kind: "on-change" }, quietHours: { start: "18:00", end: "08:00" } });
    expect(settings.calendar).toBe(companyCalendar(defaults));
    expect(Object.values(settings.sources)).toEqual(["default", "default", "default", "default", "default", "default"]);
  });

  it("gives a handler the bot does not know the company's settings", () => {
    expect(resolvePersonSettings(undefined, {}, defaults).calendar).toBe(companyCalendar(defaults));
  });

  it("takes the time zone from the person's settings, then the staff file, then TIMEZONE", () => {
    expect(resolvePersonSettings({ timeZone: "Asia/Tokyo" }, { tz: "America/New_York" }, defaults)).toMatchObject({ timeZone: "America/New_York", sources: { tz: "yours" } });
    expect(resolvePersonSettings({ timeZone: "Asia/Tokyo" }, {}, defaults)).toMatchObject({ timeZone: "Asia/Tokyo", sources: { tz: "staff file" } });
    expect(resolvePersonSettings({ timeZone: "Mars/Base" }, {}, defaults)).toMatchObject({ timeZone: "Europe/Zurich", sources: { tz: "default" } });
  });

  it("counts working time in the person's days and hours, with their days off added to the company's", () => {
    const settings = resolvePersonSettings({}, { days: "mon-thu", hours: "08:00-12:00", holidays: ["2026-12-23"] }, defaults);
    expect([...settings.calendar.holidays]).toEqual(["2026-12-23", "2026-12-24"]);
    // Mon 21.12.2026 to Mon 28.12.2026 in Zurich: Mon and Tue (Wed and Thu are days off, Fri is no working day), then nothing until Monday.
    const minutes = workingMinutesBetween(settings.calendar, new Date("2026-12-20T23:00:00Z"), new Date("2026-12-27T23:00:00Z"));
    expect(minutes).toBe(2 * 4 * 60);
  });

  it("falls back to the default for a stored value that no longer parses, and keeps quiet hours off when turned off", () => {
    expect(resolvePersonSettings({}, { tz: "Gone/Zone", hours: "nonsense" }, defaults)).toMatchObject({ timeZone: "Europe/Zurich", sources: { tz: "default", hours: "default" } });
    expect(resolvePersonSettings({}, { quiet: "off" }, defaults)).toMatchObject({ quietHours: undefined, sources: { quiet: "yours" } });
  });
});

describe("parseQuietHours", () => {
  it("reads a range across midnight, off, and says what is wrong otherwise", () => {
    expect(parseQuietHours("19:00-7:30")).toEqual({ ok: true, value: { start: "19:00", end: "07:30" } });
    expect(parseQuietHours(" None ")).toEqual({ ok: true, value: null });
    expect(parseQuietHours("evenings")).toEqual({ ok: false, error: '"evenings" is not a time range; write it like 18:00-08:00. Or write off for none.' });
  });
});
