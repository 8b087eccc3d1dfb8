/**
 * Notices the bot gives only once (per person or per place), so a chatty room is not answered over
 * and over: the not-linked notice, "no commands in this room", "I cannot read encrypted rooms".
 * Each is claimed in the store before it is sent and given back when sending fails.
 */
import type { Logger } from "pino";
import type { Platform } from "../../identity.js";
import type { ChatMemory } from "./chat-memory.js";

/** One-time notices of one platform. */
export class OnceNotices {
  constructor(
    private readonly options: { platform: Platform; chat: ChatMemory; clock: () => number; log: Logger },
  ) {}

  /** Claims a notice; false when it was given before. */
  claim(kind: string, target: string): Promise<boolean> {
    return this.options.chat.claimNotice(this.options.platform, kind, target, new Date(this.options.clock()));
  }

  /** Gives a claimed notice back (sending it failed), so a later message may try again. */
  async release(kind: string, target: string): Promise<void> {
    await this.options.chat.releaseNotice(this.options.platform, kind, target);
  }

  /** Sends a notice already claimed; gives the claim back when sending fails. */
  async send(kind: string, target: string, send: () => Promise<void>): Promise<void> {
    try {
      await send();
      this.options.log.info({ kind, target }, "gave a one-time notice");
    } catch (error) {
      await this.release(kind, target);
      throw error;
    }
  }

  /** Claims and sends a notice, unless it was given before. */
  async once(kind: string, target: string, send: () => Promise<void>): Promise<void> {
    if (!(await this.claim(kind, target))) {
      this.options.log.debug({ kind, target }, "ignored a message (notice already given)");
      return;
    }
    await this.send(kind, target, send);
  }
}
