/**
 * Every registered command answers through Mattermost as people would use it: its first example as
 * a slash command (by someone allowed to run it) and `help <command>` in a DM to the bot. The list
 * comes from the registry, so a new command is covered the day it is added.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCommandRegistry } from "../../../commands/index.js";
import { startMattermostHarness, type MattermostHarness } from "./mattermost-harness.js";

const COMMANDS = buildCommandRegistry()
  .all()
  .map((command) => ({ name: command.name, example: command.examples[0] ?? command.name, user: command.roles.includes("staff") ? "alice" : "manager" }));

let h: MattermostHarness;
beforeAll(async () => {
  h = await startMattermostHarness();
});
afterAll(async () => {
  await h.close();
});

describe("every command through Mattermost", () => {
  it("covers the whole registry", () => {
    expect(COMMANDS.map((command) => command.name).sort()).toEqual(
      h.core.services.commands
        .all()
        .map((command) => command.name)
        .sort(),
    );
  });

  it.each(COMMANDS)("answers `/support $example` for $user", async ({ example, user }) => {
    const result = await h.slash(user, example, "support-mgmt");
    expect(result.status, JSON.stringify(result.error)).toBe(200);
    const text = result.response?.text ?? "";
    expect(text).not.toBe("");
    expect(text).not.toMatch(/I do not know the command/);
    expect(text).not.toMatch(/problem on my side|request id/);
    expect(["ephemeral", "in_channel"]).toContain(result.response?.response_type);
  });

  it.each(COMMANDS)("explains $name in a DM", async ({ name }) => {
    const asked = h.dm("carol", `help ${name}`);
    const answer = await h.nextBotPost(h.dmChannel("carol"), asked);
    expect(answer.message).toMatch(new RegExp(`^\\*\\*${name}\\*\\*: `));
  });

  it("kept the customers' data from the examples out of the log and the channels", () => {
    // DMs are left out: the help texts asked for there quote the examples themselves.
    const posted = ["support-mgmt", "sales", "support", "town-square"].flatMap((channel) => h.mm.posts(channel).map((post) => post.message)).join("\n");
    for (const data of ["Jane Doe", "+41 79 555 01 23", "jane@example.com", "ACME Bank", "+41 44 555 66 77"]) {
      expect(h.log.text()).not.toContain(data);
      expect(posted).not.toContain(data);
    }
  });
});
