/**
 * Staff directory: who may talk to the bot, with which role, and which tracker account they are.
 * Loaded from the users file (USERS_FILE) or, in the sandbox, from the built-in accounts.
 */
import { z } from "zod";
import { UnknownUserError } from "./errors.js";

export const ROLES = ["management", "staff"] as const;
export type Role = (typeof ROLES)[number];

export type Platform = "sandbox" | "mattermost" | "matrix";

const mantisAccount = z.string().min(1);
/** `null`: the person does not use this platform (said explicitly, so no name is guessed for them). */
const mattermostAccount = z.string().min(1).nullable();
const matrixAccount = z.string().regex(/^@[^:]+:.+$/, "a Matrix user id looks like @alice:example.org").nullable();

/**
 * A person's account on each system, each one given explicitly: nothing defaults to the handle, so
 * someone who uses only Matrix is never messaged as whoever owns that name on Mattermost.
 */
export const staffAccountsSchema = z.object({
  /** MantisBT user name. */
  mantis: mantisAccount,
  /** Mattermost user name (without @), or null. */
  mattermost: mattermostAccount.optional(),
  /** Full Matrix user id, e.g. `@alice:example.org`, or null. */
  matrix: matrixAccount.optional(),
});
export type StaffAccounts = z.infer<typeof staffAccountsSchema>;

/** The chat platforms a staff member has accounts on (the tracker account is always there). */
export const CHAT_ACCOUNT_PLATFORMS = ["mattermost", "matrix"] as const;
export type ChatAccountPlatform = (typeof CHAT_ACCOUNT_PLATFORMS)[number];

export const staffMemberSchema = z
  .object({
    /** Short handle used in commands (`@alice`) and as the key everywhere in the store. */
    name: z.string().regex(/^[a-z0-9._-]+$/i, "use letters, digits, '.', '_' or '-'"),
    role: z.enum(ROLES),
    accounts: staffAccountsSchema.partial().optional(),
    /** Before `accounts`, the accounts were fields of their own; still read, `accounts` wins. */
    mantis: mantisAccount.optional(),
    mattermost: mattermostAccount.optional(),
    matrix: matrixAccount.optional(),
    /** Display name used in notes and messages. */
    displayName: z.string().min(1).optional(),
    /** IANA time zone for reminders and the working calendar (`settings tz=` overrides it). */
    timeZone: z.string().min(1).optional(),
    /** The same, as older users files spell it; still read, `timeZone` wins. */
    timezone: z.string().min(1).optional(),
  })
  .transform((input, ctx) => {
    const { accounts, mantis, mattermost, matrix, timezone, ...rest } = input;
    const merged = {
      ...(mantis !== undefined ? { mantis } : {}),
      ...(mattermost !== undefined ? { mattermost } : {}),
      ...(matrix !== undefined ? { matrix } : {}),
      ...accounts,
    };
    if (merged.mantis === undefined) {
      ctx.addIssue({ code: "custom", path: ["accounts", "mantis"], message: `give ${input.name}'s MantisBT user name (accounts.mantis)` });
      return z.NEVER;
    }
    const timeZone = rest.timeZone ?? timezone;
    return { ...rest, ...(timeZone !== undefined ? { timeZone } : {}), accounts: { ...merged, mantis: merged.mantis } };
  });
export type StaffMemberInput = z.input<typeof staffMemberSchema>;

export interface StaffMember {
  name: string;
  role: Role;
  accounts: StaffAccounts;
  displayName: string;
  /** IANA time zone from the users file; unset: TIMEZONE (each person's `settings tz=` wins over both). */
  timeZone?: string;
}

export const usersFileSchema = z.object({ users: z.array(staffMemberSchema).min(1) });

/** Looks up staff by their id on each platform, or by the handle used in `@mentions`. */
export class StaffDirectory {
  private readonly members: StaffMember[];

  /** Takes users-file entries, already checked or not (built-in and test accounts). */
  constructor(entries: readonly StaffMemberInput[]) {
    this.members = entries.map((entry) => staffMemberSchema.parse(entry)).map((input) => ({
      name: input.name,
      role: input.role,
      accounts: input.accounts,
      displayName: input.displayName ?? input.name,
      ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
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
        m.accounts.mattermost?.toLowerCase() === wanted ||
        m.accounts.mantis.toLowerCase() === wanted ||
        m.accounts.matrix?.toLowerCase() === handle.toLowerCase(),
    );
  }

  /** The staff member behind a chat user, by platform. */
  findByPlatformUser(platform: Platform, platformUser: string): StaffMember | undefined {
    const wanted = platformUser.toLowerCase();
    switch (platform) {
      case "sandbox":
        return this.members.find((m) => m.name.toLowerCase() === wanted);
      case "mattermost":
        return this.members.find((m) => m.accounts.mattermost?.toLowerCase() === wanted.replace(/^@/, ""));
      case "matrix":
        return this.members.find((m) => m.accounts.matrix?.toLowerCase() === wanted);
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
    return this.members.find((m) => m.accounts.mantis.toLowerCase() === wanted);
  }

  /**
   * One line per staff member who has not said whether they use a configured chat platform: an
   * account name, or null for "not on this platform". Guessing the handle would message a stranger.
   */
  undeclaredAccounts(platforms: readonly ChatAccountPlatform[]): string[] {
    return platforms.flatMap((platform) =>
      this.members
        .filter((member) => member.accounts[platform] === undefined)
        .map(
          (member) =>
            `USERS_FILE: ${member.name} has no ${platform} account: add "accounts": { "${platform}": ${platform === "matrix" ? '"@name:server"' : '"user name"'} } ` +
            `for their ${platform === "matrix" ? "Matrix user id" : "Mattermost user name"}, or null if they do not use ${platform === "matrix" ? "Matrix" : "Mattermost"}`,
        ),
    );
  }

  withRole(role: Role): StaffMember[] {
    return this.members.filter((m) => m.role === role);
  }
}
