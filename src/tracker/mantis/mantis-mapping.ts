/**
 * Maps validated MantisBT answers onto the port's domain types. Enums are read by `id`, because
 * `name` is the installation's configured code and `label` is localized. Nothing here throws: an id
 * the bot does not know (a custom status, a new priority or relationship type) is mapped to the
 * nearest thing the process understands, so that one odd bug never stops a list read.
 */
import type { MantisIssue, MantisNote, MantisUserRef } from "./mantis-schemas.js";
import {
  PRIORITY_IDS,
  RELATIONSHIP_IDS,
  STATUS_IDS,
  type Bug,
  type BugNote,
  type BugRelationship,
  type CustomStatus,
  type PriorityName,
  type RelationshipType,
  type StatusName,
  type TrackerUser,
} from "./mantis-types.js";

/** MantisBT's view_state id for private bugs and notes. */
export const VIEW_STATE_PRIVATE = 50;
/** MantisBT's view_state id for public bugs and notes. */
export const VIEW_STATE_PUBLIC = 10;

function invert<Name extends string>(ids: Record<Name, number>): Map<number, Name> {
  return new Map(Object.entries<number>(ids).map(([name, id]) => [id, name as Name]));
}

const statusById = invert<StatusName>(STATUS_IDS);
const priorityById = invert<PriorityName>(PRIORITY_IDS);
const relationshipById = invert<RelationshipType>(RELATIONSHIP_IDS);

/**
 * The known name for `id`, else the one with the nearest id below it: MantisBT compares statuses and
 * priorities by number (e.g. `bug_resolved_status_threshold`), so a custom status 85 behaves like
 * resolved and 60 like assigned. Ids below every known one get `lowest`.
 */
function nearestAtOrBelow<Name extends string>(byId: ReadonlyMap<number, Name>, id: number, lowest: Name): Name {
  let best: { id: number; name: Name } | undefined;
  for (const [knownId, name] of byId) {
    if (knownId <= id && (!best || knownId > best.id)) best = { id: knownId, name };
  }
  return best?.name ?? lowest;
}

/** The status of a bug: a default one, or the nearest default below a custom one, which is kept aside. */
export function statusFromEnum(status: { id: number; name?: string | undefined }): { status: StatusName; customStatus?: CustomStatus } {
  const known = statusById.get(status.id);
  if (known) return { status: known };
  return {
    status: nearestAtOrBelow(statusById, status.id, "new"),
    customStatus: { id: status.id, name: status.name && status.name.trim() !== "" ? status.name : `@${status.id}@` },
  };
}

// An unknown priority only ranks a bug; the nearest default is as good as MantisBT's own ordering.
function priorityFromId(id: number): PriorityName {
  return priorityById.get(id) ?? nearestAtOrBelow(priorityById, id, "none");
}

/** A MantisBT user reference as a TrackerUser; the e-mail address is dropped on purpose. */
export function toTrackerUser(user: MantisUserRef): TrackerUser {
  return {
    id: user.id,
    name: user.name ?? `user #${user.id}`,
    ...(user.real_name ? { realName: user.real_name } : {}),
  };
}

/** A note as the port sees it; notes without a reporter (deleted user) get id 0. */
export function toBugNote(note: MantisNote): BugNote {
  return {
    id: note.id,
    reporter: note.reporter ? toTrackerUser(note.reporter) : { id: 0, name: "unknown" },
    text: note.text,
    private: note.view_state?.id === VIEW_STATE_PRIVATE,
    createdAt: note.created_at,
  };
}

/** The relationships the process knows; a plugin's own relationship type means nothing to it and is left out. */
function toRelationships(relationships: MantisIssue["relationships"]): BugRelationship[] {
  return relationships.flatMap((relationship) => {
    const type = relationshipById.get(relationship.type.id);
    return type === undefined ? [] : [{ id: relationship.id, type, otherBugId: relationship.issue.id }];
  });
}

function nonEmpty(text: string | undefined): string | undefined {
  return text && text.length > 0 ? text : undefined;
}

/** A whole issue as a Bug; `handler` with id 0 counts as unassigned. */
export function toBug(issue: MantisIssue, etag?: string): Bug {
  const handler = issue.handler && issue.handler.id !== 0 ? toTrackerUser(issue.handler) : undefined;
  const category = nonEmpty(issue.category?.name);
  const fixedInVersion = nonEmpty(issue.fixed_in_version?.name);
  const targetVersion = nonEmpty(issue.target_version?.name);
  const { status, customStatus } = statusFromEnum(issue.status);
  return {
    id: issue.id,
    summary: issue.summary,
    description: issue.description,
    status,
    ...(customStatus ? { customStatus } : {}),
    // Only trimmed reads (`select=`) leave priority out; MantisBT's default is normal.
    priority: issue.priority ? priorityFromId(issue.priority.id) : "normal",
    ...(issue.reporter ? { reporter: toTrackerUser(issue.reporter) } : {}),
    ...(handler ? { handler } : {}),
    project: { id: issue.project.id, name: issue.project.name },
    ...(category ? { category } : {}),
    private: issue.view_state?.id === VIEW_STATE_PRIVATE,
    tags: issue.tags.map((tag) => tag.name),
    notes: issue.notes.map(toBugNote),
    relationships: toRelationships(issue.relationships),
    ...(fixedInVersion ? { fixedInVersion } : {}),
    ...(targetVersion ? { targetVersion } : {}),
    createdAt: issue.created_at,
    updatedAt: issue.updated_at,
    ...(etag ? { etag } : {}),
  };
}
