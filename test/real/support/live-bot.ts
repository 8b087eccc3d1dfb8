/**
 * The bot as operators run it: `tsx src/main.ts` in a child process with only the given environment
 * (never a developer's `.env`), its JSON log captured so tests can search it for personal data.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

/** A running bot process. */
export interface LiveBot {
  /** Everything it wrote to stdout (JSON log lines) and stderr. */
  output(): string;
  /** Parsed log records. */
  records(): Record<string, unknown>[];
  /** Waits for a log record whose `msg` matches; fails with the log's tail if the bot exits or time runs out. */
  waitForLog(msg: string | RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM, then the exit code (the bot stops cleanly with 0). */
  stop(): Promise<number | null>;
}

/** Starts the bot with `env` (plus PATH) in a fresh working directory. */
export function startLiveBot(env: Record<string, string>): LiveBot {
  const cwd = mkdtempSync(join(tmpdir(), "support-bot-live-"));
  const child = spawn(TSX, [join(ROOT, "src", "main.ts")], { cwd, env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  const records = (): Record<string, unknown>[] =>
    stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  const tail = () => `${stdout.split("\n").slice(-25).join("\n")}\n${stderr.split("\n").slice(-15).join("\n")}`;
  return {
    output: () => `${stdout}\n${stderr}`,
    records,
    async waitForLog(msg, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = records().find((record) => (typeof msg === "string" ? record["msg"] === msg : msg.test(String(record["msg"]))));
        if (found) return found;
        if (exitCode !== undefined) throw new Error(`the bot exited with ${exitCode} before logging ${String(msg)}:\n${tail()}`);
        if (Date.now() > deadline) throw new Error(`the bot did not log ${String(msg)} within ${timeoutMs / 1000} s:\n${tail()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      if (exitCode !== undefined) return exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
