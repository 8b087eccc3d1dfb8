/**
 * Reads a bug together with what the bot knows about it, and checks a process command against
 * the rules in src/core/stages.ts before anything is changed.
 */
import { checkTransition, resolveStage, type BugSituation, type ProcessCommand, type Stage, type TransitionCheck, type VerdictOutcome } from "../core/stages.js";
import { NotFoundError, ProcessRuleError } from "../errors.js";
import type { ProcessContext } from "./context.js";
import type { BugProcessState } from "../store/store.js";
import { hasTag, type Ticket } from "../core/ticket.js";
import type { ProcessSettings } from "../core/process-settings.js";
import { isCustomerBug } from "./bug-format.js";
import type { QueueBug } from "./queue.js";


/** A sub-bug as the process sees it: the tracker's ticket, the bot's state, the facts the rules need. */
export interface SubBug {
  bug: Ticket;
  state: BugProcessState | undefined;
  situation: BugSituation;
}

/** A bug with its stage and sub-bugs, as commands check and change it. */
export interface LoadedBug extends SubBug {
  stage: Stage;
  /** Its sub-bugs in the tracker, in id order. */
  subBugs: SubBug[];
}

/** The facts the process rules need about a bug. */
export function describeBug(bug: QueueBug, state: BugProcessState | undefined, settings: ProcessSettings, pendingSubFeedback: readonly number[] = []): BugSituation {
  return {
    id: bug.id,
    state: bug.state,
    stage: state?.stage,
    handler: bug.handler ? (bug.handler.handle ?? bug.handler.name) : undefined,
    customer: isCustomerBug(bug, settings.customerTag) || state?.origin === "call" || state?.origin === "email" || state?.origin === "sales",
    customerData: hasTag(bug, settings.customerDataTag),
    feedbackGiven: state?.stage === "timeline",
    draftWritten: Boolean(state?.draftText),
    pendingSubFeedback,
  };
}

/** Ids of the bug's sub-bugs (e.g. opened with `ask`), in id order. */
export function subBugIds(bug: Pick<Ticket, "subTicketIds">): number[] {
  return [...bug.subTicketIds].sort((a, b) => a - b);
}

/**
 * The bug's sub-bugs with their process state: taken from `known` when there (a list already read),
 * else read one by one. A sub-bug deleted meanwhile is left out.
 */
export async function loadSubBugs(ctx: Pick<ProcessContext, "tracker" | "store" | "settings">, bug: Ticket, known?: ReadonlyMap<number, Ticket>): Promise<SubBug[]> {
  const subBugs: SubBug[] = [];
  for (const id of subBugIds(bug)) {
    let sub = known?.get(id);
    if (!sub) {
      try {
        sub = await ctx.tracker.getTicket(id);
      } catch (error) {
        if (error instanceof NotFoundError) continue;
        throw error;
      }
    }
    const state = await ctx.store.bugProcess.get(id);
    subBugs.push({ bug: sub, state, situation: describeBug(sub, state, ctx.settings) });
  }
  return subBugs;
}

/** Reads the bug and its sub-bugs from the tracker and their process state from the store. */
export async function loadBug(ctx: Pick<ProcessContext, "tracker" | "store" | "settings">, bugId: number): Promise<LoadedBug> {
  const bug = await ctx.tracker.getTicket(bugId);
  const state = await ctx.store.bugProcess.get(bugId);
  const subBugs = await loadSubBugs(ctx, bug);
  const situation: BugSituation = {
    // Sub-bugs asked with `ask` that are not answered yet hold back the bug's own feedback.
    ...describeBug(bug, state, ctx.settings, await ctx.store.subFeedback.pending(bugId)),
    subBugs: subBugs.map((sub) => sub.situation),
  };
  return { bug, state, situation, stage: resolveStage(situation), subBugs };
}

/** The transition the command makes, or a ProcessRuleError saying what the bug needs next. */
export function requireTransition(command: ProcessCommand, situation: BugSituation, outcome?: VerdictOutcome): Extract<TransitionCheck, { ok: true }> {
  const check = checkTransition(command, situation, outcome);
  if (!check.ok) throw new ProcessRuleError(check.message);
  return check;
}
