/** Loads the staff directory from USERS_FILE, or gives the sandbox's built-in accounts. */
import { readFileSync } from "node:fs";
import { ConfigError } from "./errors.js";
import { StaffDirectory, usersFileSchema, type StaffMemberInput } from "./identity.js";

/** The sandbox's accounts; they match the users of the MantisBT simulator's seed data. */
export const SANDBOX_STAFF: readonly StaffMemberInput[] = [
  { name: "manager", role: "management", displayName: "Maria Manager", accounts: { mantis: "manager" } },
  { name: "alice", role: "staff", displayName: "Alice Developer", accounts: { mantis: "alice" } },
  { name: "bob", role: "staff", displayName: "Bob Developer", accounts: { mantis: "bob" } },
  { name: "carol", role: "staff", displayName: "Carol Developer", accounts: { mantis: "carol" } },
];

/** Reads and validates the users file; every problem becomes a ConfigError line naming USERS_FILE. */
export function loadStaffFile(path: string): StaffDirectory {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : `not valid JSON (${(error as Error).message})`;
    throw new ConfigError([`USERS_FILE: ${path}: ${reason}`]);
  }
  const parsed = usersFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `USERS_FILE: ${path}: ${issue.path.join(".") || "(top level)"}: ${issue.message}`));
  }
  try {
    return new StaffDirectory(parsed.data.users);
  } catch (error) {
    throw new ConfigError([`USERS_FILE: ${path}: ${(error as Error).message}`]);
  }
}
