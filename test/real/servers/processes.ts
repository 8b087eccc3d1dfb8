/**
 * Child processes of the real-server harness: started in their own process group with their output
 * in a log file, stopped with the whole group (PHP's server forks workers), never left behind when
 * the test runner exits, and waited for until they answer HTTP.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A server process started by {@link startProcess}. */
export interface ServerProcess {
  readonly name: string;
  readonly logFile: string;
  /** The last lines of its output, for error messages. */
  logTail(lines?: number): string;
  /** Set once the process has ended. */
  exitCode(): number | null | undefined;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed or interrupted run must not leave servers listening on the machine.
  process.on("exit", () => {
    for (const child of running) killGroup(child, "SIGKILL");
  });
}

/** Starts `command` detached in its own process group, stdout and stderr appended to `logFile`. */
export function startProcess(options: { name: string; command: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; logFile: string }): ServerProcess {
  installExitHook();
  const fd = openSync(options.logFile, "a");
  const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, stdio: ["ignore", fd, fd], detached: true });
  closeSync(fd);
  running.add(child);
  let code: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on("exit", (exitCode, signal) => {
      code = exitCode ?? (signal ? -1 : null);
      running.delete(child);
      resolve();
    });
    // Spawning itself failed (no such program): reported through exitCode() and the log.
    child.on("error", (error) => {
      code = -1;
      running.delete(child);
      appendFileSync(options.logFile, `\n${options.command}: ${error.message}\n`);
      resolve();
    });
  });
  const logTail = (lines = 30): string => {
    if (!existsSync(options.logFile)) return "(no output)";
    return readFileSync(options.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  };
  return {
    name: options.name,
    logFile: options.logFile,
    logTail,
    exitCode: () => code,
    async stop(graceMs = 5_000) {
      if (code !== undefined) return;
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers with a status below 500, or fails with the process's last output. */
export async function waitForHttp(url: string, server: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    const code = server.exitCode();
    if (code !== undefined) throw new Error(`${server.name} exited (code ${code}) before answering ${url}:\n${server.logTail()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${server.name} did not answer ${url} within ${timeoutMs / 1000} s (${lastProblem}):\n${server.logTail()}`);
}
