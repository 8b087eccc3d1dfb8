/**
 * What relationships forbid when a bug changes: with MantisBT's default
 * `allow_parent_of_unresolved_to_close = OFF`, a bug cannot be resolved or closed while a bug it is
 * `parent-of` is unresolved (`mc_issue_update` with `relationship_can_resolve_bug`, OBSERVED.md).
 */
import { THRESHOLDS } from "./constants.js";
import type { BugRow, MantisDatabase } from "./database.js";
import { messageOnly } from "./mantis-error.js";

/** `BUG_DEPENDANT`: the relationship type `parent-of`. */
const PARENT_OF = 2;

/**
 * Throws MantisBT's `400 Unresolved child issues.` when the change moves the bug from below
 * `bug_resolved_status_threshold` to it or above while one of its children is below it. Closing an
 * already resolved parent is not checked, as in MantisBT.
 */
export function checkChildrenResolved(db: MantisDatabase, bug: BugRow, newStatus: number): void {
  const resolved = THRESHOLDS.bug_resolved_status_threshold;
  if (bug.status >= resolved || newStatus < resolved) return;
  // Stored in normal form: a parent-of row has the parent as its source (see addRelationship).
  const unresolvedChild = db
    .relationshipsOf(bug.id)
    .filter((relationship) => relationship.source_bug_id === bug.id && relationship.type === PARENT_OF)
    .some((relationship) => (db.bugById(relationship.destination_bug_id)?.status ?? resolved) < resolved);
  if (unresolvedChild) throw messageOnly(400, "Unresolved child issues.");
}
