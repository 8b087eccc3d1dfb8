/**
 * A person's stored overrides of the company's reminder and calendar settings, as the store keeps
 * them (canonical text per setting). Parsing each value is src/proactive/preferences.ts's job.
 */
import { z } from "zod";
import { isIsoDate } from "./calendar.js";

/** One person's overrides as stored (canonical text); absent fields follow the company defaults. */
export const userPreferencesSchema = z.object({
  reminders: z.string().optional(),
  /** `off` or a range. */
  quiet: z.string().optional(),
  tz: z.string().optional(),
  days: z.string().optional(),
  hours: z.string().optional(),
  /** Personal days off, added to HOLIDAYS. */
  holidays: z.array(z.string().refine(isIsoDate)).optional(),
});
/** A person's stored overrides. */
export type UserPreferences = z.infer<typeof userPreferencesSchema>;
