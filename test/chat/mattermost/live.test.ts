/**
 * The bot as operators run it with Mattermost (`npm start`, a child process, settings from the
 * environment as in README, section Mattermost), against the Mattermost and MantisBT simulators: it
 * registers `/support`, answers a slash command and a DM, posts to the management channel, reports
 * its health, and stops cleanly on SIGTERM; a refused bot token is a configuration error.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { freePort } from "../../real/servers/processes.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startMantisSimulator } from "../../../src/simulators/mantis/server.js";
import { startMattermostSimulator, type MattermostSimulator } from "../../../src/simulators/mattermost/server.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function start(env: Record<string, string>): Run {
  const cwd = mkdtempSync(join(tmpdir(), "support-bot-mm-"));
  const child = spawn(TSX, [join(ROOT, "src", "main.ts")], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdio: "pipe" });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exit };
}

const running: ChildProcess[] = [];
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) child.kill("SIGKILL");
  for (const server of servers.splice(0)) await server.close();
});

async function liveEnvironment(mm: MattermostSimulator): Promise<{ env: Record<string, string>; port: number }> {
  const mantis = await startMantisSimulator();
  servers.push(mantis);
  const dir = mkdtempSync(join(tmpdir(), "support-bot-mm-live-"));
  const usersFile = join(dir, "users.json");
  writeFileSync(
    usersFile,
    JSON.stringify({ users: [{ name: "manager", role: "management", accounts: { mantis: "manager", mattermost: "manager" } }, { name: "alice", role: "staff", accounts: { mantis: "alice", mattermost: "alice" } }] }),
  );
  const port = await freePort();
  return {
    port,
    env: {
      MANTIS_URL: mantis.url,
      MANTIS_TOKEN: mantis.tokens.administrator!,
      MANTIS_PROJECT: "Taler",
      MANTIS_IMPERSONATE: "true",
      MATTERMOST_URL: mm.url,
      MATTERMOST_BOT_TOKEN: mm.tokens["support-bot"]!,
      MATTERMOST_TEAM: "taler",
      MATTERMOST_CHANNELS: "management=support-mgmt,sales=sales",
      MATTERMOST_PUBLIC_URL: `http://127.0.0.1:${port}`,
      MATTERMOST_REGISTER_COMMAND: "true",
      USERS_FILE: usersFile,
      DATA_DIR: join(dir, "data"),
      HTTP_PORT: String(port),
      LOG_LEVEL: "info",
      PROACTIVE: "off",
    },
  };
}

describe("npm start with Mattermost", () => {
  it("registers /support, answers a slash command and a DM, and stops cleanly on SIGTERM", async () => {
    const mm = await startMattermostSimulator();
    servers.push(mm);
    const { env, port } = await liveEnvironment(mm);
    const run = start(env);
    running.push(run.child);
    await mm.waitFor(() => run.output().includes("Mattermost adapter started") || run.child.exitCode !== null, { timeoutMs: 20_000, what: "the bot to start" });
    expect(run.output()).toContain("Mattermost adapter started");

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ status: "ok", checks: { mattermost: "connected" } });
    const slash = await mm.runSlashCommand({ user: "alice", channel: "support", text: "/support show 1" });
    expect(slash.response?.text).toMatch(/^\[#1\]/);

    const dm = String(mm.directChannel("alice", "support-bot")["id"]);
    mm.post({ user: "alice", channel: dm, message: "grab 1" });
    const grabbed = await mm.waitFor(() => mm.posts("support-mgmt").find((post) => post.user_id === mm.bot.id), { timeoutMs: 10_000, what: "the management post" });
    expect(grabbed.message).toMatch(/^@alice grabbed \[#1\]/);

    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
    expect(run.output()).toMatch(/"msg":"stopped"/);
    expect(run.output()).not.toContain(String(mm.commands()[0]?.["token"]));
  }, 40_000);

  it("exits with a configuration error when Mattermost refuses the bot token", async () => {
    const mm = await startMattermostSimulator();
    servers.push(mm);
    const { env } = await liveEnvironment(mm);
    const run = start({ ...env, MATTERMOST_BOT_TOKEN: "revoked-token" });
    running.push(run.child);
    expect(await run.exit).toBe(2);
    expect(run.output()).toMatch(/MATTERMOST_BOT_TOKEN: .* refused the token/);
  }, 40_000);
});
