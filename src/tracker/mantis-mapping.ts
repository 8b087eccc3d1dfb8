/**
 * Maps validated MantisBT answers onto the port's domain types. Enums are read by `id`, because
 * `name` is the installation's configured code and `label` is localized.
 */
import { UpstreamUnavailableError } from "../errors.js";
import type { MantisIssue, MantisNote, MantisUserRef } from "./mantis-schemas.js";
import {
  PRIORITY_IDS,
  RELATIONSHIP_IDS,
  STATUS_IDS,
  type Bug,
  type BugNote,
  type BugRelationship,
  type PriorityName,
  type RelationshipType,
  type StatusName,
  type TrackerUser,
} from "./tracker.js";

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

const enumHint = "the bot expects MantisBT's default enumerations (status_enum_string, priority_enum_string)";

/** The status name for a MantisBT status id; an unknown id (e.g. `@0@` after a bad update) is an error. */
export function statusFromId(id: number, bugId: number): StatusName {
  const name = statusById.get(id);
  if (!name) {
    throw new UpstreamUnavailableError(`Bug #${bugId} has status id ${id}, which the bot does not know`, { hint: enumHint });
  }
  return name;
}

function priorityFromId(id: number, bugId: number): PriorityName {
  const name = priorityById.get(id);
  if (!name) {
    throw new UpstreamUnavailableError(`Bug #${bugId} has priority id ${id}, which the bot does not know`, { hint: enumHint });
  }
  return name;
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

function toRelationship(relationship: MantisIssue["relationships"][number], bugId: number): BugRelationship {
  const type = relationshipById.get(relationship.type.id);
  if (type === undefined) {
    throw new UpstreamUnavailableError(`Bug #${bugId} has a relationship of unknown type id ${relationship.type.id}`);
  }
  return { id: relationship.id, type, otherBugId: relationship.issue.id };
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
  return {
    id: issue.id,
    summary: issue.summary,
    description: issue.description,
    status: statusFromId(issue.status.id, issue.id),
    // Only trimmed reads (`select=`) leave priority out; MantisBT's default is normal.
    priority: issue.priority ? priorityFromId(issue.priority.id, issue.id) : "normal",
    ...(issue.reporter ? { reporter: toTrackerUser(issue.reporter) } : {}),
    ...(handler ? { handler } : {}),
    project: { id: issue.project.id, name: issue.project.name },
    ...(category ? { category } : {}),
    private: issue.view_state?.id === VIEW_STATE_PRIVATE,
    tags: issue.tags.map((tag) => tag.name),
    notes: issue.notes.map(toBugNote),
    relationships: issue.relationships.map((relationship) => toRelationship(relationship, issue.id)),
    ...(fixedInVersion ? { fixedInVersion } : {}),
    ...(targetVersion ? { targetVersion } : {}),
    createdAt: issue.created_at,
    updatedAt: issue.updated_at,
    ...(etag ? { etag } : {}),
  };
}
