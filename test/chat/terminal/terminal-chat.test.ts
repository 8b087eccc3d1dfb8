/**
 * The sandbox's terminal chat with the chat kernel on its transport, driven through a pipe: replies,
 * notifications printed inline, and a form (`/support call`) asked line by line as prompts.
 */
import { PassThrough, Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { ChatKernel } from "../../../src/chat/kernel/chat-kernel.js";
import { ChatOutbound } from "../../../src/chat/kernel/chat-outbound.js";
import { runTerminalChat } from "../../../src/chat/terminal/terminal-chat.js";
import { TerminalTransport } from "../../../src/chat/terminal/terminal-transport.js";
import { startBotUnderTest, type BotUnderTest } from "../../support/bot-under-test.js";

let bot: BotUnderTest | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

/** Runs the terminal chat on piped lines; resolves with everything it printed. */
async function runLines(lines: string[]): Promise<{ output: string; bot: BotUnderTest }> {
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
  let outbound: ChatOutbound | undefined;
  bot = await startBotUnderTest({
    notifier: {
      direct: (recipient, message) => outbound!.direct(recipient, message),
      channel: (channel, message) => outbound!.channel(channel, message),
    },
  });
  const chat = bot.store.chat;
  const transport = new TerminalTransport(output);
  outbound = new ChatOutbound({ transport, chat, logger: bot.log.log });
  const kernel = new ChatKernel({ transport, core: bot.core, staff: bot.staff, chat, logger: bot.log.log, outbound });
  await runTerminalChat({ input: Readable.from(lines.map((line) => `${line}\n`)), output, interactive: false, accounts: ["manager", "alice"], startAs: "alice", banner: "SANDBOX", kernel });
  return { output: printed, bot };
}

describe("terminal chat", () => {
  it("prints replies and the notifications a command sends", async () => {
    const { output } = await runLines(["/support grab 1"]);
    expect(output).toMatch(/^alice> \/support grab 1\n {2}\[#management \(thread of #1\)\] @alice grabbed #1 .*\nbot: You now handle #1 /m);
  });

  it("asks a form's fields as prompts, one line each, and logs the call", async () => {
    const { output, bot: ran } = await runLines(["/support call", "Jane Doe", "alien", "user", "+41 79 555 01 23", "skip", "Wallet shows the withdrawal as pending", "today", "bug"]);
    expect(output).toContain("alice> /support call\nbot: Log a customer call: I ask for one detail at a time");
    expect(output).toContain("alice> Jane Doe\nbot: What type of customer? user, merchant, bank, other\n");
    expect(output).toContain("alice> alien\nbot: The type must be one of user, merchant, bank, other.");
    expect(output).toMatch(/alice> bug\nbot: Filed #\d+ <http/);
    expect(await ran.store.calls.list()).toMatchObject([{ customerName: "Jane Doe", customerType: "user", route: "bug", recordedBy: "alice" }]);
  });

  it("hints at the commands for a line that is neither a command nor an answer", async () => {
    const { output } = await runLines(["hello"]);
    expect(output).toContain('Type "/support help" for the commands');
  });
});
