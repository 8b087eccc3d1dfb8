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
  const tag = parseSubject(row.summary, { workdayHours: ctx.settings.workdayHours }).tag;
  const state = await ctx.processFacts(row.id);
  return {
    workLeftMinutes: tag?.estimateMinutes ?? state?.estimateMinutes,
    deadline: tag?.deadline ?? state?.deadline,
  };
}

/** Whether a bug is in the action phase (confirmed or in work), where deadlines are kept. */
export async function isInAction(ctx: Pick<EngineContext, "processFacts">, row: Pick<MirrorRow, "id" | "status">): Promise<boolean> {
  return isActionPhase(row.status, (await ctx.processFacts(row.id))?.stage);
}

/** One assessed bug with the developer it belongs to. */
export interface TeamRisk {
  risk: BugRisk;
  row: MirrorRow;
  /** The handler's MantisBT name. */
  handler: string;
  /** The staff member, when the handler is one. */
  member?: StaffMember;
  /** The developer's time zone (for dates in messages). */
  timeZone: string;
}

/** Assesses every developer's bugs in action; bugs without work left or deadline are left out. */
export async function assessTeamRisk(ctx: EngineContext, rows: readonly MirrorRow[], now: Date): Promise<Map<number, TeamRisk>> {
  const byHandler = new Map<string, { row: MirrorRow; work: OpenBugWork }[]>();
  for (const row of rows) {
    if (!row.handler || !(await isInAction(ctx, row))) continue;
    const facts = await workFacts(ctx, row);
    if (facts.workLeftMinutes === undefined || facts.deadline === undefined) continue;
    const key = row.handler.toLowerCase();
    const list = byHandler.get(key) ?? [];
    list.push({ row, work: { bugId: row.id, workLeftMinutes: facts.workLeftMinutes, deadline: facts.deadline, lastEstimateUpdate: await lastEstimateUpdate(ctx, row) } });
    byHandler.set(key, list);
  }
  const result = new Map<number, TeamRisk>();
  for (const list of byHandler.values()) {
    const handler = list[0]!.row.handler!;
    const member = ctx.staffByTrackerUser(handler);
    const developer = await ctx.settingsFor(member);
    const risks = assessDeveloperRisk({ settings: ctx.settings, developer, bugs: list.map((item) => item.work), now });
    for (const risk of risks) {
      const row = list.find((item) => item.row.id === risk.bugId)!.row;
      result.set(risk.bugId, { risk, row, handler, member, timeZone: developer.timeZone });
    }
  }
  return result;
}

/** When the estimate was last brought up to date: the subject tag's change, or an estimate recorded by a command. */
async function lastEstimateUpdate(ctx: Pick<EngineContext, "store">, row: MirrorRow): Promise<Date> {
  let latest = row.tagChangedAt.getTime();
  const recorded = (await ctx.store.estimates.latest(row.id))?.at;
  if (recorded && recorded.getTime() > latest) latest = recorded.getTime();
  for (const entry of await ctx.store.journal.list(row.id)) {
    if ((entry.action === "eta" || entry.command === "eta") && entry.at.getTime() > latest) latest = entry.at.getTime();
  }
  return new Date(latest);
}
