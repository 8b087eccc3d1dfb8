/**
 * One thread per bug per place: the first post about a bug in a channel or room starts a thread,
 * later ones go into it, across restarts (the store keeps the thread of every platform in one
 * table). When the root is gone (deleted), the next post starts a new thread.
 */
import type { Logger } from "pino";
import type { Message } from "../../framework/reply.js";
import type { ChatMemory } from "./chat-memory.js";
import { KeyedQueue } from "./keyed-queue.js";
import type { ChatTransport } from "./transport.js";

/** Posts a bug's updates into its thread on one transport. */
export class BugThreads {
  /** One writer per place and bug, so two updates at once cannot start two threads. */
  private readonly queue = new KeyedQueue();

  constructor(private readonly options: { transport: ChatTransport; chat: ChatMemory; clock: () => number; log: Logger }) {}

  /** Posts the parts of one message about a bug in a place, into the bug's thread there. */
  post(place: string, bugId: number, parts: readonly Message[]): Promise<void> {
    const { transport, chat, clock, log } = this.options;
    const platform = transport.platform;
    return this.queue.run(`${place}|${bugId}`, async () => {
      const thread = await chat.thread(platform, place, bugId);
      if (thread !== undefined) {
        try {
          const posted = await transport.post(place, parts, { thread: { rootId: thread.rootId, lastId: thread.lastId } });
          await chat.saveThread({ ...thread, lastId: posted.lastId }, new Date(clock()));
          return;
        } catch (error) {
          if (!transport.isThreadGone?.(error)) throw error;
          log.info({ place, bugId }, "the thread root of a bug is gone; starting a new thread");
        }
      }
      const posted = await transport.post(place, parts, { startThread: true });
      await chat.saveThread({ platform, place, bugId, rootId: posted.firstId, lastId: posted.lastId }, new Date(clock()));
    });
  }
}
