/**
 * Staff directory: who may talk to the bot, with which role, and which tracker account they are.
 * Loaded from the users file (USERS_FILE) or, in the sandbox, from the built-in accounts.
 */
import { z } from "zod";
import { UnknownUserError } from "./errors.js";

export const ROLES = ["management", "staff"] as const;
export type Role = (typeof ROLES)[number];

export type Platform = "sandbox" | "mattermost" | "matrix";

export const staffMemberSchema = z.object({
  /** Short handle used in commands (`@alice`) and as the key everywhere in the store. */
  name: z.string().regex(/^[a-z0-9._-]+$/i, "use letters, digits, '.', '_' or '-'"),
  role: z.enum(ROLES),
  /** MantisBT user name; defaults to `name`. */
  mantis: z.string().min(1).optional(),
  /** Mattermost user name (without @); defaults to `name`. */
  mattermost: z.string().min(1).optional(),
  /** Full Matrix user id, e.g. `@alice:example.org`. */
  matrix: z.string().regex(/^@[^:]+:.+$/, "a Matrix user id looks like @alice:example.org").optional(),
  /** Display name used in notes and messages. */
  displayName: z.string().min(1).optional(),
  /** IANA time zone for reminders and the working calendar. */
  timezone: z.string().min(1).optional(),
});
export type StaffMemberInput = z.infer<typeof staffMemberSchema>;

export interface StaffMember {
  name: string;
  role: Role;
  mantisUser: string;
  mattermostUser: string;
  matrixUser?: string;
  displayName: string;
  timezone?: string;
}

export const usersFileSchema = z.object({ users: z.array(staffMemberSchema).min(1) });

/** Looks up staff by their id on each platform, or by the handle used in `@mentions`. */
export class StaffDirectory {
  private readonly members: StaffMember[];

  constructor(inputs: StaffMemberInput[]) {
    this.members = inputs.map((input) => ({
      name: input.name,
      role: input.role,
      mantisUser: input.mantis ?? input.name,
      mattermostUser: input.mattermost ?? input.name,
      matrixUser: input.matrix,
      displayName: input.displayName ?? input.name,
      timezone: input.timezone,
    }));
    const seen = new Set<string>();
    for (const member of this.members) {
      const key = member.name.toLowerCase();
      if (seen.has(key)) throw new Error(`duplicate staff member name "${member.name}"`);
      seen.add(key);
    }
  }

  all(): readonly StaffMember[] {
    return this.members;
  }

  /** By handle, Mattermost name, Matrix id or MantisBT name; `@` optional. */
  find(handle: string): StaffMember | undefined {
    const wanted = handle.replace(/^@(?=[^:]+$)/, "").toLowerCase();
    return this.members.find(
      (m) =>
        m.name.toLowerCase() === wanted ||
        m.mattermostUser.toLowerCase() === wanted ||
        m.mantisUser.toLowerCase() === wanted ||
        m.matrixUser?.toLowerCase() === handle.toLowerCase(),
    );
  }

  /** The staff member behind a chat user, by platform. */
  findByPlatformUser(platform: Platform, platformUser: string): StaffMember | undefined {
    const wanted = platformUser.toLowerCase();
    switch (platform) {
      case "sandbox":
        return this.members.find((m) => m.name.toLowerCase() === wanted);
      case "mattermost":
        return this.members.find((m) => m.mattermostUser.toLowerCase() === wanted.replace(/^@/, ""));
      case "matrix":
        return this.members.find((m) => m.matrixUser?.toLowerCase() === wanted);
    }
  }

  /** Like findByPlatformUser, but explains how to get linked when the user is unknown. */
  requireByPlatformUser(platform: Platform, platformUser: string): StaffMember {
    const member = this.findByPlatformUser(platform, platformUser);
    if (!member) {
      throw new UnknownUserError(
        `You are not linked to a staff account yet, so I cannot act for you. ` +
          `Ask an administrator to add you to the users file (USERS_FILE) with your ${platform} name ` +
          `"${platformUser}", your role (management or staff) and your MantisBT user name.`,
      );
    }
    return member;
  }

  byTrackerUser(mantisUser: string): StaffMember | undefined {
    const wanted = mantisUser.toLowerCase();
    return this.members.find((m) => m.mantisUser.toLowerCase() === wanted);
  }

  withRole(role: Role): StaffMember[] {
    return this.members.filter((m) => m.role === role);
  }
}
