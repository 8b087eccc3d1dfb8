import { describe, expect, it } from "vitest";
import { formatPartialChange } from "../../src/core/partial-change.js";

describe("formatPartialChange", () => {
  it("says why it stopped, what was done, what was not and what the same command again does", () => {
    expect(
      formatPartialChange({
        reason: "MantisBT failed (HTTP 503)",
        done: ["opened sub-bug #33 for @bob"],
        notDone: ["set #33 to FEEDBACK", "link #33 as a sub-bug of #31", "tell @bob"],
        retry: "it finishes this sub-bug and opens no second one",
      }),
    ).toBe(
      [
        "Stopped half-way: MantisBT failed (HTTP 503).",
        "Done:",
        "- opened sub-bug #33 for @bob",
        "Not done:",
        "- set #33 to FEEDBACK",
        "- link #33 as a sub-bug of #31",
        "- tell @bob",
        "Send the same command again to finish: it finishes this sub-bug and opens no second one.",
      ].join("\n"),
    );
  });

  it("does not add a second full stop", () => {
    expect(formatPartialChange({ reason: "Bug #31 changed meanwhile: reload and retry.", done: ["a"], notDone: ["b"], retry: "done." })).toMatch(
      /^Stopped half-way: Bug #31 changed meanwhile: reload and retry\.\n[\s\S]*finish: done\.$/,
    );
  });
});
