/**
 * Matrix as a transport of the chat kernel: every message an `m.notice` (the spec's message type
 * for bots, which no bot answers) with a plain body and HTML; answers to a command in a thread
 * under it in rooms (Matrix has no ephemeral messages), directly in DMs; a bug's posts in one
 * thread per room; DMs through `m.direct`; personal data deleted by redaction. Sends keep one
 * transaction id across rate-limit retries, so the homeserver drops a duplicate (room_send.yaml).
 */
import { MatrixError, type MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import { z } from "zod";
import type { Message, MessageButton, MessageImage, MessageLimit, Reply } from "../../framework/reply.js";
import type { ChatTransport, MessageOrigin, Posted, PostPlacement, Reaction, TransportCapabilities } from "../kernel/transport.js";
import type { ChannelKey } from "../notifier.js";
import type { DirectRooms } from "./direct-rooms.js";
import { renderNotice, typedButtonLines, type NoticeContent } from "./render.js";
import type { ConfiguredRooms } from "./rooms.js";

const sendResponseSchema = z.looseObject({ event_id: z.string() });
/** What the media repository answers an upload with (content-repo.yaml: `content_uri`, an `mxc://` URI). */
const mxcUriSchema = z.string().regex(/^mxc:\/\/[^/]+\/[A-Za-z0-9_-]+$/, "not an mxc:// URI");

type Retry = <T>(what: string, action: () => Promise<T>) => Promise<T>;

/**
 * Matrix limits a whole event to 65,536 bytes and carries the text twice (plain and HTML). HTML is
 * longer than the Markdown it comes from (links, list tags, `&amp;`): a list of bugs' event is about
 * 2.15 times its Markdown (test/chat/summary-on-platforms.test.ts), so 32,000 bytes of Markdown made
 * 68 KB events the homeserver refuses; 24,000 bytes make about 51 KB.
 */
export const MATRIX_MESSAGE_LIMIT: MessageLimit = Object.freeze({ length: 24_000, measure: "utf8-bytes" });

const MATRIX_CAPABILITIES: TransportCapabilities = {
  maxMessage: MATRIX_MESSAGE_LIMIT,
  buttons: false,
  ephemeral: false,
  dialogs: false,
  threads: true,
  // Uploaded to the media repository, then sent as an `m.image` event.
  images: true,
  // A matrix.to link is how clients write a mention ("pill").
  mention: (user) => `[${user}](https://matrix.to/#/${user})`,
};

/** What the transport is built from; the adapter owns the client and the timing. */
export interface MatrixTransportOptions {
  client: MatrixClient;
  directRooms: DirectRooms;
  rooms: ConfiguredRooms;
  /** What starts a command, e.g. `!support`. */
  commandPrefix: string;
  retry: Retry;
  log: Logger;
  /** Tells transaction ids of this run from those of earlier runs (the adapter's start time). */
  runId: () => string;
}

/** The key of each reaction's annotation: the emoji itself, as clients send it. */
const REACTION_KEYS: Readonly<Record<Reaction, string>> = { done: "✅" };

/** A thread relation: in the thread of `rootId`, the reply fallback pointing at `inReplyTo`. */
function threadRelation(rootId: string, inReplyTo: string, isFallingBack: boolean): Record<string, unknown> {
  return { rel_type: "m.thread", event_id: rootId, is_falling_back: isFallingBack, "m.in_reply_to": { event_id: inReplyTo } };
}

/** Matrix, as the kernel drives it. */
export class MatrixTransport implements ChatTransport {
  readonly platform = "matrix" as const;
  readonly capabilities = MATRIX_CAPABILITIES;
  readonly triggers: readonly string[];
  readonly triggerOptionalInDirect = false;
  private txnCounter = 0;

  constructor(private readonly options: MatrixTransportOptions) {
    this.triggers = [options.commandPrefix];
  }

  async reply(origin: MessageOrigin, parts: readonly Reply[]): Promise<void> {
    for (const part of parts) {
      const relation = this.replyRelation(origin, part.visibility);
      // Uploaded first: a failed upload sends nothing, so a retry repeats nothing.
      const picture = part.image ? await this.upload(part.image) : undefined;
      await this.sendMessage(origin.place, { ...this.render(part), "m.relates_to": relation });
      if (picture) await this.sendImage(origin.place, picture, relation);
    }
  }

  async sendDirect(user: string, parts: readonly Message[]): Promise<void> {
    const { directRooms } = this.options;
    const roomId = await directRooms.roomFor(user);
    try {
      await this.post(roomId, parts);
    } catch (error) {
      // Removed from the DM since it was chosen: find or create another one, once.
      if (!(error instanceof MatrixError && error.errcode === "M_FORBIDDEN")) throw error;
      directRooms.forget(roomId);
      await this.post(await directRooms.roomFor(user), parts);
    }
  }

  directPlace(user: string): Promise<string> {
    return this.options.directRooms.roomFor(user);
  }

  async post(place: string, parts: readonly Message[], placement: PostPlacement = {}): Promise<Posted> {
    let firstId: string | undefined;
    let lastId: string | undefined;
    for (const part of parts) {
      const root = placement.thread?.rootId ?? (placement.startThread ? firstId : undefined);
      const previous = lastId ?? placement.thread?.lastId;
      const content: NoticeContent = root !== undefined && previous !== undefined ? { ...this.render(part), "m.relates_to": threadRelation(root, previous, true) } : this.render(part);
      // Uploaded first: a failed upload sends nothing, so a retry repeats nothing.
      const picture = part.image ? await this.upload(part.image) : undefined;
      const eventId = await this.sendMessage(place, content);
      firstId ??= eventId;
      lastId = eventId;
      if (picture) {
        // The picture follows its text, in the same thread (whose root the text may just have started).
        const threadRoot = root ?? (placement.startThread ? firstId : undefined);
        lastId = await this.sendImage(place, picture, threadRoot !== undefined ? threadRelation(threadRoot, eventId, true) : undefined);
      }
    }
    if (firstId === undefined || lastId === undefined) throw new Error("nothing to post");
    return { firstId, lastId };
  }

  async placeFor(channel: ChannelKey): Promise<string | undefined> {
    return this.options.rooms.roomFor(channel);
  }

  /** Redacts messages (best effort); false when any could not be deleted (the bot may lack the power). */
  async deleteMessages(place: string, ids: readonly string[]): Promise<boolean> {
    let allDone = true;
    for (const eventId of ids) {
      try {
        await this.options.retry("redact a message", () => this.options.client.redactEvent(place, eventId, "customer's personal data: kept in the support bot's store"));
      } catch (error) {
        allDone = false;
        this.options.log.warn({ err: error, roomId: place, eventId }, "could not delete a message holding personal data");
      }
    }
    return allDone;
  }

  typedButtons(buttons: readonly MessageButton[]): string {
    return typedButtonLines(buttons, this.options.commandPrefix);
  }

  refusesPlace(origin: MessageOrigin): string | undefined {
    if (origin.isDirect || this.options.rooms.isConfigured(origin.place)) return undefined;
    return [
      `I take commands only in the rooms configured for me and in direct messages, so I ignore them here.`,
      `An administrator can add this room to MATRIX_ROOMS, or send me \`${this.options.commandPrefix} help\` in a direct message.`,
    ].join(" ");
  }

  private render(message: Message): NoticeContent {
    return renderNotice(message, this.options.commandPrefix);
  }

  /**
   * Replies for the caller go into a thread under the command in rooms, replies for everyone
   * answer the command in the room; a command typed in a thread is answered in that thread.
   */
  private replyRelation(origin: MessageOrigin, visibility: Reply["visibility"]): Record<string, unknown> {
    if (origin.threadId !== undefined) return threadRelation(origin.threadId, origin.id, false);
    // A new thread rooted at the command; the reply fallback points at the root.
    if (!origin.isDirect && visibility === "ephemeral") return threadRelation(origin.id, origin.id, true);
    return { "m.in_reply_to": { event_id: origin.id } };
  }

  /** An `m.reaction` annotating the message (client-server spec, m.annotation relations). */
  async react(origin: MessageOrigin, reaction: Reaction): Promise<void> {
    const content = { "m.relates_to": { rel_type: "m.annotation", event_id: origin.id, key: REACTION_KEYS[reaction] } };
    await this.sendEvent(origin.place, "m.reaction", content, "react to a message");
  }

  /** Uploads a picture to the media repository (`POST /_matrix/media/v3/upload`); the picture and its `mxc://` URI. */
  private async upload(image: MessageImage): Promise<{ image: MessageImage; uri: string }> {
    const uri = await this.options.retry("upload a picture", () => this.options.client.uploadContent(Buffer.from(image.png), "image/png", image.name));
    return { image, uri: mxcUriSchema.parse(uri) };
  }

  /**
   * Sends an uploaded picture as an `m.image` whose body is its description (a caption, since
   * `filename` names the file) and whose `info` gives type, size and dimensions; returns the event id.
   */
  private async sendImage(roomId: string, { image, uri }: { image: MessageImage; uri: string }, relation: Record<string, unknown> | undefined): Promise<string> {
    const content = {
      msgtype: "m.image",
      body: image.alt,
      filename: image.name,
      url: uri,
      info: { mimetype: "image/png", size: image.png.length, w: image.width, h: image.height },
      ...(relation ? { "m.relates_to": relation } : {}),
    };
    return this.sendMessage(roomId, content);
  }

  /**
   * Sends an `m.room.message` with one transaction id for every retry, so the homeserver drops a
   * duplicate if an earlier try did arrive (room_send.yaml: idempotency per access token and txnId).
   */
  private sendMessage(roomId: string, content: NoticeContent | Record<string, unknown>): Promise<string> {
    return this.sendEvent(roomId, "m.room.message", content, "send a message");
  }

  private async sendEvent(roomId: string, type: string, content: object, what: string): Promise<string> {
    const txnId = `sb.${this.options.runId()}.${++this.txnCounter}`;
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(type)}/${encodeURIComponent(txnId)}`;
    const response = await this.options.retry(what, () => this.options.client.doRequest("PUT", path, null, content));
    return sendResponseSchema.parse(response).event_id;
  }
}
