/**
 * The real entry point (`npm start`), run as a child process the way operators run it: the sandbox
 * with piped input, configuration errors, and the live mode against the simulators.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startMantisSimulator, type MantisSimulator } from "../src/simulators/mantis/server.js";
import { startMatrixSimulator, type MatrixSimulator } from "../src/simulators/matrix/server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts `tsx src/main.ts` with only the given environment (plus PATH), never the developer's .env. */
function start(env: Record<string, string>, input?: string): Run {
  const cwd = mkdtempSync(join(tmpdir(), "support-bot-main-"));
  const child = spawn(TSX, [join(ROOT, "src", "main.ts")], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  if (input !== undefined) child.stdin.end(input);
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

const running: ChildProcess[] = [];
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) child.kill("SIGKILL");
  for (const server of servers.splice(0)) await server.close();
});

describe("npm start", () => {
  it("runs the sandbox with piped commands and exits at end of input", async () => {
    // The issue's own acceptance line, as the default sandbox account (manager).
    const run = start({}, "/support help\n/support show 1\n/support grab 1\n/support mine\n");
    running.push(run.child);
    expect(await run.exit).toBe(0);
    const out = run.stdout();
    expect(out).toMatch(/SANDBOX/);
    expect(out).toMatch(/\/support triage <bug>/);
    expect(out).toMatch(/Status: NEW, waits for triage/);
    expect(out).toMatch(/You now handle #1/);
    expect(out).toMatch(/\[#management \(thread of #1\)\] @manager grabbed #1/);
    expect(out).toMatch(/Your open bugs/);
  });

  it("plays a week on the sandbox's clock and saves the report's chart under DATA_DIR, printing where", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "support-bot-report-"));
    const lines = [
      "/time 2026-11-23T09:00Z",
      '/support file "Wallet crashes when scanning a QR code twice"',
      "/time 2026-11-23T11:00Z",
      "/support triage 31 @alice",
      "/time 2026-11-30T09:00Z",
      "/support report week",
      "/time nonsense",
    ];
    const run = start({ DATA_DIR: dataDir }, `${lines.join("\n")}\n`);
    running.push(run.child);
    expect(await run.exit).toBe(0);
    const out = run.stdout();
    expect(out).toContain("The sandbox's clock says 2026-11-30T09:00:00.000Z");
    // Filed Monday 09:00, triaged 11:00: two working hours, in the week the report covers.
    expect(out).toContain("#### Support report, week 23.11.–29.11.2026");
    expect(out).toContain("| to triage (filed → developer set) | 1 | 2h | 2h | – | – |");
    const path = join(dataDir, "support-report-2026-11-23.png");
    expect(out).toContain(`saved to ${path}]`);
    expect(readFileSync(path).subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(out).toContain('"nonsense" is not a time');
  });

  it("exits with code 2 and one line per configuration problem, without a stack trace", async () => {
    const run = start({ MANTIS_URL: "http://127.0.0.1:1/", HTTP_PORT: "nope" });
    running.push(run.child);
    expect(await run.exit).toBe(2);
    const lines = run.stderr().trim().split("\n");
    expect(lines[0]).toBe("support-bot: invalid configuration");
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^ {2}HTTP_PORT: /)]);
    expect(run.stderr()).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("refuses a tracker without a chat platform instead of running the sandbox", async () => {
    const run = start({ MANTIS_URL: "http://127.0.0.1:1/", MANTIS_TOKEN: "t", MANTIS_PROJECT: "1" });
    running.push(run.child);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(/MATTERMOST_URL or MATRIX_HOMESERVER_URL: missing/);
    expect(run.stdout()).not.toMatch(/SANDBOX/);
  });

  it("does not start while a staff member's account on a configured platform is not given, and names it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "support-bot-live-"));
    const usersFile = join(dir, "users.json");
    writeFileSync(usersFile, JSON.stringify({ users: [{ name: "alice", role: "staff", accounts: { mantis: "alice", mattermost: "alice" } }] }));
    const run = start({
      MANTIS_URL: "http://127.0.0.1:1/",
      MANTIS_TOKEN: "t",
      MANTIS_PROJECT: "1",
      MATRIX_HOMESERVER_URL: "http://127.0.0.1:1",
      MATRIX_ACCESS_TOKEN: "t",
      MATRIX_ROOMS: "management=!room:localhost",
      USERS_FILE: usersFile,
      DATA_DIR: join(dir, "data"),
    });
    running.push(run.child);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain('alice has no matrix account: add "accounts": { "matrix": "@name:server" }');
  });

  it("runs live against MantisBT and Matrix, answers a command and stops cleanly on SIGTERM", async () => {
    const mantis: MantisSimulator = await startMantisSimulator();
    const matrix: MatrixSimulator = await startMatrixSimulator();
    servers.push(mantis, matrix);
    const room = matrix.createRoom("manager", { name: "Management", invite: [matrix.bot.userId] });
    const dir = mkdtempSync(join(tmpdir(), "support-bot-live-"));
    const usersFile = join(dir, "users.json");
    writeFileSync(usersFile, JSON.stringify({ users: [{ name: "manager", role: "management", accounts: { mantis: "manager", matrix: "@manager:localhost" } }] }));
    const run = start({
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
    });
    running.push(run.child);
    await waitUntil(() => matrix.membership(room, matrix.bot.userId) === "join", run);
    // The proactive engine runs too: its first cycle reports what it found instead of pinging per bug.
    const found = await matrix.waitForEvent((event) => event.sender === matrix.bot.userId && /Found \*{0,2}\d+ NEW bugs?/.test(String(event.content["body"] ?? "")), { timeoutMs: 15_000 });
    expect(found.room_id).toBe(room);
    const command = matrix.sendMessage("manager", room, "!support show 1");
    const answer = await matrix.waitForEvent((event) => event.sender === matrix.bot.userId && String(event.content["body"] ?? "").includes("#1"), { after: command, timeoutMs: 15_000 });
    expect(answer.content["msgtype"]).toBe("m.notice");

    // A Matrix-only bot serves /healthz, /readyz and /metrics too.
    const listening = run.stdout().split("\n").find((line) => line.includes('"msg":"HTTP server listening"'));
    const port = (JSON.parse(listening ?? "{}") as { port?: number }).port;
    expect(port).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: "ok", checks: { matrix: "syncing" } }]);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    // On SQLite the one process is the leader (issue 16: with replicas, one of them).
    expect([ready.status, await ready.json()]).toEqual([
      200,
      { status: "ok", checks: { store: "open", leader: expect.stringMatching(/^leader since .* \(the one process, on SQLite\)$/), poll: expect.stringMatching(/^last poll /), matrix: "syncing" } },
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^support_bot_commands_total\{command="show",outcome="ok"\} 1$/m);
    expect(metrics).toMatch(/^support_bot_leader 1$/m);
    // The doctor's checks ran at start: the bot has power 0 in the room, so it may not remove messages.
    expect(run.stdout()).toMatch(/"level":40,.*"part":"Matrix".*"msg":"setup check failed: room management=.*: the bot may not remove messages/);

    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toMatch(/"msg":"stopped"/);
    // Each binding once per line: child loggers must not add what their parent already has.
    for (const line of run.stdout().split("\n").filter((text) => text.startsWith("{"))) {
      for (const key of ["component", "platform", "job", "module"]) expect(line.split(`"${key}":`).length, line).toBeLessThanOrEqual(2);
    }
  }, 30_000);
});

async function waitUntil(condition: () => boolean, run: Run, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; bot stderr: ${run.stderr()} stdout: ${run.stdout()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
