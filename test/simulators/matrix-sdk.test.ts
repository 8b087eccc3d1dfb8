import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutojoinRoomsMixin, LogLevel, LogService, MatrixClient, MemoryStorageProvider, SimpleFsStorageProvider } from "matrix-bot-sdk";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMatrixSimulator, type MatrixSimulator } from "../../src/simulators/matrix/server.js";

// The SDK logs through a global LogService; capture it so the test can see the sync loop end, and stay quiet.
const logLines: string[] = [];
const capture = (level: string) => (module: string, ...parts: unknown[]) => {
  logLines.push(`${level} ${module} ${parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join(" ")}`);
};

beforeAll(() => {
  LogService.setLogger({ info: capture("info"), warn: capture("warn"), error: capture("error"), debug: capture("debug"), trace: capture("trace") });
  LogService.setLevel(LogLevel.INFO);
});

let sim: MatrixSimulator;
let dataDir: string;
const clients: MatrixClient[] = [];

beforeEach(async () => {
  sim = await startMatrixSimulator();
  dataDir = mkdtempSync(join(tmpdir(), "matrix-sdk-test-"));
  logLines.length = 0;
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.stop();
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
  expect(sim.serverErrors).toEqual([]);
});

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

/** Stops a client and ends its pending long-poll, then waits until its sync loop has really finished. */
async function stopClient(client: MatrixClient): Promise<void> {
  const stopsBefore = logLines.filter((l) => l.includes("Client stop requested")).length;
  client.stop();
  sim.wakeSyncs();
  await waitUntil(() => logLines.filter((l) => l.includes("Client stop requested")).length > stopsBefore, "the sync loop to stop");
}

function nextMessage(client: MatrixClient, fromOthers: string): Promise<{ roomId: string; event: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const handler = (roomId: string, event: Record<string, unknown>) => {
      if (event["sender"] === fromOthers) return;
      client.off("room.message", handler);
      resolve({ roomId, event });
    };
    client.on("room.message", handler);
  });
}

describe("matrix-bot-sdk 0.7.1 against the simulator", () => {
  it("starts, joins a DM on invite, receives a room message, sends a notice and stops cleanly", async () => {
    const client = new MatrixClient(sim.url, sim.bot.accessToken, new SimpleFsStorageProvider(join(dataDir, "bot.json")));
    clients.push(client);
    AutojoinRoomsMixin.setupOnClient(client);
    await client.start();
    expect(await client.getUserId()).toBe(sim.bot.userId);

    const roomId = sim.createDirectRoom("alice", sim.bot);
    await sim.waitForEvent((e) => e.room_id === roomId && e.type === "m.room.member" && e.state_key === sim.bot.userId && e.content["membership"] === "join");
    // The SDK's DM tracker records the is_direct invite in the bot's m.direct.
    await waitUntil(() => sim.accountData(sim.bot, "m.direct") !== undefined, "m.direct to be written");
    expect(sim.accountData(sim.bot, "m.direct")).toEqual({ "@alice:localhost": [roomId] });

    const received = nextMessage(client, sim.bot.userId);
    const commandId = sim.sendMessage("alice", roomId, "!support help");
    const { roomId: seenRoom, event } = await received;
    expect(seenRoom).toBe(roomId);
    expect(event["event_id"]).toBe(commandId);
    expect(event["content"]).toEqual({ msgtype: "m.text", body: "!support help" });

    const noticeId = await client.sendNotice(roomId, "Commands: grab, summary");
    const notice = sim.event(roomId, noticeId);
    expect(notice).toMatchObject({ sender: sim.bot.userId, type: "m.room.message", content: { msgtype: "m.notice", body: "Commands: grab, summary" } });

    await stopClient(client);
    expect(sim.requests.filter((r) => r.status === undefined)).toEqual([]);
  });

  it("continues after a restart from the stored sync token without replaying old messages", async () => {
    const storageFile = join(dataDir, "bot.json");
    const roomId = sim.createRoom("alice", { invite: [sim.bot.userId] });
    sim.join(sim.bot, roomId);

    const first = new MatrixClient(sim.url, sim.bot.accessToken, new SimpleFsStorageProvider(storageFile));
    clients.push(first);
    const firstReceived = nextMessage(first, sim.bot.userId);
    await first.start();
    const oldId = sim.sendMessage("alice", roomId, "before restart");
    expect((await firstReceived).event["event_id"]).toBe(oldId);
    await stopClient(first);

    const second = new MatrixClient(sim.url, sim.login(sim.bot).accessToken, new SimpleFsStorageProvider(storageFile));
    clients.push(second);
    const seen: string[] = [];
    second.on("room.message", (_roomId: string, event: Record<string, unknown>) => seen.push(String(event["event_id"])));
    const secondReceived = nextMessage(second, sim.bot.userId);
    await second.start();
    const newId = sim.sendMessage("alice", roomId, "after restart");
    expect((await secondReceived).event["event_id"]).toBe(newId);
    expect(seen).toEqual([newId]);
    await stopClient(second);
  });

  it("creates a DM with getOrCreateDm using is_direct and trusted_private_chat", async () => {
    const client = new MatrixClient(sim.url, sim.bot.accessToken, new MemoryStorageProvider());
    clients.push(client);
    await client.start();
    const roomId = await client.dms.getOrCreateDm("@carol:localhost");
    expect(sim.membership(roomId, "carol")).toBe("invite");
    const invite = sim.timeline(roomId).find((e) => e.type === "m.room.member" && e.state_key === "@carol:localhost");
    expect(invite?.content).toMatchObject({ membership: "invite", is_direct: true });
    expect(sim.stateContent(roomId, "m.room.join_rules")).toEqual({ join_rule: "invite" });
    expect(sim.accountData(sim.bot, "m.direct")).toEqual({ "@carol:localhost": [roomId] });
    await stopClient(client);
  });
});
