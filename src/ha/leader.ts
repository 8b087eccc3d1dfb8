/**
 * Which replica does the work that must happen once (issue 16): the watcher and the engine's
 * schedules, customers' filings and the retention job, the Mattermost WebSocket and the Matrix sync.
 * Every replica answers Mattermost's HTTP requests; only the leader does those.
 *
 * On PostgreSQL the leader is whoever holds a session advisory lock, on a connection of its own
 * (not the store's pool: a pooled connection goes back and forth, a lock must stay with one
 * session). Standbys try to take the lock every third of LEADER_TAKEOVER_SECONDS; the leader checks
 * its connection at the same pace and steps down (its work stops) when the check fails, then
 * competes again on a new connection. PostgreSQL frees the lock when the session ends: at once when
 * the leader's process dies (its socket closes), and after the server's keepalive probes fail when
 * the leader's machine or network vanished without closing it (the session's `tcp_keepalives_*`
 * and `tcp_user_timeout` are set so). Those are chosen so that a leader that lost its connection
 * stops before PostgreSQL frees its lock, and a standby has it within the takeover time:
 *
 *     leader stops by          T/3 (next check) + T/6 (its time limit)        = T/2
 *     the server frees after   silence S, with T/2 < S <= 0.55 T + 1 s
 *     a standby has it by      S + T/3 (its next try)                          < T
 *
 * With SQLite (no DATABASE_URL) there is one process, and it always leads.
 */
import { Socket } from "node:net";
// Types only: pg is loaded when a database is configured (its first import costs ~80 ms of startup:
// it probes for Cloudflare Workers by building a fetch Response, which loads Node's own undici).
import type pg from "pg";
import type { Logger } from "pino";

/** Called when this replica becomes the leader (start the work) or stops being it (stop the work). */
export type LeadershipListener = () => Promise<void> | void;

/** Where this replica stands, for `/readyz` and the log. */
export interface LeadershipStatus {
  leader: boolean;
  detail: string;
}

/** Leader election as the composition root uses it, on either store. */
export interface Leadership {
  /** Whether this replica leads now (its work may still be starting or stopping). */
  readonly isLeader: boolean;
  /** Where this replica stands and since when. */
  status(): LeadershipStatus;
  /** Runs `listener` each time this replica is elected, in the order listeners were added. */
  onElected(listener: LeadershipListener): void;
  /** Runs `listener` each time this replica stops leading (also at `stop`), in reverse order. */
  onDeposed(listener: LeadershipListener): void;
  /** Starts competing; resolves after the first attempt (and, when it won, the elected listeners). */
  start(): Promise<void>;
  /** Stops leading (the deposed listeners run first), then releases the lock and stops competing. */
  stop(): Promise<void>;
}

/**
 * The lock's key: advisory locks are per database, so one constant serves every installation (a
 * bot's database is its own). "support-bot leader" in the store's SQL log.
 */
export const LEADER_LOCK_KEY = 7_378_421_806_209_871_617n;

/** The timing derived from LEADER_TAKEOVER_SECONDS (see the file's comment). */
export interface ElectionTiming {
  /** How often a standby tries the lock and the leader checks its connection. */
  everyMs: number;
  /** How long a check or a try may take before it counts as failed. */
  checkTimeoutMs: number;
  /** The server-side keepalive settings of the elector's session, in seconds. */
  keepalives: { idle: number; interval: number; count: number };
  /** tcp_user_timeout: how long the server waits for the leader to acknowledge what it sent. */
  userTimeoutMs: number;
}

/** The election's pace and the server's keepalives for a takeover time. */
export function electionTiming(takeoverMs: number): ElectionTiming {
  const seconds = takeoverMs / 1000;
  const count = 3;
  const interval = Math.max(1, Math.floor(seconds / 30));
  // The server gives up after idle + interval * count seconds of silence: just over half the takeover time.
  const idle = Math.max(1, Math.ceil(seconds * 0.55) - interval * count);
  return {
    everyMs: Math.round(takeoverMs / 3),
    checkTimeoutMs: Math.round(takeoverMs / 6),
    keepalives: { idle, interval, count },
    userTimeoutMs: (idle + interval * count) * 1000,
  };
}

/** Listeners and their order, shared by both kinds of election. */
class Listeners {
  private readonly elected: LeadershipListener[] = [];
  private readonly deposed: LeadershipListener[] = [];

  constructor(private readonly log: Logger) {}

  addElected(listener: LeadershipListener): void {
    this.elected.push(listener);
  }

  addDeposed(listener: LeadershipListener): void {
    this.deposed.push(listener);
  }

  /** Runs the elected listeners in order; one that fails is logged and the rest still run. */
  async runElected(): Promise<void> {
    for (const listener of this.elected) await this.guard(listener, "starting the leader's work failed");
  }

  /** Runs the deposed listeners in reverse order (what started last stops first). */
  async runDeposed(): Promise<void> {
    for (const listener of [...this.deposed].reverse()) await this.guard(listener, "stopping the leader's work failed");
  }

  private async guard(listener: LeadershipListener, message: string): Promise<void> {
    try {
      await listener();
    } catch (error) {
      this.log.error({ err: error }, message);
    }
  }
}

/** One process on SQLite: it leads from `start` to `stop`. */
export function singleProcessLeadership(log: Logger): Leadership {
  const listeners = new Listeners(log);
  let leader = false;
  let since = new Date();
  return {
    get isLeader() {
      return leader;
    },
    status: () => ({ leader, detail: leader ? `leader since ${since.toISOString()} (the one process, on SQLite)` : "not started" }),
    onElected: (listener) => listeners.addElected(listener),
    onDeposed: (listener) => listeners.addDeposed(listener),
    async start() {
      if (leader) return;
      leader = true;
      since = new Date();
      await listeners.runElected();
    },
    async stop() {
      if (!leader) return;
      leader = false;
      await listeners.runDeposed();
    },
  };
}

/** What the PostgreSQL election needs. */
export interface PostgresLeadershipOptions {
  /** How to reach the database: DATABASE_URL, or a pg client configuration (tests). */
  connection: string | Omit<pg.ClientConfig, "stream">;
  /** LEADER_TAKEOVER_SECONDS in milliseconds. */
  takeoverMs: number;
  log: Logger;
  /** The lock's key; default LEADER_LOCK_KEY. */
  key?: bigint;
  /** Told every change of role (the leader gauge of `/metrics`). */
  onRoleChange?: (leader: boolean) => void;
}

/** An elector's connection: the pg client and the socket under it, which a step-down destroys. */
interface ElectorConnection {
  client: pg.Client;
  socket: Socket;
  /** Set when the connection failed (an error event, the server ended it). */
  broken: boolean;
}

/** Creates the PostgreSQL election; nothing connects until `start()`. */
export function createPostgresLeadership(options: PostgresLeadershipOptions): Leadership {
  return new PostgresLeadership(options);
}

class PostgresLeadership implements Leadership {
  private readonly listeners: Listeners;
  private readonly timing: ElectionTiming;
  private readonly key: string;
  private connection: ElectorConnection | undefined;
  private role: "leader" | "standby" = "standby";
  private since = new Date();
  private lastProblem: string | undefined;
  /** Until when this replica does not try the lock (after losing it). */
  private sitOutUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** Attempts, checks and role changes run one at a time, in order. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: PostgresLeadershipOptions) {
    this.listeners = new Listeners(options.log);
    this.timing = electionTiming(options.takeoverMs);
    this.key = (options.key ?? LEADER_LOCK_KEY).toString();
  }

  get isLeader(): boolean {
    return this.role === "leader";
  }

  status(): LeadershipStatus {
    if (this.role === "leader") return { leader: true, detail: `leader since ${this.since.toISOString()}` };
    if (this.stopped) return { leader: false, detail: "not competing (stopped)" };
    const problem = this.lastProblem ? `; ${this.lastProblem}` : "";
    return { leader: false, detail: `standby since ${this.since.toISOString()}${problem}` };
  }

  onElected(listener: LeadershipListener): void {
    this.listeners.addElected(listener);
  }

  onDeposed(listener: LeadershipListener): void {
    this.listeners.addDeposed(listener);
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.step(() => this.attempt());
    this.schedule();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.step(async () => {
      if (this.role === "leader") await this.stepDown("stopping");
      // Ending the session releases the lock; a standby has it at its next try.
      await this.disconnect(true);
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.step(() => this.attempt()).finally(() => this.schedule());
    }, this.timing.everyMs);
  }

  /** Queues `work` after every attempt and role change before it; never rejects. */
  private step(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work).catch((error: unknown) => this.options.log.error({ err: error }, "leader election failed"));
    this.chain = next;
    return next;
  }

  /** One round: a standby tries the lock, the leader checks its connection. */
  private async attempt(): Promise<void> {
    if (this.stopped) return;
    // A replica that just lost its leadership lets the others try first: its trouble may not be over.
    if (Date.now() < this.sitOutUntil) return;
    if (this.role === "leader") {
      const problem = await this.check();
      if (problem !== undefined) await this.stepDown(`the database connection failed its check (${problem})`);
      return;
    }
    const connection = await this.connected();
    if (!connection) return;
    try {
      const row = await this.withTimeout(connection.client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS locked", [this.key]));
      if (row.rows[0]?.locked !== true) {
        this.lastProblem = undefined;
        return;
      }
    } catch (error) {
      this.note("could not try the leader lock", error);
      await this.disconnect(false);
      return;
    }
    if (this.stopped || connection.broken) return;
    this.become("leader");
    this.options.log.info("this replica is now the leader");
    await this.listeners.runElected();
  }

  /** Checks the leader's connection; the problem, or undefined when it answered in time. */
  private async check(): Promise<string | undefined> {
    const connection = this.connection;
    if (!connection || connection.broken) return "the connection closed";
    try {
      await this.withTimeout(connection.client.query("SELECT 1"));
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** Stops leading: the work stops first, then the session ends (which frees the lock if the server still has it). */
  private async stepDown(reason: string): Promise<void> {
    if (this.role !== "leader") return;
    this.become("standby");
    this.lastProblem = reason;
    this.options.log.warn({ reason }, "this replica is no longer the leader; its leader work stops");
    await this.listeners.runDeposed();
    await this.disconnect(reason === "stopping");
    this.sitOutUntil = Date.now() + this.timing.everyMs;
  }

  private become(role: "leader" | "standby"): void {
    this.role = role;
    this.since = new Date();
    this.options.onRoleChange?.(role === "leader");
  }

  /** The open connection, or a new one; undefined (the problem noted) when the database cannot be reached. */
  private async connected(): Promise<ElectorConnection | undefined> {
    if (this.connection && !this.connection.broken) return this.connection;
    await this.disconnect(false);
    const { keepalives, userTimeoutMs, checkTimeoutMs } = this.timing;
    const socket = new Socket();
    const base = typeof this.options.connection === "string" ? { connectionString: this.options.connection } : this.options.connection;
    const { default: pgModule } = await import("pg");
    const client = new pgModule.Client({
      ...base,
      application_name: "support-bot leader election",
      // A socket of our own: a step-down destroys it, whatever state the protocol is in.
      stream: () => socket,
      keepAlive: true,
      keepAliveInitialDelayMillis: keepalives.idle * 1000,
      connectionTimeoutMillis: checkTimeoutMs,
    });
    const connection: ElectorConnection = { client, socket, broken: false };
    const onBroken = (error?: Error): void => {
      if (connection.broken) return;
      connection.broken = true;
      if (this.connection !== connection) return;
      if (error) this.note("the election's database connection failed", error);
      // A leader that lost its session may have lost the lock: it stops now, not at the next check.
      if (this.role === "leader") void this.step(() => this.stepDown(`the database connection closed${error ? ` (${error.message})` : ""}`));
    };
    client.on("error", onBroken);
    client.on("end", () => onBroken());
    try {
      await client.connect();
      // The server's side of the keepalives: it ends the session (and frees the lock) of a leader
      // that vanished without closing its socket. tcp_user_timeout needs PostgreSQL 12.
      await this.withTimeout(
        client.query(
          `SET tcp_keepalives_idle = ${keepalives.idle}; SET tcp_keepalives_interval = ${keepalives.interval}; ` +
            `SET tcp_keepalives_count = ${keepalives.count}; SET tcp_user_timeout = ${userTimeoutMs}`,
        ),
      );
    } catch (error) {
      connection.broken = true;
      socket.destroy();
      this.note("could not connect to the database for leader election", error);
      return undefined;
    }
    this.connection = connection;
    return connection;
  }

  /** Ends the connection: politely when asked (releases the lock at once), else by destroying the socket. */
  private async disconnect(graceful: boolean): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    connection.broken = true;
    if (graceful) {
      const ended = connection.client.end().catch(() => undefined);
      await Promise.race([ended, delay(this.timing.checkTimeoutMs)]);
    }
    connection.socket.destroy();
  }

  private note(what: string, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    if (this.lastProblem !== `${what}: ${reason}`) this.options.log.warn({ reason }, what);
    this.lastProblem = `${what}: ${reason}`;
  }

  /** Rejects when `promise` takes longer than a check may. */
  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    const ms = this.timing.checkTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
