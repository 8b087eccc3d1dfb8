/**
 * DMs to the bot over the WebSocket: answered in order, never for the bot's own posts, and neither
 * lost nor doubled when the connection drops, the server restarts or the bot itself restarts.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { WirePost } from "../../../src/simulators/mattermost/server.js";
import { startMattermostHarness, type MattermostHarness } from "./mattermost-harness.js";

let h: MattermostHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The bot's posts in alice's DM, oldest first. */
function answers(harness: MattermostHarness): string[] {
  return harness.botPosts(harness.dmChannel("alice")).map((post) => post.message);
}

/** Waits until the bot answered `count` times in alice's DM. */
function answered(harness: MattermostHarness, count: number): Promise<string[]> {
  return harness.mm.waitFor(() => (answers(harness).length >= count ? answers(harness) : undefined), { what: `${count} answers in the DM` });
}

/**
 * Sends a last DM and waits for its answer. Answers in a DM come in the order of the posts, so any
 * doubled answer to an earlier post would have come before this one.
 */
async function settle(harness: MattermostHarness): Promise<string[]> {
  harness.dm("alice", "show 30");
  await harness.mm.waitFor(() => answers(harness).some((text) => text.startsWith("[#30]")), { what: "the answer to the last DM" });
  return answers(harness);
}

async function disconnect(harness: MattermostHarness, options: { forgetSessions?: boolean } = {}): Promise<void> {
  harness.mm.refuseConnections();
  harness.mm.dropConnections(options);
  await harness.mm.waitFor(() => !harness.mm.connectedUsers().includes("support-bot"), { what: "the bot to be disconnected" });
}

async function reconnect(harness: MattermostHarness): Promise<void> {
  harness.mm.acceptConnections();
  await harness.mm.waitFor(() => harness.mm.connectedUsers().includes("support-bot"), { what: "the bot to reconnect" });
}

function catchUpReads(harness: MattermostHarness): number {
  const channel = harness.dmChannel("alice");
  return harness.mm.requests.filter((request) => request.method === "GET" && request.path === `/api/v4/channels/${channel}/posts`).length;
}

describe("DMs to the bot", () => {
  it("answers several DMs in the order they were sent", async () => {
    h = await startMattermostHarness();
    h.dm("alice", "show 2");
    h.dm("alice", "show 3");
    h.dm("alice", "show 4");
    const [first, second, third] = await answered(h, 3);
    expect(first).toMatch(/^\[#2\]/);
    expect(second).toMatch(/^\[#3\]/);
    expect(third).toMatch(/^\[#4\]/);
  });

  it("does not answer its own posts", async () => {
    h = await startMattermostHarness();
    await h.adapter.notifier.direct(h.staff.find("alice")!, { text: "help" });
    const all = await settle(h);
    expect(all).toHaveLength(2);
    expect(all[0]).toBe("help");
    expect(all[1]).toMatch(/^\[#30\]/);
  });

  it("answers in the thread a person wrote in", async () => {
    h = await startMattermostHarness();
    const root = h.dm("alice", "show 2");
    const first = await h.nextBotPost(h.dmChannel("alice"), root);
    const inThread = h.mm.post({ user: "alice", channel: h.dmChannel("alice"), message: "show 3", rootId: root.id });
    const reply = await h.nextBotPost(h.dmChannel("alice"), inThread);
    expect(first.root_id).toBe("");
    expect(reply.root_id).toBe(root.id);
  });

  it("runs a command once when it arrives as an event and again in a catch-up", async () => {
    h = await startMattermostHarness();
    h.dm("alice", "grab 1");
    await answered(h, 1);
    // A server restart makes the bot read the DM over REST, where the post shows up again.
    await disconnect(h, { forgetSessions: true });
    await reconnect(h);
    const all = await settle(h);
    expect(all).toHaveLength(2);
    expect(h.botPosts("support-mgmt")).toHaveLength(1);
  });
});

describe("connection drops", () => {
  it("gets a DM sent during a short drop once, from the server's replay", async () => {
    h = await startMattermostHarness();
    h.dm("alice", "show 2");
    await answered(h, 1);
    const readsBefore = catchUpReads(h);
    await disconnect(h);
    h.dm("alice", "show 3");
    await reconnect(h);
    const all = await settle(h);
    expect(all.map((text) => /^\[#(\d+)\]/.exec(text)?.[1])).toEqual(["2", "3", "30"]);
    expect(catchUpReads(h)).toBe(readsBefore);
  });

  it("reads DMs over REST after a server restart, without losing or doubling any", async () => {
    h = await startMattermostHarness();
    h.dm("alice", "show 2");
    await answered(h, 1);
    await disconnect(h, { forgetSessions: true });
    h.dm("alice", "show 3");
    h.dm("alice", "grab 1");
    await reconnect(h);
    const all = await settle(h);
    expect(all.map((text) => /^(?:\[#(\d+)\]|You now handle \[#(\d+)\])/.exec(text)?.slice(1).find(Boolean))).toEqual(["2", "3", "1", "30"]);
    expect(catchUpReads(h)).toBeGreaterThan(0);
    expect((await h.bug(1)).handler?.name).toBe("alice");
    expect(h.botPosts("support-mgmt")).toHaveLength(1);
  });

  it("reads DMs over REST when the server's reaper forgot the dropped connection (a new hello, no replay)", async () => {
    let serverClock = Date.now();
    h = await startMattermostHarness({ simulator: { now: () => serverClock } });
    h.dm("alice", "show 2");
    await answered(h, 1);
    const readsBefore = catchUpReads(h);
    await disconnect(h);
    h.dm("alice", "show 3");
    // The reaper runs every 5 minutes; after 10 the dropped connection is gone for sure.
    serverClock += 10 * 60_000;
    await reconnect(h);
    const all = await settle(h);
    expect(all.map((text) => /^\[#(\d+)\]/.exec(text)?.[1])).toEqual(["2", "3", "30"]);
    expect(catchUpReads(h)).toBeGreaterThan(readsBefore);
  });

  it("keeps retrying while the server refuses connections, and reports it in the health check", async () => {
    h = await startMattermostHarness();
    h.dm("alice", "show 2");
    await answered(h, 1);
    await disconnect(h);
    await h.mm.waitFor(() => h!.mm.refusedConnections >= 3, { what: "three refused attempts" });
    const health = (await (await fetch(`${h.botUrl}/healthz`)).json()) as { checks: Record<string, string> };
    expect(health.checks["mattermost"]).toMatch(/^websocket reconnecting since /);
    h.dm("alice", "show 3");
    await reconnect(h);
    expect(await settle(h)).toHaveLength(3);
  });
});

describe("bot restarts", () => {
  it("answers DMs sent while the bot was stopped, and not those it answered before", async () => {
    h = await startMattermostHarness();
    h.dm("alice", "show 2");
    await answered(h, 1);
    await h.adapter.stop();
    h.dm("alice", "show 3");
    await h.restart();
    const all = await settle(h);
    expect(all.map((text) => /^\[#(\d+)\]/.exec(text)?.[1])).toEqual(["2", "3", "30"]);
  });

  it("does not run DMs that waited longer than an hour, and says so", async () => {
    let later = 0;
    h = await startMattermostHarness({ clock: () => Date.now() + later });
    h.dm("alice", "show 2");
    await answered(h, 1);
    await h.adapter.stop();
    const old: WirePost = h.dm("alice", "grab 1");
    // The bot comes back two hours later.
    later = 2 * 3_600_000;
    await h.restart();
    await answered(h, 2);
    const all = await settle(h);
    expect(all).toHaveLength(3);
    expect(all[1]).toBe(`I was offline when you sent \`grab\` at ${new Date(old.create_at).toISOString()}, so I did not run it. Send it again if it is still needed.`);
    expect((await h.bug(1)).status).toBe("new");
  });

  it("answers a first-ever DM sent while it was stopped, in a DM channel it had never seen", async () => {
    h = await startMattermostHarness();
    await h.adapter.stop();
    h.dm("carol", "show 2");
    await h.restart();
    const answer = await h.nextBotPost(h.dmChannel("carol"));
    expect(answer.message).toMatch(/^\[#2\]/);
  });

  it("takes nothing written in its DM channels before it first ran for a command", async () => {
    h = await startMattermostHarness({ start: false });
    h.dm("carol", "grab 1");
    await h.start();
    h.dm("carol", "show 3");
    const answer = await h.nextBotPost(h.dmChannel("carol"));
    expect(answer.message).toMatch(/^\[#3\]/);
    expect(h.botPosts(h.dmChannel("carol"))).toHaveLength(1);
    expect((await h.bug(1)).status).toBe("new");
  });
});

describe("DM channels it has never seen", () => {
  it("reads them after a server restart, and again after the next one", async () => {
    h = await startMattermostHarness();
    await disconnect(h, { forgetSessions: true });
    h.dm("carol", "show 2");
    await reconnect(h);
    expect((await h.nextBotPost(h.dmChannel("carol"))).message).toMatch(/^\[#2\]/);
    await disconnect(h, { forgetSessions: true });
    const later = h.dm("carol", "show 3");
    await reconnect(h);
    expect((await h.nextBotPost(h.dmChannel("carol"), later)).message).toMatch(/^\[#3\]/);
  });
});

describe("replicas (issue 16): only the leader reads DMs", () => {
  it("a standby answers slash commands without reading DMs; once it leads it reads those sent meanwhile, once each", async () => {
    h = await startMattermostHarness({ listen: false });
    expect((await h.slash("alice", "show 1")).response?.text).toMatch(/^\[#1\]/);
    expect(h.mm.connectedUsers()).not.toContain("support-bot");
    expect(h.adapter.health()).toEqual({ ok: true, detail: "connected; DMs are read by the leader replica" });

    // Elected: it reads DMs.
    await h.adapter.listen();
    h.dm("alice", "show 2");
    expect(await answered(h, 1)).toEqual([expect.stringMatching(/^\[#2\]/)]);
    expect(h.adapter.health()).toEqual({ ok: true, detail: "connected" });

    // Deposed: the WebSocket closes, slash commands still work; a DM sent now waits for the next leader.
    await h.adapter.stopListening();
    await h.mm.waitFor(() => !h!.mm.connectedUsers().includes("support-bot"), { what: "the bot to leave the WebSocket" });
    h.dm("alice", "show 3");
    expect((await h.slash("alice", "show 4")).response?.text).toMatch(/^\[#4\]/);
    expect(answers(h)).toHaveLength(1);

    // Elected again: the DM of the leaderless time is answered, and the earlier one not again.
    await h.adapter.listen();
    const all = await settle(h);
    expect(all.map((text) => text.slice(0, 4))).toEqual(["[#2]", "[#3]", "[#30"]);
  });
});
