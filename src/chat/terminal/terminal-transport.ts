/**
 * The sandbox's terminal as a transport of the chat kernel: one person at the keyboard (who may
 * switch accounts), replies printed as `bot: ...`, DMs and channel posts printed inline and marked
 * with where they would go. Buttons are shown as the commands they run; forms are asked line by line.
 */
import type { Writable } from "node:stream";
import { TRIGGERS } from "../../framework/help.js";
import { DEFAULT_MESSAGE_LIMIT, type Message, type Reply } from "../../framework/reply.js";
import type { ChatTransport, MessageOrigin, Posted, TransportCapabilities } from "../kernel/transport.js";
import type { ChannelKey } from "../notifier.js";
import { renderMessage } from "./render.js";

/** The one place of the terminal: the conversation between the person at the keyboard and the bot. */
export const TERMINAL_PLACE = "terminal";

const TERMINAL_CAPABILITIES: TransportCapabilities = {
  maxMessage: DEFAULT_MESSAGE_LIMIT,
  // Printed as `[Grab: /support grab 3]`: the label and the command to type.
  buttons: true,
  // Only the person at the keyboard reads the terminal.
  ephemeral: true,
  dialogs: false,
  threads: false,
  mention: (user) => `@${user}`,
};

function indent(text: string): string {
  return text
    .split("\n")
    .map((line, index) => (index === 0 ? `  ${line}` : `    ${line}`))
    .join("\n");
}

/** Prints what the kernel sends. */
export class TerminalTransport implements ChatTransport {
  readonly platform = "sandbox" as const;
  readonly capabilities = TERMINAL_CAPABILITIES;
  readonly triggers = [TRIGGERS.sandbox];
  readonly triggerOptionalInDirect = false;
  private posts = 0;

  constructor(private readonly output: Writable) {}

  async reply(_origin: MessageOrigin, parts: readonly Reply[]): Promise<void> {
    for (const part of parts) this.say(part.visibility === "channel" ? "bot (to the channel)" : "bot", part);
  }

  async sendDirect(user: string, parts: readonly Message[]): Promise<void> {
    for (const part of parts) this.output.write(indent(`[DM to ${user}] ${this.render(part)}`) + "\n");
  }

  async directPlace(): Promise<string> {
    return TERMINAL_PLACE;
  }

  async post(place: string, parts: readonly Message[]): Promise<Posted> {
    for (const part of parts) {
      if (place === TERMINAL_PLACE) {
        this.say("bot", part);
        continue;
      }
      const thread = part.bugId === undefined ? "" : ` (thread of #${part.bugId})`;
      this.output.write(indent(`[#${place}${thread}] ${this.render(part)}`) + "\n");
    }
    const id = String(++this.posts);
    return { firstId: id, lastId: id };
  }

  /** A channel is shown by its key. */
  async placeFor(channel: ChannelKey): Promise<string> {
    return channel;
  }

  private say(who: string, message: Message): void {
    this.output.write(`${who}: ${this.render(message).replace(/\n/g, "\n  ")}\n`);
  }

  private render(message: Message): string {
    return renderMessage(message, this.triggers[0]);
  }
}
