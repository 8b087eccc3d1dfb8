/**
 * `GET /metrics` of the live bot (`npm start` against the MantisBT and Matrix simulators), parsed
 * as the Prometheus text format: after a few commands (done, refused, failed) and the watcher's
 * first cycle, every metric of docs/operations.md (section Metrics) carries its value.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startMantisSimulator } from "../../src/simulators/mantis/server.js";
import { startMatrixSimulator } from "../../src/simulators/matrix/server.js";
import { parsePrometheusText, sampleValue } from "../support/prometheus-text.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

const running: ChildProcess[] = [];
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  // SIGTERM, which the tsx command passes on: a SIGKILL would end tsx alone and leave the bot running.
  for (const child of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  for (const server of servers.splice(0)) await server.close();
});

async function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("GET /metrics", () => {
  it("counts commands, MantisBT requests, chat sends, notifications and the watcher's cycle", async () => {
    const mantis = await startMantisSimulator();
    const matrix = await startMatrixSimulator();
    servers.push(mantis, matrix);
    const room = matrix.createRoom("manager", { name: "Management", invite: [matrix.bot.userId] });
    const dir = mkdtempSync(join(tmpdir(), "support-bot-metrics-"));
    const usersFile = join(dir, "users.json");
    writeFileSync(usersFile, JSON.stringify({ users: [{ name: "manager", role: "management", accounts: { mantis: "manager", matrix: "@manager:localhost" } }] }));
    const child = spawn(TSX, [join(ROOT, "src", "main.ts")], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "",
        MANTIS_URL: mantis.url,
        MANTIS_TOKEN: mantis.tokens.administrator!,
        MANTIS_PROJECT: "Taler",
        MANTIS_IMPERSONATE: "true",
        MATRIX_HOMESERVER_URL: matrix.url,
        MATRIX_ACCESS_TOKEN: matrix.bot.accessToken,
        MATRIX_ROOMS: `management=${room}`,
        USERS_FILE: usersFile,
        DATA_DIR: join(dir, "data"),
        HTTP_PORT: "0",
        LOG_LEVEL: "info",
      },
      stdio: "pipe",
    });
    running.push(child);
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stdout += chunk.toString()));

    const port = await waitFor(() => {
      const line = stdout.split("\n").find((text) => text.includes('"msg":"HTTP server listening"'));
      return line ? (JSON.parse(line) as { port: number }).port : undefined;
    }, "the HTTP server");
    await waitFor(() => (matrix.membership(room, matrix.bot.userId) === "join" ? true : undefined), "the bot to join");
    // The watcher's first cycle reports what it found (a notification through the outbox).
    await matrix.waitForEvent((event) => event.sender === matrix.bot.userId && /Found \*{0,2}\d+ NEW bugs?/.test(String(event.content["body"] ?? "")), { timeoutMs: 15_000 });

    const answered = async (text: string): Promise<void> => {
      const sent = matrix.sendMessage("manager", room, text);
      await matrix.waitForEvent((event) => event.sender === matrix.bot.userId, { after: sent, timeoutMs: 15_000 });
    };
    await answered("!support show 1");
    await answered("!support grab");
    await answered("!support frobnicate");
    mantis.failNext(500, "", { times: 5 });
    await answered("!support show 2");

    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const metrics = parsePrometheusText(await response.text());

    expect(sampleValue(metrics, "support_bot_commands_total", { command: "show", outcome: "ok" })).toBe(1);
    expect(sampleValue(metrics, "support_bot_commands_total", { command: "grab", outcome: "refused" })).toBe(1);
    expect(sampleValue(metrics, "support_bot_commands_total", { command: "unknown", outcome: "refused" })).toBe(1);
    expect(sampleValue(metrics, "support_bot_commands_total", { command: "show", outcome: "failed" })).toBe(1);
    expect(metrics.types.get("support_bot_command_duration_seconds")).toBe("histogram");
    expect(sampleValue(metrics, "support_bot_command_duration_seconds_count", { command: "show" })).toBe(2);

    expect(sampleValue(metrics, "support_bot_mantis_requests_total", { method: "GET", status: "200" })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(metrics, "support_bot_mantis_requests_total", { method: "GET", status: "500" })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(metrics, "support_bot_mantis_request_duration_seconds_count", { method: "GET" })).toBeGreaterThanOrEqual(3);

    // Four answers and the first cycle's report, at least.
    expect(sampleValue(metrics, "support_bot_chat_sends_total", { platform: "matrix", outcome: "ok" })).toBeGreaterThanOrEqual(5);
    expect(sampleValue(metrics, "support_bot_notifications_total", { event: "queued" })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(metrics, "support_bot_notifications_total", { event: "sent" })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(metrics, "support_bot_notifications_total", { event: "given_up" })).toBe(0);
    expect(sampleValue(metrics, "support_bot_outbox_depth")).toBe(0);

    expect(sampleValue(metrics, "support_bot_watcher_cycles_total", { outcome: "ok" })).toBeGreaterThanOrEqual(1);
    const lastPoll = sampleValue(metrics, "support_bot_last_successful_poll_timestamp_seconds")!;
    expect(Math.abs(lastPoll - Date.now() / 1000)).toBeLessThan(120);
    // The seed has one NEW unassigned bug (#1) and bugs in FEEDBACK.
    expect(sampleValue(metrics, "support_bot_new_bugs_waiting")).toBeGreaterThanOrEqual(1);
    expect(sampleValue(metrics, "support_bot_feedback_owed")).toBeGreaterThanOrEqual(1);
    expect(sampleValue(metrics, "process_resident_memory_bytes")).toBeGreaterThan(0);
  }, 40_000);
});
