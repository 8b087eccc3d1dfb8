/**
 * MantisBT's access rules with default thresholds, as pure functions over rows: who sees a bug or a
 * note, who may change a bug, when a bug is read-only.
 */
import { THRESHOLDS, VIEW_STATE } from "./constants.js";
import type { BugRow, NoteRow, UserRow } from "./database.js";

/** A private bug is visible to developers and up, and to its reporter and handler (`access_has_bug_level`). */
export function canSeeBug(user: UserRow, bug: BugRow): boolean {
  if (bug.view_state !== VIEW_STATE.private) return true;
  return user.access_level >= THRESHOLDS.private_bug_threshold || bug.reporter_id === user.id || bug.handler_id === user.id;
}

/** Private notes are for developers and up, and for their author (`bugnote_get_all_visible_bugnotes`). */
export function canSeeNote(user: UserRow, note: NoteRow): boolean {
  if (note.view_state !== VIEW_STATE.private) return true;
  return user.access_level >= THRESHOLDS.private_bugnote_threshold || note.reporter_id === user.id;
}

/** `bug_is_readonly`: resolved or closed, and the user is below `update_readonly_bug_threshold`. */
export function isReadOnlyFor(user: UserRow, bug: BugRow): boolean {
  return bug.status >= THRESHOLDS.bug_readonly_status_threshold && user.access_level < THRESHOLDS.update_readonly_bug_threshold;
}

/** Whether a user shows up with `real_name` and `email` (same user, or `manage_user_threshold`). */
export function canSeePersonalDetails(viewer: UserRow, user: UserRow): boolean {
  return viewer.id === user.id || canSeeEveryonesPersonalDetails(viewer);
}

/**
 * Whether the author of a history line shows up with `real_name` and `email`: only for user managers,
 * not even for the author themselves (recorded/05-create-minimal.json, 10-patch-triage.json).
 */
export function canSeeEveryonesPersonalDetails(viewer: UserRow): boolean {
  return viewer.access_level >= THRESHOLDS.manage_user_threshold;
}
