/**
 * The `/support` slash command as Mattermost calls it: registration, the command token, what the
 * answer looks like (ephemeral or in the channel), slow commands (an answer at once, the result
 * through response_url, or by DM when that no longer works), and the HTTP server's limits.
 */
import mattermostClient from "@mattermost/client";
import { afterEach, describe, expect, it } from "vitest";
import { listAutocompleteHints } from "../../../src/framework/help.js";
import type { MattermostSettings } from "../../../src/chat/mattermost/settings.js";
import type { MattermostSimulator, MattermostSimulatorOptions, SeedUser } from "../../../src/simulators/mattermost/server.js";
import { startMattermostHarness, type MattermostHarness } from "./mattermost-harness.js";

const { Client4 } = mattermostClient;

let h: MattermostHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A slash-command request as Mattermost sends it, straight to the bot. */
function commandForm(harness: MattermostHarness, fields: Record<string, string>): string {
  return new URLSearchParams({
    channel_id: harness.mm.channelId("support"),
    channel_name: "support",
    command: "/support",
    team_id: harness.mm.team.id,
    team_domain: "taler",
    user_id: harness.mm.users["manager"]!.id,
    user_name: "manager",
    ...fields,
  }).toString();
}

async function postCommand(harness: MattermostHarness, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${harness.botUrl}/mattermost/command`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body });
}

describe("registration", () => {
  it("registers /support pointing at the bot, with every command in the autocomplete hint", async () => {
    h = await startMattermostHarness();
    const [command] = h.mm.commands();
    expect(command).toMatchObject({ trigger: "support", method: "P", url: `${h.botUrl}/mattermost/command`, auto_complete: true, team_id: h.mm.team.id });
    for (const hint of listAutocompleteHints(h.core.services.commands)) expect(String(command!["auto_complete_hint"])).toContain(hint.name);
    expect(String(command!["auto_complete_desc"])).toContain("/support help");
  });

  it("updates the command when the bot's URL changes and keeps its token", async () => {
    h = await startMattermostHarness();
    const before = h.mm.commands()[0]!;
    await h.restart();
    const after = h.mm.commands();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: before["id"], token: before["token"], url: `${h.botUrl}/mattermost/command` });
    expect((await h.slash("alice", "show 1")).response?.text).toMatch(/^\[#1\]/);
  });

  it("never logs the command's token", async () => {
    h = await startMattermostHarness();
    expect(h.log.text()).not.toContain(String(h.mm.commands()[0]!["token"]));
    expect(h.log.text()).toContain("registered the /support slash command");
  });

  it("accepts the tokens of a command created by hand, the old and the new one while rotating", async () => {
    h = await startMattermostHarness({
      settings: { registerCommand: false },
      async beforeStart(mm, settings) {
        const admin = new Client4();
        admin.setUrl(mm.url);
        admin.setToken(mm.tokens["manager"]!);
        const command = await admin.addCommand({ team_id: mm.team.id, trigger: "support", url: `${settings.publicUrl}/mattermost/command`, method: "P" } as Parameters<typeof admin.addCommand>[0]);
        settings.commandTokens = ["token-before-the-rotation", command.token];
      },
    });
    const result = await h.slash("alice", "show 1");
    expect(result.status).toBe(200);
    expect(result.response?.text).toMatch(/^\[#1\]/);
    const old = await postCommand(h, commandForm(h, { text: "show 1" }), { Authorization: "Token token-before-the-rotation" });
    expect(old.status).toBe(200);
  });
});

describe("registration refused", () => {
  /** The default site, with the bot account given `bot`'s rights in the team. */
  function site(bot: Omit<SeedUser, "username" | "isBot">): MattermostSimulatorOptions["seed"] {
    return { users: [{ username: "support-bot", isBot: true, ...bot }, { username: "manager", teamAdmin: true }, { username: "alice" }, { username: "bob" }, { username: "carol" }] };
  }

  /** A `/support` the manager made by hand, pointing at the bot. */
  async function madeByHand(mm: MattermostSimulator, settings: MattermostSettings): Promise<string> {
    const admin = new Client4();
    admin.setUrl(mm.url);
    admin.setToken(mm.tokens["manager"]!);
    const command = await admin.addCommand({ team_id: mm.team.id, trigger: "support", url: `${settings.publicUrl}/mattermost/command`, method: "P" } as Parameters<typeof admin.addCommand>[0]);
    return command.token;
  }

  it("names the permissions when the bot may not manage slash commands", async () => {
    h = await startMattermostHarness({ start: false, simulator: { seed: site({}) } });
    await expect(h.start()).rejects.toThrow(
      /^MATTERMOST_REGISTER_COMMAND: Mattermost did not let the bot list the team's slash commands in team taler: it needs the permission manage_own_slash_commands, and manage_others_slash_commands .* Make @support-bot a team admin/,
    );
  });

  it("explains a /support made by someone else that the bot cannot see", async () => {
    h = await startMattermostHarness({
      start: false,
      simulator: { seed: site({ teamPermissions: ["manage_own_slash_commands"] }) },
      beforeStart: async (mm, settings) => void (await madeByHand(mm, settings)),
    });
    await expect(h.start()).rejects.toThrow(
      /^MATTERMOST_REGISTER_COMMAND: a \/support command made by someone else already exists in team taler, .* put that command's token into MATTERMOST_COMMAND_TOKEN .* or give the bot manage_others_slash_commands/,
    );
  });

  it("uses MATTERMOST_COMMAND_TOKEN for a /support made by someone else, and says so", async () => {
    h = await startMattermostHarness({
      simulator: { seed: site({ teamPermissions: ["manage_own_slash_commands"] }) },
      async beforeStart(mm, settings) {
        settings.commandTokens = [await madeByHand(mm, settings)];
      },
    });
    expect(h.log.text()).toContain("made by someone else exists in the team; the bot may not see or update it");
    expect((await h.slash("alice", "show 1")).response?.text).toMatch(/^\[#1\]/);
  });

  it("points to the System Console setting when custom slash commands are disabled", async () => {
    h = await startMattermostHarness({ start: false, simulator: { enableCommands: false } });
    await expect(h.start()).rejects.toThrow(
      "MATTERMOST_REGISTER_COMMAND: custom slash commands are disabled on this Mattermost server; turn them on in the System Console: Integrations > Integration Management > Enable Custom Slash Commands: true.",
    );
  });
});

describe("the command token", () => {
  it("refuses a wrong token with 401 and does nothing", async () => {
    h = await startMattermostHarness();
    const response = await postCommand(h, commandForm(h, { text: "triage 1 @bob", token: "forged" }), { Authorization: "Token forged" });
    expect(response.status).toBe(401);
    expect(h.mantis.requests).toEqual([]);
    expect((await h.bug(1)).status).toBe("new");
  });

  it("refuses a request without a token, and one whose header says Bearer instead of Token", async () => {
    h = await startMattermostHarness();
    const token = String(h.mm.commands()[0]!["token"]);
    expect((await postCommand(h, commandForm(h, { text: "show 1" }), {})).status).toBe(401);
    expect((await postCommand(h, commandForm(h, { text: "show 1" }), { Authorization: `Bearer ${token}` })).status).toBe(401);
    expect((await postCommand(h, commandForm(h, { text: "show 1" }), { Authorization: `Token ${token}x` })).status).toBe(401);
    expect(h.mantis.requests).toEqual([]);
  });

  it("takes the command's token from the form when an outgoing OAuth connection replaced the header", async () => {
    h = await startMattermostHarness({ simulator: { outgoingOAuthConnections: [{ audiences: ["http://127.0.0.1:"], accessToken: "oauth-access-token" }] } });
    const result = await h.slash("alice", "show 1");
    expect(result.request?.headers["Authorization"]).toBe("Bearer oauth-access-token");
    expect(result.response?.text).toMatch(/^\[#1\]/);
    const forged = await postCommand(h, commandForm(h, { text: "show 1", token: "forged" }), { Authorization: "Bearer oauth-access-token" });
    expect(forged.status).toBe(401);
  });

  it("makes Mattermost report the failure when another command with another token points at the bot", async () => {
    h = await startMattermostHarness();
    const admin = new Client4();
    admin.setUrl(h.mm.url);
    admin.setToken(h.mm.tokens["manager"]!);
    await admin.addCommand({ team_id: h.mm.team.id, trigger: "impostor", url: `${h.botUrl}/mattermost/command`, method: "P" } as Parameters<typeof admin.addCommand>[0]);
    const result = await h.mm.runSlashCommand({ user: "manager", channel: "support", text: "/impostor triage 1 @bob" });
    expect(result.status).toBe(500);
    expect(result.error?.id).toBe("api.command.execute_command.failed_resp.app_error");
    expect((await h.bug(1)).status).toBe("new");
  });
});

describe("answers", () => {
  it("answers only the caller by default", async () => {
    h = await startMattermostHarness();
    const result = await h.slash("alice", "show 1");
    expect(result.response?.response_type).toBe("ephemeral");
    expect(result.posts).toEqual([]);
    expect(result.ephemeral.map((record) => record.userId)).toEqual([h.mm.users["alice"]!.id]);
  });

  it("posts channel replies such as the queue summary in the channel", async () => {
    h = await startMattermostHarness();
    const result = await h.slash("manager", "summary", "support-mgmt");
    expect(result.response?.response_type).toBe("in_channel");
    expect(result.posts).toHaveLength(1);
    expect(result.posts[0]!.channel_id).toBe(h.mm.channelId("support-mgmt"));
  });

  it("keeps usage lines such as <user|merchant> as written (no Slack link parsing)", async () => {
    h = await startMattermostHarness();
    const result = await h.slash("alice", "help call");
    expect(result.response?.skip_slack_parsing).toBe(true);
    expect(result.ephemeral[0]!.post.message).toContain("type=<user|merchant|bank|other>");
  });

  it("shows `help` for `/support` alone", async () => {
    h = await startMattermostHarness();
    const result = await h.slash("alice", "");
    expect(result.response?.text).toMatch(/^\*\*Commands\*\*/);
  });

  it("gives buttons in an answer signed actions for the channel it was run in", async () => {
    h = await startMattermostHarness();
    const result = await h.slash("alice", "new");
    const attachments = result.response?.attachments ?? [];
    const actions = attachments.flatMap((attachment) => (attachment as { actions?: Array<{ name: string; integration?: { url: string; context: Record<string, unknown> } }> }).actions ?? []);
    const [grab] = actions;
    const bugId = /^Grab #(\d+)$/.exec(grab?.name ?? "")?.[1];
    expect(bugId).toBeDefined();
    expect(grab!.integration).toMatchObject({ url: `${h.botUrl}/mattermost/action`, context: { command: `grab ${bugId}`, channel_id: h.mm.channelId("support") } });
  });
});

describe.each([
  ["11.9.0", "a server that names the thread"],
  ["10.11.3", "a server before 11, whose request has no root_id"],
])("commands typed in a thread, on %s (%s)", (serverVersion) => {
  async function inThread(options: Parameters<typeof startMattermostHarness>[0] = {}): Promise<{ harness: MattermostHarness; rootId: string }> {
    const harness = await startMattermostHarness({ ...options, simulator: { ...options.simulator, serverVersion } });
    const root = harness.mm.post({ user: "manager", channel: "support-mgmt", message: "queue?" });
    return { harness, rootId: root.id };
  }

  it("answers in that thread", async () => {
    const { harness, rootId } = await inThread();
    h = harness;
    const result = await h.mm.runSlashCommand({ user: "manager", channel: "support-mgmt", text: "/support summary", rootId });
    expect(result.posts[0]!.root_id).toBe(rootId);
    const shown = await h.mm.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support show 1", rootId });
    expect(shown.ephemeral[0]!.post.root_id).toBe(rootId);
  });

  it("sends a slow answer into that thread", async () => {
    const { harness, rootId } = await inThread({ timing: { ackAfterMs: 50 } });
    h = harness;
    h.mantis.setLatency(300);
    const result = await h.mm.runSlashCommand({ user: "manager", channel: "support-mgmt", text: "/support summary", rootId });
    expect(result.response?.text).toMatch(/^Working on `summary`/);
    const posted = await h.mm.waitFor(() => h!.mm.posts("support-mgmt").find((post) => post.props["from_webhook"] === "true"));
    expect(posted.root_id).toBe(rootId);
  });

  it("confirms a form opened there in that thread", async () => {
    const { harness, rootId } = await inThread();
    h = harness;
    await h.mm.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support call", rootId });
    await h.mm.submitDialog({ submission: { name: "Jane Doe", type: "user", phone: "+41 79 555 01 23", issue: "Withdrawal pending" } });
    const confirmation = await h.mm.waitFor(() => h!.mm.ephemeralFor("alice").find((record) => record.post.message.startsWith("Filed [#")));
    expect(confirmation.post.root_id).toBe(rootId);
  });
});

describe("late answers once the response_url has expired", () => {
  async function lateSummary(serverVersion: string): Promise<{ harness: MattermostHarness; rootId: string }> {
    let now = Date.now();
    const harness = await startMattermostHarness({ timing: { ackAfterMs: 50 }, simulator: { now: () => now, serverVersion } });
    const root = harness.mm.post({ user: "manager", channel: "support-mgmt", message: "queue?" });
    harness.mantis.setLatency(400);
    await harness.mm.runSlashCommand({ user: "manager", channel: "support-mgmt", text: "/support summary", rootId: root.id });
    // Mattermost forgets a response_url after 30 minutes.
    now += 31 * 60_000;
    return { harness, rootId: root.id };
  }

  it("posts a channel reply itself into the thread the request named", async () => {
    const { harness, rootId } = await lateSummary("11.9.0");
    h = harness;
    const posted = await h.nextBotPost(h.mm.channelId("support-mgmt"));
    expect(posted.root_id).toBe(rootId);
  });

  it("posts it where the command was typed when the server did not name the thread, and says why in the log", async () => {
    const { harness } = await lateSummary("10.11.3");
    h = harness;
    const posted = await h.nextBotPost(h.mm.channelId("support-mgmt"));
    expect(posted.root_id).toBe("");
    expect(h.log.text()).toContain("did not say whether the command was typed in a thread");
  });
});

describe("slow commands", () => {
  it("answers at once that it is working, then sends the result through response_url", async () => {
    h = await startMattermostHarness({ timing: { ackAfterMs: 50 } });
    h.mantis.setLatency(500);
    const result = await h.slash("alice", "show 1");
    expect(result.status).toBe(200);
    expect(result.response).toMatchObject({ response_type: "ephemeral", text: "Working on `show`… the answer follows here." });
    const later = await h.mm.waitFor(() => h!.mm.ephemeralFor("alice").find((record) => record.post.message.startsWith("[#1]")), { what: "the late answer" });
    expect(later.channelId).toBe(h.mm.channelId("support"));
    expect(h.mm.requests.filter((request) => request.path.startsWith("/hooks/commands/"))).toHaveLength(1);
  });

  it("posts a slow channel reply through response_url into the channel", async () => {
    h = await startMattermostHarness({ timing: { ackAfterMs: 50 } });
    h.mantis.setLatency(300);
    const result = await h.slash("manager", "summary", "support-mgmt");
    expect(result.response?.text).toMatch(/^Working on `summary`/);
    expect(result.posts).toEqual([]);
    const posted = await h.mm.waitFor(() => h!.mm.posts("support-mgmt").find((post) => post.props["from_webhook"] === "true"));
    expect(posted.user_id).toBe(h.mm.users["manager"]!.id);
  });

  it("sends the result by DM when the response_url has expired", async () => {
    let now = Date.now();
    h = await startMattermostHarness({ timing: { ackAfterMs: 50 }, simulator: { now: () => now } });
    h.mantis.setLatency(400);
    const result = await h.slash("alice", "show 1");
    expect(result.response?.text).toMatch(/^Working on/);
    // Mattermost forgets a response_url after 30 minutes.
    now += 31 * 60_000;
    const dm = await h.nextBotPost(h.dmChannel("alice"));
    expect(dm.message).toMatch(/^\[#1\]/);
  });
});

describe("the HTTP server", () => {
  it("refuses request bodies over 64 KiB with 413", async () => {
    h = await startMattermostHarness();
    const token = String(h.mm.commands()[0]!["token"]);
    const response = await postCommand(h, commandForm(h, { text: `show 1 ${"x".repeat(70_000)}` }), { Authorization: `Token ${token}` });
    expect(response.status).toBe(413);
    expect(h.mantis.requests).toEqual([]);
  });

  it("reports its health, the Mattermost connection included", async () => {
    h = await startMattermostHarness();
    const response = await fetch(`${h.botUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", checks: { mattermost: "connected" } });
  });

  it("answers 404 for unknown paths and 405 for a wrong method", async () => {
    h = await startMattermostHarness();
    expect((await fetch(`${h.botUrl}/mattermost/nothing`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${h.botUrl}/mattermost/command`)).status).toBe(405);
  });
});
