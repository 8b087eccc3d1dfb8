/**
 * Deadline risk across the team, from the mirror: each developer's bugs in action (CONFIRMED or being
 * worked on) with work left and a deadline, assessed together by earliest deadline first in that
 * developer's working calendar (src/process/developer-risk.ts, as commands judge deadlines too).
 */
import type { BugRisk, OpenBugWork } from "../core/deadline-risk.js";
import { parseSubject } from "../core/subject-tag.js";
import type { StaffMember } from "../identity.js";
import { assessDeveloperRisk, isActionPhase } from "../process/developer-risk.js";
import type { MirrorRow } from "../store/mirror-repo.js";
import type { EngineContext } from "./context.js";

/** Work left and deadline of a bug: the subject tag first, else what the bot stored. */
export interface WorkFacts {
  workLeftMinutes?: number;
  deadline?: string;
}

/** Reads work left and deadline from the subject tag, filling gaps from the bug's process state. */
export async function workFacts(ctx: Pick<EngineContext, "processFacts" | "settings">, row: Pick<MirrorRow, "id" | "summary">): Promise<WorkFacts> {
  return workFactsOf(ctx.settings, row.summary, await ctx.processFacts(row.id));
}

/** Work left and deadline: the subject tag first, else what the bot stored. */
export function workFactsOf(settings: Pick<EngineContext["settings"], "workdayHours">, summary: string, stored: { estimateMinutes?: number; deadline?: string } | undefined): WorkFacts {
  const tag = parseSubject(summary, { workdayHours: settings.workdayHours }).tag;
  return {
    workLeftMinutes: tag?.estimateMinutes ?? stored?.estimateMinutes,
    deadline: tag?.deadline ?? stored?.deadline,
  };
}

/** Whether a bug is in the action phase (confirmed or in work), where deadlines are kept. */
export async function isInAction(ctx: Pick<EngineContext, "processFacts">, row: Pick<MirrorRow, "id" | "status">): Promise<boolean> {
  return isActionPhase(row.status, (await ctx.processFacts(row.id))?.stage);
}

/** One assessed bug with the developer it belongs to. */
export interface TeamRisk<Row extends RiskRow = MirrorRow> {
  risk: BugRisk;
  row: Row;
  /** The handler's MantisBT name. */
  handler: string;
  /** The staff member, when the handler is one. */
  member?: StaffMember;
  /** The developer's time zone (for dates in messages). */
  timeZone: string;
}

/** What a bug needs to be assessed: its id and handler (the rest is in its work). */
export interface RiskRow {
  id: number;
  handler?: string;
}

/** Assesses every developer's bugs in action; bugs without work left or deadline are left out. */
export async function assessTeamRisk(ctx: EngineContext, rows: readonly MirrorRow[], now: Date): Promise<Map<number, TeamRisk>> {
  const assessable: { row: MirrorRow; workLeftMinutes: number; deadline: string }[] = [];
  for (const row of rows) {
    if (!row.handler || !(await isInAction(ctx, row))) continue;
    const { workLeftMinutes, deadline } = await workFacts(ctx, row);
    if (workLeftMinutes !== undefined && deadline !== undefined) assessable.push({ row, workLeftMinutes, deadline });
  }
  // One read for all of them: two queries per bug took most of a check over thousands.
  const updated = await ctx.store.mirror.lastEstimateUpdates(assessable.map(({ row }) => row.id));
  const candidates = assessable.map(({ row, workLeftMinutes, deadline }) => ({
    row,
    // A row not (or no longer) in the mirror: its own tag change is all that is known.
    work: { bugId: row.id, workLeftMinutes, deadline, lastEstimateUpdate: updated.get(row.id) ?? row.tagChangedAt } satisfies OpenBugWork,
  }));
  return assessByDeveloper(ctx, candidates, now);
}

/** Assesses bugs with their work, each developer's together (by handler, in the developer's calendar). */
export async function assessByDeveloper<Row extends RiskRow>(ctx: EngineContext, candidates: readonly { row: Row; work: OpenBugWork }[], now: Date): Promise<Map<number, TeamRisk<Row>>> {
  const byHandler = new Map<string, { row: Row; work: OpenBugWork }[]>();
  for (const candidate of candidates) {
    if (!candidate.row.handler) continue;
    const key = candidate.row.handler.toLowerCase();
    const list = byHandler.get(key) ?? [];
    list.push(candidate);
    byHandler.set(key, list);
  }
  const result = new Map<number, TeamRisk<Row>>();
  for (const list of byHandler.values()) {
    const handler = list[0]!.row.handler!;
    const member = ctx.staffByTrackerUser(handler);
    const developer = await ctx.settingsFor(member);
    const rowsById = new Map(list.map((item) => [item.row.id, item.row]));
    const risks = assessDeveloperRisk({ settings: ctx.settings, developer, bugs: list.map((item) => item.work), now });
    for (const risk of risks) result.set(risk.bugId, { risk, row: rowsById.get(risk.bugId)!, handler, member, timeZone: developer.timeZone });
  }
  return result;
}
