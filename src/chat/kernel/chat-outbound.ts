/**
 * The bot's outgoing side on one platform, whatever the platform: direct messages to staff and
 * posts in named channels (a bug's posts in its thread), each message first fitted to the
 * transport (buttons as typed commands where it has none, split within its message size). It is
 * the Notifier the commands and the proactive engine use for this platform.
 */
import type { Logger } from "pino";
import type { Message } from "../../framework/reply.js";
import { platformUserOf, type StaffMember } from "../../identity.js";
import type { ChatMemory } from "./chat-memory.js";
import type { ChannelKey, Notifier } from "../notifier.js";
import { BugThreads } from "./bug-threads.js";
import { fitMessage, typedButtonsLine } from "./outbound.js";
import type { ChatTransport } from "./transport.js";

/** What the outgoing side needs. */
export interface ChatOutboundOptions {
  transport: ChatTransport;
  chat: ChatMemory;
  logger: Logger;
  /** Wall clock in ms; default Date.now. */
  clock?: () => number;
}

/** DMs and channel posts on one transport. */
export class ChatOutbound implements Notifier {
  private readonly transport: ChatTransport;
  private readonly log: Logger;
  private readonly threads: BugThreads;

  constructor(options: ChatOutboundOptions) {
    this.transport = options.transport;
    this.log = options.logger;
    this.threads = new BugThreads({ transport: options.transport, chat: options.chat, clock: options.clock ?? Date.now, log: this.log });
  }

  /** The parts a message becomes on this transport. */
  fit<M extends Message>(message: M): M[] {
    const { capabilities, triggers } = this.transport;
    return fitMessage(message, {
      limit: capabilities.maxMessage,
      buttons: capabilities.buttons,
      images: capabilities.images,
      typedButtons: (buttons) => this.transport.typedButtons?.(buttons) ?? typedButtonsLine(buttons, triggers[0] ?? ""),
    });
  }

  /** A direct message to a staff member; skipped (not failed) when they do not use this platform. */
  async direct(recipient: StaffMember, message: Message): Promise<void> {
    const user = platformUserOf(recipient, this.transport.platform);
    if (user === undefined) {
      this.log.debug({ staff: recipient.name }, `no ${this.transport.platform} account; direct message not sent there`);
      return;
    }
    await this.transport.sendDirect(user, this.fit(message));
  }

  /** A post in a named channel; a message about a bug goes into that bug's thread there. */
  async channel(channel: ChannelKey, message: Message): Promise<void> {
    const place = await this.transport.placeFor(channel);
    if (place === undefined) {
      this.log.debug({ channel }, `no ${this.transport.platform} place configured for this channel; post not sent there`);
      return;
    }
    const parts = this.fit(message);
    if (message.bugId === undefined || !this.transport.capabilities.threads) {
      await this.transport.post(place, parts);
      return;
    }
    await this.threads.post(place, message.bugId, parts);
  }
}
