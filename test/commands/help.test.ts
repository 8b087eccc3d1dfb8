import { afterEach, describe, expect, it } from "vitest";
import { buildCommandRegistry } from "../../commands/index.js";
import { dispatch, type DispatchResult } from "../../src/framework/dispatcher.js";
import type { Platform } from "../../src/identity.js";
import { makeServices, type TestServices } from "../framework/fakes.js";
import { TEST_COMMANDS } from "../framework/test-commands.js";
import { captureLog } from "../support/capture-log.js";

let services: TestServices;

afterEach(async () => {
  await services.store.close();
});

async function run(line: string, platform: Platform, user: string): Promise<DispatchResult> {
  services = await makeServices(buildCommandRegistry(TEST_COMMANDS), captureLog().log);
  return dispatch({ platform, platformUser: user, line }, services);
}

describe("help", () => {
  it("lists the commands a staff member may run, with the platform's trigger", async () => {
    const result = await run("help", "matrix", "@alice:example.org");
    expect(result.kind).toBe("ok");
    expect(result.reply.visibility).toBe("ephemeral");
    expect(result.reply.text).toContain("- `!support show <bug>`: Show a bug");
    expect(result.reply.text).toContain("**Only for staff:**\n- `!support note <bug> <text...> [private]`");
    expect(result.reply.text).not.toContain("assign");
  });

  it("uses a configured trigger instead of the platform's default", async () => {
    services = await makeServices(buildCommandRegistry(TEST_COMMANDS), captureLog().log);
    const result = await dispatch({ platform: "matrix", platformUser: "@alice:example.org", line: "help", trigger: "!helpdesk" }, services);
    expect(result.reply.text).toContain("- `!helpdesk show <bug>`: Show a bug");
    expect(result.reply.text).not.toContain("!support");
  });

  it("lists management's commands apart for a manager", async () => {
    const result = await run("HELP", "mattermost", "maria");
    expect(result.reply.text).toContain("**Only for management:**\n- `/support assign <bug> @user [priority=<name>]`");
  });

  it("explains one command, found by name or alias", async () => {
    const byAlias = await run("help view", "sandbox", "bob");
    expect(byAlias).toEqual({
      kind: "ok",
      reply: {
        text: "**show**: Show a bug\nUsage: `/support show <bug>`\nAlso: `view`\nExamples:\n- `/support show 12`\n- `/support view #12`\nWho can run it: management or staff.",
        visibility: "ephemeral",
      },
    });
  });

  it("explains a management command to staff and says they cannot run it", async () => {
    const result = await run("help assign", "sandbox", "bob");
    expect(result.reply.text).toContain("You are linked as staff, so you cannot run it.");
  });

  it("suggests a command when asked about one that does not exist", async () => {
    expect(await run("help asign", "mattermost", "maria")).toEqual({
      kind: "refused",
      reply: {
        text: "There is no command `asign`. Did you mean `assign`?\nUsage: `/support help [command]`",
        visibility: "ephemeral",
      },
    });
  });

  it("refuses a second argument", async () => {
    const result = await run("help show note", "mattermost", "maria");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toContain('Too many arguments: I did not expect "note".');
  });

  it("tells an unlinked user how to get linked instead of listing commands", async () => {
    const result = await run("help", "mattermost", "stranger");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toContain("You are not linked to a staff account yet");
  });
});
