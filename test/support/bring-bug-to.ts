/**
 * Puts a bug where the support process would have brought it, for tests that start mid-process:
 * its status and handler in MantisBT (with the administrator token, so nothing is journalled) and
 * its process state (stage, developer, reviewer, draft...) in the store.
 */
import type { BugProcessState, Store } from "../../src/store/store.js";
import type { BugChange, MantisClient } from "../../src/tracker/mantis/mantis-types.js";

/** Where a bug is to stand: MantisBT's status and handler, and the process state MantisBT has no field for. */
export type BugPosition = Pick<BugChange, "status" | "handler"> & Partial<Omit<BugProcessState, "bugId" | "updatedAt">>;

/** Sets a bug's status and handler in MantisBT and its process state in the store (stamped `at`, default now). */
export async function bringBugTo(h: { tracker: MantisClient; store: Store }, bugId: number, position: BugPosition, at?: Date): Promise<void> {
  const { status, handler, ...process } = position;
  await h.tracker.updateBug(bugId, { ...(status === undefined ? {} : { status }), ...(handler === undefined ? {} : { handler }) });
  await h.store.bugProcess.update(bugId, process, at);
}
