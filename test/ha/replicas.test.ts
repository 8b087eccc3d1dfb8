/**
 * A working day of scheduled work, run by bot processes against the simulators in a third process,
 * on a clock the test sets (TEST_CLOCK_FILE): every NEW-bug ping, reminder and daily summary reaches
 * Mattermost's and Matrix's management channel exactly once, a person's daily digest reaches them
 * once, and every Matrix command is answered once (issue 16, "Done when").
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { slashCommand, startBotProcess, startSimulators, TestClock, waitUntil, type BotProcess, type Simulators } from "./bot-processes.js";
import { useTestPostgres } from "./postgres-server.js";

const DAY = "2026-11-23"; // a Monday; TIMEZONE is UTC, working hours 09:00-17:00
const at = (time: string) => `${DAY}T${time}:00.000Z`;

let simulators: Simulators | undefined;
const bots: BotProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const bot of bots.splice(0)) await bot.stop();
  await simulators?.stop();
  simulators = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A directory (removed after the test), the clock at 07:50 of the day, and the simulators on it. */
async function startDay(prefix: string): Promise<{ dir: string; clock: TestClock; sim: Simulators }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  const clock = new TestClock(join(dir, "clock"));
  clock.set(at("07:50"));
  simulators = await startSimulators(clock);
  return { dir, clock, sim: simulators };
}

/** What the bot posted in the management channel, on each platform, by kind. */
async function managementPosts(sim: Simulators): Promise<Record<"mattermost" | "matrix", { newBug: string[]; reminder: string[]; summary: string[] }>> {
  const mattermost = (await sim.ask<{ message: string }[]>({ op: "mattermost-bot-posts", channel: "support-mgmt" })).map((post) => post.message);
  const matrix = await sim.ask<string[]>({ op: "matrix-bot-notices" });
  const kinds = (texts: string[]) => ({
    newBug: texts.filter((text) => text.startsWith("**NEW bug**") || text.startsWith("NEW bug")).map(bugOf),
    reminder: texts.filter((text) => /^\*{0,2}Still untriaged/.test(text)).map(bugOf),
    summary: texts.filter((text) => /^#{0,4} ?Support queue, /.test(text)),
  });
  return { mattermost: kinds(mattermost), matrix: kinds(matrix) };
}

/** The daily digests the bot sent alice on Mattermost. */
async function digestsTo(sim: Simulators, user: string): Promise<string[]> {
  const dms = await sim.ask<{ message: string }[]>({ op: "mattermost-bot-dms", user });
  return dms.map((post) => post.message).filter((text) => text.startsWith("**Your open work, "));
}

/** The bug a ping or reminder is about: the first `#<id>` in it. */
const bugOf = (text: string) => /#(\d+)/.exec(text)?.[1] ?? text;

/** Waits until the bot's watcher has read MantisBT this many more times (a few check rounds have passed). */
async function cyclesPass(bot: BotProcess, rounds: number): Promise<void> {
  const cycles = async () => Number(/^support_bot_watcher_cycles_total\{outcome="ok"\} (\d+)$/m.exec(await bot.metrics())?.[1] ?? 0);
  const start = await cycles();
  await waitUntil(async () => (await cycles()) >= start + rounds, `${rounds} watcher cycles of ${bot.name}`);
}

/** Sends a Matrix command as alice and waits for its answer; resolves to its event id. */
async function matrixCommand(sim: Simulators, text: string, timeoutMs = 20_000): Promise<string> {
  const eventId = await sim.ask<string>({ op: "matrix-say", user: "alice", text });
  await waitUntil(async () => (await sim.ask<number>({ op: "matrix-replies", eventId })) > 0, `an answer to "${text}"`, timeoutMs);
  return eventId;
}

/**
 * The morning both days share: at 08:00 three bugs are filed and each is announced; at 09:00 the
 * daily summary goes out, and alice shows the first bug and grabs the third in Matrix. Resolves once
 * the leader's watcher has read the grab (before the digest is composed).
 */
async function morning(sim: Simulators, clock: TestClock, leader: BotProcess): Promise<{ bugs: number[]; commands: string[] }> {
  clock.set(at("08:00"));
  const bugs: number[] = [];
  for (const summary of ["Wallet: balance shows zero after restore", "Exchange: KYC link expired", "Merchant: refund button greyed out"]) bugs.push(await sim.ask<number>({ op: "file-bug", summary }));
  await waitUntil(async () => (await managementPosts(sim)).mattermost.newBug.length >= 3, "the NEW-bug pings");

  clock.set(at("09:00"));
  await waitUntil(async () => (await managementPosts(sim)).mattermost.summary.length >= 1, "the daily summary");
  const commands = [await matrixCommand(sim, `!support show ${bugs[0]}`), await matrixCommand(sim, `!support grab ${bugs[2]}`)];
  await cyclesPass(leader, 2);
  return { bugs, commands };
}

describe("a working day of scheduled work, each message once", () => {
  it("one process on SQLite: pings, the summary, a digest and reminders once each, Matrix commands answered once", async () => {
    const { dir, clock, sim } = await startDay("support-bot-day-");
    const bot = await startBotProcess({ name: "bot", dir, simulators: sim.info, clock, env: { REMINDERS_DEFAULT: "daily@10:00" } });
    bots.push(bot);
    await waitUntil(async () => (await bot.ready())?.["leader"]?.startsWith("leader since") === true, "the bot to lead");
    await cyclesPass(bot, 1);

    const { bugs, commands } = await morning(sim, clock, bot);

    // 10:00: alice's daily digest (REMINDERS_DEFAULT=daily@10:00) lists the bug she works on.
    clock.set(at("10:00"));
    await waitUntil(async () => (await digestsTo(sim, "alice")).length >= 1, "alice's digest");

    // 13:00: the two other bugs have been NEW for four working hours: one reminder each.
    clock.set(at("13:00"));
    await waitUntil(async () => (await managementPosts(sim)).mattermost.reminder.length >= 2, "the reminders");
    commands.push(await matrixCommand(sim, `!support show ${bugs[1]}`));

    // The rest of the afternoon: nothing more is due; a few rounds pass.
    clock.set(at("16:00"));
    await cyclesPass(bot, 3);
    const posts = await managementPosts(sim);
    for (const platform of ["mattermost", "matrix"] as const) {
      expect(posts[platform].newBug.sort(), `${platform}: NEW-bug pings`).toEqual(bugs.map(String).sort());
      expect(posts[platform].reminder.sort(), `${platform}: reminders`).toEqual(bugs.slice(0, 2).map(String).sort());
      expect(posts[platform].summary, `${platform}: daily summaries`).toHaveLength(1);
    }
    expect(await digestsTo(sim, "alice")).toEqual([expect.stringContaining(`#${bugs[2]}`)]);
    for (const eventId of commands) expect(await sim.ask<number>({ op: "matrix-replies", eventId })).toBe(1);
  }, 120_000);

  describe("two replicas on PostgreSQL, the leader killed with SIGKILL midway", () => {
    const postgres = useTestPostgres();

    it("sends every ping, the summary, the digest and every reminder once, and answers each Matrix command sent during the takeover once", async () => {
      const { dir, clock, sim } = await startDay("support-bot-replicas-");
      // Both replicas share the store on PostgreSQL and elect their leader there.
      const env = { DATABASE_URL: postgres().url, LEADER_TAKEOVER_SECONDS: "10", REMINDERS_DEFAULT: "daily@10:00" };
      const shared = { dir, simulators: sim.info, clock, env };
      const first = await startBotProcess({ name: "replica-1", ...shared });
      bots.push(first);
      await waitUntil(async () => (await first.ready())?.["leader"]?.startsWith("leader since") === true, "replica-1 to lead");
      const second = await startBotProcess({ name: "replica-2", ...shared });
      bots.push(second);
      await waitUntil(async () => (await second.ready())?.["leader"] !== undefined, "replica-2 to compete");
      expect((await second.ready())?.["leader"]).toMatch(/^standby since /);
      await cyclesPass(first, 1);

      const { bugs, commands } = await morning(sim, clock, first);
      // Either replica answers Mattermost's slash commands (the load balancer picks one).
      for (const replica of [first, second]) expect(await slashCommand(replica, sim.info, "bob", `show ${bugs[2]}`)).toEqual({ status: 200, text: expect.stringMatching(new RegExp(`^\\[#${bugs[2]}\\]`)) });

      // Midway: the leader dies. Commands typed in Matrix meanwhile, and the 10:00 digest, are the next leader's.
      const killedAt = Date.now();
      await first.kill();
      clock.set(at("10:00"));
      const duringTakeover = [await sim.ask<string>({ op: "matrix-say", user: "alice", text: `!support show ${bugs[1]}` }), await sim.ask<string>({ op: "matrix-say", user: "alice", text: "!support help" })];
      await waitUntil(async () => (await second.ready())?.["leader"]?.startsWith("leader since") === true, "replica-2 to lead", 15_000);
      const takeoverMs = Date.now() - killedAt;
      console.info(`replica-2 led ${takeoverMs} ms after replica-1 was killed (LEADER_TAKEOVER_SECONDS=10)`);
      expect(takeoverMs).toBeLessThanOrEqual(10_000);
      for (const eventId of duringTakeover) await waitUntil(async () => (await sim.ask<number>({ op: "matrix-replies", eventId })) > 0, "the commands sent during the takeover to be answered");
      commands.push(...duringTakeover);
      await waitUntil(async () => (await digestsTo(sim, "alice")).length >= 1, "alice's digest");
      // A bug filed now is announced by the new leader.
      bugs.push(await sim.ask<number>({ op: "file-bug", summary: "Bank: statement export empty" }));
      await waitUntil(async () => (await managementPosts(sim)).mattermost.newBug.length >= 4, "the new leader's NEW-bug ping");

      // 13:00: the two bugs NEW since 08:00 get their reminders from the new leader (the one of 10:00 is not due).
      clock.set(at("13:00"));
      await waitUntil(async () => (await managementPosts(sim)).mattermost.reminder.length >= 2, "the reminders");
      commands.push(await matrixCommand(sim, `!support show ${bugs[0]}`));

      // 16:00: the bug filed at 10:00 is due its reminder (14:00) too; then a few rounds pass.
      clock.set(at("16:00"));
      await waitUntil(async () => (await managementPosts(sim)).mattermost.reminder.length >= 3, "the last reminder");
      await cyclesPass(second, 3);
      const posts = await managementPosts(sim);
      const reminded = [bugs[0], bugs[1], bugs[3]].map(String).sort();
      for (const platform of ["mattermost", "matrix"] as const) {
        expect(posts[platform].newBug.sort(), `${platform}: NEW-bug pings`).toEqual(bugs.map(String).sort());
        expect(posts[platform].reminder.sort(), `${platform}: reminders`).toEqual(reminded);
        expect(posts[platform].summary, `${platform}: daily summaries`).toHaveLength(1);
      }
      expect(await digestsTo(sim, "alice")).toEqual([expect.stringContaining(`#${bugs[2]}`)]);
      for (const eventId of commands) expect(await sim.ask<number>({ op: "matrix-replies", eventId }), `answers to ${eventId}`).toBe(1);
    }, 180_000);
  });
});
