/**
 * Checks JSON against the Matrix spec copy in `../shared/specs/matrix/data` (OpenAPI 3.1 = JSON Schema
 * 2020-12): response bodies against the schema of their endpoint and status, and events against
 * `event-schemas/schema/*.yaml`. Every YAML file is registered under its file URL, so the relative `$ref`s
 * between files resolve as they do upstream. For tests only (ajv and yaml are dev dependencies).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

/** Where the spec copy lives relative to this repository (`/work/main` -> `/work/shared/specs/matrix/data`). */
export const DEFAULT_MATRIX_SPEC_DIR = fileURLToPath(new URL("../../../../shared/specs/matrix/data", import.meta.url));
/** Files of the same spec version the shared copy lacks (the media repository, `m.image`): test/specs/matrix/README.md. */
export const MATRIX_SPEC_ADDITIONS_DIR = fileURLToPath(new URL("../../../test/specs/matrix/data", import.meta.url));

// ajv-formats is CommonJS; its default export arrives wrapped depending on the loader.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

/** The `format`s the Matrix spec defines (appendices: identifier grammars), checked loosely. */
const MATRIX_FORMATS: Record<string, RegExp> = {
  "mx-user-id": /^@[^:]+:[A-Za-z0-9.\-[\]:]+$/,
  // Room version 12 room ids have no server part.
  "mx-room-id": /^![^:]+(:[A-Za-z0-9.\-[\]:]+)?$/,
  "mx-event-id": /^\$.+$/,
  "mx-room-alias": /^#[^:]+:[A-Za-z0-9.\-[\]:]+$/,
  "mx-server-name": /^[A-Za-z0-9.\-[\]:]+$/,
  "mx-mxc-uri": /^mxc:\/\/[^/]+\/[A-Za-z0-9_-]+$/,
  "mx-unpadded-base64": /^[A-Za-z0-9+/]*$/,
};

/** Validation against the spec copy; every method returns error lines, empty when the JSON conforms. */
export interface MatrixSpecValidator {
  /** Every operation of the copied OpenAPI files, as `"METHOD file path"` (e.g. `"GET sync.yaml /sync"`). */
  operations(): string[];
  /** Whether the OpenAPI file documents this status for the operation. */
  documents(file: string, path: string, method: string, status: number): boolean;
  /**
   * Errors of a response body against the schema the spec gives for this status; undocumented error
   * statuses fall back to the standard error schema (`definitions/errors/error.yaml`, or `rate_limited.yaml` for 429).
   */
  responseErrors(file: string, path: string, method: string, status: number, body: unknown): string[];
  /** Errors of JSON against a schema file, e.g. `event-schemas/schema/m.room.member.yaml`. */
  schemaErrors(relativeFile: string, value: unknown): string[];
  /** The event schema file for an event (by type and msgtype), or undefined when the spec copy has none. */
  eventSchemaFor(event: { type: string; content?: Record<string, unknown> }): string | undefined;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const pointerEscape = (segment: string): string => segment.replace(/~/g, "~0").replace(/\//g, "~1");

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword} (${e.schemaPath})`);
}

/**
 * Loads every YAML file of the spec copy into one Ajv instance, with the files of `additions` laid
 * over it: each is registered as if it were at the same relative path in `specDir`, so its
 * relative `$ref`s resolve into the copy (a file the copy has itself is not replaced).
 */
export function createMatrixSpecValidator(specDir = DEFAULT_MATRIX_SPEC_DIR, additions: string | undefined = MATRIX_SPEC_ADDITIONS_DIR): MatrixSpecValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const [name, pattern] of Object.entries(MATRIX_FORMATS)) ajv.addFormat(name, pattern);

  const documents = new Map<string, Record<string, unknown>>();
  const load = (dir: string): void => {
    for (const file of walk(dir)) {
      if (!file.endsWith(".yaml") || file.includes(`${join("event-schemas", "examples")}`)) continue;
      const relative = file.slice(dir.length + 1).split("\\").join("/");
      if (documents.has(relative)) continue;
      const doc = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      documents.set(relative, doc);
      // OpenAPI documents and the security schemes are not JSON Schemas themselves; only parts of them are.
      const isSchema = !("openapi" in doc) && !relative.endsWith("security.yaml");
      // An explicit $id keeps each file's base URI when Ajv inlines it into another, so nested relative $refs resolve.
      ajv.addSchema({ ...doc, $id: pathToFileURL(join(specDir, relative)).href }, undefined, undefined, isSchema);
    }
  };
  load(specDir);
  if (additions !== undefined) load(additions);

  const compiled = new Map<string, ValidateFunction>();
  const compile = (ref: string): ValidateFunction => {
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      compiled.set(ref, validate);
    }
    return validate;
  };
  const fileUrl = (relative: string): string => pathToFileURL(join(specDir, relative)).href;

  const operation = (file: string, path: string, method: string): Record<string, unknown> => {
    const doc = documents.get(`api/client-server/${file}`);
    const paths = doc?.["paths"] as Record<string, Record<string, Record<string, unknown>>> | undefined;
    const op = paths?.[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`the spec has no ${method} ${path} in ${file}`);
    return op;
  };

  const schemaErrors = (relativeFile: string, value: unknown): string[] => {
    const validate = compile(fileUrl(relativeFile));
    return validate(value) ? [] : describeErrors(validate.errors);
  };

  return {
    operations() {
      const out: string[] = [];
      for (const [relative, doc] of documents) {
        if (!relative.startsWith("api/client-server/") || !("openapi" in doc)) continue;
        const file = relative.slice("api/client-server/".length);
        for (const [path, methods] of Object.entries((doc["paths"] ?? {}) as Record<string, Record<string, unknown>>)) {
          for (const method of Object.keys(methods)) out.push(`${method.toUpperCase()} ${file} ${path}`);
        }
      }
      return out.sort();
    },
    documents(file, path, method, status) {
      const responses = operation(file, path, method)["responses"] as Record<string, unknown> | undefined;
      return responses?.[String(status)] !== undefined;
    },
    responseErrors(file, path, method, status, body) {
      const responses = (operation(file, path, method)["responses"] ?? {}) as Record<string, { content?: Record<string, { schema?: unknown }> }>;
      const documented = responses[String(status)]?.content?.["application/json"]?.schema;
      if (documented !== undefined) {
        const ref = `${fileUrl(`api/client-server/${file}`)}#/paths/${pointerEscape(path)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
        const validate = compile(ref);
        return validate(body) ? [] : describeErrors(validate.errors);
      }
      if (status === 429) return schemaErrors("api/client-server/definitions/errors/rate_limited.yaml", body);
      if (status >= 400) return schemaErrors("api/client-server/definitions/errors/error.yaml", body);
      return [`the spec gives no schema for ${status} of ${method} ${path}`];
    },
    schemaErrors,
    eventSchemaFor(event) {
      const msgtype = event.content?.["msgtype"];
      const candidates =
        event.type === "m.room.message" && typeof msgtype === "string" ? [`${event.type}$${msgtype}`, event.type] : [event.type];
      const found = candidates.find((name) => documents.has(`event-schemas/schema/${name}.yaml`));
      return found === undefined ? undefined : `event-schemas/schema/${found}.yaml`;
    },
  };
}
