/**
 * Reads a bug together with what the bot knows about it, and checks a process command against
 * the rules in src/core/stages.ts before anything is changed.
 */
import { checkTransition, resolveStage, type BugSituation, type ProcessCommand, type Stage, type TransitionCheck, type VerdictOutcome } from "../core/stages.js";
import { ProcessRuleError } from "../errors.js";
import type { CommandContext } from "../framework/command.js";
import type { BugProcessState } from "../store/store.js";
import type { Bug } from "../tracker/tracker.js";
import type { ProcessSettings } from "../config.js";
import { isCustomerBug } from "./bug-format.js";
import { listPendingSubFeedback } from "../store/analysis-repo.js";

export interface LoadedBug {
  bug: Bug;
  state: BugProcessState | undefined;
  situation: BugSituation;
  stage: Stage;
}

/** Whether the bug carries the tag (case-insensitive, as MantisBT tag names are). */
export function hasTag(bug: Pick<Bug, "tags">, tag: string): boolean {
  return bug.tags.some((name) => name.toLowerCase() === tag.toLowerCase());
}

/** The facts the process rules need about a bug. */
export function describeBug(bug: Bug, state: BugProcessState | undefined, settings: ProcessSettings, pendingSubFeedback: readonly number[] = []): BugSituation {
  return {
    id: bug.id,
    status: bug.status,
    ...(bug.customStatus ? { customStatus: bug.customStatus.name } : {}),
    stage: state?.stage,
    handler: bug.handler?.name,
    customer: isCustomerBug(bug, settings.customerTag) || state?.origin === "call" || state?.origin === "email" || state?.origin === "sales",
    customerData: hasTag(bug, settings.customerDataTag),
    feedbackGiven: state?.stage === "timeline",
    draftWritten: Boolean(state?.draftText),
    pendingSubFeedback,
  };
}

/** Reads the bug from the tracker and its process state from the store. */
export async function loadBug(ctx: Pick<CommandContext, "tracker" | "store" | "settings">, bugId: number): Promise<LoadedBug> {
  const bug = await ctx.tracker.getBug(bugId);
  const state = ctx.store.getBugProcess(bugId);
  // Sub-bugs asked with `ask` that are not answered yet hold back the bug's own feedback.
  const situation = describeBug(bug, state, ctx.settings, listPendingSubFeedback(ctx.store, bugId));
  return { bug, state, situation, stage: resolveStage(situation) };
}

/** The transition the command makes, or a ProcessRuleError saying what the bug needs next. */
export function requireTransition(command: ProcessCommand, situation: BugSituation, outcome?: VerdictOutcome): Extract<TransitionCheck, { ok: true }> {
  const check = checkTransition(command, situation, outcome);
  if (!check.ok) throw new ProcessRuleError(check.message);
  return check;
}
