/**
 * Compares the shape of two JSON values, not their content: the JSON type at every path, keys present
 * on one side only, and array lengths. Values differ between a recording and a simulator (dates, ids,
 * texts); the types, the envelopes and the fields left out must not. Used to hold the simulators to
 * recordings of real servers (MantisBT, Synapse) and to compare them with a live server.
 */

/** The JSON type of a value, as it appears in a difference. */
export type JsonType = "null" | "boolean" | "number" | "string" | "array" | "object" | "undefined";

/** How the two sides are named in the differences. */
export interface ShapeLabels {
  /** Default `expected`. */
  expected?: string;
  /** Default `actual`. */
  actual?: string;
}

/** The JSON type of a parsed JSON value (`undefined` for a body that is not there at all). */
export function jsonType(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const type = typeof value;
  if (type === "boolean" || type === "number" || type === "string" || type === "object" || type === "undefined") return type;
  // bigint, function, symbol: never produced by JSON.parse.
  throw new TypeError(`not a JSON value: ${type}`);
}

// `$.issues[0].handler`, with bracket notation for keys that are not plain identifiers.
function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Every difference in shape between `expected` and `actual`, one human-readable line each, by path
 * (`$.issues[0].fixed_in_version.id: string in expected, number in actual`). Objects are compared key
 * by key; arrays element by element when their lengths match, else only their lengths are reported.
 * An empty list means the shapes are the same.
 */
export function compareJsonShapes(expected: unknown, actual: unknown, labels: ShapeLabels = {}): string[] {
  return differencesAt("$", expected, actual, { expected: labels.expected ?? "expected", actual: labels.actual ?? "actual" });
}

function differencesAt(path: string, expected: unknown, actual: unknown, labels: Required<ShapeLabels>): string[] {
  const expectedType = jsonType(expected);
  const actualType = jsonType(actual);
  if (expectedType !== actualType) return [`${path}: ${expectedType} in ${labels.expected}, ${actualType} in ${labels.actual}`];

  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      return [`${path}: array of ${expected.length} in ${labels.expected}, ${actual.length} in ${labels.actual}`];
    }
    return expected.flatMap((item, index) => differencesAt(`${path}[${index}]`, item, actual[index], labels));
  }

  if (expectedType === "object") {
    const expectedObject = expected as Record<string, unknown>;
    const actualObject = actual as Record<string, unknown>;
    const differences: string[] = [];
    for (const key of Object.keys(expectedObject)) {
      const keyPath = childPath(path, key);
      if (Object.hasOwn(actualObject, key)) differences.push(...differencesAt(keyPath, expectedObject[key], actualObject[key], labels));
      else differences.push(`${keyPath}: only in ${labels.expected}`);
    }
    for (const key of Object.keys(actualObject)) {
      if (!Object.hasOwn(expectedObject, key)) differences.push(`${childPath(path, key)}: only in ${labels.actual}`);
    }
    return differences;
  }
  return [];
}
