/**
 * Mattermost as a transport of the chat kernel, for what goes through the kernel: DMs to the bot
 * (answered in the DM, in its thread), the bot's DMs to staff, and posts in the configured channels
 * (one thread per bug, started again when its root was deleted). Slash commands, buttons and
 * dialogs answer over HTTP (endpoints.ts) and use the kernel's dispatch and forms directly.
 */
import { BotError } from "../../errors.js";
import { TRIGGERS } from "../../framework/help.js";
import type { Message, MessageButton, Reply } from "../../framework/reply.js";
import type { ChatTransport, MessageOrigin, Posted, PostPlacement, Reaction, TransportCapabilities } from "../kernel/transport.js";
import type { ChannelKey } from "../notifier.js";
import { mattermostErrorId } from "./bot-client.js";
import type { ChannelDirectory } from "./channels.js";
import type { MattermostPoster } from "./poster.js";
import { buttonHint, MATTERMOST_MESSAGE_LIMIT, typedCommand } from "./render.js";
import { TRIGGER_WORD } from "./registration.js";

/** Root ids the server refuses when the root was deleted or moved: start a new thread then. */
const STALE_ROOT_ERRORS = new Set(["api.post.create_post.root_id.app_error", "api.post.create_post.channel_root_id.app_error", "model.post.is_valid.root_id.app_error"]);

/** Mattermost's emoji names of the reactions (the names its emoji picker shows). */
const REACTION_EMOJI: Readonly<Record<Reaction, string>> = { done: "white_check_mark" };

/** What the transport is built from. */
export interface MattermostTransportOptions {
  poster: MattermostPoster;
  /** The configured channels, once the adapter has connected. */
  channels: () => Pick<ChannelDirectory, "idFor"> | undefined;
  /** Without MATTERMOST_PUBLIC_URL there are no buttons and no dialogs. */
  publicUrl: string | undefined;
  /** Throws while the adapter is not running (notifications before that are the caller's to retry). */
  requireRunning(): void;
}

/** Mattermost, as the kernel drives it. */
export class MattermostTransport implements ChatTransport {
  readonly platform = "mattermost" as const;
  readonly capabilities: TransportCapabilities;
  /** DMs may start with `/support` or `support`, or with the command itself. */
  readonly triggers = [TRIGGERS.mattermost, TRIGGER_WORD];
  readonly triggerOptionalInDirect = true;

  constructor(private readonly options: MattermostTransportOptions) {
    const interactive = options.publicUrl !== undefined;
    this.capabilities = {
      maxMessage: MATTERMOST_MESSAGE_LIMIT,
      buttons: interactive,
      // Slash-command answers and ephemeral posts (else a DM) reach one person only.
      ephemeral: true,
      dialogs: interactive,
      threads: true,
      // Uploaded with POST /files, then posted with its file id (no public URL needed).
      images: true,
      mention: (user) => `@${user}`,
    };
  }

  async reply(origin: MessageOrigin, parts: readonly Reply[]): Promise<void> {
    await this.options.poster.postParts(origin.place, parts, { rootId: origin.threadId ?? "" });
  }

  async react(origin: MessageOrigin, reaction: Reaction): Promise<void> {
    await this.options.poster.react(origin.id, REACTION_EMOJI[reaction]);
  }

  async sendDirect(user: string, parts: readonly Message[]): Promise<void> {
    this.options.requireRunning();
    await this.options.poster.postParts(await this.directPlace(user), parts);
  }

  async directPlace(user: string): Promise<string> {
    const { poster } = this.options;
    return poster.directChannelFor(await poster.userIdFor(user));
  }

  async post(place: string, parts: readonly Message[], placement: PostPlacement = {}): Promise<Posted> {
    this.options.requireRunning();
    const posts = await this.options.poster.postParts(place, parts, { rootId: placement.thread?.rootId ?? "", threadParts: placement.startThread ?? false });
    const first = posts[0];
    if (!first) throw new Error("nothing to post");
    // Replies in a Mattermost thread all answer its root.
    return { firstId: first.id, lastId: placement.thread?.rootId ?? first.id };
  }

  async placeFor(channel: ChannelKey): Promise<string> {
    this.options.requireRunning();
    const channels = this.options.channels();
    if (!channels) throw new BotError("upstream-unavailable", "The Mattermost connection is not started yet.");
    return channels.idFor(channel);
  }

  isThreadGone(error: unknown): boolean {
    const cause = error instanceof BotError ? error.cause : error;
    return STALE_ROOT_ERRORS.has(mattermostErrorId(cause) ?? "");
  }

  typedButtons(buttons: readonly MessageButton[]): string {
    return buttonHint(buttons);
  }

  /** A DM cannot open a dialog (Mattermost gives trigger ids to slash commands and buttons only). */
  dialogHint(line: string): string {
    return `Or type \`${typedCommand(line.trim())}\` with the slash: it opens a form.`;
  }
}
