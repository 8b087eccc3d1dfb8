import { describe, expect, it } from "vitest";
import { compareJsonShapes } from "./json-shape.js";

describe("compareJsonShapes", () => {
  it("finds no difference between values of the same shape", () => {
    const recorded = { issues: [{ id: 1, summary: "a", tags: [{ id: "1" }], handler: null, sticky: false }] };
    const simulated = { issues: [{ id: 7, summary: "b", tags: [{ id: "4" }], handler: null, sticky: true }] };
    expect(compareJsonShapes(recorded, simulated)).toEqual([]);
  });

  it.each([
    ["a type that differs", { version: { id: "2" } }, { version: { id: 2 } }, ["$.version.id: string in expected, number in actual"]],
    ["keys on one side only", { handler: { id: 1 }, a: 1 }, { a: 1, monitors: [] }, ["$.handler: only in expected", "$.monitors: only in actual"]],
    ["arrays of different lengths", { notes: [1, 2] }, { notes: [1] }, ["$.notes: array of 2 in expected, 1 in actual"]],
    ["elements of equal-length arrays", [{ id: 1 }, { id: 2 }], [{ id: 1 }, { id: "2" }], ["$[1].id: number in expected, string in actual"]],
    ["an empty body against JSON", null, { message: "x" }, ["$: null in expected, object in actual"]],
    ["keys that are not identifiers", { "m.room": { "a b": 1 } }, { "m.room": { "a b": "1" } }, ['$["m.room"]["a b"]: number in expected, string in actual']],
  ])("reports %s by path", (_case, expected, actual, differences) => {
    expect(compareJsonShapes(expected, actual)).toEqual(differences);
  });

  it("names the two sides as asked", () => {
    expect(compareJsonShapes({ a: 1 }, {}, { expected: "real", actual: "simulator" })).toEqual(["$.a: only in real"]);
  });
});
