/**
 * The standard filters of `GET /issues?filter_id=` as `filter_standard_get` builds them
 * (mantisbt `core/filter_api.php`, tag release-2.28.4), reduced to what they select.
 */
import { ENUMS, THRESHOLDS } from "./constants.js";
import type { BugSelection, UserRow } from "./database.js";

/** The names `filter_standard_get` knows (`FILTER_STANDARD_*`). */
export const STANDARD_FILTERS = ["any", "assigned", "unassigned", "reported", "monitored"] as const;
/** One of {@link STANDARD_FILTERS}. */
export type StandardFilter = (typeof STANDARD_FILTERS)[number];

/** A standard filter's name as `filter_standard_get` reads it: in any case (`strtolower`). */
export function parseStandardFilter(value: string): StandardFilter | undefined {
  const name = value.toLowerCase();
  return STANDARD_FILTERS.find((candidate) => candidate === name);
}

/**
 * `build_prop_status` of a simple-view filter with `hide_status` set: only the statuses of
 * `status_enum_string` below it, so a bug in a status the enum lacks (`@60@`) is left out too.
 */
function statusesBelow(hideStatus: number): number[] {
  return [...ENUMS.status.keys()].filter((status) => status < hideStatus);
}

/**
 * What the named filter selects for `viewer`: `filter_create_any` shows every status;
 * `filter_create_assigned_to_unresolved` (assigned: the viewer, unassigned: nobody) hides from
 * `bug_resolved_status_threshold` on; `filter_create_reported_by` and `filter_create_monitored_by`
 * keep the default filter's `hide_status_default`, which hides closed bugs only.
 */
export function standardFilterSelection(name: StandardFilter, viewer: UserRow): BugSelection {
  switch (name) {
    case "any":
      return {};
    case "assigned":
      return { handlerId: viewer.id, statuses: statusesBelow(THRESHOLDS.bug_resolved_status_threshold) };
    case "unassigned":
      return { handlerId: 0, statuses: statusesBelow(THRESHOLDS.bug_resolved_status_threshold) };
    case "reported":
      return { reporterId: viewer.id, statuses: statusesBelow(THRESHOLDS.hide_status_default) };
    case "monitored":
      return { monitoredBy: viewer.id, statuses: statusesBelow(THRESHOLDS.hide_status_default) };
  }
}
