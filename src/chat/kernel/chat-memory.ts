/**
 * What the chat kernel keeps between restarts, for every platform alike: the thread of each bug per
 * place, the incoming events already processed, the notices given only once. The store implements
 * it (src/store/chat-repo.ts); the composition root hands it over.
 */

/** The thread that carries one bug's updates in one place of one platform. */
export interface ChatThread {
  platform: string;
  /** The channel or room. */
  place: string;
  bugId: number;
  /** The post that started the thread. */
  rootId: string;
  /** The newest post the bot made in it. */
  lastId: string;
}

/** The kernel's memory, shared by all platforms (each row names its platform). */
export interface ChatMemory {
  /** The bug's thread in a place, if the bot started one there. */
  thread(platform: string, place: string, bugId: number): Promise<ChatThread | undefined>;
  /** The bug whose thread starts at this root in a place, if the bot keeps one there. */
  bugOfThread(platform: string, place: string, rootId: string): Promise<number | undefined>;
  /** The places (channels, rooms) where the bot keeps bugs' threads on a platform. */
  threadPlaces(platform: string): Promise<string[]>;
  /** Records a new thread (or a new root) and the newest post in it. */
  saveThread(thread: ChatThread, at: Date): Promise<void>;
  /** Marks an incoming event as processed; false when it already was. */
  claimEvent(platform: string, eventId: string, place: string, at: Date): Promise<boolean>;
  /** Forgets a platform's processed events from before `before`. */
  pruneEvents(platform: string, before: Date): Promise<number>;
  /** Records a one-time notice; false when it was given before. */
  claimNotice(platform: string, kind: string, target: string, at: Date): Promise<boolean>;
  /** Gives a claimed notice back (sending it failed). */
  releaseNotice(platform: string, kind: string, target: string): Promise<void>;
}
