/**
 * The sandbox's chat: a terminal where you type `/support ...` lines as one of the sandbox accounts
 * and read the bot's replies, DMs and channel posts (terminal-transport.ts prints them). With a
 * pipe instead of a terminal it reads one command per line and ends at end of input, so scripts can
 * drive it.
 */
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { TRIGGERS } from "../../framework/help.js";
import type { ChatKernel } from "../kernel/chat-kernel.js";
import { TERMINAL_PLACE } from "./terminal-transport.js";

export interface TerminalChatOptions {
  input: Readable;
  output: Writable;
  /** Whether input is an interactive terminal (prompt shown, banner longer). */
  interactive: boolean;
  /** Sandbox accounts one may switch to with `/as <name>`. */
  accounts: readonly string[];
  startAs: string;
  banner: string;
  /** The kernel on the terminal's transport: every other line goes to it, as the current account. */
  kernel: Pick<ChatKernel, "handle">;
  /**
   * Sets the sandbox's clock (`/time 2026-11-23T09:00Z`, `/time now` for the real time again) and
   * says what it is now; absent, `/time` is an ordinary line.
   */
  setTime?: (text: string) => string;
  /**
   * Resolves once the notifications a command queued are printed (the outbox sends them after the
   * reply): the next prompt comes after them, so a scripted run prints the same every time.
   */
  settled?: () => Promise<void>;
}

const TRIGGER = TRIGGERS.sandbox;

/** Runs the chat until end of input or `/quit`. Resolves when it has finished every command. */
export async function runTerminalChat(options: TerminalChatOptions): Promise<void> {
  const { output } = options;
  let account = options.startAs;
  let lines = 0;
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
    if (line) {
      await handleLine(line);
      await options.settled?.();
    }
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
    const timeMatch = /^\/time(?:\s+(.+))?$/.exec(line);
    if (timeMatch && options.setTime) {
      say(options.setTime(timeMatch[1]?.trim() ?? ""));
      return;
    }
    // A command, or the answer to a form being filled in; anything else gets the hint.
    const handled = await options.kernel.handle({ place: TERMINAL_PLACE, id: String(++lines), sender: account, isDirect: true, text: line });
    if (handled === "ignored") {
      say(`Type "${TRIGGER} help" for the commands, "/as <account>" to switch account (${options.accounts.join(", ")}), "/quit" to leave.`);
    }
  }
}
