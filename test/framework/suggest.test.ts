import { describe, expect, it } from "vitest";
import { editDistance, formatSuggestions, suggestCommands } from "../../src/framework/suggest.js";

const candidates = [
  { word: "grab", command: "grab" },
  { word: "take", command: "grab" },
  { word: "show", command: "show" },
  { word: "view", command: "show" },
  { word: "assign", command: "assign" },
  { word: "estimate", command: "estimate" },
  { word: "help", command: "help" },
];

describe("editDistance", () => {
  it.each([
    ["grab", "grab", 0],
    ["grab", "garb", 1],
    ["grab", "gra", 1],
    ["grab", "grep", 2],
    ["", "help", 4],
    ["🐛", "🐜", 1],
  ])("%s -> %s is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe("suggestCommands", () => {
  it.each([
    ["garb", ["grab"]],
    ["GRAB", ["grab"]],
    ["tkae", ["grab"]],
    ["sho", ["show"]],
    ["ass", ["assign"]],
    ["estimat", ["estimate"]],
    ["esitmate", ["estimate"]],
    ["hlep", ["help"]],
    ["xyz", []],
    ["a", []],
  ])("suggests for %s: %j", (typed, expected) => {
    expect(suggestCommands(typed, candidates)).toEqual(expected);
  });

  it("names a command once even when several of its aliases are close", () => {
    expect(suggestCommands("viw", [{ word: "view", command: "show" }, { word: "vie", command: "show" }])).toEqual(["show"]);
  });

  it("puts prefix matches first and stops at the limit", () => {
    const many = ["stat", "status", "start", "stop", "stub"].map((word) => ({ word, command: word }));
    expect(suggestCommands("sta", many, 2)).toEqual(["start", "stat"]);
  });
});

describe("formatSuggestions", () => {
  it("writes nothing without suggestions and joins several with or", () => {
    expect(formatSuggestions([])).toBe("");
    expect(formatSuggestions(["grab", "show"])).toBe(" Did you mean `grab` or `show`?");
  });
});
