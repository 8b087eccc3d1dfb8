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
 * - A sub-bug changed in MantisBT by hand counts as answered once it is NEW, CONFIRMED, RESOLVED or
 *   CLOSED, or deleted. FEEDBACK and ASSIGNED still wait: MantisBT moves a sub-bug to ASSIGNED by
 *   itself when the person who asked adds a note, which is no answer.
 */
import { NotFoundError } from "../errors.js";
import type { CommandContext } from "../framework/command.js";
import type { Bug, StatusName } from "../tracker/tracker.js";

const ANSWERED_STATUSES: ReadonlySet<StatusName> = new Set(["new", "confirmed", "resolved", "closed"]);

/**
 * Looks at each sub-bug of `parentBugId` still waiting in the store, marks those MantisBT shows as
 * answered (or deleted), and returns the ids that still wait. Sub-bugs in `known` (just read with the
 * parent) are not read again.
 */
export async function refreshPendingSubFeedback(
  ctx: Pick<CommandContext, "tracker" | "store" | "caller" | "now">,
  parentBugId: number,
  known?: ReadonlyMap<number, Bug>,
): Promise<number[]> {
  const waiting: number[] = [];
  for (const childBugId of ctx.store.subFeedback.pending(parentBugId)) {
    let answered: boolean;
    try {
      answered = ANSWERED_STATUSES.has((known?.get(childBugId) ?? (await ctx.tracker.getBug(childBugId))).status);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      answered = true;
    }
    if (answered) ctx.store.subFeedback.markAnswered(childBugId, { at: ctx.now(), by: ctx.caller.name, how: "tracker" });
    else waiting.push(childBugId);
  }
  return waiting;
}
