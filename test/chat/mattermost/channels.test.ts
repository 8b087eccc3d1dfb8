/**
 * The configured channels on a server where only members may post (public channels too): the bot
 * joins a public channel it is not in at start, and for a private one it cannot see it says at
 * start what to type, then posts there once invited, without a restart.
 */
import { afterEach, describe, expect, it } from "vitest";
import { BotError } from "../../../src/errors.js";
import { newBugMessage } from "../../../src/proactive/messages.js";
import type { SeedChannel } from "../../../src/simulators/mattermost/server.js";
import { startMattermostHarness, type MattermostHarness } from "./mattermost-harness.js";

let h: MattermostHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const STAFF = ["manager", "alice", "bob", "carol"];

/** The default site, except that the bot is in neither the management nor the sales channel. */
function withoutBot(sales: SeedChannel["type"]): SeedChannel[] {
  return [
    { name: "town-square" },
    { name: "support" },
    { name: "support-mgmt", members: STAFF },
    { name: "sales", type: sales, members: ["manager", "carol"] },
  ];
}

describe("the configured channels", () => {
  it("joins a public channel it is not in at start, says so, and posts its first NEW-bug ping there", async () => {
    h = await startMattermostHarness({ simulator: { seed: { channels: withoutBot("O") } } });
    expect(h.log.text()).toContain("joined the public channel ~support-mgmt");
    expect(h.log.text()).toContain("joined the public channel ~sales");
    const bug = await h.bug(1);
    await h.adapter.notifier.channel(
      "management",
      newBugMessage({ row: { id: 1, summary: bug.summary, private: false, priority: "normal", tags: ["Customer"] }, url: h.tracker.bugUrl(1), customer: true }),
    );
    const [ping] = h.botPosts("support-mgmt");
    expect(ping?.message).toMatch(/^\*\*NEW bug\*\* \[#1\]/);
  });

  it("joins nothing it is already in", async () => {
    h = await startMattermostHarness();
    expect(h.log.text()).not.toContain("joined the public channel");
    expect(h.mm.requests.filter((request) => request.method === "POST" && /^\/api\/v4\/channels\/[a-z0-9]+\/members$/.test(request.path))).toEqual([]);
  });

  it("warns at start with the /invite to type for a private channel it is not in, and posts there once invited", async () => {
    h = await startMattermostHarness({ simulator: { seed: { channels: withoutBot("P") } } });
    const warning = h.log.records().find((record) => record["setting"] === "MATTERMOST_CHANNELS");
    expect(warning).toMatchObject({ level: 40, key: "sales", channel: "sales" });
    expect(String(warning?.["msg"])).toContain("If it is a private channel, type `/invite @support-bot` in it");

    const refused = await h.adapter.notifier.channel("sales", { text: "Sale recorded" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BotError);
    expect((refused as BotError).userMessage).toContain("`/invite @support-bot`");

    h.mm.addChannelMember("sales", "support-bot");
    await h.adapter.notifier.channel("sales", { text: "Sale recorded" });
    expect(h.botPosts("sales").map((post) => post.message)).toEqual(["Sale recorded"]);
  });
});
