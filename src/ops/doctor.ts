/**
 * `support-bot doctor` (`npm run doctor`): every check of every configured part, against the real
 * services with the configured credentials, one line each with the fix. Each adapter owns its checks
 * (mantis-checks.ts, mattermost-checks.ts, matrix-checks.ts); this composes them. The live bot runs
 * the same checks at start and logs each failure as a warning (src/live.ts).
 */
import type { CheckResult, FetchFunction } from "../checks.js";
import { checkMattermost } from "../chat/mattermost/mattermost-checks.js";
import { checkMatrix } from "../chat/matrix/matrix-checks.js";
import type { AppConfig } from "../config.js";
import { BotError, ConfigError } from "../errors.js";
import { CHAT_ACCOUNT_PLATFORMS, type StaffDirectory } from "../identity.js";
import { loadStaffFile } from "../staff-file.js";
import { checkMantis } from "../tracker/mantis/mantis-checks.js";

/** The checks of one part (MantisBT, Mattermost, Matrix, the staff file). */
export interface CheckSection {
  part: string;
  results: CheckResult[];
}

/** What the doctor needs: the parsed settings, and optionally the staff already loaded and a fetch for tests. */
export interface DoctorOptions {
  config: AppConfig;
  staff?: StaffDirectory;
  fetch?: FetchFunction;
}

/** Runs the checks of every configured part; the parts run side by side. */
export async function runChecks(options: DoctorOptions): Promise<CheckSection[]> {
  const { config } = options;
  if (config.mode !== "live" || !config.mantis || !config.usersFile) {
    return [
      {
        part: "settings",
        results: [{ status: "fail", what: "nothing is configured: the bot would run the sandbox", fix: "set MANTIS_URL, MANTIS_TOKEN, MANTIS_PROJECT, USERS_FILE and Mattermost and/or Matrix (README, Configuration)" }],
      },
    ];
  }
  let staff = options.staff;
  const staffSection: CheckSection = { part: "staff file", results: [] };
  if (!staff) {
    try {
      staff = loadStaffFile(config.usersFile);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return [{ part: "staff file", results: error.problems.map((problem) => ({ status: "fail", what: problem, fix: "fix the staff file (README, Staff and roles)" })) }];
    }
  }
  const undeclared = staff.undeclaredAccounts(CHAT_ACCOUNT_PLATFORMS.filter((platform) => config[platform] !== undefined));
  staffSection.results.push(
    ...(undeclared.length === 0
      ? [{ status: "ok" as const, what: `${config.usersFile}: ${staff.all().length} staff members, each with an account (or none) on every configured chat platform` }]
      : undeclared.map((problem) => ({ status: "fail" as const, what: problem, fix: "say for each staff member which account they use, or null" }))),
  );
  const fetchOption = options.fetch ? { fetch: options.fetch } : {};
  const parts: Promise<CheckSection>[] = [
    guarded("MantisBT", () =>
      checkMantis({ ...config.mantis!, category: config.process.category, customerTag: config.process.customerTag, staff: staff!, ...fetchOption }),
    ),
  ];
  if (config.mattermost) parts.push(guarded("Mattermost", () => checkMattermost({ settings: config.mattermost!, staff: staff!, ...fetchOption })));
  if (config.matrix) parts.push(guarded("Matrix", () => checkMatrix({ settings: config.matrix!, staff: staff!, ...fetchOption })));
  return [staffSection, ...(await Promise.all(parts))];
}

/** A part whose checks crashed reports that as its one failure instead of ending the doctor. */
async function guarded(part: string, run: () => Promise<CheckResult[]>): Promise<CheckSection> {
  try {
    return { part, results: await run() };
  } catch (error) {
    const message = error instanceof BotError ? error.userMessage : error instanceof Error ? error.message : String(error);
    return { part, results: [{ status: "fail", what: `the ${part} checks failed: ${message}`, fix: "run the doctor again; if it persists, report it" }] };
  }
}

/** Whether every configured part has what it needs (warnings do not count against it). */
export function allPassed(sections: readonly CheckSection[]): boolean {
  return sections.every((section) => section.results.every((result) => result.status !== "fail"));
}

const MARKS = { ok: "✓", warn: "!", fail: "✗" } as const;

/** The report as lines: a heading per part, then one line per check with its fix. */
export function formatChecks(sections: readonly CheckSection[]): string[] {
  const lines: string[] = [];
  for (const section of sections) {
    lines.push(`${section.part}:`);
    for (const result of section.results) lines.push(`  ${MARKS[result.status]} ${result.what}${result.fix ? ` (fix: ${result.fix})` : ""}`);
  }
  const failures = sections.flatMap((section) => section.results).filter((result) => result.status === "fail").length;
  lines.push(failures === 0 ? "Everything the bot needs is there." : `${failures} problem${failures === 1 ? "" : "s"} to fix before the bot can work fully.`);
  return lines;
}
