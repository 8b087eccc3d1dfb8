/** Reminders a person snoozed about one bug (migration 6). */
import type { Sql } from "./sql.js";

/** Snoozes per bug and person. */
export class SnoozesRepository {
  constructor(private readonly sql: Sql) {}

  /** Until when a person snoozed reminders about a bug (only if still in the future). */
  get(bugId: number, staffName: string, now: Date): Date | undefined {
    const until = this.sql.statement("SELECT until FROM snoozes WHERE bug_id = ? AND staff_name = ?").pluck().get(bugId, staffName) as string | undefined;
    if (until === undefined) return undefined;
    const date = new Date(until);
    return date.getTime() > now.getTime() ? date : undefined;
  }

  /** Snoozes reminders about a bug for a person until a moment. */
  set(bugId: number, staffName: string, until: Date, at: Date): void {
    this.sql
      .statement(
        `INSERT INTO snoozes (bug_id, staff_name, until, created_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (bug_id, staff_name) DO UPDATE SET until = excluded.until, created_at = excluded.created_at`,
      )
      .run(bugId, staffName, until.toISOString(), at.toISOString());
  }

  /** Ends a snooze; true when there was one. */
  clear(bugId: number, staffName: string): boolean {
    return this.sql.statement("DELETE FROM snoozes WHERE bug_id = ? AND staff_name = ?").run(bugId, staffName).changes > 0;
  }

  /** A person's snoozes still running, soonest end first. */
  list(staffName: string, now: Date): { bugId: number; until: Date }[] {
    const rows = this.sql.statement("SELECT bug_id, until FROM snoozes WHERE staff_name = ? AND until > ? ORDER BY until, bug_id").all(staffName, now.toISOString()) as {
      bug_id: number;
      until: string;
    }[];
    return rows.map((row) => ({ bugId: row.bug_id, until: new Date(row.until) }));
  }
}
