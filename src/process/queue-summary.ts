/**
 * The queue summary: open bugs (from the tracker, or the engine's mirror while it runs), their stage from the store, the
 * work left and deadline from their subject tags, deadline risk per handler (earliest deadline
 * first over each developer's bugs), and what the journal says changed in the last day. Only bug
 * fields and journal facts go in, never call records, so the result may be posted in a channel.
 * The summary shows each section capped; `summary <section>` composes one section whole from the
 * same input (src/core/summary.ts).
 */
import type { BugProcessState } from "../core/bug-process.js";
import type { OpenBugWork, RiskState } from "../core/deadline-risk.js";
import { isStage, resolveStage, STAGE_INFO } from "../core/stages.js";
import { parseSubject } from "../core/subject-tag.js";
import { composeSection, composeSummary, type SummaryBug, type SummaryChange, type SummaryInput, type SummarySection } from "../core/summary.js";
import type { MessageLimit } from "../core/message-limit.js";
import type { ProcessContext } from "./context.js";
import type { StaffMember } from "../identity.js";
import type { JournalEntry } from "../store/store.js";
import { isCustomerBug } from "./bug-format.js";
import { assessDeveloperRisk } from "./developer-risk.js";
import { isOpen, readOpenQueue, type QueueBug } from "./queue.js";
import { settingsFor } from "./settings-for.js";
import { describeBug, subBugIds } from "./situation.js";

type SummaryContext = Pick<ProcessContext, "tracker" | "store" | "staff" | "settings" | "now" | "queueSource">;

const DAY_MS = 86_400_000;

/** The queue as read now, ready to compose the summary or one of its sections from. */
export interface QueueSummaryInput {
  input: SummaryInput;
  /** True when the tracker had more bugs than were read. */
  truncated: boolean;
  /** Set when the engine's mirror may be older than a poll interval, saying how old. */
  staleNote?: string;
}

/** Reads the open queue and the last day's journal as the summary composer wants them. */
export async function readQueueSummary(ctx: SummaryContext): Promise<QueueSummaryInput> {
  const { bugs, truncated, staleNote } = await readOpenQueue(ctx, () => true);
  const now = ctx.now();
  return {
    input: {
      bugs: await toSummaryBugs(ctx, bugs, now),
      changes: (await ctx.store.journal.since(new Date(now.getTime() - DAY_MS))).map(describeJournalEntry),
      now,
      timeZone: ctx.settings.timeZone,
      bugUrl: (id) => ctx.tracker.ticketUrl(id),
    },
    truncated,
    ...(staleNote ? { staleNote } : {}),
  };
}

/**
 * The capped summary (SUMMARY_ITEMS_PER_SECTION items per section, the rest counted with the
 * command that lists them) in one message of the place's size, notes on the reading at its end.
 */
export function composeQueueSummary(
  ctx: Pick<ProcessContext, "settings">,
  queue: QueueSummaryInput,
  place: { limit: MessageLimit; trigger: string },
): string {
  return composeSummary({
    ...queue.input,
    itemsPerSection: ctx.settings.summaryItemsPerSection,
    limit: place.limit,
    trigger: place.trigger,
    notes: readingNotes(queue),
  });
}

/** One section of the summary whole (`summary new`), not fitted to a message: the chat kernel splits it. */
export function composeQueueSection(queue: QueueSummaryInput, section: SummarySection): string {
  return [composeSection(queue.input, section), ...readingNotes(queue)].join("\n\n");
}

/** What the reader must know about the list: that it was cut, that the mirror is old. */
function readingNotes(queue: QueueSummaryInput): string[] {
  return [...(queue.truncated ? ["_(Only the most recently updated bugs were read.)_"] : []), ...(queue.staleNote ? [queue.staleNote] : [])];
}

/** Bug fields plus stage, subject tag and deadline risk, as the summary composer wants them. */
export async function toSummaryBugs(ctx: Pick<SummaryContext, "store" | "staff" | "settings">, bugs: readonly QueueBug[], now: Date): Promise<SummaryBug[]> {
  const workdayHours = ctx.settings.workdayHours;
  // A sub-bug among the open bugs is unresolved; one missing from them is resolved, closed or not visible.
  const open = new Set(bugs.filter(isOpen).map((bug) => bug.id));
  const states = new Map<number, BugProcessState | undefined>();
  for (const bug of bugs) states.set(bug.id, await ctx.store.bugProcess.get(bug.id));
  const prepared = bugs.map((bug) => {
    const state = states.get(bug.id);
    const situation = describeBug(bug, state, ctx.settings);
    const tag = parseSubject(bug.summary, { workdayHours });
    const workLeft = tag.tag?.estimateMinutes ?? state?.estimateMinutes;
    const deadline = tag.tag?.deadline ?? state?.deadline;
    const openSubBugs = subBugIds(bug).filter((id) => open.has(id));
    const summaryBug: SummaryBug = {
      id: bug.id,
      summary: tag.tag ? tag.rest : bug.summary,
      status: bug.state.key,
      priority: bug.priority,
      customer: Boolean(situation.customer) || isCustomerBug(bug, ctx.settings.customerTag),
      createdAt: bug.createdAt,
      updatedAt: bug.updatedAt,
      stage: resolveStage(situation),
      ...(bug.handler ? { handler: bug.handler.handle ?? bug.handler.name } : {}),
      // The subject tag first, else what the bot stored (as the daily summary reads them).
      ...(workLeft !== undefined ? { workLeftMinutes: workLeft } : {}),
      ...(deadline !== undefined ? { deadline } : {}),
      ...(openSubBugs.length > 0 ? { openSubBugs } : {}),
    };
    return { bug, summaryBug };
  });
  const risks = await assessRisks(ctx, prepared, now);
  return prepared.map(({ summaryBug }) => {
    const risk = risks.get(summaryBug.id);
    return risk ? { ...summaryBug, risk } : summaryBug;
  });
}

/**
 * Deadline risk per handler, judged as the daily summary judges it: bugs in action only, each
 * developer's own working calendar (their `settings` over the company's), and the last recorded
 * estimate update (a tracker's list need not say when the subject last changed, so the bug's last
 * update stands in when no estimate was recorded).
 */
async function assessRisks(ctx: Pick<SummaryContext, "store" | "staff" | "settings">, prepared: readonly { bug: QueueBug; summaryBug: SummaryBug }[], now: Date): Promise<Map<number, RiskState>> {
  // Each handler's bugs together: a staff member by handle, anyone else by the tracker's name.
  const byHandler = new Map<string, { member: StaffMember | undefined; work: OpenBugWork[] }>();
  for (const { bug, summaryBug } of prepared) {
    if (!bug.handler || summaryBug.workLeftMinutes === undefined || summaryBug.deadline === undefined) continue;
    if (summaryBug.stage === undefined || !isStage(summaryBug.stage) || STAGE_INFO[summaryBug.stage].phase !== "action") continue;
    const recorded = (await ctx.store.estimates.latest(bug.id))?.at;
    const lastEstimateUpdate = recorded && recorded.getTime() > bug.updatedAt.getTime() ? recorded : bug.updatedAt;
    const work: OpenBugWork = { bugId: bug.id, workLeftMinutes: summaryBug.workLeftMinutes, deadline: summaryBug.deadline, lastEstimateUpdate };
    const handle = bug.handler.handle;
    const key = handle === undefined ? `tracker:${bug.handler.name}` : `staff:${handle}`;
    const group = byHandler.get(key) ?? { member: handle === undefined ? undefined : ctx.staff.all().find((candidate) => candidate.name === handle), work: [] };
    group.work.push(work);
    byHandler.set(key, group);
  }
  const risks = new Map<number, RiskState>();
  for (const { member, work } of byHandler.values()) {
    const developer = await settingsFor(ctx, member);
    for (const risk of assessDeveloperRisk({ settings: ctx.settings, developer, bugs: work, now })) risks.set(risk.bugId, risk.state);
  }
  return risks;
}

/**
 * One line of "what changed": the action, who did it, and the state move if there was one (entries
 * written before the tracker port name the tracker's status in `change.status` and `previousStatus`).
 */
export function describeJournalEntry(entry: JournalEntry): SummaryChange {
  const change = entry.details["change"];
  const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
  const stage = typeof change === "object" && change !== null && "stage" in change ? text(change.stage) : undefined;
  const oldStatus = typeof change === "object" && change !== null && "status" in change ? text(change.status) : undefined;
  const to = stage !== undefined ? text(entry.details["state"]) : oldStatus;
  const from = text(entry.details["previousState"]) ?? text(entry.details["previousStatus"]);
  const move = to && to !== from ? `: ${from ? `${from.toUpperCase()} ` : ""}→ ${to.toUpperCase()}` : "";
  return { bugId: entry.bugId, at: entry.at, change: `${entry.action} by ${entry.actor}${move}` };
}
