import mattermostClient from "@mattermost/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MattermostSimulator, startMattermostSimulator } from "../../src/simulators/mattermost/server.js";

// Plain Node cannot see the package's named exports (CommonJS getters); the default import works everywhere.
const { Client4 } = mattermostClient;
type ClientInstance = InstanceType<typeof Client4>;

let sim: MattermostSimulator;

function clientFor(username: string): ClientInstance {
  const client = new Client4();
  client.setUrl(sim.url);
  client.setToken(sim.tokens[username] ?? "");
  return client;
}

async function raw(path: string, init: { method?: string; token?: string; body?: string } = {}): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers["Authorization"] = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${sim.url}${path}`, { method: init.method ?? "GET", headers, body: init.body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

async function rejection(promise: Promise<unknown>): Promise<{ status_code?: number; server_error_id?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { status_code?: number; server_error_id?: string; message: string };
  }
  throw new Error("expected the call to fail");
}

beforeEach(async () => {
  sim = await startMattermostSimulator();
});

afterEach(async () => {
  await sim.close();
});

describe("users and authentication", () => {
  it("answers /users/me with the bot account behind the token", async () => {
    const me = await clientFor("support-bot").getMe();
    expect(me).toMatchObject({ id: sim.bot.id, username: "support-bot", is_bot: true });
    expect(me.id).toMatch(/^[a-z0-9]{26}$/);
  });

  it("refuses a bad token with 401 and the server's error body", async () => {
    const response = await raw("/api/v4/users/me", { token: "not-a-token" });
    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ id: "api.context.session_expired.app_error", status_code: 401, is_oauth: false });
    expect(response.json).toHaveProperty("message");
    expect((response.json as { request_id: string }).request_id).toBe(response.headers.get("x-request-id"));
  });

  it("refuses a request without any token", async () => {
    expect((await raw("/api/v4/users/me")).status).toBe(401);
  });

  it("accepts the token as MMAUTHTOKEN cookie and as access_token query parameter", async () => {
    const viaCookie = await fetch(`${sim.url}/api/v4/users/me`, { headers: { Cookie: `MMAUTHTOKEN=${sim.tokens["alice"]}` } });
    expect(((await viaCookie.json()) as { username: string }).username).toBe("alice");
    const viaQuery = await raw(`/api/v4/users/me?access_token=${sim.tokens["bob"]}`);
    expect((viaQuery.json as { username: string }).username).toBe("bob");
  });

  it("looks users up by id, username, usernames and ids", async () => {
    const client = clientFor("support-bot");
    const alice = await client.getUserByUsername("alice");
    expect(alice.id).toBe(sim.users["alice"]?.id);
    expect((await client.getUser(alice.id)).username).toBe("alice");
    const byNames = await client.getProfilesByUsernames(["alice", "carol", "nobody"]);
    expect(byNames.map((user) => user.username)).toEqual(["alice", "carol"]);
    const byIds = await client.getProfilesByIds([sim.users["bob"]?.id ?? "", sim.users["dave-unlinked"]?.id ?? ""]);
    expect(byIds.map((user) => user.username)).toEqual(["bob", "dave-unlinked"]);
  });

  it("answers 404 for an unknown user and 400 for a malformed id", async () => {
    const client = clientFor("support-bot");
    expect(await rejection(client.getUserByUsername("nobody"))).toMatchObject({ status_code: 404, server_error_id: "app.user.get_by_username.app_error" });
    expect(await rejection(client.getUser("a".repeat(26)))).toMatchObject({ status_code: 404, server_error_id: "app.user.missing_account.const" });
    expect(await rejection(client.getUser("short"))).toMatchObject({ status_code: 400, server_error_id: "api.context.invalid_url_param.app_error" });
  });

  it("answers 400 to a body that is not JSON", async () => {
    const response = await raw("/api/v4/posts", { method: "POST", token: sim.tokens["support-bot"], body: "{not json" });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ id: "api.context.invalid_body_param.app_error", status_code: 400 });
    const usernames = await raw("/api/v4/users/usernames", { method: "POST", token: sim.tokens["support-bot"], body: '"alice"' });
    expect(usernames.status).toBe(400);
  });
});

describe("teams and channels", () => {
  it("finds the team and its channels by name", async () => {
    const client = clientFor("support-bot");
    const team = await client.getTeamByName("taler");
    expect(team.id).toBe(sim.team.id);
    const channel = await client.getChannelByName(team.id, "support-mgmt");
    expect(channel).toMatchObject({ id: sim.channelId("support-mgmt"), name: "support-mgmt", type: "O", team_id: team.id });
    expect(await rejection(client.getChannelByName(team.id, "no-such-channel"))).toMatchObject({ status_code: 404 });
    expect(await rejection(client.getTeamByName("other"))).toMatchObject({ status_code: 404 });
  });

  it("gets or creates the DM channel named after both sorted ids", async () => {
    const client = clientFor("support-bot");
    const alice = sim.users["alice"]?.id ?? "";
    const first = await client.createDirectChannel([sim.bot.id, alice]);
    expect(first.type).toBe("D");
    expect(first.name).toBe([sim.bot.id, alice].sort().join("__"));
    expect(first.team_id).toBe("");
    const again = await client.createDirectChannel([alice, sim.bot.id]);
    expect(again.id).toBe(first.id);
    expect(sim.requests.filter((request) => request.path === "/api/v4/channels/direct").map((request) => request.response.status)).toEqual([201, 201]);
  });

  it("refuses a DM between two other users and anything but two ids", async () => {
    const client = clientFor("support-bot");
    const alice = sim.users["alice"]?.id ?? "";
    const bob = sim.users["bob"]?.id ?? "";
    expect(await rejection(client.createDirectChannel([alice, bob]))).toMatchObject({ status_code: 403 });
    expect(await rejection(client.createDirectChannel([sim.bot.id]))).toMatchObject({ status_code: 400 });
    expect(await rejection(client.createDirectChannel([sim.bot.id, "z".repeat(26)]))).toMatchObject({ status_code: 400, server_error_id: "api.channel.create_direct_channel.invalid_user.app_error" });
  });

  it("hides a DM channel from users outside it", async () => {
    const dm = sim.directChannel("alice", "bob");
    const client = clientFor("support-bot");
    expect(await rejection(client.getChannel(String(dm["id"])))).toMatchObject({ status_code: 403 });
    expect((await clientFor("alice").getChannel(String(dm["id"]))).name).toBe(dm["name"]);
  });

  it("reports a private channel the caller is not in as missing", async () => {
    await sim.close();
    sim = await startMattermostSimulator({ seed: { users: [{ username: "support-bot", isBot: true }, { username: "alice" }], channels: [{ name: "secret", type: "P", members: ["alice"] }] } });
    const error = await rejection(clientFor("support-bot").getChannelByName(sim.team.id, "secret"));
    expect(error).toMatchObject({ status_code: 404, server_error_id: "app.channel.get_by_name.missing.app_error" });
  });
});

describe("posts", () => {
  it("creates a post with a bot marker and records it in the channel", async () => {
    const client = clientFor("support-bot");
    const post = await client.createPost({ channel_id: sim.channelId("support-mgmt"), message: "New bug #1234" } as Parameters<ClientInstance["createPost"]>[0]);
    expect(post).toMatchObject({ user_id: sim.bot.id, channel_id: sim.channelId("support-mgmt"), root_id: "", message: "New bug #1234", props: { from_bot: "true" } });
    expect(sim.posts("support-mgmt").map((stored) => stored.message)).toEqual(["New bug #1234"]);
  });

  it("threads a reply under an existing root in the same channel only", async () => {
    const client = clientFor("support-bot");
    const channelId = sim.channelId("support-mgmt");
    const root = await client.createPost({ channel_id: channelId, message: "root" } as Parameters<ClientInstance["createPost"]>[0]);
    const reply = await client.createPost({ channel_id: channelId, message: "reply", root_id: root.id } as Parameters<ClientInstance["createPost"]>[0]);
    expect(reply.root_id).toBe(root.id);
    expect(sim.thread(root.id).map((post) => post.message)).toEqual(["root", "reply"]);
    const wrongChannel = await rejection(client.createPost({ channel_id: sim.channelId("sales"), message: "x", root_id: root.id } as Parameters<ClientInstance["createPost"]>[0]));
    expect(wrongChannel).toMatchObject({ status_code: 400, server_error_id: "api.post.create_post.channel_root_id.app_error" });
    const missing = await rejection(client.createPost({ channel_id: channelId, message: "x", root_id: "q".repeat(26) } as Parameters<ClientInstance["createPost"]>[0]));
    expect(missing).toMatchObject({ status_code: 400, server_error_id: "api.post.create_post.root_id.app_error" });
    const replyToReply = await rejection(client.createPost({ channel_id: channelId, message: "x", root_id: reply.id } as Parameters<ClientInstance["createPost"]>[0]));
    expect(replyToReply).toMatchObject({ status_code: 400, server_error_id: "api.post.create_post.root_id.app_error" });
  });

  it("answers 403 for a channel that does not exist or the caller cannot post in", async () => {
    const dm = sim.directChannel("alice", "bob");
    const client = clientFor("support-bot");
    expect(await rejection(client.createPost({ channel_id: "x".repeat(26), message: "hi" } as Parameters<ClientInstance["createPost"]>[0]))).toMatchObject({ status_code: 403 });
    expect(await rejection(client.createPost({ channel_id: String(dm["id"]), message: "hi" } as Parameters<ClientInstance["createPost"]>[0]))).toMatchObject({ status_code: 403 });
  });

  it("strips action integrations from posts it returns but keeps them server-side", async () => {
    const client = clientFor("support-bot");
    const props = { attachments: [{ text: "Bug 7", actions: [{ id: "grab7", type: "button", name: "Grab", integration: { url: "http://127.0.0.1:1/actions", context: { bug: 7, secret: "s3cr3t-context" } } }] }] };
    const post = await client.createPost({ channel_id: sim.channelId("support"), message: "", props } as Parameters<ClientInstance["createPost"]>[0]);
    const returned = JSON.stringify(post);
    expect(returned).not.toContain("integration");
    // A value with a hyphen: random 26-letter post ids can never contain it by chance.
    expect(returned).not.toContain("s3cr3t-context");
    expect(JSON.stringify(await client.getPost(post.id))).not.toContain("s3cr3t-context");
    const stored = sim.posts("support")[0];
    expect(JSON.stringify(stored)).toContain('"secret":"s3cr3t-context"');
  });

  it("drops attachment keys the server does not know and fills in the rest", async () => {
    const client = clientFor("support-bot");
    const props = { attachments: [{ text: "t", colour: "red", actions: [{ id: "a1", type: "button", name: "A", integration: { url: "http://127.0.0.1:1/a" } }] }] };
    const post = await client.createPost({ channel_id: sim.channelId("support"), message: "m", props } as Parameters<ClientInstance["createPost"]>[0]);
    const attachment = (post.props["attachments"] as Array<Record<string, unknown>>)[0];
    expect(attachment).not.toHaveProperty("colour");
    expect(attachment).toMatchObject({ id: 0, fallback: "", color: "", text: "t", fields: null, ts: null });
  });

  it("refuses in strict mode an action without type, and only warns otherwise", async () => {
    const props = { attachments: [{ text: "t", actions: [{ id: "a1", name: "A", integration: { url: "http://127.0.0.1:1/a" } }] }] };
    const refused = await rejection(clientFor("support-bot").createPost({ channel_id: sim.channelId("support"), message: "m", props } as Parameters<ClientInstance["createPost"]>[0]));
    expect(refused).toMatchObject({ status_code: 400, server_error_id: "simulator.strict.invalid_input" });
    await sim.close();
    sim = await startMattermostSimulator({ strict: false });
    await clientFor("support-bot").createPost({ channel_id: sim.channelId("support"), message: "m", props } as Parameters<ClientInstance["createPost"]>[0]);
    expect(sim.warnings.join("\n")).toContain("invalid action type");
  });

  it("returns a thread and pages channel posts newest first with per_page capped at 200", async () => {
    const client = clientFor("support-bot");
    const channelId = sim.channelId("support");
    const root = await client.createPost({ channel_id: channelId, message: "root" } as Parameters<ClientInstance["createPost"]>[0]);
    await client.createPost({ channel_id: channelId, message: "r1", root_id: root.id } as Parameters<ClientInstance["createPost"]>[0]);
    await client.createPost({ channel_id: channelId, message: "r2", root_id: root.id } as Parameters<ClientInstance["createPost"]>[0]);
    const thread = await client.getPostThread(root.id);
    expect(thread.order.map((id) => thread.posts[id]?.message)).toEqual(["root", "r1", "r2"]);
    const page = await client.getPosts(channelId, 0, 2);
    expect(page.order.map((id) => page.posts[id]?.message)).toEqual(["r2", "r1"]);
    for (let index = 0; index < 205; index++) sim.post({ user: "alice", channel: "support", message: `m${index}` });
    const capped = await client.getPosts(channelId, 0, 500);
    expect(capped.order).toHaveLength(200);
  });

  it("lets the author patch a post and nobody else", async () => {
    const client = clientFor("support-bot");
    const post = await client.createPost({ channel_id: sim.channelId("support"), message: "before" } as Parameters<ClientInstance["createPost"]>[0]);
    const patched = await client.patchPost({ id: post.id, message: "after" });
    expect(patched.message).toBe("after");
    expect(patched.edit_at).toBeGreaterThan(0);
    expect(await rejection(clientFor("alice").patchPost({ id: post.id, message: "hijack" }))).toMatchObject({ status_code: 403 });
  });

  it("refuses POST /posts/ephemeral to a bot without system admin", async () => {
    const response = await raw("/api/v4/posts/ephemeral", {
      method: "POST",
      token: sim.tokens["support-bot"],
      body: JSON.stringify({ user_id: sim.users["alice"]?.id, post: { channel_id: sim.channelId("support"), message: "psst" } }),
    });
    expect(response.status).toBe(403);
  });
});

describe("slash command registration", () => {
  it("registers a command for a team admin and returns its token", async () => {
    const client = clientFor("support-bot");
    const command = await client.addCommand({ team_id: sim.team.id, trigger: "Support", url: "http://127.0.0.1:9/commands", method: "P" } as Parameters<ClientInstance["addCommand"]>[0]);
    expect(command).toMatchObject({ trigger: "support", creator_id: sim.bot.id, method: "P" });
    expect(command.token).toMatch(/^[a-z0-9]{26}$/);
    const listed = await client.getCustomTeamCommands(sim.team.id);
    expect(listed.map((entry) => entry.id)).toEqual([command.id]);
    const edited = await client.editCommand({ ...command, url: "http://127.0.0.1:9/other" });
    expect(edited.url).toBe("http://127.0.0.1:9/other");
    const regenerated = await client.regenCommandToken(command.id);
    expect(regenerated.token).not.toBe(command.token);
  });

  it("refuses a duplicate trigger, a URL that is not http(s), and a member without manage_own_slash_commands", async () => {
    const client = clientFor("support-bot");
    const base = { team_id: sim.team.id, trigger: "support", url: "http://127.0.0.1:9/commands", method: "P" } as Parameters<ClientInstance["addCommand"]>[0];
    await client.addCommand(base);
    expect(await rejection(client.addCommand(base))).toMatchObject({ status_code: 400, server_error_id: "api.command.duplicate_trigger.app_error" });
    expect(await rejection(client.addCommand({ ...base, trigger: "other", url: "not a url" }))).toMatchObject({ status_code: 400, server_error_id: "model.command.is_valid.url_http.app_error" });
    expect(await rejection(client.addCommand({ ...base, trigger: "echo" }))).toMatchObject({ status_code: 400 });
    expect(await rejection(clientFor("alice").addCommand({ ...base, trigger: "mine" }))).toMatchObject({ status_code: 403, server_error_id: "api.context.permissions.app_error" });
    expect(await rejection(clientFor("alice").getCustomTeamCommands(sim.team.id))).toMatchObject({ status_code: 403 });
  });

  it("lists only the caller's own commands without manage_others_slash_commands, yet refuses their triggers", async () => {
    await sim.close();
    sim = await startMattermostSimulator({
      seed: {
        users: [
          { username: "support-bot", isBot: true, teamPermissions: ["manage_own_slash_commands"] },
          { username: "manager", teamAdmin: true },
        ],
        channels: [{ name: "town-square" }],
      },
    });
    const base = { team_id: sim.team.id, trigger: "support", url: "http://127.0.0.1:9/commands", method: "P" } as Parameters<ClientInstance["addCommand"]>[0];
    const byHand = await clientFor("manager").addCommand(base);
    expect(await clientFor("support-bot").getCustomTeamCommands(sim.team.id)).toEqual([]);
    expect(await rejection(clientFor("support-bot").addCommand(base))).toMatchObject({ status_code: 400, server_error_id: "api.command.duplicate_trigger.app_error" });
    expect(await rejection(clientFor("support-bot").editCommand({ ...byHand, url: "http://127.0.0.1:9/mine" }))).toMatchObject({
      status_code: 403,
      server_error_id: "api.context.permissions.app_error",
    });
    const own = await clientFor("support-bot").addCommand({ ...base, trigger: "support2" });
    expect((await clientFor("support-bot").getCustomTeamCommands(sim.team.id)).map((command) => command.id)).toEqual([own.id]);
    expect((await clientFor("manager").getCustomTeamCommands(sim.team.id)).map((command) => command.id).sort()).toEqual([byHand.id, own.id].sort());
  });

  it("answers 501 when custom slash commands are disabled, after the permission check", async () => {
    await sim.close();
    sim = await startMattermostSimulator({ enableCommands: false });
    const base = { team_id: sim.team.id, trigger: "support", url: "http://127.0.0.1:9/commands", method: "P" } as Parameters<ClientInstance["addCommand"]>[0];
    expect(await rejection(clientFor("support-bot").getCustomTeamCommands(sim.team.id))).toMatchObject({ status_code: 501, server_error_id: "api.command.disabled.app_error" });
    expect(await rejection(clientFor("support-bot").addCommand(base))).toMatchObject({ status_code: 501, server_error_id: "api.command.disabled.app_error" });
    expect(await rejection(clientFor("alice").addCommand(base))).toMatchObject({ status_code: 403 });
  });

  it("fails an autocomplete hint over 1024 characters in the database (500), a long description in validation (400)", async () => {
    const base = { team_id: sim.team.id, trigger: "support", url: "http://127.0.0.1:9/commands", method: "P" } as Parameters<ClientInstance["addCommand"]>[0];
    expect(await rejection(clientFor("support-bot").addCommand({ ...base, auto_complete_hint: "x".repeat(1025) }))).toMatchObject({
      status_code: 500,
      server_error_id: "app.command.createcommand.internal_error",
    });
    expect(await rejection(clientFor("support-bot").addCommand({ ...base, description: "x".repeat(129) }))).toMatchObject({
      status_code: 400,
      server_error_id: "model.command.is_valid.description.app_error",
    });
    expect(sim.commands()).toEqual([]);
  });
});

describe("channel membership", () => {
  it("lets only members post, in public channels too", async () => {
    const sales = sim.channelId("sales");
    expect(await rejection(clientFor("bob").createPost({ channel_id: sales, message: "hello" } as Parameters<ClientInstance["createPost"]>[0]))).toMatchObject({
      status_code: 403,
      server_error_id: "api.context.permissions.app_error",
    });
    expect(() => sim.post({ user: "bob", channel: "sales", message: "hello" })).toThrow(/cannot post/);
  });

  it("lets a team member join a public channel, and then post in it", async () => {
    const bob = clientFor("bob");
    const sales = sim.channelId("sales");
    const member = await bob.addToChannel(sim.users["bob"]!.id, sales);
    expect(member).toMatchObject({ channel_id: sales, user_id: sim.users["bob"]!.id });
    const post = await bob.createPost({ channel_id: sales, message: "hello" } as Parameters<ClientInstance["createPost"]>[0]);
    expect(post.channel_id).toBe(sales);
  });

  it("lets nobody join a private channel on their own; a member may add them", async () => {
    await sim.close();
    sim = await startMattermostSimulator({
      seed: { users: [{ username: "support-bot", isBot: true, teamAdmin: true }, { username: "manager" }], channels: [{ name: "secret", type: "P", members: ["manager"] }] },
    });
    const secret = sim.channelId("secret");
    expect(await rejection(clientFor("support-bot").addToChannel(sim.bot.id, secret))).toMatchObject({ status_code: 403 });
    expect(await rejection(clientFor("support-bot").getChannelByName(sim.team.id, "secret"))).toMatchObject({ status_code: 404 });
    await clientFor("manager").addToChannel(sim.bot.id, secret);
    expect((await clientFor("support-bot").getChannelByName(sim.team.id, "secret")).id).toBe(secret);
  });

  it("lists the channels a user is in, direct messages included", async () => {
    const dm = sim.directChannel("alice", "support-bot");
    const bob = await clientFor("bob").getAllTeamsChannels();
    expect(bob.map((channel) => channel.name).sort()).toEqual(["support", "support-mgmt", "town-square"]);
    const bot = await clientFor("support-bot").getAllTeamsChannels();
    expect(bot.filter((channel) => channel.type === "D").map((channel) => channel.id)).toEqual([dm["id"]]);
    expect((await raw(`/api/v4/users/${sim.bot.id}/channels`, { token: sim.tokens["bob"] })).status).toBe(403);
  });

  it("takes channel names of lower-case letters, digits, '-' and '_' only", async () => {
    expect(await rejection(clientFor("bob").getChannelByName(sim.team.id, "support.mgmt"))).toMatchObject({ status_code: 400, server_error_id: "api.context.invalid_url_param.app_error" });
    await expect(startMattermostSimulator({ seed: { channels: [{ name: "Support Mgmt" }] } })).rejects.toThrow(/no valid Mattermost channel name/);
  });
});

describe("recording, rate limits and injected failures", () => {
  it("records each request with method, path, headers, body and answer", async () => {
    await clientFor("support-bot").createPost({ channel_id: sim.channelId("support"), message: "hello" } as Parameters<ClientInstance["createPost"]>[0]);
    const request = sim.requests.find((entry) => entry.method === "POST" && entry.path === "/api/v4/posts");
    expect(request?.headers["authorization"]).toBe(`BEARER ${sim.tokens["support-bot"]}`);
    expect(request?.body).toMatchObject({ message: "hello" });
    expect(request?.user).toBe("support-bot");
    expect(request?.response.status).toBe(201);
  });

  it("sends X-Ratelimit headers and a forced 429 with plain text", async () => {
    const ok = await raw("/api/v4/users/me", { token: sim.tokens["alice"] });
    expect(ok.headers.get("x-ratelimit-limit")).toBeTruthy();
    expect(Number(ok.headers.get("x-ratelimit-remaining"))).toBeGreaterThan(0);
    sim.forceRateLimit();
    const limited = await raw("/api/v4/users/me", { token: sim.tokens["alice"] });
    expect(limited.status).toBe(429);
    expect(limited.text).toBe("limit exceeded\n");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect((await raw("/api/v4/users/me", { token: sim.tokens["alice"] })).status).toBe(200);
  });

  it("limits by token bucket when configured tightly", async () => {
    await sim.close();
    sim = await startMattermostSimulator({ rateLimit: { perSec: 1, maxBurst: 2 }, now: () => 1_000_000 });
    const statuses: number[] = [];
    for (let index = 0; index < 3; index++) statuses.push((await raw("/api/v4/users/me", { token: sim.tokens["alice"] })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("answers the next matching request with an injected failure", async () => {
    sim.failNext({ status: 503, body: "<html>down</html>", contentType: "text/html", path: "/api/v4/posts" });
    const client = clientFor("support-bot");
    expect((await client.getMe()).username).toBe("support-bot");
    const error = await rejection(client.createPost({ channel_id: sim.channelId("support"), message: "x" } as Parameters<ClientInstance["createPost"]>[0]));
    expect(error).toMatchObject({ message: "" });
    expect(sim.requests.at(-1)?.response.status).toBe(503);
  });

  it("answers unknown API routes with the server's 404 body", async () => {
    const response = await raw("/api/v4/nothing/here", { token: sim.tokens["alice"] });
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ id: "api.context.404.app_error" });
  });
});
