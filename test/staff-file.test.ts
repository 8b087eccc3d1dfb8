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
    expect(staff.findByPlatformUser("mattermost", "bob.dev")).toMatchObject({ name: "bob", accounts: { mantis: "bob" }, role: "staff" });
    expect(staff.findByPlatformUser("matrix", "@maria:example.org")).toMatchObject({ name: "maria", accounts: { mantis: "mmuster" }, role: "management" });
    expect(staff.find("@alice")).toMatchObject({ accounts: { mantis: "alice", mattermost: null } });
    expect(staff.findByPlatformUser("mattermost", "mallory")).toBeUndefined();
    expect(staff.undeclaredAccounts(["mattermost", "matrix"])).toEqual([]);
  });

  it("links nobody on a platform by their handle: alice uses only Matrix, so the Mattermost user alice is not her", () => {
    const staff = loadStaffFile(join(import.meta.dirname, "..", "users.example.json"));
    expect(staff.findByPlatformUser("mattermost", "alice")).toBeUndefined();
    expect(staff.findByPlatformUser("matrix", "@alice:example.org")).toMatchObject({ name: "alice" });
  });

  it("still reads the older top-level account fields", () => {
    const file = writeUsers(JSON.stringify({ users: [{ name: "maria", role: "management", mantis: "mmuster", mattermost: "maria" }] }));
    expect(loadStaffFile(file).find("maria")).toMatchObject({ accounts: { mantis: "mmuster", mattermost: "maria" } });
  });

  it("reads each person's time zone as timeZone, and as timezone in older files", () => {
    expect(loadStaffFile(join(import.meta.dirname, "..", "users.example.json")).find("maria")?.timeZone).toBe("Europe/Zurich");
    const file = writeUsers(JSON.stringify({ users: [
      { name: "ann", role: "staff", timezone: "Asia/Tokyo", accounts: { mantis: "ann" } },
      { name: "ben", role: "staff", timeZone: "America/New_York", timezone: "Asia/Tokyo", accounts: { mantis: "ben" } },
      { name: "cat", role: "staff", accounts: { mantis: "cat" } },
    ] }));
    const staff = loadStaffFile(file);
    expect(staff.find("ann")?.timeZone).toBe("Asia/Tokyo");
    expect(staff.find("ben")?.timeZone).toBe("America/New_York");
    expect(staff.find("cat")).not.toHaveProperty("timeZone");
  });

  it("needs everyone's MantisBT account, and for each configured chat platform an account or null", () => {
    expect(problemsOf(writeUsers(JSON.stringify({ users: [{ name: "x", role: "staff" }] })))).toEqual([
      expect.stringMatching(/users\.0\.accounts\.mantis: give x's MantisBT user name/),
    ]);
    const staff = loadStaffFile(writeUsers(JSON.stringify({ users: [{ name: "ann", role: "staff", accounts: { mantis: "ann", matrix: "@ann:example.org" } }] })));
    expect(staff.undeclaredAccounts(["matrix"])).toEqual([]);
    expect(staff.undeclaredAccounts(["mattermost", "matrix"])).toEqual([
      'USERS_FILE: ann has no mattermost account: add "accounts": { "mattermost": "user name" } for their Mattermost user name, or null if they do not use Mattermost',
    ]);
  });

  it("explains how to get linked when a chat user is unknown", () => {
    const staff = loadStaffFile(join(import.meta.dirname, "..", "users.example.json"));
    expect(() => staff.requireByPlatformUser("mattermost", "mallory")).toThrow(/not linked.*USERS_FILE.*"mallory"/);
  });

  it("names the file and the entry that is wrong", () => {
    const file = writeUsers(JSON.stringify({ users: [{ name: "x", role: "boss", accounts: { mantis: "x" } }] }));
    expect(problemsOf(file)).toEqual([expect.stringMatching(/^USERS_FILE: .*users\.json: users\.0\.role: /)]);
  });

  it("refuses a missing file, bad JSON and duplicate names", () => {
    expect(problemsOf("/nonexistent/users.json")).toEqual([expect.stringMatching(/file not found/)]);
    expect(problemsOf(writeUsers("{ nope"))).toEqual([expect.stringMatching(/not valid JSON/)]);
    const duplicate = writeUsers(JSON.stringify({ users: [{ name: "a", role: "staff", mantis: "a" }, { name: "A", role: "staff", mantis: "b" }] }));
    expect(problemsOf(duplicate)).toEqual([expect.stringMatching(/duplicate staff member name/)]);
  });
});
