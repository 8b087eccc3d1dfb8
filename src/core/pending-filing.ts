/**
 * Filings the tracker could not take yet (issue 13, part 3): a customer's call or e-mail is never
 * lost because the tracker is down. The record waits in the store as pending and is filed when the
 * tracker answers again, exactly once.
 *
 * Decisions:
 * - Every customer filing carries a marker in its description, `(support filing 12)`, made from the
 *   store's id of the filing. After an attempt that failed the way a timeout or a 5xx fails (the
 *   tracker may have created the ticket and then not answered), the next attempt first looks for a
 *   ticket with that marker, and files a new one only when there is none.
 * - Retries back off: 30 seconds after the first failure, doubling up to 15 minutes, so a tracker
 *   that is down for hours is asked about once every 15 minutes per waiting filing, and one that
 *   comes back after a short hiccup is used again within a minute.
 * - An attempt is noted when it starts. One that started and never reported (still running, as the
 *   command's own first attempt may be, or cut short by a stop of the bot) is left alone for two
 *   minutes, far longer than the tracker's request timeout, and then retried looking first.
 */

/** Where a pending filing came from: a phone call (`call`) or an e-mail (`file`). */
export type FilingOrigin = "call" | "email";

/** Where a filing stands: waiting for the tracker, filed (with its ticket), or refused for good. */
export type FilingStatus = "pending" | "filed" | "failed";

const FIRST_RETRY_MS = 30_000;
const LONGEST_RETRY_MS = 15 * 60_000;
/** How long an attempt that started and never reported counts as still running. */
export const ATTEMPT_IN_FLIGHT_MS = 2 * 60_000;

/** The marker the filing's description carries, unique per filing (the closing parenthesis keeps 1 from matching 12). */
export function filingMarker(filingId: number): string {
  return `(support filing ${filingId})`;
}

/** How long to wait after the `attempts`-th failed attempt before the next one. */
export function retryDelayMs(attempts: number): number {
  if (attempts <= 0) return 0;
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(attempts - 1, 20));
}

/** Where a filing's attempts stand: how many failed, and when the last one started or failed. */
export interface FilingAttempts {
  attempts: number;
  lastAttemptAt?: Date;
}

/** Whether a filing is due for another attempt at `now` (see the module's decisions). */
export function isRetryDue(filing: FilingAttempts, now: Date): boolean {
  if (filing.lastAttemptAt === undefined) return true;
  const wait = filing.attempts === 0 ? ATTEMPT_IN_FLIGHT_MS : retryDelayMs(filing.attempts);
  return now.getTime() - filing.lastAttemptAt.getTime() >= wait;
}

/**
 * Whether the next attempt must first look for a ticket the tracker may already have created: once
 * any attempt started, since a timeout or a 5xx does not say whether the request was applied.
 */
export function mustLookBeforeFiling(filing: FilingAttempts): boolean {
  return filing.lastAttemptAt !== undefined;
}
