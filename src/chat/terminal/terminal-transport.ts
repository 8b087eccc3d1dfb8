/**
 * The sandbox's terminal as a transport of the chat kernel: one person at the keyboard (who may
 * switch accounts), replies printed as `bot: ...`, DMs and channel posts printed inline and marked
 * with where they would go. Buttons are shown as the commands they run; forms are asked line by line.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
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
  // Only with a folder to save pictures in (see TerminalTransportOptions).
  images: false,
  mention: (user) => `@${user}`,
};

/** Where the terminal puts pictures: a terminal cannot show one, so it saves the PNG and prints its path. */
export interface TerminalTransportOptions {
  /** The folder pictures are saved in (the sandbox's DATA_DIR); without it pictures are left out. */
  imageDir?: string;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line, index) => (index === 0 ? `  ${line}` : `    ${line}`))
    .join("\n");
}

/** Prints what the kernel sends. */
export class TerminalTransport implements ChatTransport {
  readonly platform = "sandbox" as const;
  readonly capabilities: TransportCapabilities;
  readonly triggers = [TRIGGERS.sandbox];
  readonly triggerOptionalInDirect = false;
  private posts = 0;

  constructor(
    private readonly output: Writable,
    private readonly options: TerminalTransportOptions = {},
  ) {
    this.capabilities = { ...TERMINAL_CAPABILITIES, images: options.imageDir !== undefined };
  }

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

  /** The text, and where its picture was saved. */
  private render(message: Message): string {
    const text = renderMessage(message, this.triggers[0]);
    const { imageDir } = this.options;
    if (message.image === undefined || imageDir === undefined) return text;
    mkdirSync(imageDir, { recursive: true });
    // Only the file's own name: a name from elsewhere never picks the folder.
    const path = resolve(imageDir, basename(message.image.name));
    writeFileSync(path, message.image.png);
    return `${text}\n[picture: ${message.image.alt} (${message.image.width}×${message.image.height}), saved to ${path}]`;
  }
}
