/**
 * Calls and e-mails are never lost (issue 13, part 3): a `call` or `file` that MantisBT cannot take
 * is kept as pending in the store, survives a restart of the bot, and is filed exactly once when
 * MantisBT answers again; the person who logged it gets the bug number by DM.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createBotCore, type BotCore } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { ChannelErp } from "../../src/erp/channel-erp.js";
import { StaffDirectory } from "../../src/identity.js";
import { retryPendingFilings, startFilingRetries } from "../../src/process/pending-filings.js";
import type { TrackerPort } from "../../src/process/tracker-port.js";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";
import { SANDBOX_STAFF } from "../../src/staff-file.js";
import { Store } from "../../src/store/store.js";
import { createMantisClient } from "../../src/tracker/mantis/mantis-client.js";
import { createMantisTracker } from "../../src/tracker/mantis/mantis-tracker.js";
import type { MantisClient } from "../../src/tracker/mantis/mantis-types.js";
import { captureLog, type CapturedLog } from "../support/capture-log.js";
import { RecordingNotifier } from "../support/recording-notifier.js";

const JANE = { name: "Jane Doe", phone: "+41 79 555 01 23", email: "jane@example.com" };
const CALL = `call name="${JANE.name}" type=merchant phone="${JANE.phone}" email=${JANE.email} issue="Refund button missing for orders paid from two exchanges"`;
const FILE = `file "Wallet: withdrawal pending for two days" customer="${JANE.name}" contact=${JANE.email}`;

/** The bot as it runs: a store file, MantisBT over loopback (which can go down and come back), a core. */
class World {
  readonly clock = { now: new Date("2026-11-26T10:00:00Z") };
  readonly notifier = new RecordingNotifier();
  readonly log: CapturedLog = captureLog("debug");
  readonly staff = new StaffDirectory([...SANDBOX_STAFF]);
  readonly dir = mkdtempSync(join(tmpdir(), "pending-filings-"));
  readonly config = loadConfig({});
  sim!: MantisSimulator;
  port = 0;
  client!: MantisClient;
  tracker!: TrackerPort;
  store!: Store;
  core!: BotCore;

  async start(): Promise<this> {
    await this.startMantis();
    this.client = createMantisClient({
      url: this.sim.url,
      token: this.sim.tokens.administrator!,
      project: 1,
      impersonate: true,
      // Short, so a request MantisBT never answers fails quickly.
      timeoutMs: 400,
      category: this.config.process.category,
      log: this.log.log,
    });
    this.tracker = createMantisTracker({ client: this.client, staff: this.staff });
    await this.startBot();
    return this;
  }

  /** MantisBT on the same port and database as before. */
  async startMantis(): Promise<void> {
    this.sim = await startMantisSimulator({ now: () => this.clock.now, database: join(this.dir, "mantis.sqlite"), port: this.port });
    this.port = Number(new URL(this.sim.url).port);
  }

  /** A new core over the same store file, as after a restart of the bot. */
  async startBot(): Promise<void> {
    this.store = await Store.open({ path: join(this.dir, "support-bot.sqlite") });
    this.core = createBotCore({
      config: this.config,
      logger: this.log.log,
      store: this.store,
      staff: this.staff,
      tracker: this.tracker,
      notifier: this.notifier,
      erp: new ChannelErp(this.store, this.notifier, () => this.clock.now),
      now: () => this.clock.now,
    });
  }

  async restartBot(): Promise<void> {
    await this.store.close();
    await this.startBot();
  }

  retry() {
    return retryPendingFilings({ tracker: this.tracker, store: this.store, staff: this.staff, notifier: this.notifier, now: () => this.clock.now, log: this.log.log });
  }

  advance(ms: number): void {
    this.clock.now = new Date(this.clock.now.getTime() + ms);
  }

  /** Ids of the bugs whose description carries the text, read from MantisBT's database. */
  bugsWith(text: string): number[] {
    const ids: number[] = [];
    for (let id = 1; id <= this.sim.database.countBugs() + 50; id += 1) {
      const row = this.sim.database.bugById(id);
      if (row?.description.includes(text)) ids.push(id);
    }
    return ids;
  }

  async close(): Promise<void> {
    await this.store.close();
    await this.sim.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const SUPPORT_CALL_1 = "(support filing 1)";

describe("a call while MantisBT is down", () => {
  it("is kept as pending, survives a restart of the bot, and is filed exactly once when MantisBT is back; alice gets the number", async () => {
    world = await new World().start();
    const w = world;
    const bugsBefore = w.sim.database.countBugs();
    await w.sim.close();

    const pending = await w.core.run("sandbox", "alice", CALL);
    expect(pending.kind).toBe("ok");
    expect(pending.reply.text).toContain("MantisBT cannot take it right now (MantisBT is unreachable)");
    expect(pending.reply.text).toContain("I keep it as **pending** (support filing 1) and file it as soon as MantisBT answers");
    expect(await w.store.calls.list()).toMatchObject([{ customerName: JANE.name, bugId: undefined }]);

    // The bot restarts while MantisBT is still down: the filing is still there and still waits.
    await w.restartBot();
    expect(await w.store.pendingFilings.listWaiting()).toMatchObject([{ id: 1, origin: "call", requestedBy: "alice", status: "pending", attempts: 1 }]);
    w.advance(31_000);
    expect(await w.retry()).toEqual({ filed: [], failed: [], waiting: 1 });
    expect((await w.store.pendingFilings.get(1))?.attempts).toBe(2);
    const summary = await w.core.run("sandbox", "manager", "summary");
    expect(summary.reply.text).toContain("MantisBT is unreachable: the queue cannot be read now.");
    expect(summary.reply.text).toContain("- support filing 1: a phone call logged by @alice on 2026-11-26 10:00 UTC, waiting for MantisBT (2 failed attempts, last: MantisBT is unreachable)");

    // MantisBT comes back; the next round once the back-off (60 s after the second failure) has passed.
    await w.startMantis();
    w.advance(30_000);
    expect(await w.retry()).toEqual({ filed: [], failed: [], waiting: 1 });
    w.advance(31_000);
    expect(await w.retry()).toEqual({ filed: [1], failed: [], waiting: 0 });
    expect(await w.retry()).toEqual({ filed: [], failed: [], waiting: 0 });

    expect(w.sim.database.countBugs()).toBe(bugsBefore + 1);
    const [filed] = w.bugsWith(SUPPORT_CALL_1);
    const bug = await w.client.getBug(filed!);
    expect(bug).toMatchObject({ status: "new", tags: ["Customer"] });
    expect(bug.handler).toBeUndefined();
    expect(bug.description).not.toContain(JANE.name);
    expect(bug.notes).toHaveLength(1);
    expect(bug.notes[0]).toMatchObject({ private: true });
    expect(bug.notes[0]!.text).toContain(`- Name: ${JANE.name}`);
    expect(await w.store.calls.list()).toMatchObject([{ bugId: bug.id }]);
    expect(await w.store.pendingFilings.listWaiting()).toEqual([]);
    expect(await w.store.pendingFilings.get(1)).toMatchObject({ status: "filed", bugId: bug.id });
    expect((await w.store.pendingFilings.get(1))?.ticket, "what was filed, with the contact, is dropped").toBeUndefined();
    expect((await w.store.journal.list(bug.id)).map((entry) => entry.action)).toEqual(["file", "customer-contact"]);

    const dms = w.notifier.directsTo("alice");
    expect(dms).toHaveLength(1);
    expect(dms[0]!.text).toContain(`I filed [#${bug.id}](`);
    expect(dms[0]!.bugId).toBe(bug.id);
    for (const value of Object.values(JANE)) {
      expect(w.notifier.text()).not.toContain(value);
      expect(w.log.text()).not.toContain(value);
    }
  });

  it("is filed by the retry timer with the engine off, as soon as the bot runs", async () => {
    world = await new World().start();
    const w = world;
    w.sim.failNext(503);
    const pending = await w.core.run("sandbox", "alice", FILE);
    expect(pending.reply.text).toContain("I keep it as **pending** (support filing 1)");
    w.advance(31_000);
    const retries = startFilingRetries({ tracker: w.tracker, store: w.store, staff: w.staff, notifier: w.notifier, now: () => w.clock.now, log: w.log.log }, { everyMs: 60_000 });
    await retries.runNow();
    await retries.stop();
    expect(w.bugsWith("(support filing 1)")).toHaveLength(1);
    expect(w.notifier.directsTo("alice")).toHaveLength(1);
  });
});

describe("a call whose request times out after MantisBT created the bug", () => {
  it("finds the bug by its marker instead of filing a second one", async () => {
    world = await new World().start();
    const w = world;
    const bugsBefore = w.sim.database.countBugs();
    w.sim.failNext(0, "", { mode: "apply-then-hang", request: "POST issues" });

    const pending = await w.core.run("sandbox", "alice", CALL);
    expect(pending.reply.text).toContain("MantisBT cannot take it right now (MantisBT did not answer within");
    expect(w.bugsWith(SUPPORT_CALL_1)).toHaveLength(1);

    await w.restartBot();
    w.advance(31_000);
    expect(await w.retry()).toEqual({ filed: [1], failed: [], waiting: 0 });

    expect(w.sim.database.countBugs()).toBe(bugsBefore + 1);
    const [filed] = w.bugsWith(SUPPORT_CALL_1);
    expect(w.sim.requests.filter((request) => request.method === "POST" && request.path === "/api/rest/issues")).toHaveLength(1);
    const bug = await w.client.getBug(filed!);
    expect(bug.notes.filter((note) => note.private)).toHaveLength(1);
    expect(await w.store.calls.list()).toMatchObject([{ bugId: bug.id }]);
    expect((await w.store.journal.list(bug.id)).map((entry) => entry.action)).toEqual(["file", "customer-contact"]);
    expect(w.notifier.directsTo("alice")[0]!.text).toContain(`I filed [#${bug.id}](`);
  });
});

describe("a filing MantisBT refuses for good", () => {
  it("keeps nothing and says so when the refusal comes at once", async () => {
    world = await new World().start();
    const w = world;
    w.sim.failNext(400, JSON.stringify({ message: "Invalid summary", code: 29, localized: "Invalid summary" }), { request: "POST issues" });
    const result = await w.core.run("sandbox", "alice", FILE);
    expect(result.kind).toBe("failed");
    expect(await w.store.pendingFilings.listWaiting()).toEqual([]);
  });

  it("is given up at a retry, kept for filing by hand, and alice is told", async () => {
    world = await new World().start();
    const w = world;
    w.sim.failNext(503, "", { request: "POST issues" });
    await w.core.run("sandbox", "alice", FILE);
    w.sim.failNext(403, JSON.stringify({ message: "Access denied", code: 13, localized: "Access Denied." }), { request: "POST issues" });
    w.advance(31_000);
    expect(await w.retry()).toEqual({ filed: [], failed: [1], waiting: 0 });
    expect(await w.store.pendingFilings.listWaiting()).toMatchObject([{ id: 1, status: "failed" }]);
    expect(w.notifier.directsTo("alice")[0]!.text).toContain("please file it by hand");
  });
});

describe("other commands while MantisBT is down", () => {
  it("change nothing and say so, or say to check when a write got no answer", async () => {
    world = await new World().start();
    const w = world;
    w.sim.failNext(503, "", { request: "PATCH issues/1" });
    const refused = await w.core.run("sandbox", "alice", "grab 1");
    expect(refused.kind).toBe("failed");
    expect(refused.reply.text).toContain("MantisBT failed (HTTP 503)\nNothing changed: try again in a moment.");
    expect((await w.client.getBug(1)).handler).toBeUndefined();
    expect(await w.store.pendingFilings.listWaiting()).toEqual([]);

    w.sim.failNext(0, "", { mode: "apply-then-hang", request: "PATCH issues/1" });
    const unknown = await w.core.run("sandbox", "alice", "grab 1");
    expect(unknown.reply.text).toContain("MantisBT did not answer within 0.4 s\nIt may have made the change before it stopped answering: check (for example with `show`) before you try again.");
  });
});
