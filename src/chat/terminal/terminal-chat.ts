/**
 * The sandbox's chat: a terminal where you type `/support ...` lines as one of the sandbox accounts
 * and read the bot's replies, DMs and channel posts. With a pipe instead of a terminal it reads one
 * command per line and ends at end of input, so scripts can drive it.
 */
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Message, Reply } from "../../framework/reply.js";
import type { StaffMember } from "../../identity.js";
import type { ChannelKey, Notifier } from "../notifier.js";
import { renderMessage } from "./render.js";

export interface TerminalChatOptions {
  input: Readable;
  output: Writable;
  /** Whether input is an interactive terminal (prompt shown, banner longer). */
  interactive: boolean;
  /** Sandbox accounts one may switch to with `/as <name>`. */
  accounts: readonly string[];
  startAs: string;
  banner: string;
  /** Runs one command line (without `/support`) as the given account and answers with a reply. */
  runCommand(account: string, line: string): Promise<Reply>;
}

const TRIGGER = "/support";

/** The terminal's side of notifications: printed inline, marked with where they would go. */
export class TerminalNotifier implements Notifier {
  constructor(private readonly output: Writable) {}

  async direct(recipient: StaffMember, message: Message): Promise<void> {
    this.output.write(indent(`[DM to ${recipient.name}] ${renderMessage(message, TRIGGER)}`) + "\n");
  }

  async channel(channel: ChannelKey, message: Message): Promise<void> {
    const thread = message.bugId === undefined ? "" : ` (thread of #${message.bugId})`;
    this.output.write(indent(`[#${channel}${thread}] ${renderMessage(message, TRIGGER)}`) + "\n");
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line, index) => (index === 0 ? `  ${line}` : `    ${line}`))
    .join("\n");
}

/** Runs the chat until end of input or `/quit`. Resolves when it has finished every command. */
export async function runTerminalChat(options: TerminalChatOptions): Promise<void> {
  const { output } = options;
  let account = options.startAs;
  const reader = createInterface({ input: options.input, output: options.interactive ? output : undefined, terminal: options.interactive });
  const prompt = () => {
    if (options.interactive) {
      reader.setPrompt(`${account}> `);
      reader.prompt();
    }
  };
  const say = (text: string) => output.write(`${text}\n`);

  say(options.banner);
  prompt();

  // Lines are handled strictly one after another, in order, even when piped in faster than MantisBT answers.
  for await (const rawLine of reader) {
    const line = rawLine.trim();
    if (!options.interactive && line) say(`${account}> ${line}`);
    if (line === "/quit" || line === "/exit") break;
    if (line) await handleLine(line);
    prompt();
  }
  reader.close();

  async function handleLine(line: string): Promise<void> {
    const asMatch = /^\/as(?:\s+(\S+))?$/.exec(line);
    if (asMatch) {
      const wanted = asMatch[1]?.toLowerCase();
      if (wanted && options.accounts.includes(wanted)) {
        account = wanted;
        say(`You are now ${account}.`);
      } else {
        say(`Usage: /as <account>. Accounts: ${options.accounts.join(", ")}.`);
      }
      return;
    }
    const commandMatch = /^\/support(?:\s+([\s\S]*))?$/.exec(line);
    if (!commandMatch) {
      say(`Type "${TRIGGER} help" for the commands, "/as <account>" to switch account (${options.accounts.join(", ")}), "/quit" to leave.`);
      return;
    }
    const reply = await options.runCommand(account, commandMatch[1] ?? "");
    const where = reply.visibility === "channel" ? "bot (to the channel)" : "bot";
    say(`${where}: ${renderMessage(reply, TRIGGER).replace(/\n/g, "\n  ")}`);
  }
}
