/** Reminders a person snoozed about one bug (migration 6). */
import { firstValue, type Db } from "./db.js";

/** Snoozes per bug and person. */
export class SnoozesRepository {
  constructor(private readonly db: Db) {}

  /** Until when a person snoozed reminders about a bug (only if still in the future). */
  async get(bugId: number, staffName: string, now: Date): Promise<Date | undefined> {
    const until = await firstValue<string>(this.db, "SELECT until FROM snoozes WHERE bug_id = ? AND staff_name = ?", [bugId, staffName]);
    if (until === undefined) return undefined;
    const date = new Date(until);
    return date.getTime() > now.getTime() ? date : undefined;
  }

  /** Snoozes reminders about a bug for a person until a moment. */
  async set(bugId: number, staffName: string, until: Date, at: Date): Promise<void> {
    await this.db.run(`INSERT INTO snoozes (bug_id, staff_name, until, created_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (bug_id, staff_name) DO UPDATE SET until = excluded.until, created_at = excluded.created_at`, [bugId, staffName, until.toISOString(), at.toISOString()]);
  }

  /** Ends a snooze; true when there was one. */
  async clear(bugId: number, staffName: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM snoozes WHERE bug_id = ? AND staff_name = ?", [bugId, staffName])) > 0;
  }

  /** A person's snoozes still running, soonest end first. */
  async list(staffName: string, now: Date): Promise<{ bugId: number; until: Date }[]> {
    const rows = (await this.db.all<unknown>("SELECT bug_id, until FROM snoozes WHERE staff_name = ? AND until > ? ORDER BY until, bug_id", [staffName, now.toISOString()])) as {
      bug_id: number;
      until: string;
    }[];
    return rows.map((row) => ({ bugId: row.bug_id, until: new Date(row.until) }));
  }
}
