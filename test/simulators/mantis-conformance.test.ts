/**
 * Validates the simulator's real responses against the official MantisBT OpenAPI files. The 2.28.4 file
 * documents paths and methods but no response bodies, so bodies are checked against master's schemas
 * (2.29.0-dev), which describe the same objects. Where the server (OBSERVED.md or the PHP code) differs
 * from the spec, the override is spelled out next to the route below.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { callMantis, type MantisCall } from "../../src/simulators/mantis/call-mantis.js";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";

const SPECS = fileURLToPath(new URL("../../../shared/specs/mantisbt", import.meta.url));

type Schema = Record<string, unknown>;
interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, { $ref?: string }> }>>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, { content?: { "application/json"?: { schema?: { oneOf?: { $ref: string }[] } } } }>;
  };
}

function loadSpec(file: string): OpenApiDocument {
  return parse(readFileSync(`${SPECS}/${file}`, "utf8")) as OpenApiDocument;
}

/** OpenAPI 3.0 `nullable: true` is not JSON Schema: turn it into a `null` type alternative. */
function convertNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convertNullable);
  if (node === null || typeof node !== "object") return node;
  const converted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) converted[key] = convertNullable(value);
  if (converted.nullable === true) {
    delete converted.nullable;
    const type = converted.type;
    if (typeof type === "string") converted.type = [type, "null"];
    else if (converted.$ref !== undefined || converted.allOf !== undefined) return { anyOf: [converted, { type: "null" }] };
  }
  return converted;
}

const master = loadSpec("master/mantisbt_openapi.yaml");
const release = loadSpec("release-2.28.4/mantisbt_openapi.yaml");

// Override (PHP code, mci_project_categories): categories are objects {id, name, project}, not strings;
// a global category names project 0 with a null name (recorded/03-project.json, test/real/mantis-conformance.test.ts).
const masterForValidation = convertNullable(structuredClone(master)) as OpenApiDocument;
const projectSchema = masterForValidation.components.schemas.Project as { properties: Record<string, Schema> };
projectSchema.properties.categories = {
  type: "array",
  items: {
    type: "object",
    required: ["id", "name", "project"],
    properties: {
      id: { type: "integer" },
      name: { type: "string" },
      project: { type: "object", required: ["id", "name"], properties: { id: { type: "integer" }, name: { type: ["string", "null"] } } },
    },
  },
};

// Override (OBSERVED.md, recorded/21-get-resolved-with-versions.json): an issue's versions carry their id
// as a string, {"id": "2", "name": "0.9"}, where the spec has a ProjectRef with an integer id.
const issueSchema = masterForValidation.components.schemas.Issue as { properties: Record<string, Schema> };
for (const field of ["version", "fixed_in_version", "target_version"]) {
  issueSchema.properties[field] = {
    type: "object",
    required: ["id", "name"],
    properties: { id: { type: "string", pattern: "^[0-9]+$" }, name: { type: "string" } },
  };
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(masterForValidation, "master");

function schemaValidator(name: string): ValidateFunction {
  const validate = ajv.getSchema(`master#/components/schemas/${name}`);
  if (!validate) throw new Error(`master spec has no schema ${name}`);
  return validate;
}

/** `/api/rest/issues/{issue_id}` and `/api/rest/issues/{id}` are the same route. */
function normalizePath(path: string): string {
  return path.replace(/\{[^}]+\}/g, "{}");
}

function documentedResponse(spec: OpenApiDocument, path: string, method: string, status: string): { $ref?: string } | undefined {
  const entry = Object.entries(spec.paths).find(([candidate]) => normalizePath(candidate) === normalizePath(path));
  return entry?.[1][method]?.responses?.[status];
}

function documentsMethod(spec: OpenApiDocument, path: string, method: string): boolean {
  return Object.entries(spec.paths).some(([candidate, operations]) => normalizePath(candidate) === normalizePath(path) && method in operations);
}

/** The schemas master's response object lists for `status` (the `oneOf` of `Success`, `Created`...). */
function documentedSchemas(path: string, method: string, status: string): string[] {
  const response = documentedResponse(master, path, method, status);
  const name = response?.$ref?.split("/").pop();
  const body = name ? master.components.responses[name] : undefined;
  return (body?.content?.["application/json"]?.schema?.oneOf ?? []).map((ref) => ref.$ref.split("/").pop() ?? "");
}

interface RouteCase {
  name: string;
  specPath: string;
  method: "get" | "post" | "patch" | "delete";
  path: string;
  call?: MantisCall;
  status: number;
  /** Schema in master's components the body must match; undefined for an empty body. */
  schema?: string;
  /** False where the 2.28.4 file leaves out a route the 2.28.4 code has (INDEX.md lists the route files). */
  inRelease?: boolean;
  /** Set when the body is checked against something else than the documented alternatives, with the reason. */
  override?: { schema: Schema; reason: string };
}

const ROUTES: RouteCase[] = [
  { name: "list issues", specPath: "/api/rest/issues", method: "get", path: "issues?project_id=1&page_size=50", status: 200, schema: "IssueCollection" },
  { name: "list issues with select", specPath: "/api/rest/issues", method: "get", path: "issues?select=id,summary,status", status: 200, schema: "IssueCollection" },
  { name: "get an issue with notes, tags and relationships", specPath: "/api/rest/issues/{id}", method: "get", path: "issues/11", status: 200, schema: "IssueCollection" },
  { name: "get an issue with a parent relationship", specPath: "/api/rest/issues/{id}", method: "get", path: "issues/18", status: 200, schema: "IssueCollection" },
  {
    name: "create an issue",
    specPath: "/api/rest/issues",
    method: "post",
    path: "issues",
    call: {
      method: "POST",
      body: {
        summary: "Conformance: new issue",
        description: "Created by the conformance test",
        project: { id: 1 },
        category: { name: "wallet" },
        handler: { name: "alice" },
        tags: [{ name: "Customer" }],
      },
    },
    status: 201,
    schema: "IssueResponse",
  },
  {
    name: "update an issue",
    specPath: "/api/rest/issues/{id}",
    method: "patch",
    path: "issues/2",
    call: { method: "PATCH", body: { handler: { name: "bob" }, status: { name: "assigned" }, priority: { name: "high" } } },
    status: 200,
    schema: "IssueCollection",
  },
  {
    name: "add a note",
    specPath: "/api/rest/issues/{id}/notes",
    method: "post",
    path: "issues/3/notes",
    call: { method: "POST", body: { text: "A private note", view_state: { name: "private" } } },
    status: 201,
    schema: "IssueNoteResponse",
  },
  {
    name: "attach tags",
    specPath: "/api/rest/issues/{id}/tags",
    method: "post",
    path: "issues/2/tags",
    call: { method: "POST", body: { tags: [{ name: "regression" }, { id: 1 }] } },
    status: 201,
    schema: "IssueCollection",
  },
  {
    name: "add a relationship",
    specPath: "/api/rest/issues/{id}/relationships",
    method: "post",
    path: "issues/2/relationships",
    call: { method: "POST", body: { issue: { id: 3 }, type: { name: "related-to" } } },
    status: 201,
    schema: "IssueResponse",
  },
  {
    name: "delete an issue",
    specPath: "/api/rest/issues/{id}",
    method: "delete",
    path: "issues/29",
    call: { method: "DELETE" },
    // The 2.28.4 OpenAPI file has no DELETE on /issues/{issue_id}; issues_rest.php routes it (INDEX.md).
    inRelease: false,
    status: 204,
  },
  {
    name: "get my user",
    specPath: "/api/rest/users/me",
    method: "get",
    path: "users/me",
    status: 200,
    // Override (OBSERVED.md): the user object comes bare, not as {user} or {users}.
    override: { schema: { $ref: "master#/components/schemas/User" }, reason: "GET /users/me answers the bare user object" },
  },
  { name: "get a user by name", specPath: "/api/rest/users/username/{username}", method: "get", path: "users/username/alice", status: 200, schema: "UserCollection" },
  { name: "get all projects", specPath: "/api/rest/projects", method: "get", path: "projects", status: 200, schema: "ProjectCollection" },
  { name: "get a project", specPath: "/api/rest/projects/{id}", method: "get", path: "projects/1", status: 200, schema: "ProjectCollection" },
  { name: "get the handlers of a project", specPath: "/api/rest/projects/{id}/handlers", method: "get", path: "projects/1/handlers", status: 200, schema: "UserCollection" },
  {
    name: "get the versions of a project",
    specPath: "/api/rest/projects/{id}/versions",
    method: "get",
    path: "projects/1/versions",
    status: 200,
    // Override (PHP code, VersionGetCommand): the answer is {versions: [...]} with the items of
    // Project.versions; master only offers VersionResponse ({version}), which would accept anything.
    override: {
      schema: {
        type: "object",
        required: ["versions"],
        properties: {
          versions: {
            type: "array",
            items: {
              type: "object",
              required: ["id", "name", "released", "obsolete", "timestamp"],
              properties: {
                id: { type: "integer" },
                name: { type: "string" },
                description: { type: "string" },
                released: { type: "boolean" },
                obsolete: { type: "boolean" },
                timestamp: { type: "string", format: "date-time" },
              },
            },
          },
        },
      },
      reason: "GET /projects/{id}/versions answers {versions}",
    },
  },
];

describe("MantisBT simulator conformance with the official OpenAPI files", () => {
  let simulator: MantisSimulator;

  beforeAll(async () => {
    simulator = await startMantisSimulator({ now: () => new Date("2026-11-26T14:14:37Z") });
  });

  afterAll(async () => {
    await simulator.close();
  });

  it.each(ROUTES)("documents and answers '$name' as specified", async (route) => {
    expect(documentsMethod(release, route.specPath, route.method), "2.28.4 documents the route").toBe(route.inRelease ?? true);
    expect(documentsMethod(master, route.specPath, route.method), "master documents the route").toBe(true);

    const reply = await callMantis(simulator, route.path, route.call);
    expect(reply.status, reply.text).toBe(route.status);
    expect(documentedResponse(master, route.specPath, route.method, String(route.status)), "status is documented").toBeDefined();

    if (route.schema === undefined && route.override === undefined) {
      expect(reply.text).toBe("");
      return;
    }
    let validate: ValidateFunction;
    if (route.override) {
      validate = ajv.compile(route.override.schema);
    } else {
      const schema = route.schema ?? "";
      expect(documentedSchemas(route.specPath, route.method, String(route.status))).toContain(schema);
      validate = schemaValidator(schema);
    }
    const valid = validate(reply.json);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it("sends X-Mantis-* headers, as the spec's response headers say", async () => {
    const reply = await callMantis(simulator, "users/me");
    expect(reply.headers.get("x-mantis-username")).toBe("administrator");
    expect(reply.headers.get("x-mantis-loginmethod")).toBe("api-token");
    expect(reply.headers.get("x-mantis-version")).toBe("2.28.4");
  });

  it("answers 304 and 412 where master documents them", async () => {
    expect(documentedResponse(master, "/api/rest/issues/{id}", "get", "304")).toBeDefined();
    expect(documentedResponse(master, "/api/rest/issues/{id}", "patch", "412")).toBeDefined();
    const read = await callMantis(simulator, "issues/5");
    const etag = read.headers.get("etag") ?? "";
    expect((await callMantis(simulator, "issues/5", { headers: { "If-None-Match": etag } })).status).toBe(304);
    const stale = await callMantis(simulator, "issues/5", { method: "PATCH", body: { summary: "x" }, headers: { "If-Match": "stale" } });
    expect(stale.status).toBe(412);
  });
});
