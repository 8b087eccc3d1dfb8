/**
 * Mattermost's official OpenAPI bundle (shared/specs/mattermost/mattermost-openapi-v4.yaml) as a
 * validator for recorded REST exchanges: the request body against the operation's schema, the answer
 * against the schema of its status. Where the bundle disagrees with the server's Go structs, the
 * correction is spelled out in SPEC_CORRECTIONS with its reason; the simulator's OpenAPI test checks
 * that each one is still needed. Used by the simulator's test and by the adapter's test.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import type { RecordedRequest } from "../../src/simulators/mattermost/server.js";

const SPEC_FILE = fileURLToPath(new URL("../../../shared/specs/mattermost/mattermost-openapi-v4.yaml", import.meta.url));

/** A JSON Schema (or OpenAPI schema object) as plain data. */
export type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
}
/** The parts of an OpenAPI operation the validator reads. */
export interface Operation {
  operationId?: string;
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { $ref?: string; content?: Record<string, MediaType> }>;
}
/** The parts of the OpenAPI document the validator reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, { content?: Record<string, MediaType> }> };
}

/** OpenAPI 3.0 `nullable: true` is not JSON Schema: turn it into a `null` type alternative. */
function convertNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convertNullable);
  if (node === null || typeof node !== "object") return node;
  const converted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) converted[key] = convertNullable(value);
  if (converted["nullable"] === true) {
    delete converted["nullable"];
    const type = converted["type"];
    if (typeof type === "string") converted["type"] = [type, "null"];
    else if (converted["$ref"] !== undefined || converted["allOf"] !== undefined) return { anyOf: [converted, { type: "null" }] };
  }
  return converted;
}

/** Points local `#/components/...` references at the components document registered as `mm`. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = key === "$ref" && typeof value === "string" && value.startsWith("#/") ? `mm${value}` : rewriteRefs(value);
  return out;
}

/** One place where the bundle disagrees with the server, and how the validator's copy is corrected. */
export interface SpecCorrection {
  /** What is corrected and why (the Go struct the wire follows). */
  readonly reason: string;
  /** Whether the bundle as published still has the mistake (false once it is fixed upstream). */
  readonly isNeeded: (published: OpenApiDocument) => boolean;
  /** Corrects the validator's copy of the bundle in place. */
  readonly apply: (spec: OpenApiDocument) => void;
}

const POST_UPDATES = [
  ["/api/v4/posts/{post_id}/patch", "put"],
  ["/api/v4/posts/{post_id}", "put"],
] as const;

function requestProperties(spec: OpenApiDocument, path: string, method: string): Record<string, Schema> | undefined {
  const body = spec.paths[path]?.[method]?.requestBody?.content?.["application/json"]?.schema as { properties: Record<string, Schema> } | undefined;
  return body?.properties;
}

/** Every correction made to the bundle before it validates anything. */
export const SPEC_CORRECTIONS: readonly SpecCorrection[] = [
  {
    reason:
      "PatchPost and UpdatePost document `props` as a string, but model.PostPatch.Props is a StringInterface " +
      "(a JSON object) and Client4 sends an object, as the web app does.",
    isNeeded: (published) => POST_UPDATES.every(([path, method]) => (requestProperties(published, path, method)?.["props"] as { type?: unknown } | undefined)?.type === "string"),
    apply: (spec) => {
      for (const [path, method] of POST_UPDATES) {
        const properties = requestProperties(spec, path, method);
        if (!properties) throw new Error(`spec changed: no request body for ${method} ${path}`);
        properties["props"] = { type: "object" };
      }
    },
  },
  {
    reason:
      'Team.policy_id is described as "null" when unset; the Go field is a *string without omitempty, so the ' +
      "server sends null, which the schema's plain `string` type does not allow.",
    isNeeded: (published) => ((published.components.schemas["Team"] as { properties: Record<string, Schema> }).properties["policy_id"] as { type?: unknown }).type === "string",
    apply: (spec) => {
      (spec.components.schemas["Team"] as { properties: Record<string, Schema> }).properties["policy_id"] = { type: ["string", "null"] };
    },
  },
  {
    reason:
      "CommandResponse and MessageAttachment are PascalCase in the bundle, which makes any object pass; the wire " +
      "uses the Go struct tags (server/public/model/command_response.go), so check those.",
    isNeeded: (published) => Object.keys((published.components.schemas["CommandResponse"] as { properties: object }).properties).includes("ResponseType"),
    apply: (spec) => {
      spec.components.schemas["CommandResponse"] = {
        type: "object",
        required: ["response_type", "text", "username", "channel_id", "icon_url", "type", "props", "goto_location", "trigger_id", "skip_slack_parsing", "attachments", "extra_responses"],
        properties: {
          response_type: { type: "string" },
          text: { type: "string" },
          username: { type: "string" },
          channel_id: { type: "string" },
          icon_url: { type: "string" },
          type: { type: "string" },
          props: { type: ["object", "null"] },
          goto_location: { type: "string" },
          trigger_id: { type: "string" },
          skip_slack_parsing: { type: "boolean" },
          attachments: { type: ["array", "null"], items: { type: "object", properties: { fallback: { type: "string" }, text: { type: "string" }, actions: { type: "array" } } } },
          extra_responses: { type: ["array", "null"] },
        },
      };
    },
  },
  {
    reason:
      "SaveReaction documents 201, but saveReaction (server/channels/api4/reaction.go) encodes the reaction " +
      "without WriteHeader, so the server answers 200.",
    isNeeded: (published) => published.paths["/api/v4/reactions"]?.["post"]?.responses?.["200"] === undefined,
    apply: (spec) => {
      const responses = spec.paths["/api/v4/reactions"]?.["post"]?.responses;
      if (!responses?.["201"]) throw new Error("spec changed: no 201 answer for POST /api/v4/reactions");
      responses["200"] = responses["201"];
      delete responses["201"];
    },
  },
];

/** The bundle as published, before any conversion or correction. */
export const publishedSpec = parse(readFileSync(SPEC_FILE, "utf8")) as OpenApiDocument;
/** The bundle the validator uses: `nullable` converted (a copy, so publishedSpec stays as published), then corrected. */
export const spec = convertNullable(publishedSpec) as OpenApiDocument;
for (const correction of SPEC_CORRECTIONS) correction.apply(spec);

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: "mm", components: spec.components });
const compiled = new Map<object, ValidateFunction>();

/** A compiled validator for a schema of the bundle (cached per schema object). */
export function validatorFor(schema: Schema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(rewriteRefs(schema) as Schema);
    compiled.set(schema, validate);
  }
  return validate;
}

const templates = Object.keys(spec.paths)
  .map((template) => ({ template, pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`), params: (template.match(/\{/g) ?? []).length }))
  .sort((a, b) => a.params - b.params);

/** The spec's operation for a recorded request, if the bundle has one. */
export function operationFor(request: Pick<RecordedRequest, "method" | "path">): { template: string; operation: Operation } | undefined {
  for (const { template, pattern } of templates) {
    if (!pattern.test(request.path)) continue;
    const operation = spec.paths[template]?.[request.method.toLowerCase()];
    if (operation) return { template, operation };
  }
  return undefined;
}

function responseSchema(operation: Operation, status: number): Schema | undefined {
  const response = operation.responses?.[String(status)];
  if (!response) return undefined;
  const resolved = response.$ref ? spec.components.responses[response.$ref.split("/").at(-1) ?? ""] : response;
  return resolved?.content?.["application/json"]?.schema;
}

/** Every disagreement between a recorded exchange and the spec, as readable lines. */
export function problemsOf(request: RecordedRequest): string[] {
  const where = `${request.method} ${request.path} -> ${request.response.status}`;
  const found = operationFor(request);
  if (!found) return [`${where}: no such operation in the spec`];
  const problems: string[] = [];
  const requestSchema = found.operation.requestBody?.content?.["application/json"]?.schema;
  const contentType = request.headers["content-type"] ?? "";
  const formSchema = found.operation.requestBody?.content?.["multipart/form-data"]?.schema;
  if (formSchema && contentType.startsWith("multipart/form-data")) {
    problems.push(...formProblems(formSchema, contentType, request.bodyBytes).map((problem) => `${where} (${found.operation.operationId}) request: ${problem}`));
  } else if (requestSchema && request.rawBody !== "") {
    const validate = validatorFor(requestSchema);
    if (!validate(request.body)) problems.push(`${where} (${found.operation.operationId}) request: ${ajv.errorsText(validate.errors)}`);
  }
  const status = request.response.status;
  const schema = responseSchema(found.operation, status);
  if (!schema) {
    problems.push(`${where} (${found.operation.operationId}): status ${status} is not documented`);
  } else {
    const validate = validatorFor(schema);
    if (!validate(request.response.body)) problems.push(`${where} (${found.operation.operationId}) response: ${ajv.errorsText(validate.errors)}`);
  }
  return problems;
}

/** One part of a multipart/form-data body: its field name and, for a file, its file name. */
export interface FormDataPart {
  name: string;
  filename?: string;
  contentType?: string;
  body: Buffer;
}

/** Splits a multipart/form-data body into its parts (RFC 7578), in order. */
export function formDataParts(contentType: string, body: Buffer): FormDataPart[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw new Error(`no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormDataPart[] = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    // Each part: CRLF, headers, CRLF CRLF, content, CRLF before the next delimiter.
    const chunk = body.subarray(start + delimiter.length + 2, next - 2);
    const split = chunk.indexOf("\r\n\r\n");
    const headers = chunk.subarray(0, split).toString("utf8");
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? "";
    const filename = /filename="([^"]*)"/i.exec(disposition)?.[1];
    const partType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
    parts.push({
      name: /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? "",
      ...(filename !== undefined ? { filename } : {}),
      ...(partType !== undefined ? { contentType: partType.trim() } : {}),
      body: chunk.subarray(split + 4),
    });
    start = next;
  }
  return parts;
}

/** What in a multipart body the operation's form schema does not document: unknown fields, files where text belongs and back. */
function formProblems(schema: Schema, contentType: string, body: Buffer): string[] {
  const properties = (schema["properties"] ?? {}) as Record<string, { type?: string; format?: string }>;
  if (!/boundary=/i.test(contentType)) return [`no multipart boundary in "${contentType}"`];
  return formDataParts(contentType, body).flatMap((part) => {
    const property = properties[part.name];
    if (!property) return [`form field "${part.name}" is not documented`];
    const isFile = property.format === "binary";
    if (isFile && part.filename === undefined) return [`form field "${part.name}" must be a file`];
    if (!isFile && part.filename !== undefined) return [`form field "${part.name}" must be text, not a file`];
    return [];
  });
}
