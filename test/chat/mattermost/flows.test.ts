/**
 * The support process through Mattermost as people use it: slash commands, DMs to the bot,
 * notifications in the management channel (one thread per bug), DMs from the bot, and buttons that
 * run commands as whoever clicks them, with the same role checks as typed commands.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startMattermostHarness, type MattermostHarness } from "./mattermost-harness.js";

let h: MattermostHarness;

beforeEach(async () => {
  h = await startMattermostHarness();
});
afterEach(async () => {
  await h.close();
});

/** The actions of a post as the server stores them (integration blocks included). */
function actionsOf(post: { props: Record<string, unknown> }): Array<{ id: string; name: string; integration?: { url: string; context: Record<string, unknown> } }> {
  const attachments = (post.props["attachments"] ?? []) as Array<{ actions?: Array<{ id: string; name: string; integration?: { url: string; context: Record<string, unknown> } }> }>;
  return attachments.flatMap((attachment) => attachment.actions ?? []);
}

describe("grab through a DM to the bot", () => {
  it("takes the bug, answers in the DM and starts the bug's thread in the management channel", async () => {
    const asked = h.dm("alice", "grab 1");
    const answer = await h.nextBotPost(h.dmChannel("alice"), asked);
    expect(answer.message).toContain("You now handle [#1]");
    expect(answer.root_id).toBe("");
    expect((await h.bug(1)).status).toBe("feedback");
    expect((await h.bug(1)).handler?.name).toBe("alice");

    const management = h.botPosts("support-mgmt");
    expect(management).toHaveLength(1);
    expect(management[0]!.message).toMatch(/^@alice grabbed \[#1\]/);
    expect(management[0]!.root_id).toBe("");
    expect(management[0]!.props["from_bot"]).toBe("true");
  });

  it("puts later updates about the same bug into that thread, with a Confirm button", async () => {
    await h.slash("alice", "grab 1");
    const [root] = h.botPosts("support-mgmt");
    const feedback = await h.slash("alice", 'feedback 1 4h 14.3.2034 "Fix the pending state after the bank confirms"');
    expect(feedback.status).toBe(200);
    const posts = h.botPosts("support-mgmt");
    expect(posts).toHaveLength(2);
    expect(posts[1]!.root_id).toBe(root!.id);
    expect(actionsOf(posts[1]!).map((action) => action.name)).toEqual(["Confirm"]);
    expect(h.mm.thread(root!.id).map((post) => post.id)).toEqual([root!.id, posts[1]!.id]);
  });

  it("answers DMs written as `/support grab` or `support grab` too", async () => {
    const first = h.dm("alice", " /support show 2");
    expect((await h.nextBotPost(h.dmChannel("alice"), first)).message).toMatch(/^\[#2\]/);
    const second = h.dm("alice", "Support show 3");
    expect((await h.nextBotPost(h.dmChannel("alice"), second)).message).toMatch(/^\[#3\]/);
  });

  it("tells people who are not linked how to get linked, in their DM", async () => {
    const asked = h.dm("dave-unlinked", "grab 1");
    const answer = await h.nextBotPost(h.dmChannel("dave-unlinked"), asked);
    expect(answer.message).toContain("not linked to a staff account");
    expect((await h.bug(1)).status).toBe("new");
  });
});

describe("buttons", () => {
  async function confirmButtonPost(): Promise<{ id: string; props: Record<string, unknown> }> {
    await h.slash("alice", "grab 1");
    await h.slash("alice", 'feedback 1 4h 14.3.2034 "Fix the pending state after the bank confirms"');
    return h.botPosts("support-mgmt").at(-1)!;
  }

  it("runs the button's command as the person who clicks it", async () => {
    const post = await confirmButtonPost();
    const click = await h.mm.clickButton({ post: post.id, action: "Confirm", user: "manager" });
    expect(click.status).toBe(200);
    expect(click.response?.ephemeral_text).toContain("#1");
    expect((await h.bug(1)).status).toBe("confirmed");
    // confirm tells the developer by DM, with a Start button of their own.
    const dm = await h.nextBotPost(h.dmChannel("alice"));
    expect(actionsOf(dm).map((action) => action.name)).toContain("Start");
  });

  it("applies the role check of the command to the clicker", async () => {
    const post = await confirmButtonPost();
    const before = await h.bug(1);
    const click = await h.mm.clickButton({ post: post.id, action: "Confirm", user: "bob" });
    expect(click.status).toBe(200);
    expect(click.response?.ephemeral_text).toMatch(/Only management can run `confirm`/);
    expect((await h.bug(1)).status).toBe(before.status);
  });

  it("refuses a click whose context was not signed by the bot, and changes nothing", async () => {
    const post = await confirmButtonPost();
    const [action] = actionsOf(post);
    const context = action!.integration!.context;
    const forged = { ...context, command: "triage 2 @bob priority=urgent" };
    const response = await fetch(`${h.botUrl}/mattermost/action`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user_id: h.mm.users["manager"]!.id, user_name: "manager", channel_id: h.mm.channelId("support-mgmt"), post_id: post.id, context: forged }),
    });
    expect(response.status).toBe(403);
    expect((await h.bug(2)).handler?.name).not.toBe("bob");
    const withoutContext = await fetch(`${h.botUrl}/mattermost/action`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user_id: h.mm.users["manager"]!.id, user_name: "manager", channel_id: h.mm.channelId("support-mgmt"), post_id: post.id }),
    });
    expect(withoutContext.status).toBe(403);
  });

  it("refuses a genuine button replayed from another channel", async () => {
    const post = await confirmButtonPost();
    const before = await h.bug(1);
    const context = actionsOf(post)[0]!.integration!.context;
    const response = await fetch(`${h.botUrl}/mattermost/action`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user_id: h.mm.users["manager"]!.id, user_name: "manager", channel_id: h.mm.channelId("town-square"), post_id: post.id, context }),
    });
    expect(response.status).toBe(403);
    expect((await h.bug(1)).status).toBe(before.status);
  });

  it("never shows the context to clients", async () => {
    const post = await confirmButtonPost();
    const seen = h.mm.requests.filter((request) => request.method === "GET" && request.path === `/api/v4/posts/${post.id}`);
    expect(seen).toEqual([]);
    const response = await fetch(`${h.mm.url}/api/v4/posts/${post.id}`, { headers: { Authorization: `Bearer ${h.mm.tokens["manager"]}` } });
    expect(JSON.stringify(await response.json())).not.toContain("signature");
  });
});

describe("notifications from the bot", () => {
  it("sends DMs through one DM channel per person, created once and kept in the store", async () => {
    const alice = h.staff.find("alice")!;
    await h.adapter.notifier.direct(alice, { text: "first" });
    await h.adapter.notifier.direct(alice, { text: "second" });
    expect(h.botPosts(h.dmChannel("alice")).map((post) => post.message)).toEqual(["first", "second"]);
    const created = h.mm.requests.filter((request) => request.path === "/api/v4/channels/direct");
    expect(created).toHaveLength(1);
    expect(created[0]!.body).toEqual([h.mm.bot.id, h.mm.users["alice"]!.id]);
  });

  it("never messages someone without a Mattermost account as the Mattermost user of the same name", async () => {
    const matrixOnly = { ...h.staff.find("alice")!, accounts: { mantis: "alice", mattermost: null, matrix: "@alice:example.org" } };
    await h.adapter.notifier.direct(matrixOnly, { text: "Bug #3 waits for your feedback" });
    expect(h.mm.requests.filter((request) => request.path === "/api/v4/channels/direct")).toEqual([]);
    expect(h.botPosts(h.dmChannel("alice"))).toEqual([]);
  });

  it("posts without a bug as plain channel posts and with a bug into the bug's thread", async () => {
    await h.adapter.notifier.channel("sales", { text: "S-1 recorded" });
    await h.adapter.notifier.channel("sales", { text: "about 5", bugId: 5 });
    await h.adapter.notifier.channel("sales", { text: "more about 5", bugId: 5 });
    const [plain, root, reply] = h.botPosts("sales");
    expect(plain).toMatchObject({ message: "S-1 recorded", root_id: "" });
    expect(root).toMatchObject({ message: "about 5", root_id: "" });
    expect(reply).toMatchObject({ message: "more about 5", root_id: root!.id });
  });

  it("starts a new thread when the bug's root post was deleted", async () => {
    await h.adapter.notifier.channel("management", { text: "about 5", bugId: 5 });
    const [root] = h.botPosts("support-mgmt");
    await fetch(`${h.mm.url}/api/v4/posts/${root!.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${h.mm.tokens["support-bot"]}` } });
    await h.adapter.notifier.channel("management", { text: "still about 5", bugId: 5 });
    await h.adapter.notifier.channel("management", { text: "and more", bugId: 5 });
    const [newRoot, reply] = h.botPosts("support-mgmt");
    expect(newRoot).toMatchObject({ message: "still about 5", root_id: "" });
    expect(reply).toMatchObject({ message: "and more", root_id: newRoot!.id });
  });

  it("keeps one thread when two updates about a bug arrive at once", async () => {
    await Promise.all([1, 2, 3].map((n) => h.adapter.notifier.channel("management", { text: `update ${n}`, bugId: 9 })));
    const posts = h.botPosts("support-mgmt");
    expect(posts.filter((post) => post.root_id === "")).toHaveLength(1);
    expect(posts.filter((post) => post.root_id === posts[0]!.id)).toHaveLength(2);
  });

  it("says which setting is missing for an unknown channel key", async () => {
    await expect(h.adapter.notifier.channel("billing", { text: "x" })).rejects.toThrow(/No Mattermost channel is set up for "billing"/);
  });
});

describe("limits of the Mattermost server", () => {
  it("waits out a rate limit (429) and still delivers", async () => {
    h.mm.forceRateLimit(2);
    await h.adapter.notifier.channel("management", { text: "after the limit" });
    expect(h.botPosts("support-mgmt").map((post) => post.message)).toEqual(["after the limit"]);
    expect(h.mm.requests.filter((request) => request.response.status === 429)).toHaveLength(2);
  });
});

describe("old buttons", () => {
  it("answers a button older than 30 days with the command to type, and runs nothing", async () => {
    await h.close();
    let later = 0;
    h = await startMattermostHarness({ clock: () => Date.now() + later });
    await h.slash("alice", "grab 1");
    await h.slash("alice", 'feedback 1 4h 14.3.2034 "Fix the pending state after the bank confirms"');
    const post = h.botPosts("support-mgmt").at(-1)!;
    const before = await h.bug(1);
    later = 31 * 24 * 3_600_000;
    const click = await h.mm.clickButton({ post: post.id, action: "Confirm", user: "manager" });
    expect(click.response?.ephemeral_text).toBe("This button is too old to use. Type `/support confirm 1` instead.");
    expect((await h.bug(1)).status).toBe(before.status);
  });
});
