/**
 * zod schemas of the MantisBT 2.28.4 REST answers the client reads, as a real server sends them
 * (/work/shared/specs/mantisbt/OBSERVED.md wins over the OpenAPI file where they disagree, and every
 * body in its `recorded/` folder must parse). Fields MantisBT leaves out when empty are optional;
 * unknown fields are dropped. Tolerant where a real server varies: any id may be a number or a numeric
 * string, and enum ids are not restricted to the default ones (mantis-mapping.ts decides what an
 * unknown one means).
 */
import { z } from "zod";

/** An ISO 8601 date with offset, as PHP `date('c')` writes it, read as a Date. */
const mantisDate = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), "not a date")
  .transform((text) => new Date(text));

/**
 * Any id: a number, or a numeric string where MantisBT passes a database row through uncast (tags,
 * and the versions of an issue: `"fixed_in_version": {"id": "2", "name": "0.9"}`).
 */
export const stringOrNumberId = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

/** `{id, name, label}`: the client maps by `id`, since `name` is configurable and `label` localized. */
export const mantisEnumSchema = z.object({
  id: stringOrNumberId,
  name: z.string().optional(),
  label: z.string().optional(),
});

/** `{id, name}` with `real_name` and `email` present on some answers and not on others. */
export const mantisUserRefSchema = z.object({
  id: stringOrNumberId,
  name: z.string().optional(),
  real_name: z.string().optional(),
  email: z.string().optional(),
});
export type MantisUserRef = z.infer<typeof mantisUserRefSchema>;

/** `{id, name}` reference to a project, category or version. */
const namedRefSchema = z.object({ id: stringOrNumberId.optional(), name: z.string().optional() });

/** A note: `{id, reporter, text, view_state, attachments, type, created_at, updated_at}`. */
export const mantisNoteSchema = z.object({
  id: stringOrNumberId,
  reporter: mantisUserRefSchema.optional(),
  text: z.string().default(""),
  view_state: mantisEnumSchema.optional(),
  type: z.string().optional(),
  created_at: mantisDate,
  updated_at: mantisDate.optional(),
});
export type MantisNote = z.infer<typeof mantisNoteSchema>;

/** A relationship as listed in an issue: `{id, type {id,name,label}, issue {id, ...}}`. */
export const mantisRelationshipSchema = z.object({
  id: stringOrNumberId,
  type: mantisEnumSchema,
  issue: z.object({ id: stringOrNumberId }),
});

/** An issue as `mci_issue_data_as_array` builds it, restricted to the fields the port maps. */
export const mantisIssueSchema = z.object({
  id: stringOrNumberId,
  summary: z.string(),
  description: z.string().default(""),
  project: z.object({ id: stringOrNumberId, name: z.string().default("") }),
  category: namedRefSchema.optional(),
  reporter: mantisUserRefSchema.optional(),
  handler: mantisUserRefSchema.optional(),
  status: mantisEnumSchema,
  priority: mantisEnumSchema.optional(),
  view_state: mantisEnumSchema.optional(),
  fixed_in_version: namedRefSchema.optional(),
  target_version: namedRefSchema.optional(),
  tags: z.array(z.object({ id: stringOrNumberId.optional(), name: z.string() })).default([]),
  notes: z.array(mantisNoteSchema).default([]),
  relationships: z.array(mantisRelationshipSchema).default([]),
  created_at: mantisDate,
  updated_at: mantisDate,
});
export type MantisIssue = z.infer<typeof mantisIssueSchema>;

/** `GET /issues/{id}`, `PATCH /issues/{id}` and `POST /issues/{id}/tags`: `{issues: [issue]}`. */
export const issueListResponseSchema = z.object({ issues: z.array(mantisIssueSchema) });

/**
 * `GET /issues` read as an envelope only: each issue is validated on its own, so that one odd bug is
 * skipped instead of failing the whole list.
 */
export const issueListEnvelopeSchema = z.object({ issues: z.array(z.unknown()) });

/**
 * An unknown filter name answers 200 with an object where the list should be
 * (`{"issues": {"status_code": 404, "fault_string": "Unknown filter 'x'"}}`).
 */
export const issueListFaultSchema = z.object({
  issues: z.object({ status_code: z.number().int(), fault_string: z.string() }),
});

/** `POST /issues`: 201 `{issue}`. */
export const issueCreatedResponseSchema = z.object({ issue: mantisIssueSchema });

/** `POST /issues/{id}/notes`: 201 `{note, issue}`. */
export const noteCreatedResponseSchema = z.object({ note: mantisNoteSchema, issue: mantisIssueSchema.optional() });

/** `POST /issues/{id}/relationships`: 201, `{issue}` in 2.28.4; only the status matters to the client. */
export const relationshipCreatedResponseSchema = z.object({ issue: mantisIssueSchema.optional() });

/** A user as `/users/username/{name}` and `/projects/{id}/handlers` list it. */
export const mantisUserSchema = mantisUserRefSchema.extend({
  access_level: mantisEnumSchema.optional(),
});

/** `GET /users/username/{name}` and `GET /projects/{id}/handlers`. */
export const userListResponseSchema = z.object({ users: z.array(mantisUserSchema) });

/** `GET /users/me` answers the bare user object, without an envelope. */
export const currentUserResponseSchema = mantisUserSchema;

/** A project as listed by `GET /projects`, subprojects nested. */
export interface MantisProject {
  id: number;
  name: string;
  versions: { id?: number | undefined; name: string }[];
  subProjects: MantisProject[];
}

/** A project with its versions and nested subprojects. */
export const mantisProjectSchema: z.ZodType<MantisProject> = z.lazy(() =>
  z.object({
    id: stringOrNumberId,
    name: z.string(),
    versions: z.array(z.object({ id: stringOrNumberId.optional(), name: z.string() })).default([]),
    subProjects: z.array(mantisProjectSchema).default([]),
  }),
);

/** `GET /projects` and `GET /projects/{id}`. */
export const projectListResponseSchema = z.object({ projects: z.array(mantisProjectSchema) });

/** Error answers carry `{message, code, localized}` when they carry JSON at all. */
export const mantisErrorBodySchema = z.object({
  message: z.string().optional(),
  code: stringOrNumberId.optional(),
  localized: z.string().optional(),
});

/**
 * A project version (`VersionGetCommand::VersionToArray`, `mci_project_versions`). `GET /projects/{id}`
 * lists ids as numbers; they are read leniently like every other id.
 */
export const mantisVersionSchema = z.object({
  id: stringOrNumberId,
  name: z.string(),
  released: z.boolean().default(false),
  obsolete: z.boolean().default(false),
  timestamp: mantisDate.optional(),
});
export type MantisVersion = z.infer<typeof mantisVersionSchema>;

/** `GET /projects/{id}` read for the project's versions with their released flag and date. */
export const projectVersionsResponseSchema = z.object({
  projects: z.array(z.object({ id: stringOrNumberId, versions: z.array(z.unknown()).default([]) })),
});

/** `POST /projects/{id}/versions` (201) and `PATCH /projects/{id}/versions/{version_id}` (200): `{version}`. */
export const versionResponseSchema = z.object({ version: mantisVersionSchema });
