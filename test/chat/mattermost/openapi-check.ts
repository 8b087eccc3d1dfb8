/**
 * Checks recorded REST exchanges against Mattermost's official OpenAPI bundle
 * (shared/specs/mattermost/mattermost-openapi-v4.yaml): the request body against the operation's
 * schema, the answer against the schema of its status. Adapted from the simulator's own test
 * (test/simulators/mattermost-openapi.test.ts), with the same corrections where the bundle
 * disagrees with the server's Go structs.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import type { RecordedRequest } from "../../../src/simulators/mattermost/server.js";

const SPEC_FILE = fileURLToPath(new URL("../../../../shared/specs/mattermost/mattermost-openapi-v4.yaml", import.meta.url));

type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
}
interface Operation {
  operationId?: string;
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { $ref?: string; content?: Record<string, MediaType> }>;
}
interface OpenApiDocument {
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

const spec = convertNullable(parse(readFileSync(SPEC_FILE, "utf8"))) as OpenApiDocument;
// Correction: Team.policy_id is a *string without omitempty in Go, so the server sends null.
(spec.components.schemas["Team"] as { properties: Record<string, Schema> }).properties["policy_id"] = { type: ["string", "null"] };

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: "mm", components: spec.components });
const compiled = new Map<object, ValidateFunction>();
function validatorFor(schema: Schema): ValidateFunction {
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
  if (requestSchema && request.rawBody !== "") {
    const validate = validatorFor(requestSchema);
    if (!validate(request.body)) problems.push(`${where} (${found.operation.operationId}) request: ${ajv.errorsText(validate.errors)}`);
  }
  const schema = responseSchema(found.operation, request.response.status);
  if (!schema) {
    problems.push(`${where} (${found.operation.operationId}): status ${request.response.status} is not documented`);
  } else {
    const validate = validatorFor(schema);
    if (!validate(request.response.body)) problems.push(`${where} (${found.operation.operationId}) response: ${ajv.errorsText(validate.errors)}`);
  }
  return problems;
}
