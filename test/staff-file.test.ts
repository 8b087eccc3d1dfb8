import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../src/errors.js";
import { loadStaffFile } from "../src/staff-file.js";

function writeUsers(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "support-bot-users-")), "users.json");
  writeFileSync(file, content);
  return file;
}

function problemsOf(path: string): string[] {
  try {
    loadStaffFile(path);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadStaffFile", () => {
  it("loads the example file and links platform users to staff", () => {
    const staff = loadStaffFile(join(import.meta.dirname, "..", "users.example.json"));
    expect(staff.findByPlatformUser("mattermost", "bob.dev")).toMatchObject({ name: "bob", mantisUser: "bob", role: "staff" });
    expect(staff.findByPlatformUser("matrix", "@maria:example.org")).toMatchObject({ name: "maria", mantisUser: "mmuster", role: "management" });
    expect(staff.find("@alice")).toMatchObject({ mattermostUser: "alice", mantisUser: "alice" });
    expect(staff.findByPlatformUser("mattermost", "mallory")).toBeUndefined();
  });

  it("explains how to get linked when a chat user is unknown", () => {
    const staff = loadStaffFile(join(import.meta.dirname, "..", "users.example.json"));
    expect(() => staff.requireByPlatformUser("mattermost", "mallory")).toThrow(/not linked.*USERS_FILE.*"mallory"/);
  });

  it("names the file and the entry that is wrong", () => {
    const file = writeUsers(JSON.stringify({ users: [{ name: "x", role: "boss" }] }));
    expect(problemsOf(file)).toEqual([expect.stringMatching(/^USERS_FILE: .*users\.json: users\.0\.role: /)]);
  });

  it("refuses a missing file, bad JSON and duplicate names", () => {
    expect(problemsOf("/nonexistent/users.json")).toEqual([expect.stringMatching(/file not found/)]);
    expect(problemsOf(writeUsers("{ nope"))).toEqual([expect.stringMatching(/not valid JSON/)]);
    const duplicate = writeUsers(JSON.stringify({ users: [{ name: "a", role: "staff" }, { name: "A", role: "staff" }] }));
    expect(problemsOf(duplicate)).toEqual([expect.stringMatching(/duplicate staff member name/)]);
  });
});
