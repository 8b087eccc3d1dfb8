/**
 * A toy chat platform for tests: a transport that records what the kernel makes it send, with a
 * small message size, no buttons, no ephemeral messages, no threads and no dialogs, so every
 * adaptation of the kernel shows. People write in shared rooms (`#support`) and in their direct
 * conversation with the bot (`dm:<name>`). Its people are the sandbox's (known by their handle).
 */
import { ChatKernel, type CommandCore } from "../../../src/chat/kernel/chat-kernel.js";
import type { Schedule } from "../../../src/chat/kernel/guided-forms.js";
import type { ChatTransport, MessageOrigin, Posted, PostPlacement, TransportCapabilities } from "../../../src/chat/kernel/transport.js";
import type { ChannelKey } from "../../../src/chat/notifier.js";
import type { Message, MessageButton, Reply } from "../../../src/framework/reply.js";
import type { StaffDirectory } from "../../../src/identity.js";
import type { Store } from "../../../src/store/store.js";
import type { CapturedLog } from "../../support/capture-log.js";

/** One message the transport was asked to send. */
export interface Sent {
  /** `reply`: an answer to a message; `direct`: a DM; `post`: a post in a place. */
  kind: "reply" | "direct" | "post";
  place: string;
  text: string;
  visibility?: Reply["visibility"];
  buttons?: readonly MessageButton[];
  /** A post's id, and the thread (root id) it went into. */
  id?: string;
  thread?: string;
}

/** The direct conversation of a person with the bot. */
export const dm = (user: string): string => `dm:${user}`;

/** The toy's declared capabilities: 280 characters, nothing else. */
export const TOY_CAPABILITIES: TransportCapabilities = {
  maxMessage: { length: 280, measure: "code-points" },
  buttons: false,
  ephemeral: false,
  dialogs: false,
  threads: false,
  images: false,
  mention: (user) => `<@${user}>`,
};

/** Records everything; nothing is delivered anywhere. Tests may give it other capabilities. */
export class RecordingTransport implements ChatTransport {
  readonly platform = "sandbox" as const;
  readonly capabilities: TransportCapabilities;
  readonly triggers = ["!toy"];
  readonly triggerOptionalInDirect: boolean;
  readonly sent: Sent[] = [];
  /** Optional abilities a test may give it. */
  deleteMessages?: (place: string, ids: readonly string[]) => Promise<boolean>;
  isThreadGone?: (error: unknown) => boolean;
  dialogHint?: (line: string) => string;
  refusesPlace?: (origin: MessageOrigin) => string | undefined;
  /** Makes the next post into a thread fail as if its root was deleted. */
  failNextThreadPost = false;
  private posts = 0;

  constructor(options: { capabilities?: Partial<TransportCapabilities>; triggerOptionalInDirect?: boolean } = {}) {
    this.capabilities = { ...TOY_CAPABILITIES, ...options.capabilities };
    this.triggerOptionalInDirect = options.triggerOptionalInDirect ?? false;
  }

  async reply(origin: MessageOrigin, parts: readonly Reply[]): Promise<void> {
    for (const part of parts) this.record({ kind: "reply", place: origin.place, text: part.text, visibility: part.visibility, ...(part.buttons ? { buttons: part.buttons } : {}) });
  }

  async sendDirect(user: string, parts: readonly Message[]): Promise<void> {
    for (const part of parts) this.record({ kind: "direct", place: dm(user), text: part.text, ...(part.buttons ? { buttons: part.buttons } : {}) });
  }

  async directPlace(user: string): Promise<string> {
    return dm(user);
  }

  async post(place: string, parts: readonly Message[], placement: PostPlacement = {}): Promise<Posted> {
    if (placement.thread && this.failNextThreadPost) {
      this.failNextThreadPost = false;
      throw new Error("thread root gone");
    }
    const ids: string[] = [];
    for (const part of parts) {
      const id = `p${++this.posts}`;
      ids.push(id);
      const thread = placement.thread?.rootId ?? (placement.startThread && ids.length > 1 ? ids[0] : undefined);
      this.record({ kind: "post", place, text: part.text, id, ...(thread ? { thread } : {}), ...(part.buttons ? { buttons: part.buttons } : {}) });
    }
    return { firstId: ids[0]!, lastId: ids.at(-1)! };
  }

  async placeFor(channel: ChannelKey): Promise<string> {
    return `#${channel}`;
  }

  /** What was sent to a place (a room, or `dm(name)`), oldest first. */
  in(place: string): Sent[] {
    return this.sent.filter((sent) => sent.place === place);
  }

  /** Everything sent where more than one person reads it. */
  shared(): Sent[] {
    return this.sent.filter((sent) => !sent.place.startsWith("dm:"));
  }

  private record(sent: Sent): void {
    this.sent.push(sent);
  }
}

/** The toy platform with the kernel on it: people say things, the transport records the answers. */
export interface ToyPlatform {
  transport: RecordingTransport;
  kernel: ChatKernel;
  /** A person writes in a place; resolves with what the bot sent meanwhile (once everything is handled). */
  say(user: string, place: string, text: string, options?: { id?: string }): Promise<Sent[]>;
}

/** Puts the kernel on a recording transport, over a bot core. */
export function startToyPlatform(options: {
  core: CommandCore;
  staff: StaffDirectory;
  store: Store;
  log: CapturedLog;
  clock: () => number;
  schedule?: Schedule;
  transport?: RecordingTransport;
}): ToyPlatform {
  const transport = options.transport ?? new RecordingTransport();
  const kernel = new ChatKernel({
    transport,
    core: options.core,
    staff: options.staff,
    chat: options.store.chat,
    logger: options.log.log,
    clock: options.clock,
    ...(options.schedule ? { schedule: options.schedule } : {}),
  });
  let ids = 0;
  return {
    transport,
    kernel,
    async say(user, place, text, sayOptions = {}) {
      const before = transport.sent.length;
      await kernel.receive({ id: sayOptions.id ?? `m${++ids}`, place, sender: user, isDirect: place === dm(user), text });
      await kernel.idle();
      return transport.sent.slice(before);
    },
  };
}
