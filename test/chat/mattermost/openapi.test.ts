/**
 * Every REST request the bot's adapter sends to Mattermost, checked against the official OpenAPI
 * bundle: the simulator records them, and each request body and answer must match the documented
 * schemas. The scenario makes the adapter use every call it has: start-up (joining a public
 * channel), registration and its update, dialogs, DMs, threads, late answers to clicks (the
 * ephemeral post a bot may not send, then a DM), and the catch-up after a server restart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedRequest } from "../../../src/simulators/mattermost/server.js";
import { startMattermostHarness, type MattermostHarness } from "./mattermost-harness.js";
import { operationFor, problemsOf } from "../../support/mattermost-openapi.js";

let h: MattermostHarness;
let botRequests: RecordedRequest[];

beforeAll(async () => {
  // The bot is not in the sales channel yet: it joins it at start.
  const channels = [{ name: "town-square" }, { name: "support" }, { name: "support-mgmt", members: ["support-bot", "manager", "alice", "bob", "carol"] }, { name: "sales", members: ["manager", "carol"] }];
  h = await startMattermostHarness({ timing: { ackAfterMs: 200 }, simulator: { seed: { channels } } });
  // Dialogs: opened, then submitted (the bot looks the submitter up).
  await h.slash("alice", "call");
  await h.mm.submitDialog({ submission: { name: "Jane Doe", type: "user", phone: "+41 79 555 01 23", issue: "Withdrawal pending", route: "bug" } });
  // DMs both ways (the one to carol needs a new DM channel), a thread in the management channel, buttons.
  await h.adapter.notifier.direct(h.staff.find("carol")!, { text: "Hello from the bot" });
  h.dm("alice", "grab 1");
  await h.mm.waitFor(() => h.botPosts("support-mgmt").length === 1);
  await h.slash("alice", 'feedback 1 4h 14.3.2034 "Fix the pending state"');
  const withButton = h.botPosts("support-mgmt").at(-1)!;
  // A click answered late: the bot looks up the post's thread and tries an ephemeral post (403), then DMs.
  h.mantis.setLatency(400);
  await h.mm.clickButton({ post: withButton.id, action: "Confirm", user: "manager" });
  await h.mm.waitFor(() => h.botPosts(h.dmChannel("manager")).length > 0, { what: "the late answer by DM" });
  h.mantis.setLatency(0);
  // A server restart: the bot reads its DMs over REST.
  h.mm.refuseConnections();
  h.mm.dropConnections({ forgetSessions: true });
  await h.mm.waitFor(() => !h.mm.connectedUsers().includes("support-bot"));
  h.dm("alice", "show 2");
  h.mm.acceptConnections();
  await h.mm.waitFor(() => h.botPosts(h.dmChannel("alice")).some((post) => post.message.startsWith("[#2]")));
  // A restart of the bot on another URL updates the registered command.
  await h.restart();
  botRequests = h.mm.requests.filter((request) => request.user === "support-bot" && request.path.startsWith("/api/v4/"));
});

afterAll(async () => {
  await h.close();
});

describe("the adapter's REST requests against the OpenAPI bundle", () => {
  it("used every operation the adapter has", () => {
    const used = new Set(botRequests.map((request) => operationFor(request)?.operation.operationId));
    for (const operationId of [
      "GetUser",
      "GetTeamByName",
      "GetChannelByName",
      "ListCommands",
      "CreateCommand",
      "UpdateCommand",
      "OpenInteractiveDialog",
      "CreateDirectChannel",
      "GetUserByUsername",
      "CreatePost",
      "CreatePostEphemeral",
      "GetPost",
      "GetPostsForChannel",
      "GetChannelsForTeamForUser",
      "GetChannelsForUser",
      "AddChannelMember",
    ]) {
      expect(used, operationId).toContain(operationId);
    }
  });

  it("sends bodies the spec accepts and gets answers that match the documented schemas", () => {
    expect(botRequests.flatMap(problemsOf)).toEqual([]);
  });

  it("only failed where it expected to (the ephemeral post bots may not send)", () => {
    const failed = botRequests.filter((request) => request.response.status >= 400).map((request) => `${request.method} ${request.path} ${request.response.status}`);
    expect(failed).toEqual(["POST /api/v4/posts/ephemeral 403"]);
  });

  it("sent the bot's token the documented way, as a Bearer header (Client4 spells it BEARER)", () => {
    for (const request of botRequests) expect(request.headers["authorization"]).toMatch(new RegExp(`^bearer ${h.mm.tokens["support-bot"]}$`, "i"));
  });
});
