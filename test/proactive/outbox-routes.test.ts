/**
 * One notification path: every notification, the engine's and the commands', is queued in the outbox
 * and delivered per route (a chat platform reaching the recipient there). A platform that failed is
 * retried alone; one that delivered never gets a second copy. Commands' DMs wait out the recipient's
 * quiet time; channel posts never wait.
 */
import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Notifier } from "../../src/chat/notifier.js";
import { loadConfig } from "../../src/config.js";
import { buildNotificationKey } from "../../src/core/reminder-policy.js";
import { StaffDirectory, type StaffMemberInput } from "../../src/identity.js";
import { createProactiveEngine, type ProactiveEngine } from "../../src/proactive/engine.js";
import { createOutbox, INTERRUPTED_AFTER_MS, Outbox } from "../../src/proactive/outbox.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { Store } from "../../src/store/store.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot-under-test.js";
import { STORE_BACKENDS, useTestStore } from "../support/store-backends.js";
import { captureLog } from "../support/capture-log.js";
import { RecordingNotifier } from "../support/recording-notifier.js";

const MINUTE = 60_000;

/** Everyone on both platforms, except alice (Mattermost only) and carol (Matrix only). */
const STAFF: readonly StaffMemberInput[] = [
  { name: "manager", role: "management", accounts: { mantis: "manager", mattermost: "manager", matrix: "@manager:example.org" } },
  { name: "alice", role: "staff", accounts: { mantis: "alice", mattermost: "alice", matrix: null } },
  { name: "bob", role: "staff", accounts: { mantis: "bob", mattermost: "bob", matrix: "@bob:example.org" } },
  { name: "carol", role: "staff", accounts: { mantis: "carol", mattermost: null, matrix: "@carol:example.org" } },
];

let bot: BotUnderTest | undefined;
let engine: ProactiveEngine | undefined;
const stores: Store[] = [];
afterEach(async () => {
  await engine?.stop();
  await bot?.close();
  for (const store of stores.splice(0)) await store.close();
  engine = undefined;
  bot = undefined;
  vi.useRealTimers();
});

/** The bot on Mattermost and Matrix at once, each recorded. */
async function startOnTwoPlatforms(options: { seed?: boolean } = {}): Promise<{ bot: BotUnderTest; mattermost: RecordingNotifier; matrix: RecordingNotifier }> {
  const mattermost = new RecordingNotifier();
  const matrix = new RecordingNotifier();
  bot = await startBotUnderTest({ staff: STAFF, platforms: { mattermost, matrix }, simulator: { seed: options.seed ?? true } });
  return { bot, mattermost, matrix };
}

function startEngine(on: BotUnderTest): ProactiveEngine {
  const config = loadConfig({ SUMMARY_CHANNELS: "none" });
  engine = createProactiveEngine({
    tracker: on.port,
    store: on.store,
    staff: on.staff,
    outbox: on.outbox,
    settings: config.process,
    proactive: config.proactive,
    logger: on.log.log,
    now: () => on.clock.now,
  });
  return engine;
}

const newBugPings = (notifier: RecordingNotifier) => notifier.postsIn("management").filter((post) => post.text.startsWith("**NEW bug**"));
const triageRequests = (notifier: RecordingNotifier, name: string) => notifier.directsTo(name).filter((message) => message.text.includes("asks you to look into"));

/** The outbox row of the one command DM to a person. */
async function commandDirect(on: BotUnderTest, name: string) {
  const [row] = await on.store.outbox.list({ kind: "command-direct", recipient: name });
  return { row, routes: row ? await on.store.outbox.routes(row.key) : [] };
}

describe("delivery per platform", () => {
  it("delivers exactly one copy on each platform after the failing one comes back", async () => {
    const { bot, mattermost, matrix } = await startOnTwoPlatforms({ seed: false });
    const engine = startEngine(bot);
    await engine.runOnce();
    const bug = await bot.tracker.createBug({ summary: "Wallet: QR scanner freezes", description: "See title." });
    bot.clock.now = new Date(bot.clock.now.getTime() + MINUTE);
    mattermost.failWith = new Error("Mattermost answered 503");
    await engine.runOnce();
    expect(newBugPings(matrix)).toHaveLength(1);
    expect(newBugPings(mattermost)).toHaveLength(0);
    const [row] = await bot.store.outbox.list({ kind: "new-bug", bugId: bug.id });
    expect(row).toMatchObject({ state: "failed", lastError: "Mattermost answered 503" });
    expect(await bot.store.outbox.routes(row!.key)).toMatchObject([
      { platform: "matrix", state: "sent", attempts: 1 },
      { platform: "mattermost", state: "failed", attempts: 1 },
    ]);

    mattermost.failWith = undefined;
    bot.clock.now = new Date(bot.clock.now.getTime() + MINUTE);
    await engine.runOnce();
    await engine.runOnce();
    expect(newBugPings(mattermost)).toHaveLength(1);
    expect(newBugPings(matrix)).toHaveLength(1);
    expect(await bot.store.outbox.get(row!.key)).toMatchObject({ state: "sent", attempts: 2 });
  });

  it("retries a command's DM on the platform that failed, without the engine", async () => {
    const { bot, mattermost, matrix } = await startOnTwoPlatforms();
    mattermost.failWith = new Error("Mattermost answered 502");
    const result = await bot.core.run("sandbox", "manager", "triage 2 @bob");
    await bot.outbox.idle();
    expect(result.kind).toBe("ok");
    expect((await commandDirect(bot, "bob")).routes).toMatchObject([
      { platform: "matrix", state: "sent" },
      { platform: "mattermost", state: "failed", lastError: "Mattermost answered 502" },
    ]);
    expect((await bot.tracker.getBug(2)).handler?.name).toBe("bob");
    expect(triageRequests(matrix, "bob")).toHaveLength(1);
    expect(triageRequests(mattermost, "bob")).toHaveLength(0);

    mattermost.failWith = undefined;
    await bot.outbox.deliver();
    await bot.outbox.deliver();
    expect(triageRequests(mattermost, "bob")).toHaveLength(1);
    expect(triageRequests(matrix, "bob")).toHaveLength(1);
    expect((await commandDirect(bot, "bob")).row).toMatchObject({ state: "sent" });
  });

  it("delivers a command's DM at once when every platform takes it, with no note in the reply", async () => {
    const { bot, mattermost, matrix } = await startOnTwoPlatforms();
    const result = await bot.core.run("sandbox", "manager", "triage 2 @bob");
    await bot.outbox.idle();
    expect(result.reply.text).not.toMatch(/could not send/);
    expect(triageRequests(mattermost, "bob")).toHaveLength(1);
    expect(triageRequests(matrix, "bob")).toHaveLength(1);
  });

  it("creates no route on a platform where the person has no account", async () => {
    const { bot, mattermost, matrix } = await startOnTwoPlatforms();
    await bot.core.run("sandbox", "manager", "triage 2 @alice");
    await bot.outbox.idle();
    await bot.core.run("sandbox", "manager", "triage 3 @carol");
    await bot.outbox.idle();
    expect((await commandDirect(bot, "alice")).routes.map((route) => route.platform)).toEqual(["mattermost"]);
    expect((await commandDirect(bot, "carol")).routes.map((route) => route.platform)).toEqual(["matrix"]);
    expect(triageRequests(mattermost, "alice")).toHaveLength(1);
    expect(triageRequests(matrix, "alice")).toHaveLength(0);
    expect(triageRequests(matrix, "carol")).toHaveLength(1);
    expect(triageRequests(mattermost, "carol")).toHaveLength(0);
  });
});

describe("quiet hours for commands' DMs", () => {
  it("holds a DM due in the recipient's quiet hours until they end, then delivers it once", async () => {
    const { bot, mattermost, matrix } = await startOnTwoPlatforms();
    // Thursday 20:00 UTC: inside the default quiet hours 18:00-08:00.
    bot.clock.now = new Date("2026-11-26T20:00:00Z");
    const result = await bot.core.run("sandbox", "manager", "triage 2 @bob");
    await bot.outbox.idle();
    expect(result.kind).toBe("ok");
    expect(result.reply.text).not.toMatch(/could not send/);
    expect(triageRequests(mattermost, "bob")).toEqual([]);
    expect((await commandDirect(bot, "bob")).row).toMatchObject({ state: "pending", dueAt: new Date("2026-11-27T08:00:00Z") });

    bot.clock.now = new Date("2026-11-27T07:59:00Z");
    await bot.outbox.deliver();
    expect(triageRequests(mattermost, "bob")).toEqual([]);

    bot.clock.now = new Date("2026-11-27T08:00:00Z");
    await bot.outbox.deliver();
    await bot.outbox.deliver();
    expect(triageRequests(mattermost, "bob")).toHaveLength(1);
    expect(triageRequests(matrix, "bob")).toHaveLength(1);
  });

  it("follows the recipient's own quiet setting", async () => {
    const { bot, mattermost } = await startOnTwoPlatforms();
    bot.clock.now = new Date("2026-11-26T20:00:00Z");
    await bot.core.run("sandbox", "bob", "settings quiet=off");
    await bot.outbox.idle();
    await bot.core.run("sandbox", "manager", "triage 2 @bob");
    await bot.outbox.idle();
    expect(triageRequests(mattermost, "bob")).toHaveLength(1);
  });

  it("holds a DM on the recipient's day off until their next working day", async () => {
    const { bot, mattermost } = await startOnTwoPlatforms();
    // Saturday noon: days off are quiet.
    bot.clock.now = new Date("2026-11-28T12:00:00Z");
    await bot.core.run("sandbox", "manager", "triage 2 @bob");
    await bot.outbox.idle();
    expect(triageRequests(mattermost, "bob")).toEqual([]);
    expect((await commandDirect(bot, "bob")).row?.dueAt).toEqual(new Date("2026-11-30T08:00:00Z"));
  });

  it("posts in a channel at once, also in quiet hours", async () => {
    const { bot, mattermost, matrix } = await startOnTwoPlatforms();
    bot.clock.now = new Date("2026-11-26T20:00:00Z");
    const result = await bot.core.run("sandbox", "alice", "grab 1");
    await bot.outbox.idle();
    expect(result.kind).toBe("ok");
    expect(mattermost.postsIn("management").filter((post) => post.text.includes("grabbed [#1]"))).toHaveLength(1);
    expect(matrix.postsIn("management").filter((post) => post.text.includes("grabbed [#1]"))).toHaveLength(1);
  });
});

/** An outbox over a fresh store, on Mattermost and Matrix, with the given notifiers attached. */
async function outboxOn(store: Store, now: () => Date, attach: Partial<Record<"mattermost" | "matrix", Notifier>>): Promise<Outbox> {
  const outbox = new Outbox({ store, staff: new StaffDirectory([...STAFF]), platforms: ["mattermost", "matrix"], now, log: captureLog("debug").log, maxAttempts: 5 });
  for (const [platform, notifier] of Object.entries(attach)) if (notifier) outbox.attach(platform as "mattermost" | "matrix", notifier);
  await outbox.recover();
  return outbox;
}

async function memoryStore(): Promise<Store> {
  const store = await Store.open({ path: ":memory:" });
  stores.push(store);
  return store;
}

const key = (period: string) => buildNotificationKey({ kind: "test", recipient: "#management", period });

describe.each(STORE_BACKENDS)("the outbox on %s", (backend) => {
  const opened = useTestStore(backend);

  it("keeps a platform's routes waiting, attempts untouched, until its adapter is connected", async () => {
    const store = opened();
    const mattermost = new RecordingNotifier();
    const matrix = new RecordingNotifier();
    const outbox = await outboxOn(store, () => new Date("2026-11-26T10:00:00Z"), { matrix });
    await outbox.enqueue({ key: key("1"), target: "channel", message: { text: "hello" } });
    await outbox.deliver();
    expect(matrix.postsIn("management")).toHaveLength(1);
    expect(await store.outbox.routes(key("1").key)).toMatchObject([
      { platform: "matrix", state: "sent" },
      { platform: "mattermost", state: "pending", attempts: 0 },
    ]);

    outbox.attach("mattermost", mattermost);
    await outbox.deliver();
    expect(mattermost.postsIn("management")).toHaveLength(1);
    expect(matrix.postsIn("management")).toHaveLength(1);
  });

  it("runs one delivery at a time: a delivery asked for during another sends nothing twice", async () => {
    const store = opened();
    const posted: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: Notifier = {
      direct: async () => undefined,
      channel: async (_channel, message) => {
        await gate;
        posted.push(message.text);
      },
    };
    const outbox = await outboxOn(store, () => new Date("2026-11-26T10:00:00Z"), { mattermost: slow, matrix: new RecordingNotifier() });
    await outbox.enqueue({ key: key("1"), target: "channel", message: { text: "once" } });
    const first = outbox.deliver();
    const second = outbox.deliver();
    const third = outbox.deliver();
    release();
    await Promise.all([first, second, third]);
    expect(posted).toEqual(["once"]);
  });

  it("retries on its own timer, with no engine running", async () => {
    // Real timers on a short interval: on PostgreSQL the delivery is real I/O, which fake timers
    // advanced by hand raced with (the test hung now and then).
    const store = opened();
    const mattermost = new RecordingNotifier();
    const outbox = await outboxOn(store, () => new Date(), { mattermost, matrix: new RecordingNotifier() });
    mattermost.failWith = new Error("down");
    await outbox.enqueue({ key: key("1"), target: "channel", message: { text: "later" } });
    await outbox.deliver();
    expect(mattermost.postsIn("management")).toEqual([]);

    mattermost.failWith = undefined;
    await outbox.start(20);
    await vi.waitFor(() => expect(mattermost.postsIn("management").map((post) => post.text)).toEqual(["later"]));
    await outbox.stop();
  });

  it("records a DM to someone no running platform reaches as handled, with the reason", async () => {
    const store = opened();
    const outbox = new Outbox({ store, staff: new StaffDirectory([...STAFF]), platforms: ["matrix"], now: () => new Date("2026-11-26T10:00:00Z"), log: captureLog("debug").log, maxAttempts: 5 });
    const toAlice = buildNotificationKey({ kind: "test", recipient: "alice", period: "1" });
    expect(await outbox.enqueue({ key: toAlice, target: "direct", message: { text: "hi" } })).toBe(true);
    expect(await store.outbox.routes(toAlice.key)).toEqual([]);
    expect(await store.outbox.get(toAlice.key)).toMatchObject({ state: "sent", lastError: "nobody to send to: alice has no account on matrix" });
  });
});

describe("upgrading a database from before delivery routes", () => {
  it("gives queued notifications routes at start and settles the one cut off during a send", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "support-bot-outbox-")), "bot.sqlite");
    await (await Store.open({ path: file }, MIGRATIONS.filter((migration) => migration.version <= 9))).close();
    const raw = new Database(file);
    const insert = raw.prepare(
      `INSERT INTO notifications (key, kind, bug_id, recipient, period, state, attempts, created_at, target, payload, due_at, combinable, attempt_at)
        VALUES (?, 'new-bug', 7, '#management', ?, ?, ?, '2026-11-26T09:00:00.000Z', 'channel', ?, '2026-11-26T09:00:00.000Z', 0, ?)`,
    );
    insert.run("queued", "a", "failed", 1, JSON.stringify({ text: "queued before the upgrade" }), null);
    insert.run("cut-off", "b", "pending", 1, JSON.stringify({ text: "cut off" }), "2026-11-26T09:00:01.000Z");
    raw.close();

    const store = await Store.open({ path: file });
    stores.push(store);
    expect(await store.schemaVersion()).toBe(Math.max(...MIGRATIONS.map((migration) => migration.version)));
    const mattermost = new RecordingNotifier();
    const matrix = new RecordingNotifier();
    const outbox = await outboxOn(store, () => new Date("2026-11-26T10:00:00Z"), { mattermost, matrix });
    expect(await store.outbox.get("cut-off")).toMatchObject({ state: "sent", lastError: expect.stringMatching(/interrupted/) });
    expect(await store.outbox.routes("queued")).toMatchObject([
      { platform: "matrix", state: "failed", attempts: 1 },
      { platform: "mattermost", state: "failed", attempts: 1 },
    ]);

    await outbox.deliver();
    await outbox.deliver();
    expect(mattermost.postsIn("management").map((post) => post.text)).toEqual(["queued before the upgrade"]);
    expect(matrix.postsIn("management").map((post) => post.text)).toEqual(["queued before the upgrade"]);
    expect(await store.outbox.get("queued")).toMatchObject({ state: "sent", attempts: 2 });
  });
});

describe("createOutbox", () => {
  it("gives commands a notifier whose messages are queued in the store before they are sent", async () => {
    const store = await memoryStore();
    const recorder = new RecordingNotifier();
    const staff = new StaffDirectory([...STAFF]);
    const config = loadConfig({});
    const { outbox, notifier } = createOutbox({ store, staff, platforms: ["sandbox"], settings: config.process, proactive: config.proactive, log: captureLog("debug").log, quietHours: false, now: () => new Date("2026-11-26T20:00:00Z") });
    outbox.attach("sandbox", recorder);
    await outbox.recover();
    await notifier.direct(staff.find("bob")!, { text: "late, but not held in the sandbox" });
    expect(await store.outbox.list({ kind: "command-direct" })).toMatchObject([{ recipient: "bob", state: "pending" }]);
    await outbox.idle();
    expect(recorder.directsTo("bob").map((message) => message.text)).toEqual(["late, but not held in the sandbox"]);
    expect(await store.outbox.list({ kind: "command-direct" })).toMatchObject([{ recipient: "bob", state: "sent" }]);
  });
});

describe("commands' notifications in the background", () => {
  it("answers a command before its note is delivered, and delivers it exactly once afterwards", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const recorder = new RecordingNotifier();
    const held: Notifier = {
      direct: (member, message) => recorder.direct(member, message),
      channel: async (channel, message) => {
        await gate;
        await recorder.channel(channel, message);
      },
    };
    bot = await startBotUnderTest({ staff: STAFF, platforms: { mattermost: held } });
    const result = await bot.core.run("sandbox", "alice", "grab 1");
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/You now handle \[#1\]/);
    expect(recorder.postsIn("management")).toEqual([]);

    release();
    await bot.outbox.idle();
    await bot.outbox.deliver();
    expect(recorder.postsIn("management").filter((post) => post.text.includes("grabbed [#1]"))).toHaveLength(1);
  });

  it("delivers a note queued just before a crash at the next start, once", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "support-bot-outbox-")), "bot.sqlite");
    const now = () => new Date("2026-11-26T10:00:00Z");
    const before = await Store.open({ path: file });
    // The process dies right after the command's note is committed: nothing has been sent yet.
    const dying = await outboxOn(before, now, {});
    await dying.notifier().channel("management", { text: "@alice grabbed #1" });
    await before.close();

    const store = await Store.open({ path: file });
    stores.push(store);
    const mattermost = new RecordingNotifier();
    const matrix = new RecordingNotifier();
    const outbox = await outboxOn(store, now, { mattermost, matrix });
    await outbox.deliver();
    await outbox.deliver();
    expect(mattermost.postsIn("management").map((post) => post.text)).toEqual(["@alice grabbed #1"]);
    expect(matrix.postsIn("management").map((post) => post.text)).toEqual(["@alice grabbed #1"]);
  });

  it("sends to several recipients at once and keeps each recipient's order", async () => {
    const store = await memoryStore();
    let inFlight = 0;
    let mostInFlight = 0;
    const received = new Map<string, string[]>();
    const slow: Notifier = {
      direct: async (member, message) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        // Later messages answer sooner: a send that overtook an earlier one would show in the order.
        await new Promise((resolve) => setTimeout(resolve, 10 - Number(message.text.split(" ")[1])));
        received.set(member.name, [...(received.get(member.name) ?? []), message.text]);
        inFlight--;
      },
      channel: async () => undefined,
    };
    const outbox = await outboxOn(store, () => new Date("2026-11-26T10:00:00Z"), { mattermost: slow });
    const notifier = outbox.notifier();
    for (let index = 0; index < 5; index++) {
      for (const name of ["manager", "alice", "bob"]) await notifier.direct(new StaffDirectory([...STAFF]).find(name)!, { text: `${name} ${index}` });
    }
    await outbox.idle();
    await outbox.deliver();
    for (const name of ["manager", "alice", "bob"]) expect(received.get(name)).toEqual([0, 1, 2, 3, 4].map((index) => `${name} ${index}`));
    expect(mostInFlight).toBeGreaterThan(1);
  });

  it("delivers each of many commands' DMs exactly once when they come in together", async () => {
    const { bot, mattermost, matrix } = await startOnTwoPlatforms();
    const bugs = [1, 2, 3, 4, 5, 6, 7, 8];
    const results = await Promise.all(bugs.map((id) => bot.core.run("sandbox", "manager", `triage ${id} @bob`)));
    await bot.outbox.idle();
    await bot.outbox.deliver();
    // Some seed bugs are past triage: those are refused and send nothing.
    const triaged = bugs.filter((_, index) => results[index]!.kind === "ok");
    expect(triaged.length).toBeGreaterThan(2);
    for (const recorder of [mattermost, matrix]) {
      expect(triageRequests(recorder, "bob").map((message) => message.bugId).sort((a, b) => a! - b!)).toEqual(triaged);
    }
  });
});

describe("the outbox on replicas (one database, several deliverers)", () => {
  it("sends a route once when two outboxes read it as due at the same time (issue 16)", async () => {
    const store = await memoryStore();
    const now = () => new Date("2026-11-26T10:00:00Z");
    // Replica A's Mattermost answers its first post slowly: A holds the rest of what it read meanwhile.
    const slow = new RecordingNotifier();
    let answer: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (answer = resolve));
    let sending = false;
    const slowChannel = slow.channel.bind(slow);
    slow.channel = async (channel, message) => {
      sending = true;
      if (slow.sent.length === 0) await held;
      await slowChannel(channel, message);
    };
    const fast = new RecordingNotifier();
    const a = new Outbox({ store, staff: new StaffDirectory([...STAFF]), platforms: ["mattermost"], now, log: captureLog("debug").log, maxAttempts: 5 });
    const b = new Outbox({ store, staff: new StaffDirectory([...STAFF]), platforms: ["mattermost"], now, log: captureLog("debug").log, maxAttempts: 5 });
    a.attach("mattermost", slow);
    b.attach("mattermost", fast);
    // Both to one channel: A sends them one after the other (it sends to different recipients at once).
    for (const period of ["1", "2"]) {
      await a.enqueue({ key: buildNotificationKey({ kind: "test", recipient: "#management", period }), target: "channel", message: { text: `update ${period}` } });
    }

    const first = a.deliver();
    // A has read both as due and is sending the first; B reads the second as due and sends it.
    await vi.waitFor(() => expect(sending).toBe(true));
    const second = await b.deliver();
    answer();
    await first;

    expect(second.sent).toBe(1);
    expect([...slow.sent, ...fast.sent].map((sent) => `${sent.to}: ${sent.message.text}`).sort()).toEqual(["management: update 1", "management: update 2"]);
    expect((await store.outbox.list({ kind: "test" })).map((row) => row.state)).toEqual(["sent", "sent"]);
  });

  it("leaves another replica's send under way alone at start, and settles it once it is old enough to be cut off", async () => {
    const store = await memoryStore();
    let now = new Date("2026-11-26T10:00:00Z");
    const clock = () => now;
    const replica = () => new Outbox({ store, staff: new StaffDirectory([...STAFF]), platforms: ["mattermost"], now: clock, log: captureLog("debug").log, maxAttempts: 5, shared: true });
    const a = replica();
    await a.enqueue({ key: key("1"), target: "channel", message: { text: "hello" } });
    // Replica A has started sending (the route is claimed) when replica B starts.
    expect(await store.outbox.claim([{ key: key("1").key, platform: "mattermost" }], now)).toHaveLength(1);
    const b = replica();
    b.attach("mattermost", new RecordingNotifier());
    await b.recover();
    expect(await store.outbox.routes(key("1").key)).toEqual([expect.objectContaining({ state: "pending", attempts: 1, attemptAt: now })]);

    // A died during the send: after INTERRUPTED_AFTER_MS it counts as cut off, and is not sent again.
    now = new Date(now.getTime() + INTERRUPTED_AFTER_MS + 1000);
    await b.recover();
    await b.deliver();
    expect(await store.outbox.get(key("1").key)).toMatchObject({ state: "sent", lastError: expect.stringMatching(/interrupted/) });
  });
});
