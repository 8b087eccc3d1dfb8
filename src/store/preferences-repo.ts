/** Each person's overrides of the company's reminder and calendar settings (migration 6). */
import { userPreferencesSchema, type UserPreferences } from "../core/people-settings.js";
import { firstValue, type Db } from "./db.js";

/** Per-person settings. */
export class PreferencesRepository {
  constructor(private readonly db: Db) {}

  /** A person's stored overrides (empty when they changed nothing or the stored text no longer parses). */
  async get(staffName: string): Promise<UserPreferences> {
    const value = await firstValue<string>(this.db, "SELECT settings FROM user_settings WHERE staff_name = ?", [staffName]);
    if (value === undefined) return {};
    const parsed = userPreferencesSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : {};
  }

  /** Replaces a person's stored overrides. */
  async set(staffName: string, preferences: UserPreferences, at: Date): Promise<void> {
    await this.db.run(`INSERT INTO user_settings (staff_name, settings, updated_at) VALUES (?, ?, ?)
          ON CONFLICT (staff_name) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`, [staffName, JSON.stringify(userPreferencesSchema.parse(preferences)), at.toISOString()]);
  }
}
