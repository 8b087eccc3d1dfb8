/**
 * The bot as it runs in production, for the benchmark: the built JavaScript (`node dist/main.js`,
 * from `npm run build`) in its own process, configured only through its environment against the
 * simulators of bench/simulator-process.ts, with a fresh data directory and the sandbox staff as
 * its users file. Its log (JSON, info level as in production) goes to a file beside the store.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { SimulatorInfo } from "./simulator-process.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The built bot; bench/run.ts builds it first when the sources are newer. */
export const BUILT_MAIN = join(ROOT, "dist", "main.js");
/** The bot the benchmark starts: BENCH_BOT names another build's main.js (e.g. of main, for a before/after), else dist/. */
export const BENCH_BOT = process.env["BENCH_BOT"] ?? BUILT_MAIN;
/**
 * The options production gives node: read from `deploy/support-bot` (the container's and the systemd
 * unit's start), so the bot is measured as it runs there.
 */
export const PRODUCTION_NODE_ARGS: readonly string[] = (() => {
  const script = readFileSync(join(ROOT, "deploy", "support-bot"), "utf8");
  const exec = /^exec node (.*) "\$root\/dist\/support-bot\.js"/m.exec(script);
  if (!exec) throw new Error("deploy/support-bot: no `exec node ... \"$root/dist/support-bot.js\"` line to read node's options from");
  return exec[1]!.split(/\s+/).filter((arg) => arg.startsWith("--"));
})();

/** The slash command token the benchmark's requests carry, as Mattermost's would. */
export const COMMAND_TOKEN = "benchcommandtoken0000000000";
const STAFF = ["manager", "alice", "bob", "carol"] as const;

/** A running bot process. */
export interface BotProcess {
  /** `http://127.0.0.1:<HTTP_PORT>`. */
  url: string;
  pid: number;
  /** From spawning the process to `/healthz` answering with Mattermost connected, in milliseconds. */
  startupMs: number;
  /** From spawning the process to the first answer of `/healthz` (the HTTP server listens). */
  listeningMs: number;
  /** Resident memory of the process now (VmRSS), in MB. */
  rssMb(): number;
  /** The most resident memory the process has had (VmHWM), in MB. */
  peakRssMb(): number;
  /** The log lines so far (JSON), for a failure's explanation. */
  log(): string;
  /**
   * Resolves once the outbox has sent what earlier load queued (its depth on /metrics is 0), so a
   * measurement does not share the machine with the previous one's notifications; at most `limitMs`.
   */
  settled(limitMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface BotOptions {
  simulators: SimulatorInfo;
  /** Extra settings, e.g. { PROACTIVE: "off" } or { POLL_INTERVAL: "1" }. */
  env?: Record<string, string>;
  /** An existing data directory (a restart); default a new one, removed at `stop`. */
  dataDir?: string;
  /** Options for node itself, e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] to find where the time goes. */
  nodeArgs?: string[];
  /** Node's options as production gives them (default PRODUCTION_NODE_ARGS); [] for node's defaults. */
  productionArgs?: readonly string[];
  /** Another build of the bot (default BENCH_BOT), e.g. to compare two versions in one run. */
  main?: string;
}

/** A free TCP port on loopback (the bot's HTTP_PORT cannot be 0: Mattermost must know it). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** CPU time a process has used so far (user + system, /proc/<pid>/stat on Linux), in ms. */
export function cpuTimeMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime, fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A memory figure of /proc/<pid>/status (Linux), in MB. */
function procStatusMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Starts the built bot and resolves once `/healthz` answers 200. */
export async function startBot(options: BotOptions): Promise<BotProcess> {
  const own = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "support-bot-bench-"));
  const usersFile = join(dataDir, "users.json");
  writeFileSync(usersFile, JSON.stringify({ users: STAFF.map((name) => ({ name, role: name === "manager" ? "management" : "staff", displayName: name, accounts: { mantis: name, mattermost: name, matrix: null } })) }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sim = options.simulators;
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "",
    MANTIS_URL: sim.mantisUrl,
    MANTIS_TOKEN: sim.mantisToken,
    MANTIS_PROJECT: "1",
    MATTERMOST_URL: sim.mattermostUrl,
    MATTERMOST_BOT_TOKEN: sim.botToken,
    MATTERMOST_COMMAND_TOKEN: COMMAND_TOKEN,
    MATTERMOST_TEAM: "taler",
    MATTERMOST_CHANNELS: "management=support-mgmt,sales=sales",
    MATTERMOST_PUBLIC_URL: url,
    USERS_FILE: usersFile,
    DATA_DIR: dataDir,
    HTTP_PORT: String(port),
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
    ...options.env,
  };
  const logFile = join(dataDir, "bot.log");
  const logFd = openSync(logFile, "a");
  const started = performance.now();
  // The bot's own working directory: no .env of the developer's is read.
  // BENCH_BOT_NODE_ARGS="--max-semi-space-size=2" tries options for node on every bot the benchmark starts.
  const extraArgs = process.env["BENCH_BOT_NODE_ARGS"]?.split(" ").filter(Boolean) ?? [];
  const nodeArgs = [...(options.productionArgs ?? PRODUCTION_NODE_ARGS), ...extraArgs, ...(options.nodeArgs ?? [])];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, options.main ?? BENCH_BOT], { cwd: dataDir, env, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  let exited = false;
  child.once("exit", () => (exited = true));
  const log = () => readFileSync(logFile, "utf8");

  // /healthz answers as soon as the HTTP server listens; the bot is up for Mattermost once the
  // answer names Mattermost connected (the adapter's check, added when it has started).
  let listeningMs: number | undefined;
  let startupMs = 0;
  for (;;) {
    if (exited) throw new Error(`the bot exited before answering /healthz:\n${log()}`);
    const checks = await fetch(`${url}/healthz`).then(
      async (response) => (response.status === 200 ? ((await response.json()) as { checks?: Record<string, string> }).checks : undefined),
      () => undefined,
    );
    if (checks) listeningMs ??= performance.now() - started;
    if (checks?.["mattermost"] === "connected") {
      startupMs = performance.now() - started;
      break;
    }
    if (performance.now() - started > 60_000) throw new Error(`the bot did not answer /healthz within 60 s:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }

  const pid = child.pid!;
  return {
    url,
    pid,
    startupMs,
    listeningMs: listeningMs ?? startupMs,
    rssMb: () => procStatusMb(pid, "VmRSS"),
    peakRssMb: () => procStatusMb(pid, "VmHWM"),
    log,
    async settled(limitMs = 30_000) {
      const until = performance.now() + limitMs;
      while (performance.now() < until) {
        const metrics = await fetch(`${url}/metrics`).then((answer) => answer.text());
        if (/^support_bot_outbox_depth 0$/m.test(metrics)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the bot's outbox did not empty within ${limitMs} ms`);
    },
    async stop() {
      if (!exited) {
        const gone = once(child, "exit");
        child.kill("SIGTERM");
        await gone;
      }
      if (own) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
