/**
 * A settable clock for tests that run the bot as a separate process (test/ha/replicas.test.ts drives
 * a working day of two replicas): `TEST_CLOCK_FILE` names a file holding one ISO instant, and the
 * bot's clock shows that instant, standing still until the file changes (as the sandbox's `/time`).
 * It moves what the process decides by time (the engine's schedules, reminders, quiet hours, the
 * outbox, commands' dates); timers still run in real time, so a short CHECK_INTERVAL makes each
 * setting of the clock take effect within that interval.
 *
 * A bot with a clock that is not the time would remind people at the wrong hours, so the setting is
 * refused unless every server the bot talks to (MantisBT, Mattermost, Matrix, the ERP webhook) is on
 * this machine's loopback, where only tests' simulators run.
 */
import { readFileSync, statSync } from "node:fs";
import { z } from "zod";

/** The variable of the test clock; config.ts composes it. */
export const testClockEnvSchema = z.object({
  TEST_CLOCK_FILE: z.string().min(1).optional(),
});
/** The test clock's variable as the schema returns it. */
export type TestClockEnv = z.output<typeof testClockEnvSchema>;

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * The file of the test clock, or the problems that refuse it: set, it needs every URL the bot
 * talks to on loopback, and a file that holds an instant now.
 */
export function testClockFromEnv(env: TestClockEnv, urls: readonly (string | undefined)[]): { file: string | undefined; problems: string[] } {
  const file = env.TEST_CLOCK_FILE;
  if (file === undefined) return { file: undefined, problems: [] };
  const outside = urls.filter((url): url is string => url !== undefined).filter((url) => !LOOPBACK_HOSTS.has(new URL(url).hostname));
  if (outside.length > 0) {
    return { file: undefined, problems: [`TEST_CLOCK_FILE: only for tests against simulators on this machine, but the bot talks to ${outside.join(", ")} (unset it)`] };
  }
  try {
    readInstant(file);
  } catch (error) {
    return { file: undefined, problems: [`TEST_CLOCK_FILE: ${error instanceof Error ? error.message : String(error)}`] };
  }
  return { file, problems: [] };
}

/**
 * The clock the file sets: the instant in it, read again whenever the file changes (write it
 * whole, e.g. to a temporary name renamed over it); a file that does not read keeps the last instant.
 */
export function fileClock(file: string): () => Date {
  // A rename over the file gives it a new inode: that tells a change even within one mtime tick.
  const version = (): string => {
    const stat = statSync(file);
    return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
  };
  let current = readInstant(file);
  let seen = version();
  return () => {
    try {
      const now = version();
      if (now !== seen) {
        current = readInstant(file);
        seen = now;
      }
    } catch {
      // Being rewritten: the last instant stands.
    }
    return new Date(current.getTime());
  };
}

function readInstant(file: string): Date {
  const text = readFileSync(file, "utf8").trim();
  const at = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(at.getTime())) throw new Error(`${file} does not hold an ISO instant such as 2026-11-23T09:00:00Z`);
  return at;
}
