/**
 * What a chat platform must provide so the kernel can run the bot on it (Bolt's Receiver, without
 * the routing): it hands over messages people type, and it sends, posts and answers when asked.
 * It declares what it can do, and the kernel adapts: long messages are split within its message
 * size, buttons become commands to type where it has none, replies holding personal data go to a
 * direct conversation where it cannot show a message to one person only, forms become a guided
 * conversation where it has no dialogs.
 */
import type { MessageButton, Message, MessageLimit, Reply } from "../../framework/reply.js";
import type { Platform } from "../../identity.js";
import type { ChannelKey } from "../notifier.js";

/** What a platform can do; fixed once the transport is built. */
export interface TransportCapabilities {
  /** The largest message it takes; the kernel splits longer ones (buttons on the last part). */
  maxMessage: MessageLimit;
  /** Whether people can click buttons; without, each becomes the command to type. */
  buttons: boolean;
  /** Whether a message can be shown to one person in a place others see (Mattermost's ephemeral posts). */
  ephemeral: boolean;
  /** Whether forms open as dialogs; without, they run as a guided conversation. */
  dialogs: boolean;
  /** Whether posts can answer in a thread (a bug's updates are kept in one thread per place). */
  threads: boolean;
  /** Whether a message can carry a picture (an uploaded PNG); without, only its text is sent. */
  images: boolean;
  /** How a message names a person so the platform notifies them, e.g. `@alice`. */
  mention(user: string): string;
}

/** Where a message came from; the kernel hands it back to answer it. */
export interface MessageOrigin {
  /** The channel, room or conversation. */
  place: string;
  /** The message's id on the platform (for de-duplication, replies and deletion). */
  id: string;
  /** The sender as the platform names them: the key the staff directory has for this platform. */
  sender: string;
  /** A conversation between the bot and the sender alone. */
  isDirect: boolean;
  /** The thread it was written in, if any. */
  threadId?: string;
}

/** A message someone typed, as the transport received it. */
export interface IncomingMessage extends MessageOrigin {
  text: string;
}

/** A thread the bot posts a bug's updates in: its root post and the newest post in it. */
export interface ThreadRef {
  rootId: string;
  lastId: string;
}

/** The first and last post a message became (the same post when it was not split). */
export interface Posted {
  firstId: string;
  lastId: string;
}

/** How to place the parts of a post. */
export interface PostPlacement {
  /** Into this thread. */
  thread?: ThreadRef;
  /** The first part starts a thread that the other parts go into (a bug's first post). */
  startThread?: boolean;
}

/** What a reaction says; each transport picks its platform's emoji for it. */
export type Reaction = "done";

/** A chat platform as the kernel drives it. Every message it is given already fits. */
export interface ChatTransport {
  readonly platform: Platform;
  readonly capabilities: TransportCapabilities;
  /** What starts a command in a message, the first as shown in help texts (e.g. `!support`). */
  readonly triggers: readonly string[];
  /** Whether a direct message is a command even without a trigger (`grab 12` to the bot). */
  readonly triggerOptionalInDirect: boolean;

  /** Answers a message where it was written (in its thread, if any), one part after the other. */
  reply(origin: MessageOrigin, parts: readonly Reply[]): Promise<void>;
  /** Sends to one person in their direct conversation with the bot. */
  sendDirect(user: string, parts: readonly Message[]): Promise<void>;
  /** The place of the direct conversation with a person, opened if there is none. */
  directPlace(user: string): Promise<string>;
  /** Posts in a place; a bug's updates into its thread (see PostPlacement). */
  post(place: string, parts: readonly Message[], placement?: PostPlacement): Promise<Posted>;
  /** The place a named channel is on this platform; undefined when none is configured. */
  placeFor(channel: ChannelKey): Promise<string | undefined>;

  /**
   * Marks a message as done with a reaction (✅) instead of an answer. Absent: the platform has no
   * reactions, and the kernel answers with a short text instead.
   */
  react?(origin: MessageOrigin, reaction: Reaction): Promise<void>;
  /** Deletes messages people sent (they hold personal data); false when any stayed. Absent: it cannot. */
  deleteMessages?(place: string, ids: readonly string[]): Promise<boolean>;
  /** Whether a failed post says its thread's root is gone, so a new thread is started. */
  isThreadGone?(error: unknown): boolean;
  /** Buttons as the commands to type, in this platform's words (default: a `Next:` line). */
  typedButtons?(buttons: readonly MessageButton[]): string;
  /** Where a form opens as a dialog, but not from here (a DM): how to get it, added to a refusal. */
  dialogHint?(line: string): string;
  /** The notice for commands typed where the bot takes none (given once per place), or undefined. */
  refusesPlace?(origin: MessageOrigin): string | undefined;
}
