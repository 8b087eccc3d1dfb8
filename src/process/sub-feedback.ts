/**
 * Sub-feedback (seed, Analysis): "If the issue is complex and likely to require changes in other
 * subsystems, sub-bugs may need to be opened by the developer, which may in turn require feedback
 * from other developers as well (so they should be assigned with feedback to the other developers).
 * After the feedback has been collected, the bug status should be set back to NEW."
 *
 * Decisions:
 * - A sub-bug is answered with its own `feedback` command, like any bug: it goes back to NEW and
 *   waits for a timeline, and management confirms it with the parent ("the bug(s) are set to
 *   confirmed", `confirm <parent> with-sub-bugs`).
 * - A sub-bug changed in the tracker by hand counts as answered once its state can mean it waits for
 *   a timeline, is confirmed, resolved or closed, or once it is deleted. A state of analysis, review or
 *   work still waits: a tracker may move a sub-bug to work by itself when the person who asked adds a
 *   note, which is no answer.
 */
import type { Stage } from "../core/stages.js";
import type { Ticket } from "../core/ticket.js";
import { NotFoundError } from "../errors.js";
import type { ProcessContext } from "./context.js";
import type { StaffMember } from "../identity.js";

import { fileTicket, linkSubTicket, type ActionContext } from "./bug-actions.js";
import { moveTicketTo } from "./transition.js";

const ANSWERED_STAGES: ReadonlySet<Stage> = new Set(["timeline", "confirmed", "resolved", "closed"]);

/**
 * Looks at each sub-bug of `parentBugId` still waiting in the store, marks those the tracker shows as
 * answered (or deleted), and returns the ids that still wait. Sub-bugs in `known` (just read with the
 * parent) are not read again.
 */
export async function refreshPendingSubFeedback(
  ctx: Pick<ProcessContext, "tracker" | "store" | "caller" | "now">,
  parentBugId: number,
  known?: ReadonlyMap<number, Ticket>,
): Promise<number[]> {
  const waiting: number[] = [];
  for (const childBugId of await ctx.store.subFeedback.pending(parentBugId)) {
    let answered: boolean;
    try {
      const sub = known?.get(childBugId) ?? await ctx.tracker.getTicket(childBugId);
      answered = sub.state.stages.some((stage) => ANSWERED_STAGES.has(stage));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      answered = true;
    }
    if (answered) await ctx.store.subFeedback.markAnswered(childBugId, { at: ctx.now(), by: ctx.caller.name, how: "tracker" });
    else waiting.push(childBugId);
  }
  return waiting;
}

/** What `ask` asks: of whom, and the sub-ticket's text. */
export interface SubFeedbackRequest {
  developer: StaffMember;
  summary: string;
  description: string;
}

/**
 * Files the sub-ticket of `parent` for the developer, inheriting the parent's category, priority and
 * view state (not its tags: the customer is answered through the parent), journalled; the store
 * records in the same transaction that it waits for the developer's feedback, so a retry after a
 * later failure finds it.
 */
export async function fileSubTicket(ctx: ActionContext, parent: Ticket, request: SubFeedbackRequest): Promise<Ticket> {
  const { developer } = request;
  return fileTicket(
    ctx,
    {
      summary: request.summary,
      description: request.description,
      ...(parent.category ? { category: parent.category } : {}),
      priority: parent.priority,
      private: parent.private,
      assignee: developer,
    },
    { action: "ask", command: "ask", details: { parentBugId: parent.id, developer: developer.name } },
    {
      processState: { origin: "sub-feedback", developer: developer.name },
      alsoRecord: (sub) => ctx.store.subFeedback.add({ childBugId: sub.id, parentBugId: parent.id, askedBy: ctx.caller.name, askedOf: developer.name, askedAt: ctx.now() }),
    },
  );
}

/** Moves the sub-ticket to the developer's feedback (journalled, stage stored). */
export async function sendSubTicketToFeedback(ctx: ActionContext, sub: Ticket, parentId: number, developer: StaffMember): Promise<Ticket> {
  return moveTicketTo(ctx, sub, "feedback", {
    processState: { developer: developer.name },
    record: { action: "ask", command: "ask", details: { parentBugId: parentId } },
  });
}

/** Links the sub-ticket to its parent, journalled on both. */
export async function linkSubFeedback(ctx: ActionContext, parentId: number, sub: Ticket, developer: StaffMember): Promise<void> {
  await linkSubTicket(ctx, parentId, sub.id, { action: "ask", command: "ask", details: { developer: developer.name } });
}
