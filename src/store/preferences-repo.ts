/** Each person's overrides of the company's reminder and calendar settings (migration 6). */
import { userPreferencesSchema, type UserPreferences } from "../core/people-settings.js";
import type { Sql } from "./sql.js";

/** Per-person settings. */
export class PreferencesRepository {
  constructor(private readonly sql: Sql) {}

  /** A person's stored overrides (empty when they changed nothing or the stored text no longer parses). */
  get(staffName: string): UserPreferences {
    const value = this.sql.statement("SELECT settings FROM user_settings WHERE staff_name = ?").pluck().get(staffName) as string | undefined;
    if (value === undefined) return {};
    const parsed = userPreferencesSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : {};
  }

  /** Replaces a person's stored overrides. */
  set(staffName: string, preferences: UserPreferences, at: Date): void {
    this.sql
      .statement(
        `INSERT INTO user_settings (staff_name, settings, updated_at) VALUES (?, ?, ?)
          ON CONFLICT (staff_name) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
      )
      .run(staffName, JSON.stringify(userPreferencesSchema.parse(preferences)), at.toISOString());
  }
}
