/**
 * MantisBT 2.28.4 defaults the simulator reproduces: enum strings, access levels, permission thresholds.
 * Values come from `config_defaults_inc.php` / `core/constant_inc.php` (see specs/mantisbt/INDEX.md);
 * where OBSERVED.md names an enum value differently, OBSERVED.md wins.
 */

/** The version string every response carries in `X-Mantis-Version`. */
export const MANTIS_VERSION = "2.28.4";

/** Access levels (`access_levels_enum_string`). */
export const ACCESS = {
  viewer: 10,
  reporter: 25,
  updater: 40,
  developer: 55,
  manager: 70,
  administrator: 90,
} as const;

/** One MantisBT enum: id -> name; the English label equals the name in a default install. */
export type EnumTable = ReadonlyMap<number, string>;

function enumTable(entries: Record<number, string>): EnumTable {
  return new Map(Object.entries(entries).map(([id, name]) => [Number(id), name]));
}

/** All enums the REST API renders as `{id, name, label}`. */
export const ENUMS = {
  status: enumTable({ 10: "new", 20: "feedback", 30: "acknowledged", 40: "confirmed", 50: "assigned", 80: "resolved", 90: "closed" }),
  priority: enumTable({ 10: "none", 20: "low", 30: "normal", 40: "high", 50: "urgent", 60: "immediate" }),
  severity: enumTable({ 10: "feature", 20: "trivial", 30: "text", 40: "tweak", 50: "minor", 60: "major", 70: "crash", 80: "block" }),
  reproducibility: enumTable({
    10: "always",
    30: "sometimes",
    50: "random",
    70: "have not tried",
    90: "unable to duplicate",
    100: "N/A",
  }),
  resolution: enumTable({
    10: "open",
    20: "fixed",
    30: "reopened",
    40: "unable to duplicate",
    50: "not fixable",
    60: "duplicate",
    70: "not a bug",
    80: "suspended",
    90: "won't fix",
  }),
  view_state: enumTable({ 10: "public", 50: "private" }),
  access_levels: enumTable({ 10: "viewer", 25: "reporter", 40: "updater", 55: "developer", 70: "manager", 90: "administrator" }),
  project_status: enumTable({ 10: "development", 30: "release", 50: "stable", 70: "obsolete" }),
} as const;
/** Name of one of the enums above. */
export type EnumName = keyof typeof ENUMS;

/** Default `status_colors`. */
export const STATUS_COLORS: ReadonlyMap<number, string> = new Map([
  [10, "#fcbdbd"],
  [20, "#e3b7eb"],
  [30, "#ffcd85"],
  [40, "#fff494"],
  [50, "#c2dfff"],
  [80, "#d2f5b0"],
  [90, "#c9ccc4"],
]);

/** Status ids by name (`status_enum_string`). */
export const STATUS = { new: 10, feedback: 20, acknowledged: 30, confirmed: 40, assigned: 50, resolved: 80, closed: 90 } as const;
/** View state ids of bugs and notes. */
export const VIEW_STATE = { public: 10, private: 50 } as const;

/** Permission thresholds of a default install, named as in `config_defaults_inc.php`. */
export const THRESHOLDS = {
  report_bug_threshold: ACCESS.reporter,
  update_bug_threshold: ACCESS.updater,
  update_bug_assign_threshold: ACCESS.developer,
  handle_bug_threshold: ACCESS.developer,
  private_bug_threshold: ACCESS.developer,
  private_bugnote_threshold: ACCESS.developer,
  add_bugnote_threshold: ACCESS.reporter,
  set_view_status_threshold: ACCESS.reporter,
  delete_bug_threshold: ACCESS.developer,
  /** `delete_bugnote_threshold`: who may delete someone else's note. */
  delete_bugnote_threshold: ACCESS.developer,
  /** `bugnote_user_delete_threshold`: who may delete their own note. */
  bugnote_user_delete_threshold: ACCESS.developer,
  tag_attach_threshold: ACCESS.reporter,
  tag_create_threshold: ACCESS.reporter,
  roadmap_update_threshold: ACCESS.developer,
  set_bug_sticky_threshold: ACCESS.manager,
  /** Who may add and change project versions (VersionAddCommand, VersionUpdateCommand). */
  manage_project_threshold: ACCESS.manager,
  manage_user_threshold: ACCESS.administrator,
  impersonate_user_threshold: ACCESS.administrator,
  webservice_specify_reporter_on_add_access_level_threshold: ACCESS.developer,
  /** `update_readonly_bug_threshold`: who may still change a resolved/closed bug. */
  update_readonly_bug_threshold: ACCESS.manager,
  /** `bug_readonly_status_threshold`: from this status on, a bug is read-only for everyone below the threshold above. */
  bug_readonly_status_threshold: STATUS.resolved,
  /** `bug_resolved_status_threshold`: the standard filters `assigned`/`unassigned` stop here. */
  bug_resolved_status_threshold: STATUS.resolved,
  /** `hide_status_default`: the default filter, and so `reported`/`monitored`, hide bugs from this status on. */
  hide_status_default: STATUS.closed,
} as const;

/**
 * Relationship types: id, API name, the type seen from the other issue, and whether MantisBT stores it
 * as given (`#forward`); child-of and has-duplicate are stored as their reverse from the other side.
 */
export const RELATIONSHIP_TYPES: ReadonlyMap<number, { name: string; label: string; reverse: number; forward: boolean }> = new Map([
  [0, { name: "duplicate-of", label: "duplicate of", reverse: 4, forward: true }],
  [1, { name: "related-to", label: "related to", reverse: 1, forward: true }],
  [2, { name: "parent-of", label: "parent of", reverse: 3, forward: true }],
  [3, { name: "child-of", label: "child of", reverse: 2, forward: false }],
  [4, { name: "has-duplicate", label: "has duplicate", reverse: 0, forward: false }],
]);
/** `BUG_RELATED`: the type a new relationship gets when the request names none. */
export const RELATED_TO = 1;

/** MantisBT `ERROR_*` codes the simulator answers with. */
export const ERROR_CODES = {
  EMPTY_FIELD: 11,
  ACCESS_DENIED: 13,
  INVALID_DATE_FORMAT: 21,
  INVALID_FIELD_VALUE: 29,
  GPC_VAR_NOT_FOUND: 200,
  PROJECT_NOT_FOUND: 700,
  USER_BY_NAME_NOT_FOUND: 810,
  USER_BY_ID_NOT_FOUND: 811,
  BUG_NOT_FOUND: 1100,
  BUG_READ_ONLY_ACTION_DENIED: 1103,
  CATEGORY_NOT_FOUND: 1502,
  VERSION_DUPLICATE: 1600,
  VERSION_NOT_FOUND: 1601,
  BUGNOTE_NOT_FOUND: 600,
  RELATIONSHIP_ACCESS_LEVEL_TO_DEST_BUG_TOO_LOW: 1801,
  RELATIONSHIP_SAME_BUG: 1803,
  FILTER_NOT_FOUND: 2000,
  TAG_NOT_FOUND: 2200,
} as const;

/** The longest summary (in characters) the `mantis_bug_table.summary` column takes; longer ones crash the server (OBSERVED.md). */
export const SUMMARY_MAX_LENGTH = 128;
