import { afterEach, describe, expect, it } from "vitest";
import { buildCommandRegistry } from "../../commands/index.js";
import { dispatch, type DispatchRequest, type DispatchResult } from "../../src/framework/dispatcher.js";
import type { Platform } from "../../src/identity.js";
import { captureLog, type CapturedLog } from "../support/capture-log.js";
import { makeServices, type TestServices } from "./fakes.js";
import { TEST_COMMANDS } from "./test-commands.js";

let captured: CapturedLog;
let services: TestServices;

async function setUp(): Promise<void> {
  captured = captureLog();
  services = await makeServices(buildCommandRegistry(TEST_COMMANDS), captured.log);
}

afterEach(async () => {
  await services.store.close();
});

/** Runs a line as a user; by default as the manager on Mattermost. */
function run(line: string, as: { platform?: Platform; user?: string } = {}): Promise<DispatchResult> {
  const request: DispatchRequest = { platform: as.platform ?? "mattermost", platformUser: as.user ?? "maria", line };
  return dispatch(request, services);
}

const asAlice = { platform: "matrix", user: "@alice:example.org" } as const;

describe("dispatch", () => {
  it("runs the command as the caller, with the tracker acting as them", async () => {
    await setUp();
    const result = await run("show #12", asAlice);
    expect(result).toEqual({ kind: "ok", reply: { text: "#12: Wallet shows wrong balance", visibility: "ephemeral", bugId: 12 } });
    expect(services.tracker.calls).toEqual([{ method: "getTicket", actingAs: "alice", args: [12] }]);
  });

  it("gives the command the caller, platform and clock", async () => {
    await setUp();
    const result = await run("whoami", { platform: "sandbox", user: "bob" });
    expect(result.reply.text).toBe("bob (staff) on sandbox at 2034-03-14T10:00:00.000Z");
  });

  it("finds commands by alias and regardless of case", async () => {
    await setUp();
    expect((await run("VIEW 12")).kind).toBe("ok");
    expect((await run("Show 12")).kind).toBe("ok");
  });

  it("passes parsed, typed arguments and lets the command notify and reply in the channel", async () => {
    await setUp();
    const result = await run("assign #12 @alice priority=Urgent");
    expect(result).toEqual({ kind: "ok", reply: { text: "#12 is now with @alice.", visibility: "channel" } });
    expect(services.tracker.calls).toEqual([
      { method: "getTicket", actingAs: "manager", args: [12] },
      { method: "changeTicket", actingAs: "manager", args: [12, { priority: "urgent", assignee: "alice" }] },
    ]);
    expect(services.notifier.sent).toEqual([
      { kind: "direct", recipient: "alice", message: { text: "You got bug #12.", bugId: 12 } },
    ]);
  });

  it.each<[string, string, { platform?: Platform; user?: string }, string]>([
    [
      "suggests the closest command for a typo",
      "shwo 12",
      {},
      "I do not know the command `shwo`. Did you mean `show`? Try `/support help` for the list.",
    ],
    [
      "suggests by prefix",
      "as 12 @bob",
      {},
      "I do not know the command `as`. Did you mean `assign`? Try `/support help` for the list.",
    ],
    [
      "does not suggest commands the caller may not run",
      "asign 12 @bob",
      asAlice,
      "I do not know the command `asign`. Try `!support help` for the list.",
    ],
    [
      "says when nothing is close",
      "frobnicate",
      {},
      "I do not know the command `frobnicate`. Try `/support help` for the list.",
    ],
    [
      "does not take a bug number for a command",
      "#12",
      {},
      "I do not know the command `#12`. Try `/support help` for the list.",
    ],
    [
      "refuses an empty line",
      "   ",
      {},
      "The command is empty: type a command after the trigger, for example `help`.",
    ],
    [
      "refuses an unclosed quote",
      'note 12 "customer called',
      asAlice,
      'Missing closing quote after "customer called: close the text with " (write a quote inside quoted text as \\").',
    ],
    [
      "explains how to get linked to an unknown user",
      "show 12",
      { platform: "mattermost", user: "mallory" },
      'You are not linked to a staff account yet, so I cannot act for you. Ask an administrator to add you to the users file (USERS_FILE) with your mattermost name "mallory", your role (management or staff) and your MantisBT user name.',
    ],
    [
      "refuses a management command to staff, naming the role needed",
      "assign 12 @bob",
      asAlice,
      "Only management can run `assign`; you are linked as staff.",
    ],
    [
      "refuses a staff-only command to management",
      "note 12 hello",
      {},
      "Only staff can run `note`; you are linked as management.",
    ],
    [
      "shows what was wrong with the arguments and the usage line",
      "assign 12 @bob priority=soon",
      {},
      "priority: must be one of none, low, normal, high, urgent, immediate\nUsage: `/support assign <bug> @user [priority=<name>]`\n`/support help assign` shows examples.",
    ],
    [
      "shows the usage line for a usage error thrown by the command itself",
      "fail usage",
      {},
      "estimate: 4x is not a time; write it like 4h or 2d.\nUsage: `/support fail <mode>`\n`/support help fail` shows examples.",
    ],
    ["passes on a process rule", "fail rule", {}, "#12 is still NEW: management sets a priority and assigns it first."],
    ["passes on a conflict", "fail conflict", {}, "Someone changed #12 in the meantime; nothing was changed. Look at it again and retry."],
    ["passes on a missing bug from the tracker", "show 99", {}, "There is no bug #99."],
    ["passes on a not-found error from the command", "fail missing", {}, "There is no bug #99."],
  ])("refused: %s", async (_name, line, as, text) => {
    await setUp();
    const result = await run(line, as);
    expect(result).toEqual({ kind: "refused", reply: { text, visibility: "ephemeral" } });
  });

  it("runs nothing when the role check or the arguments fail", async () => {
    await setUp();
    await run("assign 12 @bob", asAlice);
    await run("assign 12 @nobody priority=soon");
    await run("show 12", { user: "mallory" });
    expect(services.tracker.calls).toEqual([]);
    expect(services.notifier.sent).toEqual([]);
  });

  it("answers an unexpected error with a generic message and the request id, and logs the error", async () => {
    await setUp();
    const result = await run("fail crash");
    expect(result).toEqual({
      kind: "failed",
      requestId: "req-0001",
      reply: {
        text: "Sorry, that did not work because of a problem on my side. If it keeps happening, tell an administrator the request id `req-0001`.",
        visibility: "ephemeral",
      },
    });
    const errorLine = captured.records().find((record) => record.level === 50);
    expect(errorLine).toMatchObject({
      msg: "command failed",
      requestId: "req-0001",
      platform: "mattermost",
      user: "maria",
      command: "fail",
      err: { type: "TypeError", message: "Cannot read properties of undefined (reading 'handler')" },
    });
  });

  it.each([
    ["upstream", "MantisBT did not answer in time.\nNothing changed: try again in a moment.\n(If it keeps happening, tell an administrator the request id `req-0001`.)\nTry again in a minute."],
    [
      "forbidden",
      "MantisBT refused the bot's token.\n(If it keeps happening, tell an administrator the request id `req-0001`.)\nCheck the MantisBT API token setting (MANTIS_TOKEN).",
    ],
  ])("answers a known failure (%s) with its own message, hint and request id", async (mode, text) => {
    await setUp();
    expect(await run(`fail ${mode}`)).toEqual({ kind: "failed", requestId: "req-0001", reply: { text, visibility: "ephemeral" } });
  });

  it("makes a different request id for each run by default", async () => {
    await setUp();
    delete services.newRequestId;
    const first = await run("fail crash");
    const second = await run("fail crash");
    expect(first.kind === "failed" && second.kind === "failed" && first.requestId !== second.requestId).toBe(true);
    if (first.kind === "failed") expect(first.reply.text).toContain(`\`${first.requestId}\``);
  });

  it("gives each run a child logger with request id, platform, user and command", async () => {
    await setUp();
    await run("note 12 hello", asAlice);
    const fromCommand = captured.records().find((record) => record.msg === "adding note");
    expect(fromCommand).toMatchObject({ requestId: "req-0001", platform: "matrix", user: "@alice:example.org", command: "note", bugId: 12 });
    const done = captured.records().find((record) => record.msg === "command done");
    expect(done).toMatchObject({ requestId: "req-0001", command: "note" });
  });

  it("logs refusals with their code but without the message", async () => {
    await setUp();
    await run("assign 12 @bob priority=soon");
    expect(captured.records()).toContainEqual(expect.objectContaining({ msg: "command refused", code: "usage", command: "assign" }));
    expect(captured.text()).not.toContain("must be one of");
  });

  it("never logs the command line or the arguments", async () => {
    await setUp();
    const personal = ["Jürg", "Müller", "+41 79 555 01 23", "jane@example.com", "Hauptstrasse"];
    await run(`note 12 "Jürg Müller +41 79 555 01 23" jane@example.com private`, asAlice);
    await run(`note 12 customer=Jürg`, asAlice);
    await run(`note 12 "Jürg Müller called from Hauptstrasse`, asAlice);
    await run(`Jürg Müller called`, asAlice);
    await run(`assign 12 @bob priority="Jürg Müller"`);
    await run(`show "+41 79 555 01 23"`);
    await run(`note 12 jane@example.com`, { user: "mallory" });
    expect(captured.lines.length).toBeGreaterThan(6);
    for (const value of personal) expect(captured.text()).not.toContain(value);
  });
});
