/**
 * The simulator's tracker state in SQLite (better-sqlite3): users, the project with its categories and
 * versions, bugs, notes, tags, relationships, monitors and history. Times are Unix seconds, as in MantisBT.
 * Synchronous on purpose: every request runs to completion without interleaving, like a PHP request.
 */
import Database from "better-sqlite3";

/** A MantisBT account with its API token. */
export interface UserRow {
  id: number;
  name: string;
  real_name: string;
  email: string;
  access_level: number;
  token: string;
  created_at: number;
}

/** A project (`mantis_project_table`). */
export interface ProjectRow {
  id: number;
  name: string;
  description: string;
  status: number;
  view_state: number;
}

/** `project_id` of a global category, which every project inherits (a default install's "General"). */
export const ALL_PROJECTS = 0;

/** A category of a project, or a global one (`project_id` {@link ALL_PROJECTS}). */
export interface CategoryRow {
  id: number;
  project_id: number;
  name: string;
}

/** A project version; `date_order` is its release date in Unix seconds. */
export interface VersionRow {
  id: number;
  project_id: number;
  name: string;
  description: string;
  released: number;
  obsolete: number;
  date_order: number;
}

/** A bug; versions are stored by name and `handler_id` 0 means unassigned, as in MantisBT. */
export interface BugRow {
  id: number;
  project_id: number;
  reporter_id: number;
  handler_id: number;
  category_id: number;
  summary: string;
  description: string;
  steps_to_reproduce: string;
  additional_information: string;
  status: number;
  resolution: number;
  priority: number;
  severity: number;
  reproducibility: number;
  view_state: number;
  version: string;
  fixed_in_version: string;
  target_version: string;
  sticky: number;
  created_at: number;
  updated_at: number;
}

/** A bug before it has an id. */
export type NewBugRow = Omit<BugRow, "id">;

/** A bug note. */
export interface NoteRow {
  id: number;
  bug_id: number;
  reporter_id: number;
  text: string;
  view_state: number;
  created_at: number;
  updated_at: number;
}

/** A tag. */
export interface TagRow {
  id: number;
  name: string;
}

/** A relationship, stored once from its source side. */
export interface RelationshipRow {
  id: number;
  source_bug_id: number;
  destination_bug_id: number;
  type: number;
}

/** One line of a bug's history. */
export interface HistoryRow {
  id: number;
  bug_id: number;
  user_id: number;
  created_at: number;
  kind: string;
  /** JSON with the kind-specific details (field, old/new value, note id, tag...). */
  details: string;
}

/**
 * Which bugs a standard filter selects (see `standard-filters.ts`); a field left out selects any value.
 * `handlerId` 0 means unassigned, as in MantisBT.
 */
export interface BugSelection {
  handlerId?: number;
  reporterId?: number;
  monitoredBy?: number;
  /** The statuses shown; left out, every status is, including ones the status enum lacks. */
  statuses?: readonly number[];
}

/** One page of a bug list: the project (0 = all), a selection and who is looking. */
export interface BugListQuery {
  projectId: number;
  selection: BugSelection;
  viewer: UserRow;
  canSeePrivate: boolean;
  limit: number;
  offset: number;
}

// AUTOINCREMENT: MantisBT's tables are auto_increment, so an id is never given twice (a note added
// after the newest one was deleted gets a new number, as on a real 2.28.4).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, real_name TEXT NOT NULL, email TEXT NOT NULL,
  access_level INTEGER NOT NULL, token TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS projects (
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL,
  status INTEGER NOT NULL, view_state INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS categories (
  id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
  released INTEGER NOT NULL, obsolete INTEGER NOT NULL, date_order INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bugs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL, reporter_id INTEGER NOT NULL, handler_id INTEGER NOT NULL,
  category_id INTEGER NOT NULL, summary TEXT NOT NULL, description TEXT NOT NULL, steps_to_reproduce TEXT NOT NULL,
  additional_information TEXT NOT NULL, status INTEGER NOT NULL, resolution INTEGER NOT NULL, priority INTEGER NOT NULL,
  severity INTEGER NOT NULL, reproducibility INTEGER NOT NULL, view_state INTEGER NOT NULL, version TEXT NOT NULL,
  fixed_in_version TEXT NOT NULL, target_version TEXT NOT NULL, sticky INTEGER NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
DROP INDEX IF EXISTS bugs_by_update;
CREATE INDEX IF NOT EXISTS bugs_in_list_order ON bugs (updated_at DESC, created_at DESC, id ASC);
CREATE TABLE IF NOT EXISTS notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT, bug_id INTEGER NOT NULL, reporter_id INTEGER NOT NULL, text TEXT NOT NULL,
  view_state INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS notes_by_bug ON notes (bug_id, id);
CREATE TABLE IF NOT EXISTS tags (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, user_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bug_tags (bug_id INTEGER NOT NULL, tag_id INTEGER NOT NULL, PRIMARY KEY (bug_id, tag_id));
CREATE TABLE IF NOT EXISTS relationships (
  id INTEGER PRIMARY KEY AUTOINCREMENT, source_bug_id INTEGER NOT NULL, destination_bug_id INTEGER NOT NULL, type INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS relationships_by_source ON relationships (source_bug_id);
CREATE INDEX IF NOT EXISTS relationships_by_destination ON relationships (destination_bug_id);
CREATE TABLE IF NOT EXISTS monitors (bug_id INTEGER NOT NULL, user_id INTEGER NOT NULL, PRIMARY KEY (bug_id, user_id));
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY AUTOINCREMENT, bug_id INTEGER NOT NULL, user_id INTEGER NOT NULL, created_at INTEGER NOT NULL,
  kind TEXT NOT NULL, details TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS history_by_bug ON history (bug_id, id);
`;

const BUG_COLUMNS = [
  "project_id",
  "reporter_id",
  "handler_id",
  "category_id",
  "summary",
  "description",
  "steps_to_reproduce",
  "additional_information",
  "status",
  "resolution",
  "priority",
  "severity",
  "reproducibility",
  "view_state",
  "version",
  "fixed_in_version",
  "target_version",
  "sticky",
  "created_at",
  "updated_at",
] as const satisfies readonly (keyof NewBugRow)[];

/** Typed access to the simulator's SQLite file (or `:memory:`). */
export class MantisDatabase {
  readonly sql: Database.Database;
  private readonly insertBugStatement: Database.Statement;

  constructor(file: string) {
    this.sql = new Database(file);
    // WAL keeps a file-backed sandbox tracker usable while another process reads it; no effect in memory.
    if (file !== ":memory:") this.sql.pragma("journal_mode = WAL");
    this.sql.exec(SCHEMA);
    this.insertBugStatement = this.prepare(
      `INSERT INTO bugs (${BUG_COLUMNS.join(", ")}) VALUES (${BUG_COLUMNS.map((column) => `@${column}`).join(", ")})`,
    );
  }

  // Statements are compiled once: listing 10,000 bugs runs the same dozen queries thousands of times.
  private readonly statements = new Map<string, Database.Statement>();

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.sql.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.sql.close();
  }

  /** True when nothing was ever stored (a fresh file or memory): the caller then seeds. */
  isEmpty(): boolean {
    return this.prepare("SELECT COUNT(*) AS n FROM users").pluck().get() === 0;
  }

  transaction<T>(work: () => T): T {
    return this.sql.transaction(work)();
  }

  // Users

  insertUser(user: Omit<UserRow, "id"> & { id?: number }): number {
    const result = this
      .prepare(
        "INSERT INTO users (id, name, real_name, email, access_level, token, created_at) VALUES (@id, @name, @real_name, @email, @access_level, @token, @created_at)",
      )
      .run({ id: null, ...user });
    return Number(result.lastInsertRowid);
  }

  userById(id: number): UserRow | undefined {
    return this.prepare("SELECT * FROM users WHERE id = ?").get(id) as UserRow | undefined;
  }

  /** Exact match, as `user_get_id_by_name` on the PostgreSQL server OBSERVED.md was taken from. */
  userByName(name: string): UserRow | undefined {
    return this.prepare("SELECT * FROM users WHERE name = ?").get(name) as UserRow | undefined;
  }

  userByToken(token: string): UserRow | undefined {
    return this.prepare("SELECT * FROM users WHERE token = ?").get(token) as UserRow | undefined;
  }

  allUsers(): UserRow[] {
    return this.prepare("SELECT * FROM users ORDER BY id").all() as UserRow[];
  }

  // Projects

  insertProject(project: ProjectRow): void {
    this
      .prepare("INSERT INTO projects (id, name, description, status, view_state) VALUES (@id, @name, @description, @status, @view_state)")
      .run(project);
  }

  projectById(id: number): ProjectRow | undefined {
    return this.prepare("SELECT * FROM projects WHERE id = ?").get(id) as ProjectRow | undefined;
  }

  projectByName(name: string): ProjectRow | undefined {
    return this.prepare("SELECT * FROM projects WHERE name = ?").get(name) as ProjectRow | undefined;
  }

  allProjects(): ProjectRow[] {
    return this.prepare("SELECT * FROM projects ORDER BY id").all() as ProjectRow[];
  }

  insertCategory(category: Omit<CategoryRow, "id">): number {
    return Number(this.prepare("INSERT INTO categories (project_id, name) VALUES (@project_id, @name)").run(category).lastInsertRowid);
  }

  categoryById(id: number): CategoryRow | undefined {
    return this.prepare("SELECT * FROM categories WHERE id = ?").get(id) as CategoryRow | undefined;
  }

  /** The project's own category of that name, else the global one (projects inherit global categories). */
  categoryByName(projectId: number, name: string): CategoryRow | undefined {
    return this
      .prepare(`SELECT * FROM categories WHERE project_id IN (${ALL_PROJECTS}, ?) AND name = ? ORDER BY project_id DESC`)
      .get(projectId, name) as CategoryRow | undefined;
  }

  /** The project's categories with the global ones it inherits, by name. */
  categoriesOf(projectId: number): CategoryRow[] {
    return this
      .prepare(`SELECT * FROM categories WHERE project_id IN (${ALL_PROJECTS}, ?) ORDER BY name, project_id`)
      .all(projectId) as CategoryRow[];
  }

  insertVersion(version: Omit<VersionRow, "id">): number {
    return Number(
      this
        .prepare(
          "INSERT INTO versions (project_id, name, description, released, obsolete, date_order) VALUES (@project_id, @name, @description, @released, @obsolete, @date_order)",
        )
        .run(version).lastInsertRowid,
    );
  }

  versionById(id: number): VersionRow | undefined {
    return this.prepare("SELECT * FROM versions WHERE id = ?").get(id) as VersionRow | undefined;
  }

  versionByName(projectId: number, name: string): VersionRow | undefined {
    return this.prepare("SELECT * FROM versions WHERE project_id = ? AND name = ?").get(projectId, name) as
      | VersionRow
      | undefined;
  }

  /**
   * Newest first, as `version_get_all_rows` sorts them: `array_multisort($t_order, SORT_DESC, SORT_REGULAR,
   * $t_versions)` orders by `date_order` and versions of the same second by their rows, ascending, whose
   * first column is the id: so the one created first comes first.
   */
  versionsOf(projectId: number): VersionRow[] {
    return this.prepare("SELECT * FROM versions WHERE project_id = ? ORDER BY date_order DESC, id ASC").all(projectId) as VersionRow[];
  }

  /** Saves a version; a new name is carried into the project's bugs, which store versions by name (`version_update`). */
  updateVersion(version: VersionRow): void {
    const old = this.versionById(version.id);
    this.transaction(() => {
      this
        .prepare("UPDATE versions SET name = @name, description = @description, released = @released, obsolete = @obsolete, date_order = @date_order WHERE id = @id")
        .run(version);
      if (!old || old.name === version.name) return;
      for (const column of ["version", "fixed_in_version", "target_version"]) {
        this.prepare(`UPDATE bugs SET ${column} = ? WHERE project_id = ? AND ${column} = ?`).run(version.name, version.project_id, old.name);
      }
    });
  }

  // Bugs

  insertBug(bug: NewBugRow): number {
    return Number(this.insertBugStatement.run(bug).lastInsertRowid);
  }

  bugById(id: number): BugRow | undefined {
    return this.prepare("SELECT * FROM bugs WHERE id = ?").get(id) as BugRow | undefined;
  }

  updateBug(id: number, changes: Partial<NewBugRow>): void {
    const columns = Object.keys(changes).filter((column): column is keyof NewBugRow =>
      (BUG_COLUMNS as readonly string[]).includes(column),
    );
    if (columns.length === 0) return;
    this
      .prepare(`UPDATE bugs SET ${columns.map((column) => `${column} = @${column}`).join(", ")} WHERE id = @id`)
      .run({ ...changes, id });
  }

  deleteBug(id: number): void {
    this.transaction(() => {
      for (const table of ["notes", "bug_tags", "monitors", "history"]) {
        this.prepare(`DELETE FROM ${table} WHERE bug_id = ?`).run(id);
      }
      this.prepare("DELETE FROM relationships WHERE source_bug_id = ? OR destination_bug_id = ?").run(id, id);
      this.prepare("DELETE FROM bugs WHERE id = ?").run(id);
    });
  }

  /**
   * One page of bugs, last updated first, then last submitted first (the only order MantisBT's default
   * filter has). Bugs alike in both come in whatever order PostgreSQL returns them; the recordings show
   * the lowest id first (recorded/23-list-any.json).
   */
  listBugs(query: BugListQuery): BugRow[] {
    const where: string[] = [];
    const params: Record<string, number> = {
      viewer: query.viewer.id,
      limit: query.limit,
      offset: query.offset,
    };
    if (query.projectId !== 0) {
      where.push("project_id = @project");
      params.project = query.projectId;
    }
    if (!query.canSeePrivate) where.push("(view_state = 10 OR reporter_id = @viewer OR handler_id = @viewer)");
    const { handlerId, reporterId, monitoredBy, statuses } = query.selection;
    if (handlerId !== undefined) {
      where.push("handler_id = @handler");
      params.handler = handlerId;
    }
    if (reporterId !== undefined) {
      where.push("reporter_id = @reporter");
      params.reporter = reporterId;
    }
    if (monitoredBy !== undefined) {
      where.push("id IN (SELECT bug_id FROM monitors WHERE user_id = @monitor)");
      params.monitor = monitoredBy;
    }
    // Whole numbers from the status enum, so they can stand in the SQL text (one statement per list).
    if (statuses !== undefined) where.push(`status IN (${statuses.map((status) => Math.trunc(status)).join(", ") || "NULL"})`);
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    return this
      .prepare(`SELECT * FROM bugs ${clause} ORDER BY updated_at DESC, created_at DESC, id ASC LIMIT @limit OFFSET @offset`)
      .all(params) as BugRow[];
  }

  countBugs(): number {
    return this.prepare("SELECT COUNT(*) FROM bugs").pluck().get() as number;
  }

  // Notes

  insertNote(note: Omit<NoteRow, "id">): number {
    return Number(
      this
        .prepare(
          "INSERT INTO notes (bug_id, reporter_id, text, view_state, created_at, updated_at) VALUES (@bug_id, @reporter_id, @text, @view_state, @created_at, @updated_at)",
        )
        .run(note).lastInsertRowid,
    );
  }

  notesOf(bugId: number): NoteRow[] {
    return this.prepare("SELECT * FROM notes WHERE bug_id = ? ORDER BY id").all(bugId) as NoteRow[];
  }

  deleteNote(id: number): void {
    this.prepare("DELETE FROM notes WHERE id = ?").run(id);
  }

  updateNote(id: number, changes: { text: string; view_state: number; updated_at: number }): void {
    this.prepare("UPDATE notes SET text = @text, view_state = @view_state, updated_at = @updated_at WHERE id = @id").run({ ...changes, id });
  }

  // Tags

  tagById(id: number): TagRow | undefined {
    return this.prepare("SELECT id, name FROM tags WHERE id = ?").get(id) as TagRow | undefined;
  }

  /**
   * `tag_get_by_name`: `name ILIKE ?` on PostgreSQL, so any case matches and `%` and `_` are wildcards
   * (adding `customer` attaches `Customer`); the first match in table order, which is by id.
   */
  tagByName(name: string): TagRow | undefined {
    const pattern = likePattern(name);
    return (this.prepare("SELECT id, name FROM tags ORDER BY id").all() as TagRow[]).find((tag) => pattern.test(tag.name));
  }

  insertTag(name: string, userId: number): TagRow {
    const id = Number(this.prepare("INSERT INTO tags (name, user_id) VALUES (?, ?)").run(name, userId).lastInsertRowid);
    return { id, name };
  }

  /** By name as `tag_bug_get_attached` sorts them (`usort` with `strcasecmp`: `_x`, `Alpha`, `beta`, `Customer`). */
  tagsOf(bugId: number): TagRow[] {
    const attached = this
      .prepare("SELECT tags.id, tags.name FROM bug_tags JOIN tags ON tags.id = bug_tags.tag_id WHERE bug_id = ? ORDER BY bug_tags.rowid")
      .all(bugId) as TagRow[];
    return attached.sort((a, b) => strcasecmp(a.name, b.name));
  }

  attachTag(bugId: number, tagId: number): boolean {
    return this.prepare("INSERT OR IGNORE INTO bug_tags (bug_id, tag_id) VALUES (?, ?)").run(bugId, tagId).changes > 0;
  }

  detachTag(bugId: number, tagId: number): void {
    this.prepare("DELETE FROM bug_tags WHERE bug_id = ? AND tag_id = ?").run(bugId, tagId);
  }

  // Relationships

  insertRelationship(relationship: Omit<RelationshipRow, "id">): number {
    return Number(
      this
        .prepare("INSERT INTO relationships (source_bug_id, destination_bug_id, type) VALUES (@source_bug_id, @destination_bug_id, @type)")
        .run(relationship).lastInsertRowid,
    );
  }

  /** `relationship_exists`: the first relationship between two bugs, whichever is its source. */
  relationshipBetween(bugId: number, otherId: number): RelationshipRow | undefined {
    return this
      .prepare("SELECT * FROM relationships WHERE (source_bug_id = ? AND destination_bug_id = ?) OR (source_bug_id = ? AND destination_bug_id = ?) ORDER BY id LIMIT 1")
      .get(bugId, otherId, otherId, bugId) as RelationshipRow | undefined;
  }

  updateRelationship(relationship: RelationshipRow): void {
    this
      .prepare("UPDATE relationships SET source_bug_id = @source_bug_id, destination_bug_id = @destination_bug_id, type = @type WHERE id = @id")
      .run(relationship);
  }

  /** Relationships with the bug on either side, oldest first. */
  relationshipsOf(bugId: number): RelationshipRow[] {
    return this
      .prepare("SELECT * FROM relationships WHERE source_bug_id = ? OR destination_bug_id = ? ORDER BY id")
      .all(bugId, bugId) as RelationshipRow[];
  }

  // Monitors

  addMonitor(bugId: number, userId: number): void {
    this.prepare("INSERT OR IGNORE INTO monitors (bug_id, user_id) VALUES (?, ?)").run(bugId, userId);
  }

  monitorsOf(bugId: number): number[] {
    return this.prepare("SELECT user_id FROM monitors WHERE bug_id = ? ORDER BY user_id").pluck().all(bugId) as number[];
  }

  // History

  insertHistory(entry: Omit<HistoryRow, "id">): void {
    this
      .prepare("INSERT INTO history (bug_id, user_id, created_at, kind, details) VALUES (@bug_id, @user_id, @created_at, @kind, @details)")
      .run(entry);
  }

  historyOf(bugId: number): HistoryRow[] {
    return this.prepare("SELECT * FROM history WHERE bug_id = ? ORDER BY id").all(bugId) as HistoryRow[];
  }
}

/** PHP's `strcasecmp`: bytes compared after lowering ASCII letters only, so `_` sorts before letters and `Ä` after them. */
function strcasecmp(a: string, b: string): number {
  const lower = (text: string) => Buffer.from(text.replace(/[A-Z]/g, (letter) => letter.toLowerCase()));
  return Buffer.compare(lower(a), lower(b));
}

/** A PostgreSQL `ILIKE` pattern as a regular expression: `%` any text, `_` one character, `\` escapes the next. */
function likePattern(pattern: string): RegExp {
  let source = "";
  const characters = [...pattern];
  for (let index = 0; index < characters.length; index += 1) {
    const character = characters[index]!;
    if (character === "\\" && index + 1 < characters.length) {
      index += 1;
      source += escapeRegExp(characters[index]!);
    } else if (character === "%") source += "[\\s\\S]*";
    else if (character === "_") source += "[\\s\\S]";
    else source += escapeRegExp(character);
  }
  return new RegExp(`^${source}$`, "iu");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
