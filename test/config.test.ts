import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, readEnvironment } from "../src/config.js";
import { ConfigError } from "../src/errors.js";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const live = {
  MANTIS_URL: "https://bugs.example.com/",
  MANTIS_TOKEN: "secret",
  MANTIS_PROJECT: "Taler",
  MATTERMOST_URL: "https://chat.example.com",
  MATTERMOST_BOT_TOKEN: "bot-token",
  USERS_FILE: "./users.json",
};

describe("loadConfig", () => {
  it("runs the sandbox when nothing is configured", () => {
    const config = loadConfig({});
    expect(config.mode).toBe("sandbox");
    expect(config.mantis).toBeUndefined();
    expect(config.dataDir).toBe("./data");
    expect(config.httpPort).toBe(8080);
    expect(config.process.customerTag).toBe("Customer");
  });

  it("runs live when a tracker and a chat platform are configured", () => {
    const config = loadConfig({ ...live, MANTIS_IMPERSONATE: "yes", HTTP_PORT: "9000" });
    expect(config.mode).toBe("live");
    expect(config.mantis).toEqual({ url: live.MANTIS_URL, token: "secret", project: "Taler", impersonate: true, timeoutMs: 10_000 });
    expect(config.httpPort).toBe(9000);
  });

  it("names each invalid variable and what is wrong, one line each", () => {
    const problems = problemsOf({ MANTIS_URL: "not a url", HTTP_PORT: "http", LOG_LEVEL: "loud", TIMEZONE: "Mars/Base" });
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith("MANTIS_URL:"))).toMatch(/must be a URL/);
    expect(problems.find((p) => p.startsWith("HTTP_PORT:"))).toMatch(/port/);
    expect(problems.find((p) => p.startsWith("LOG_LEVEL:"))).toBeDefined();
    expect(problems.find((p) => p.startsWith("TIMEZONE:"))).toMatch(/IANA time zone/);
  });

  it("refuses a tracker without a chat platform instead of falling back to the sandbox", () => {
    const problems = problemsOf({ MANTIS_URL: live.MANTIS_URL, MANTIS_TOKEN: "t", MANTIS_PROJECT: "1" });
    expect(problems).toEqual([expect.stringMatching(/^MATTERMOST_URL or MATRIX_HOMESERVER_URL: missing/)]);
  });

  it("refuses a chat platform without a tracker", () => {
    const problems = problemsOf({ MATRIX_HOMESERVER_URL: "https://matrix.example.org", MATRIX_ACCESS_TOKEN: "t" });
    expect(problems).toEqual([expect.stringMatching(/^MANTIS_URL: missing/)]);
  });

  it("lists every missing part of a partial tracker configuration", () => {
    const problems = problemsOf({ MANTIS_URL: live.MANTIS_URL, MATTERMOST_URL: live.MATTERMOST_URL, MATTERMOST_BOT_TOKEN: "b", USERS_FILE: "u.json" });
    expect(problems).toEqual([expect.stringMatching(/^MANTIS_TOKEN: missing/), expect.stringMatching(/^MANTIS_PROJECT: missing/)]);
  });

  it("needs the staff file to run live", () => {
    const { USERS_FILE: _omitted, ...withoutUsers } = live;
    expect(problemsOf(withoutUsers)).toEqual([expect.stringMatching(/^USERS_FILE: missing/)]);
  });

  it("treats empty values as unset", () => {
    expect(loadConfig({ MANTIS_URL: "", HTTP_PORT: "" }).mode).toBe("sandbox");
  });

  it("reads .env but lets the real environment win", () => {
    const dir = mkdtempSync(join(tmpdir(), "support-bot-env-"));
    const file = join(dir, ".env");
    writeFileSync(file, "LOG_LEVEL=debug\nHTTP_PORT=1234\n# comment\n");
    const merged = readEnvironment({ HTTP_PORT: "4321" }, file);
    expect(merged.LOG_LEVEL).toBe("debug");
    expect(merged.HTTP_PORT).toBe("4321");
  });
});

describe("Matrix settings", () => {
  const matrixLive = {
    MANTIS_URL: live.MANTIS_URL,
    MANTIS_TOKEN: "secret",
    MANTIS_PROJECT: "Taler",
    USERS_FILE: "./users.json",
    MATRIX_HOMESERVER_URL: "https://matrix.example.org",
    MATRIX_ACCESS_TOKEN: "syt_token",
  };

  it("gives the adapter its settings with defaults", () => {
    expect(loadConfig(matrixLive).matrix).toEqual({
      homeserverUrl: "https://matrix.example.org",
      accessToken: "syt_token",
      commandPrefix: "!support",
      rooms: {},
      allowedInviters: [],
      conversationTimeoutMs: 10 * 60_000,
    });
    expect(loadConfig(live).matrix).toBeUndefined();
  });

  it("reads rooms by channel key, inviters, prefix and the conversation timeout", () => {
    const config = loadConfig({
      ...matrixLive,
      MATRIX_ROOMS: "management=!abc:example.org, sales = #sales:example.org",
      MATRIX_ALLOWED_INVITERS: "@alice:example.org, example.com",
      MATRIX_COMMAND_PREFIX: "!bot",
      MATRIX_CONVERSATION_TIMEOUT_MINUTES: "5",
    });
    expect(config.matrix).toMatchObject({
      rooms: { management: "!abc:example.org", sales: "#sales:example.org" },
      allowedInviters: ["@alice:example.org", "example.com"],
      commandPrefix: "!bot",
      conversationTimeoutMs: 5 * 60_000,
    });
  });

  it("names malformed room and inviter lists", () => {
    const problems = problemsOf({ ...matrixLive, MATRIX_ROOMS: "management=general", MATRIX_ALLOWED_INVITERS: "alice@example.org", MATRIX_COMMAND_PREFIX: "two words" });
    expect(problems.find((p) => p.startsWith("MATRIX_ROOMS:"))).toMatch(/neither a room id .* nor an alias/);
    expect(problems.find((p) => p.startsWith("MATRIX_ALLOWED_INVITERS:"))).toMatch(/neither a user id .* nor a server name/);
    expect(problems.find((p) => p.startsWith("MATRIX_COMMAND_PREFIX:"))).toMatch(/one word/);
  });
});

describe("loadConfig: people's working time and the proactive engine", () => {
  it("has documented defaults", () => {
    const config = loadConfig({});
    expect(config.process).toEqual({
      customerTag: "Customer",
      customerDataTag: "customer-data",
      category: "General",
      docsRepeatThreshold: 3,
      docsRepeatWindowDays: 90,
      workdayHours: 8,
      staleAfterDays: 3,
      summaryItemsPerSection: 10,
      piiRetentionDays: 365,
      timeZone: "UTC",
      workDays: ["mon", "tue", "wed", "thu", "fri"],
      workHours: { start: "09:00", end: "17:00" },
      holidays: [],
      quietHours: { start: "18:00", end: "08:00" },
      remindersDefault: { kind: "on-change" },
    });
    expect(config.proactive).toEqual({
      enabled: "auto",
      pollIntervalMs: 60_000,
      checkIntervalMs: 60_000,
      watchPageSize: 50,
      newRemindAfterHours: 4,
      feedbackRemindAfterHours: 4,
      feedbackRemindEveryHours: 4,
      feedbackEscalateAfterHours: 16,
      summaryChannels: [{ channel: "management", time: "09:00", timeZone: "UTC" }],
      // The weekly report follows the management summary unless REPORT_CHANNELS says otherwise.
      reportChannels: [{ channel: "management", time: "09:00", timeZone: "UTC" }],
      notifyMaxAttempts: 5,
    });
  });

  it("reads every setting", () => {
    const config = loadConfig({
      PROACTIVE: "on",
      POLL_INTERVAL: "5",
      CHECK_INTERVAL: "2.5",
      WATCH_PAGE_SIZE: "20",
      NEW_REMIND_AFTER: "2",
      FEEDBACK_REMIND_AFTER: "0.5",
      FEEDBACK_REMIND_EVERY: "1",
      FEEDBACK_ESCALATE_AFTER: "8",
      STALE_AFTER_DAYS: "5",
      TIMEZONE: "Asia/Jerusalem",
      WORK_DAYS: "sun-thu",
      WORK_HOURS: "8:30-16:30",
      HOLIDAYS: "2026-12-24, 31.12.2026",
      QUIET_HOURS: "off",
      SUMMARY_CHANNELS: "management@08:45,support@09:30/Europe/Zurich",
      REPORT_CHANNELS: "leads@10:00",
      REMINDERS_DEFAULT: "daily@08:00",
      NOTIFY_MAX_ATTEMPTS: "3",
      WORKDAY_HOURS: "7.5",
      SUMMARY_ITEMS_PER_SECTION: "5",
    });
    expect(config.process).toMatchObject({
      workdayHours: 7.5,
      staleAfterDays: 5,
      summaryItemsPerSection: 5,
      timeZone: "Asia/Jerusalem",
      workDays: ["mon", "tue", "wed", "thu", "sun"],
      workHours: { start: "08:30", end: "16:30" },
      holidays: ["2026-12-24", "2026-12-31"],
      quietHours: undefined,
      remindersDefault: { kind: "daily", time: "08:00" },
    });
    expect(config.proactive).toEqual({
      enabled: "on",
      pollIntervalMs: 5_000,
      checkIntervalMs: 2_500,
      watchPageSize: 20,
      newRemindAfterHours: 2,
      feedbackRemindAfterHours: 0.5,
      feedbackRemindEveryHours: 1,
      feedbackEscalateAfterHours: 8,
      summaryChannels: [
        { channel: "management", time: "08:45", timeZone: "Asia/Jerusalem" },
        { channel: "support", time: "09:30", timeZone: "Europe/Zurich" },
      ],
      reportChannels: [{ channel: "leads", time: "10:00", timeZone: "Asia/Jerusalem" }],
      notifyMaxAttempts: 3,
    });
  });

  it("names each invalid setting and what is wrong, one line each", () => {
    const problems = problemsOf({
      POLL_INTERVAL: "often",
      WORK_DAYS: "weekdays",
      WORK_HOURS: "17:00-09:00",
      HOLIDAYS: "24.12.",
      QUIET_HOURS: "evenings",
      SUMMARY_CHANNELS: "management at nine",
      REMINDERS_DEFAULT: "hourly",
      PROACTIVE: "maybe",
    });
    const find = (name: string) => problems.find((problem) => problem.startsWith(`${name}:`));
    expect(find("POLL_INTERVAL")).toMatch(/number of seconds/);
    expect(find("WORK_DAYS")).toMatch(/not a weekday or range/);
    expect(find("WORK_HOURS")).toMatch(/must end after they start/);
    expect(find("HOLIDAYS")).toBeDefined();
    expect(find("QUIET_HOURS")).toMatch(/"evenings" is not a time range; write it like 18:00-08:00\. Or write off for none\./);
    expect(find("REMINDERS_DEFAULT")).toMatch(/on-change, daily@09:00 or off/);
    expect(find("PROACTIVE")).toMatch(/on, off or auto/);
    // Checked after the schema (a channel without a zone is in TIMEZONE): reported once the others are fixed.
    expect(problemsOf({ SUMMARY_CHANNELS: "management at nine" })).toEqual([expect.stringMatching(/^SUMMARY_CHANNELS: "management at nine" is not channel@HH:MM/)]);
    expect(problemsOf({ REPORT_CHANNELS: "management on mondays" })).toEqual([expect.stringMatching(/^REPORT_CHANNELS: "management on mondays" is not channel@HH:MM/)]);
  });

  it("refuses an escalation before the first reminder", () => {
    expect(problemsOf({ FEEDBACK_REMIND_AFTER: "8", FEEDBACK_ESCALATE_AFTER: "4" })).toEqual([expect.stringMatching(/^FEEDBACK_ESCALATE_AFTER: must not be less than FEEDBACK_REMIND_AFTER/)]);
  });
});

describe("Mattermost settings", () => {
  it("gives the adapter its settings, with a signing key derived from the bot token when none is set", () => {
    const settings = loadConfig({ ...live, MATTERMOST_URL: "https://chat.example.com/" }).mattermost;
    expect(settings).toMatchObject({
      url: "https://chat.example.com",
      botToken: "bot-token",
      commandTokens: [],
      channels: {},
      registerCommand: false,
    });
    expect(settings?.team).toBeUndefined();
    expect(settings?.publicUrl).toBeUndefined();
    expect(settings?.actionSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(settings?.actionSecret).not.toContain("bot-token");
    expect(loadConfig({ ...live, MATTERMOST_BOT_TOKEN: "other-token" }).mattermost?.actionSecret).not.toBe(settings?.actionSecret);
  });

  it("reads the team, channels by key, several command tokens, the public URL, registration and the signing key", () => {
    const settings = loadConfig({
      ...live,
      MATTERMOST_TEAM: "Taler",
      MATTERMOST_CHANNELS: "management=support-mgmt, sales=~sales",
      MATTERMOST_COMMAND_TOKEN: "old-token,new-token",
      MATTERMOST_PUBLIC_URL: "http://support-bot:8080/",
      MATTERMOST_REGISTER_COMMAND: "true",
      MATTERMOST_ACTION_SECRET: "0123456789abcdef0123",
    }).mattermost;
    expect(settings).toMatchObject({
      team: "taler",
      channels: { management: "support-mgmt", sales: "sales" },
      commandTokens: ["old-token", "new-token"],
      publicUrl: "http://support-bot:8080",
      registerCommand: true,
      actionSecret: "0123456789abcdef0123",
    });
  });

  it("names malformed channel lists, short signing keys and registration without a public URL", () => {
    const problems = problemsOf({ ...live, MATTERMOST_CHANNELS: "management=Support Management", MATTERMOST_ACTION_SECRET: "short" });
    expect(problems.find((p) => p.startsWith("MATTERMOST_CHANNELS:"))).toMatch(/no channel name; give the name from the channel's URL/);
    expect(problems.find((p) => p.startsWith("MATTERMOST_ACTION_SECRET:"))).toMatch(/at least 16 characters/);
    expect(problemsOf({ ...live, MATTERMOST_REGISTER_COMMAND: "yes" })).toEqual([expect.stringMatching(/^MATTERMOST_PUBLIC_URL: missing \(MATTERMOST_REGISTER_COMMAND=true/)]);
  });
});

describe("replicas and the test clock (issue 16)", () => {
  it("takes over within LEADER_TAKEOVER_SECONDS, 30 by default, at least 10", () => {
    expect(loadConfig(live).leader).toEqual({ takeoverMs: 30_000 });
    expect(loadConfig({ ...live, LEADER_TAKEOVER_SECONDS: "12" }).leader).toEqual({ takeoverMs: 12_000 });
    expect(problemsOf({ ...live, LEADER_TAKEOVER_SECONDS: "5" })).toEqual([expect.stringMatching(/^LEADER_TAKEOVER_SECONDS: /)]);
  });

  it("refuses TEST_CLOCK_FILE unless every server the bot talks to is on loopback", () => {
    const file = join(mkdtempSync(join(tmpdir(), "support-bot-clock-")), "now");
    writeFileSync(file, "2026-11-23T09:00:00Z\n");
    expect(problemsOf({ ...live, TEST_CLOCK_FILE: file })).toEqual([
      "TEST_CLOCK_FILE: only for tests against simulators on this machine, but the bot talks to https://bugs.example.com/, https://chat.example.com (unset it)",
    ]);
    const local = { ...live, MANTIS_URL: "http://127.0.0.1:8081/", MATTERMOST_URL: "http://localhost:8065" };
    expect(loadConfig({ ...local, TEST_CLOCK_FILE: file }).testClockFile).toBe(file);
    expect(loadConfig(local).testClockFile).toBeUndefined();
    writeFileSync(file, "Monday morning");
    expect(problemsOf({ ...local, TEST_CLOCK_FILE: file })).toEqual([`TEST_CLOCK_FILE: ${file} does not hold an ISO instant such as 2026-11-23T09:00:00Z`]);
  });
});
