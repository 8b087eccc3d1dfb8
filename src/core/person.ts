/**
 * People as the process names them to a tracker. The process speaks of staff members by their
 * handle; which account a person has in a tracker is the tracker adapter's business (it reads the
 * staff directory), so nothing here knows any tracker's account names.
 */

/** A staff member as the process hands them to a tracker: their handle and how notes name them. */
export interface Person {
  /** The staff handle (`alice`), the key the bot knows the person by everywhere. */
  name: string;
  /** How a note names the person when the tracker cannot act as them. */
  displayName: string;
}

/** Someone a ticket names (its handler, its reporter, a note's author), as the tracker reads them. */
export interface PersonRef {
  /** The tracker's name for the account, shown when no staff member is linked to it. */
  name: string;
  /** The staff handle, when the account belongs to a known staff member. */
  handle?: string;
  /** Set when the account is the one the bot itself uses in the tracker. */
  bot?: true;
}

/** Whether the account belongs to the team (a staff member or the bot), not to a reporter or customer. */
export function isTeam(person: PersonRef): boolean {
  return person.handle !== undefined || person.bot === true;
}

/** `@alice` for a staff member, else `@<the tracker's name>`. */
export function mentionOf(person: PersonRef): string {
  return `@${person.handle ?? person.name}`;
}
