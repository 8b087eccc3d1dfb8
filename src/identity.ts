/**
 * Staff directory: who may talk to the bot, with which role, and which tracker account they are.
 * Loaded from the users file (USERS_FILE) or, in the sandbox, from the built-in accounts.
 */
import { z } from "zod";
import { UnknownUserError } from "./errors.js";

export const ROLES = ["management", "staff"] as const;
export type Role = (typeof ROLES)[number];

/** How a platform names the people on it, for the staff file and its error messages. */
export interface PlatformAccount {
  /** The platform's name in sentences, e.g. `Matrix`. */
  title: string;
  /** What the account is, e.g. `Matrix user id`. */
  what: string;
  /** An example value as written in the users file, e.g. `"@name:server"`. */
  example: string;
  /** Checks an account in the users file. */
  schema: z.ZodString;
  /** The account as the directory compares it (e.g. without Mattermost's leading `@`). */
  normalize(user: string): string;
}

/** One line of the platform list: the default trigger and, for chat platforms, the staff account there. */
export interface PlatformEntry {
  /** What people type before a command, unless a transport is configured otherwise. */
  trigger: string;
  /** Undefined: people are known by their handle (the sandbox's terminal). */
  account: PlatformAccount | undefined;
}

/**
 * The platforms the bot talks on, one line each. Adding a chat platform is a folder under
 * `src/chat/` (its transport) plus one line here; the `Platform` type, the triggers in help texts,
 * the accounts in the users file and the chat adapters' platforms all come from this list.
 */
export const PLATFORMS = {
  sandbox: { trigger: "/support", account: undefined },
  mattermost: {
    trigger: "/support",
    account: { title: "Mattermost", what: "Mattermost user name", example: '"user name"', schema: z.string().min(1), normalize: (user: string) => user.replace(/^@/, "") },
  },
  matrix: {
    trigger: "!support",
    account: {
      title: "Matrix",
      what: "Matrix user id",
      example: '"@name:server"',
      schema: z.string().regex(/^@[^:]+:.+$/, "a Matrix user id looks like @alice:example.org"),
      normalize: (user: string) => user,
    },
  },
} as const satisfies Record<string, PlatformEntry>;

/** A platform of the list: `sandbox`, `mattermost` or `matrix`. */
export type Platform = keyof typeof PLATFORMS;

/** The platforms on which staff members have accounts of their own (the chat platforms). */
export type ChatAccountPlatform = { [P in Platform]: (typeof PLATFORMS)[P]["account"] extends PlatformAccount ? P : never }[Platform];

/** The chat platforms, in the order of the list. */
export const CHAT_ACCOUNT_PLATFORMS = (Object.keys(PLATFORMS) as Platform[]).filter(
  (platform): platform is ChatAccountPlatform => PLATFORMS[platform].account !== undefined,
);

const mantisAccount = z.string().min(1);

/** `null`: the person does not use this platform (said explicitly, so no name is guessed for them). */
function chatAccount<P extends ChatAccountPlatform>(platform: P) {
  return (PLATFORMS[platform].account.schema as (typeof PLATFORMS)[P]["account"]["schema"]).nullable();
}

const chatAccountFields = Object.fromEntries(CHAT_ACCOUNT_PLATFORMS.map((platform) => [platform, chatAccount(platform).optional()])) as {
  [P in ChatAccountPlatform]: z.ZodOptional<ReturnType<typeof chatAccount<P>>>;
};

/**
 * A person's account on each system, each one given explicitly: nothing defaults to the handle, so
 * someone who uses only Matrix is never messaged as whoever owns that name on Mattermost. Besides
 * the MantisBT user name, one field per chat platform of PLATFORMS (Mattermost user name without
 * `@`, full Matrix user id such as `@alice:example.org`), or null.
 */
export const staffAccountsSchema = z.object({
  /** MantisBT user name. */
  mantis: mantisAccount,
  ...chatAccountFields,
});
export type StaffAccounts = z.infer<typeof staffAccountsSchema>;

export const staffMemberSchema = z
  .object({
    /** Short handle used in commands (`@alice`) and as the key everywhere in the store. */
    name: z.string().regex(/^[a-z0-9._-]+$/i, "use letters, digits, '.', '_' or '-'"),
    role: z.enum(ROLES),
    accounts: staffAccountsSchema.partial().optional(),
    /** Before `accounts`, the accounts were fields of their own; still read, `accounts` wins. */
    mantis: mantisAccount.optional(),
    mattermost: chatAccount("mattermost").optional(),
    matrix: chatAccount("matrix").optional(),
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

/** Who a staff member is on a platform (their handle in the sandbox); undefined when they do not use it. */
export function platformUserOf(member: StaffMember, platform: Platform): string | undefined {
  if (PLATFORMS[platform].account === undefined) return member.name;
  return member.accounts[platform as ChatAccountPlatform] ?? undefined;
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

  /** By handle, chat account (Mattermost name, Matrix id) or MantisBT name; `@` optional. */
  find(handle: string): StaffMember | undefined {
    const wanted = handle.replace(/^@(?=[^:]+$)/, "").toLowerCase();
    return this.members.find(
      (m) =>
        m.name.toLowerCase() === wanted ||
        m.accounts.mantis.toLowerCase() === wanted ||
        CHAT_ACCOUNT_PLATFORMS.some((platform) => m.accounts[platform]?.toLowerCase() === PLATFORMS[platform].account.normalize(handle).toLowerCase()),
    );
  }

  /** The staff member behind a chat user, by platform (the sandbox knows people by their handle). */
  findByPlatformUser(platform: Platform, platformUser: string): StaffMember | undefined {
    const account = PLATFORMS[platform].account;
    if (account === undefined) return this.members.find((m) => m.name.toLowerCase() === platformUser.toLowerCase());
    const wanted = account.normalize(platformUser).toLowerCase();
    return this.members.find((m) => m.accounts[platform as ChatAccountPlatform]?.toLowerCase() === wanted);
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
    return platforms.flatMap((platform) => {
      const { title, what, example } = PLATFORMS[platform].account;
      return this.members
        .filter((member) => member.accounts[platform] === undefined)
        .map(
          (member) =>
            `USERS_FILE: ${member.name} has no ${platform} account: add "accounts": { "${platform}": ${example} } for their ${what}, or null if they do not use ${title}`,
        );
    });
  }

  withRole(role: Role): StaffMember[] {
    return this.members.filter((m) => m.role === role);
  }
}
