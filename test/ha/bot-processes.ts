/**
 * Bot processes and the simulators' process for test/ha/replicas.test.ts: the simulators
 * (test/ha/simulators-process.ts) in one process, each bot (src/main.ts under tsx's loader) in its own, configured only through its environment, its clock set by a file
 * (TEST_CLOCK_FILE) that the test moves through a working day.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { freePort } from "../real/servers/processes.js";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { SimulatorsInfo, SimulatorsRequest } from "./simulators-process.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/**
 * node with tsx's loader, in one process: the `tsx` command runs the script in a child process,
 * which a SIGKILL of the command would leave running (and holding the leader's lock).
 */
const NODE_TSX = [process.execPath, "--import", pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href] as const;

/** The clock every process reads: the instant in a file, replaced whole. */
export class TestClock {
  constructor(readonly file: string) {}

  set(instant: string): void {
    writeFileSync(`${this.file}.next`, `${instant}\n`);
    renameSync(`${this.file}.next`, this.file);
  }
}

type Request = SimulatorsRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/** The simulators' process and its control channel. */
export interface Simulators {
  info: SimulatorsInfo;
  ask<T>(request: Request): Promise<T>;
  stop(): Promise<void>;
}

export async function startSimulators(clock: TestClock): Promise<Simulators> {
  const child = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), join(ROOT, "test", "ha", "simulators-process.ts"), clock.file], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let info: SimulatorsInfo | undefined;
  const ready = new Promise<SimulatorsInfo>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the simulators exited with ${code}`)));
    lines.on("line", (line) => {
      const message = JSON.parse(line) as { id?: number; result?: unknown; error?: string } & Partial<SimulatorsInfo>;
      if (info === undefined) {
        info = message as SimulatorsInfo;
        resolve(info);
        return;
      }
      const waiter = waiting.get(message.id ?? -1);
      waiting.delete(message.id ?? -1);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
  });
  let next = 0;
  return {
    info: await ready,
    ask<T>(request: Request): Promise<T> {
      const id = ++next;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: (value) => resolve(value as T), reject });
        child.stdin!.write(`${JSON.stringify({ ...request, id })}\n`);
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.stdin!.end();
      await exited;
    },
  };
}

/** The slash command's token, as Mattermost sends it with every request. */
const COMMAND_TOKEN = "replicastestcommandtoken00000";

/** `/support <text>` typed by `user` in the support channel: Mattermost's request to a bot, and the bot's answer. */
export async function slashCommand(bot: BotProcess, sim: SimulatorsInfo, user: string, text: string): Promise<{ status: number; text: string }> {
  const body = new URLSearchParams({
    channel_id: sim.supportChannelId,
    channel_name: "support",
    command: "/support",
    team_id: sim.teamId,
    team_domain: "taler",
    user_id: sim.userIds[user]!,
    user_name: user,
    text,
    token: COMMAND_TOKEN,
  });
  const response = await fetch(`${bot.url}/mattermost/command`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Token ${COMMAND_TOKEN}` }, body });
  const answer = (await response.json()) as { text?: string };
  return { status: response.status, text: answer.text ?? "" };
}

/** A running bot process. */
export interface BotProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Its log so far (JSON lines). */
  log(): string;
  /** `/readyz`'s checks, or undefined while it does not answer. */
  ready(): Promise<Record<string, string> | undefined>;
  /** `/metrics` as text. */
  metrics(): Promise<string>;
  /** SIGKILL: the process dies at once, closing its sockets (as a crash or the OOM killer). */
  kill(): Promise<void>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
}

/** The staff of the test: manager (management) and alice, bob, carol (staff), on both platforms. */
const STAFF = ["manager", "alice", "bob", "carol"].map((name) => ({
  name,
  role: name === "manager" ? "management" : "staff",
  accounts: { mantis: name, mattermost: name, matrix: `@${name}:localhost` },
}));

/** Starts a bot against the simulators; resolves once its HTTP server answers. */
export async function startBotProcess(options: {
  name: string;
  dir: string;
  simulators: SimulatorsInfo;
  clock: TestClock;
  env?: Record<string, string>;
}): Promise<BotProcess> {
  const dir = join(options.dir, options.name);
  mkdirSync(dir, { recursive: true });
  const usersFile = join(dir, "users.json");
  writeFileSync(usersFile, JSON.stringify({ users: STAFF }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sim = options.simulators;
  const child = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), join(ROOT, "src", "main.ts")], {
    cwd: dir,
    env: {
      PATH: process.env["PATH"] ?? "",
      MANTIS_URL: sim.mantisUrl,
      MANTIS_TOKEN: sim.mantisToken,
      MANTIS_PROJECT: "Taler",
      MATTERMOST_URL: sim.mattermostUrl,
      MATTERMOST_BOT_TOKEN: sim.mattermostBotToken,
      MATTERMOST_COMMAND_TOKEN: COMMAND_TOKEN,
      MATTERMOST_TEAM: "taler",
      MATTERMOST_CHANNELS: "management=support-mgmt,sales=sales",
      MATTERMOST_PUBLIC_URL: url,
      MATRIX_HOMESERVER_URL: sim.matrixUrl,
      MATRIX_ACCESS_TOKEN: sim.matrixBotToken,
      MATRIX_ROOMS: `management=${sim.managementRoom}`,
      USERS_FILE: usersFile,
      DATA_DIR: join(dir, "data"),
      HTTP_PORT: String(port),
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
      TEST_CLOCK_FILE: options.clock.file,
      POLL_INTERVAL: "1",
      CHECK_INTERVAL: "1",
      SUMMARY_CHANNELS: "management@09:00",
      REPORT_CHANNELS: "none",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const bot: BotProcess = {
    name: options.name,
    url,
    child,
    log: () => output,
    async ready() {
      try {
        const response = await fetch(`${url}/readyz`);
        return ((await response.json()) as { checks: Record<string, string> }).checks;
      } catch {
        return undefined;
      }
    },
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
  await waitUntil(async () => (child.exitCode !== null ? Promise.reject(new Error(`${options.name} exited:\n${output}`)) : (await bot.ready()) !== undefined), `${options.name} to answer /readyz`, 30_000);
  return bot;
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

