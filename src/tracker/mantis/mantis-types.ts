/**
 * MantisBT's REST API in TypeScript: its status, priority, resolution and relationship ids, its
 * bug as the client reads it, and the client's interface (`MantisClient`). Only the MantisBT
 * adapter (`mantis-tracker.ts`) and its tests use these; the process sees tickets and stages.
 */

/** The longest summary MantisBT stores; a longer one makes 2.28.4 answer 500 with an empty body. */
export const MAX_SUMMARY_LENGTH = 128;

/** MantisBT's default status ids (https://mantisbt.org, config `status_enum_string`). */
export const STATUS_IDS = {
  new: 10,
  feedback: 20,
  acknowledged: 30,
  confirmed: 40,
  assigned: 50,
  resolved: 80,
  closed: 90,
} as const;
export type StatusName = keyof typeof STATUS_IDS;
/** The default status names, in MantisBT's order. */
export const STATUS_NAMES = Object.keys(STATUS_IDS) as StatusName[];

/** MantisBT's default priority ids. */
export const PRIORITY_IDS = {
  none: 10,
  low: 20,
  normal: 30,
  high: 40,
  urgent: 50,
  immediate: 60,
} as const;
export type PriorityName = keyof typeof PRIORITY_IDS;
/** The default priority names, lowest first. */
export const PRIORITY_NAMES = Object.keys(PRIORITY_IDS) as PriorityName[];

/** MantisBT relationship type ids (0 duplicate-of, 1 related-to, 2 parent-of, 3 child-of, 4 has-duplicate). */
export const RELATIONSHIP_IDS = {
  "duplicate-of": 0,
  "related-to": 1,
  "parent-of": 2,
  "child-of": 3,
  "has-duplicate": 4,
} as const;
export type RelationshipType = keyof typeof RELATIONSHIP_IDS;

/** A MantisBT account as the client reads it. */
export interface TrackerUser {
  id: number;
  name: string;
  realName?: string;
}

/** A note on a MantisBT bug. */
export interface BugNote {
  id: number;
  reporter: TrackerUser;
  text: string;
  private: boolean;
  createdAt: Date;
}

/** A relationship of a MantisBT bug to another bug. */
export interface BugRelationship {
  id: number;
  type: RelationshipType;
  otherBugId: number;
}

/** A status MantisBT has beyond its default ones (a custom status, or `@0@` after a bad update). */
export interface CustomStatus {
  id: number;
  /** MantisBT's name for it, e.g. `testing`, or `@60@` when the server has none. */
  name: string;
}

/** A MantisBT bug as the client reads it. */
export interface Bug {
  id: number;
  summary: string;
  description: string;
  /** A default MantisBT status; for a custom status, the nearest default one below it (see `customStatus`). */
  status: StatusName;
  /** Set when MantisBT's status is not a default one; process commands refuse such a bug. */
  customStatus?: CustomStatus;
  priority: PriorityName;
  reporter?: TrackerUser;
  handler?: TrackerUser;
  project: { id: number; name: string };
  category?: string;
  private: boolean;
  tags: string[];
  notes: BugNote[];
  relationships: BugRelationship[];
  fixedInVersion?: string;
  targetVersion?: string;
  createdAt: Date;
  updatedAt: Date;
  /** Opaque version for optimistic concurrency (`If-Match`), when the server gave one. */
  etag?: string;
}

/** A note the bot writes: its text and whether only staff may see it. */
export interface NewNote {
  text: string;
  private: boolean;
}

/** A bug to create. */
export interface NewBug {
  summary: string;
  description: string;
  category?: string;
  tags?: string[];
  private?: boolean;
  priority?: PriorityName;
  /** Giving a handler at creation makes MantisBT set status `assigned` by itself. */
  handler?: string;
  /** Explicit status; sent in the create request. */
  status?: StatusName;
  /** Notes created with the bug in the same request (MantisBT 2.28 takes a `notes` array in `POST /issues`). */
  notes?: NewNote[];
}

/** MantisBT resolution ids the process sets (10 open, 20 fixed; the others are set by people in MantisBT). */
export const RESOLUTION_IDS = { open: 10, fixed: 20 } as const;
export type ResolutionName = keyof typeof RESOLUTION_IDS;

/** A partial update; only the fields given are changed. */
export interface BugChange {
  /** MantisBT's resolution field; the REST API does not set it when the status changes. */
  resolution?: ResolutionName;
  status?: StatusName;
  /** User name, or null to unassign. */
  handler?: string | null;
  priority?: PriorityName;
  summary?: string;
  fixedInVersion?: string;
  /**
   * Notes added in the same request. A PATCH carrying both a status and notes keeps the status sent,
   * where a separate note by the bug's reporter on a FEEDBACK bug makes MantisBT move it to ASSIGNED.
   */
  notes?: NewNote[];
}

/** One page of `GET /issues`. */
export interface ListBugsQuery {
  page: number;
  pageSize: number;
  /** A MantisBT standard filter name or a saved filter id. Default `any`. */
  filter?: "any" | "assigned" | "unassigned" | "reported" | "monitored" | number;
}

/** A version of the project as MantisBT's roadmap keeps it. */
export interface ProjectVersion {
  id: number;
  name: string;
  released: boolean;
  obsolete: boolean;
  /** MantisBT's version date (`date_order`): the release date once released, the planned one before. */
  date?: Date;
}

/** Who a request is made for: the chat user behind it, linked to a tracker account. */
export interface Actor {
  /** MantisBT user name of the linked staff member. */
  trackerUser: string;
  /** How to name the person in a note when the bot cannot act as them. */
  displayName: string;
}

/** The MantisBT REST client: one method per kind of request it makes. */
export interface MantisClient {
  getBug(id: number): Promise<Bug>;
  /** One page, newest update first (MantisBT's default order). An empty page means the end. */
  listBugs(query: ListBugsQuery): Promise<Bug[]>;
  createBug(bug: NewBug): Promise<Bug>;
  /** With `ifMatch`, fails with ConflictError when the bug changed since that etag was read. */
  updateBug(id: number, change: BugChange, options?: { ifMatch?: string }): Promise<Bug>;
  /**
   * MantisBT moves a `feedback` bug to `assigned` when its reporter adds a note (reassign_on_feedback):
   * when the status must stay, set it again after the note.
   */
  addNote(id: number, note: NewNote): Promise<BugNote>;
  /** `DELETE /issues/{id}/notes/{note_id}`; NotFoundError when the bug or the note does not exist. */
  deleteNote(id: number, noteId: number): Promise<void>;
  addTags(id: number, tags: string[]): Promise<void>;
  addRelationship(id: number, relationship: { type: RelationshipType; otherBugId: number }): Promise<void>;
  /** A user by name; known users are kept for the process's lifetime, an unknown name is asked for again. */
  getUser(name: string): Promise<TrackerUser | undefined>;
  /** Who may handle bugs in the project; kept for the process's lifetime unless `fresh` (after a miss). */
  listHandlers(options?: { fresh?: boolean }): Promise<TrackerUser[]>;
  /** Project version names, to validate `fixed_in_version`; kept like the handlers, `fresh` after a miss. */
  listVersions(options?: { fresh?: boolean }): Promise<string[]>;
  /** Project versions with their released flag and date, obsolete ones included; always read anew. */
  listProjectVersions(): Promise<ProjectVersion[]>;
  /** Adds an unreleased version to the project; MantisBT lets managers and up do it. */
  createVersion(name: string): Promise<ProjectVersion>;
  /** Marks a version of the project released on the given day. */
  markVersionReleased(versionId: number, on: Date): Promise<ProjectVersion>;
  /** Link to the bug in the tracker's web UI. */
  bugUrl(id: number): string;
  /** The bot's own user name when an answer has said it already (no request); undefined before. */
  botAccount(): string | undefined;
  /** The bot's own user name, read once (`GET /users/me`) when no answer has said it yet. */
  readBotAccount(): Promise<string>;
  /** The same client, acting on behalf of a chat user (impersonation, or notes naming them). */
  actingAs(actor: Actor): MantisClient;
}
