/**
 * One test file's world on the real servers: MantisBT reset to its freshly installed state, new
 * Matrix accounts (a bot, a manager, two developers and an outsider, by shared-secret registration),
 * a new management room, and the live bot (`src/main.ts`) configured for both with the proactive
 * engine polling every second in a working calendar that never sleeps.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { expect, inject } from "vitest";
import { createMantisClient } from "../../../src/tracker/mantis/mantis-client.js";
import type { MantisClient } from "../../../src/tracker/mantis/mantis-types.js";
import { callMantis, resetRealMantis, type RestAnswer } from "../servers/mantis.js";
import type { RealServersInfo } from "../servers/real-servers.js";
import { registerUser } from "../servers/synapse.js";
import { startLiveBot, type LiveBot } from "./live-bot.js";
import { bodyOf, MatrixUser, relationOf, type RoomEvent } from "./matrix-user.js";

/** The people on Matrix; manager, alice and bob are staff linked to the MantisBT accounts of the same name. */
export interface People {
  bot: MatrixUser;
  manager: MatrixUser;
  alice: MatrixUser;
  bob: MatrixUser;
  /** Someone in the management room who is not in the users file. */
  outsider: MatrixUser;
}

/** The world one test file works in. */
export interface RealWorld {
  servers: RealServersInfo;
  people: People;
  managementRoom: string;
  /** The tracker as the bot's administrator account sees it, through the bot's own MantisBT client. */
  tracker: MantisClient;
  /** Raw REST as a MantisBT user (administrator, manager, alice, bob, carol, reporter). */
  rest(user: string, method: string, path: string, body?: unknown): Promise<RestAnswer>;
  bot: LiveBot;
  /**
   * Sends `!support <line>` as `person` in `roomId`; answers the bot's reply to it (in its thread or
   * as a reply) and how the dispatcher says the command ended (its log record).
   */
  command(person: MatrixUser, roomId: string, line: string): Promise<CommandResult>;
  /** Runs a command in the management room; fails the test with the bot's answer unless it succeeded. */
  step(person: keyof People, line: string): Promise<string>;
  /** Files a bug straight in MantisBT as its `reporter` account would; answers its id. */
  fileAsReporter(summary: string, description?: string): Promise<number>;
  /** Stops the bot (exit code 0 expected). */
  close(): Promise<void>;
}

/** A date `days` ahead as people type deadlines (D.M.YYYY, UTC). */
export function dateInDays(days: number): string {
  const date = new Date(Date.now() + days * 86_400_000);
  return `${date.getUTCDate()}.${date.getUTCMonth() + 1}.${date.getUTCFullYear()}`;
}

/** The dispatcher's verdict on a command, from its log line. */
export type CommandOutcome = "done" | "refused" | "failed" | "unknown command";

/** The bot's answer to a command and how the command ended. */
export interface CommandResult {
  answer: RoomEvent;
  /** The answer's text. */
  text: string;
  outcome: CommandOutcome;
  /**
   * The MantisBT requests the bot logged (LOG_LEVEL=debug) between receiving the command and its
   * outcome, as `METHOD path`; only the command's own when nothing else runs meanwhile (the watcher
   * polls every POLL_INTERVAL).
   */
  mantisRequests: { method: string; path: string }[];
}

/** Log messages that end a command: the dispatcher's, and the adapter's one-time notice to someone not linked as staff. */
const OUTCOMES: Record<string, CommandOutcome> = {
  "command done": "done",
  "command refused": "refused",
  "command failed": "failed",
  "unknown command": "unknown command",
  "gave a one-time notice": "refused",
};

/** Settings of the live bot that a test file may change (e.g. reminder delays). */
export type BotEnvironment = Record<string, string>;

/**
 * Resets MantisBT, registers the people, creates the management room and starts the bot; resolves
 * once the bot has joined the room and its proactive engine has reported its first cycle there.
 */
export async function startRealWorld(options: { env?: BotEnvironment } = {}): Promise<RealWorld> {
  const servers = inject("realServers");
  const { mantis, synapse } = servers;
  await resetRealMantis(mantis);

  // New accounts per file: no earlier file's DMs, invites or m.direct entries can leak in.
  const suffix = randomBytes(3).toString("hex");
  const register = async (name: string) => new MatrixUser(synapse.url, await registerUser(synapse, `${name}-${suffix}`, { displayName: name }));
  const people: People = {
    bot: await register("support-bot"),
    manager: await register("manager"),
    alice: await register("alice"),
    bob: await register("bob"),
    outsider: await register("outsider"),
  };
  const managementRoom = await people.manager.createRoom({
    name: "Support management",
    preset: "private_chat",
    invite: [people.bot.userId, people.alice.userId, people.bob.userId, people.outsider.userId],
  });
  for (const person of [people.alice, people.bob, people.outsider]) await person.join(managementRoom);

  const dir = mkdtempSync(join(tmpdir(), "support-bot-real-world-"));
  const usersFile = join(dir, "users.json");
  writeFileSync(
    usersFile,
    JSON.stringify({
      users: [
        { name: "manager", role: "management", displayName: "Martina Keller", accounts: { mantis: "manager", matrix: people.manager.userId } },
        { name: "alice", role: "staff", displayName: "Alice Moreau", accounts: { mantis: "alice", matrix: people.alice.userId } },
        { name: "bob", role: "staff", displayName: "Bob Lindqvist", accounts: { mantis: "bob", matrix: people.bob.userId } },
      ],
    }),
  );
  const bot = startLiveBot({
    MANTIS_URL: mantis.url,
    MANTIS_TOKEN: mantis.tokens["administrator"]!,
    MANTIS_PROJECT: mantis.project.name,
    MANTIS_IMPERSONATE: "true",
    MATRIX_HOMESERVER_URL: synapse.url,
    MATRIX_ACCESS_TOKEN: people.bot.account.accessToken,
    MATRIX_ROOMS: `management=${managementRoom}`,
    USERS_FILE: usersFile,
    DATA_DIR: join(dir, "data"),
    HTTP_PORT: "0",
    LOG_LEVEL: "debug",
    TIMEZONE: "UTC",
    PROACTIVE: "on",
    POLL_INTERVAL: "1",
    CHECK_INTERVAL: "1",
    // Every hour of every day is working time and nothing is quiet, so reminders do not wait for a weekday.
    WORK_DAYS: "mon-sun",
    WORK_HOURS: "00:00-24:00",
    QUIET_HOURS: "off",
    SUMMARY_CHANNELS: "none",
    ...options.env,
  });

  const tracker = createMantisClient({
    url: mantis.url,
    token: mantis.tokens["administrator"]!,
    project: mantis.project.name,
    impersonate: false,
    timeoutMs: 30_000,
    category: "General",
    log: pino({ level: "silent" }),
  });

  const world: RealWorld = {
    servers,
    people,
    managementRoom,
    tracker,
    rest: (user, method, path, body) => callMantis(mantis.url, mantis.tokens[user] ?? "", method, path, body),
    bot,
    async command(person, roomId, line) {
      const recordsBefore = bot.records().length;
      const outcomesBefore = dispatcherOutcomes(bot, person.userId).length;
      const sent = await person.say(roomId, `!support ${line}`);
      const answer = await person.waitForEvent(roomId, (event) => isBotNotice(event, people.bot) && repliesTo(event, sent), { after: sent, what: `the bot's answer to "${line}"` });
      // The log line is written before the answer is sent, but the pipe may deliver it a moment later.
      const deadline = Date.now() + 10_000;
      while (dispatcherOutcomes(bot, person.userId).length <= outcomesBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const outcome = dispatcherOutcomes(bot, person.userId)[outcomesBefore];
      if (!outcome) throw new Error(`the bot answered "${line}" but logged no outcome for it`);
      return { answer, text: bodyOf(answer), outcome, mantisRequests: mantisRequestsUntilOutcome(bot.records().slice(recordsBefore), person.userId) };
    },
    async step(person, line) {
      const result = await world.command(people[person], managementRoom, line);
      expect(result.outcome, `${person}: ${line}\n${result.text}`).toBe("done");
      return result.text;
    },
    async fileAsReporter(summary, description = "Seen on the demo shop since this morning.") {
      const filed = await callMantis(mantis.url, mantis.tokens["reporter"] ?? "", "POST", "issues", { summary, description, project: { id: mantis.project.id }, category: { name: "General" } });
      expect(filed.status, JSON.stringify(filed.json)).toBe(201);
      return (filed.json as { issue: { id: number } }).issue.id;
    },
    async close() {
      const code = await bot.stop();
      if (code !== 0) throw new Error(`the bot stopped with exit code ${code}:\n${bot.output().slice(-3000)}`);
    },
  };
  try {
    await bot.waitForLog("Matrix adapter started", 60_000);
    // The first watcher cycle reports to management what it found: the engine is running.
    await people.manager.waitForEvent(managementRoom, (event) => isBotNotice(event, people.bot) && /NEW bug/.test(bodyOf(event)), { what: "the first-run report", timeoutMs: 30_000 });
  } catch (error) {
    await bot.stop();
    throw error;
  }
  return world;
}

/** Every command outcome the bot logged for one Matrix user, in order (people's commands may overlap). */
function dispatcherOutcomes(bot: LiveBot, userId: string): CommandOutcome[] {
  return bot.records().flatMap((record) => {
    const outcome = OUTCOMES[String(record["msg"])];
    // The kernel's one-time notice to someone not linked names them as its target.
    const about = record["user"] === userId || record["sender"] === userId || (record["kind"] === "unlinked" && record["target"] === userId);
    return outcome && about ? [outcome] : [];
  });
}

/** The `mantis request` records (and failed ones) before the first command outcome for `userId`. */
function mantisRequestsUntilOutcome(records: Record<string, unknown>[], userId: string): { method: string; path: string }[] {
  const requests: { method: string; path: string }[] = [];
  for (const record of records) {
    const msg = String(record["msg"]);
    if (OUTCOMES[msg] && (record["user"] === userId || record["sender"] === userId)) break;
    if (msg === "mantis request" || msg === "mantis request failed") requests.push({ method: String(record["method"]), path: String(record["path"]) });
  }
  return requests;
}

/** A notice the bot sent. */
export function isBotNotice(event: RoomEvent, bot: MatrixUser): boolean {
  return event.sender === bot.userId && event.type === "m.room.message" && event.content["msgtype"] === "m.notice";
}

/** Whether `event` answers `commandEventId`: in its thread or as a reply to it. */
export function repliesTo(event: RoomEvent, commandEventId: string): boolean {
  const relation = relationOf(event);
  return relation.threadRoot === commandEventId || relation.inReplyTo === commandEventId;
}
