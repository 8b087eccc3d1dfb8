/**
 * Deadline-risk reports (migration 6): the last state reported per bug and recipient, so a bug is
 * reported again only when worse or on a new day, and whether the installation's risks are known.
 */
import type { KeyValueRepository } from "./kv-repo.js";
import { columnValues, type Db } from "./db.js";

/** The last risk state reported about a bug to a recipient. */
export interface RiskReport {
  state: string;
  /** Local date of the report in the recipient's time zone. */
  reportedOn: string;
  reportedAt: Date;
}

const BASELINE_KEY = "proactive.risk.baselined";

/** Risk reports. */
export class RiskRepository {
  constructor(
    private readonly db: Db,
    private readonly kv: KeyValueRepository,
  ) {}

  /** The last report about a bug to a recipient. */
  async get(bugId: number, recipient: string): Promise<RiskReport | undefined> {
    const row = (await this.db.get<unknown>("SELECT state, reported_on, reported_at FROM risk_reports WHERE bug_id = ? AND recipient = ?", [bugId, recipient])) as
      | { state: string; reported_on: string; reported_at: string }
      | undefined;
    return row && { state: row.state, reportedOn: row.reported_on, reportedAt: new Date(row.reported_at) };
  }

  /** Records a report. */
  async set(bugId: number, recipient: string, report: RiskReport): Promise<void> {
    await this.db.run(`INSERT INTO risk_reports (bug_id, recipient, state, reported_on, reported_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (bug_id, recipient) DO UPDATE SET state = excluded.state, reported_on = excluded.reported_on, reported_at = excluded.reported_at`, [bugId, recipient, report.state, report.reportedOn, report.reportedAt.toISOString()]);
  }

  /** Forgets the reports about a bug (it is fine again: a new risk is news). */
  async clear(bugId: number): Promise<void> {
    await this.db.run("DELETE FROM risk_reports WHERE bug_id = ?", [bugId]);
  }

  /** Bugs with a recorded risk report. */
  async reportedBugs(): Promise<number[]> {
    return await columnValues<number>(this.db, "SELECT DISTINCT bug_id FROM risk_reports ORDER BY bug_id");
  }

  /** Whether the risks found at installation were recorded as known (so they are not all reported at once). */
  async isBaselined(): Promise<boolean> {
    return (await this.kv.get(BASELINE_KEY)) !== undefined;
  }

  /** Records that the installation's risks are known. */
  async setBaselined(at: Date): Promise<void> {
    await this.kv.set(BASELINE_KEY, at.toISOString());
  }
}
