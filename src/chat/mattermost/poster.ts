/**
 * Posting in Mattermost as the bot account: posts (a long message split, its later parts in the
 * first part's thread where asked), DMs (`POST /channels/direct` with the bot and the person, then
 * a post), private answers to one person in a channel (an ephemeral post where the bot may send
 * one, else a DM), and the user ids and names behind them.
 */
import type { FileUploadResponse } from "@mattermost/types/files";
import type { Post } from "@mattermost/types/posts";
import type { Logger } from "pino";
import { NotFoundError, UpstreamUnavailableError } from "../../errors.js";
import type { Message, MessageImage } from "../../framework/reply.js";
import { KeyedQueue } from "../kernel/keyed-queue.js";
import { mattermostStatus, toBotError, type BotClient } from "./bot-client.js";
import type { MattermostMemory } from "./memory.js";
import { fitForMattermost, renderPlainReply, renderPost, type PostBody } from "./render.js";
import type { Signer } from "./signing.js";

export interface PosterOptions {
  client: BotClient;
  chat: MattermostMemory;
  signer: Signer;
  /** Where buttons lead; undefined: buttons become commands to type. */
  actionUrl: string | undefined;
  log: Logger;
  now: () => Date;
}

/** Where a private answer goes: the person, and the channel and thread they acted in. */
export interface PrivateTarget {
  userId: string;
  channelId: string;
  /** The thread ("" none); undefined when unknown (a slash command on a server before 11): the channel. */
  rootId?: string;
}

type NewPost = Parameters<BotClient["createPost"]>[0];

/** How to place the posts of one message. */
export interface PostOptions {
  /** The thread to post in ("" or none: the channel itself). */
  rootId?: string;
  /** The later parts of a long message reply to the first (which starts a thread). */
  threadParts?: boolean;
}

/** Posts, DMs and private answers as the bot account; `configure` once the bot knows its id. */
export class MattermostPoster {
  private botUserId = "";
  private readonly userIds = new Map<string, string>();
  private readonly usernames = new Map<string, string>();
  private readonly dmCreation = new KeyedQueue();
  /** `POST /posts/ephemeral` needs a permission bots rarely have; after a 403 the bot uses DMs. */
  private ephemeralAllowed = true;

  constructor(private readonly options: PosterOptions) {}

  /** The bot's own user id (for DM channels). */
  configure(settings: { botUserId: string }): void {
    this.botUserId = settings.botUserId;
  }

  /** Posts a message (split if long; buttons on the last part) in a channel or thread; resolves with the posts made. */
  post(channelId: string, message: Message, options: PostOptions = {}): Promise<Post[]> {
    return this.postParts(channelId, fitForMattermost(message, { actionUrl: this.options.actionUrl }), options);
  }

  /** Posts the parts of a message, each already within the post size; a part's picture is uploaded and attached to its post. */
  async postParts(channelId: string, parts: readonly Message[], options: PostOptions = {}): Promise<Post[]> {
    const target = { actionUrl: this.options.actionUrl, signer: this.options.signer, channelId };
    const posts: Post[] = [];
    for (const part of parts) {
      const rootId = options.rootId || (options.threadParts && posts[0] ? posts[0].id : "");
      const fileId = part.image ? await this.upload(channelId, part.image) : undefined;
      const post = await this.create(channelId, renderPost(part, target), rootId, fileId);
      // The server drops a file it cannot attach and still creates the post. Sending again would
      // repeat the text, so the post stands and the log says the picture is missing.
      if (fileId !== undefined && !(post.file_ids ?? []).includes(fileId)) {
        this.options.log.warn({ channelId, postId: post.id, fileId }, "Mattermost did not attach the picture to the post; it went without");
      }
      posts.push(post);
    }
    return posts;
  }

  /**
   * Uploads a picture into a channel (`POST /files`, multipart) and returns its file id. `channel_id`
   * goes before the file: the server reads the form as a stream and needs the channel first.
   */
  private async upload(channelId: string, image: MessageImage): Promise<string> {
    const form = new FormData();
    form.append("channel_id", channelId);
    form.append("files", new Blob([image.png], { type: "image/png" }), image.name);
    let answer: FileUploadResponse;
    try {
      answer = await this.options.client.uploadFile(form);
    } catch (error) {
      throw toBotError(error, "upload a picture");
    }
    const id = answer.file_infos[0]?.id;
    if (id === undefined) throw new UpstreamUnavailableError("Mattermost answered the upload of a picture without a file.");
    return id;
  }

  /**
   * An answer only one person sees: ephemeral in the channel where they acted when the bot may
   * (`create_post_ephemeral`, usually system admins only), else a DM from the bot.
   */
  async privately(target: PrivateTarget, message: Message): Promise<void> {
    if (this.ephemeralAllowed && target.channelId !== "") {
      try {
        await this.options.client.createPostEphemeral(target.userId, { channel_id: target.channelId, message: renderPlainReply(message), root_id: target.rootId ?? "" } as NewPost);
        return;
      } catch (error) {
        if (mattermostStatus(error) !== 403) throw toBotError(error, "send a private answer");
        this.ephemeralAllowed = false;
        this.options.log.info("the bot may not send ephemeral posts; private answers go by DM from now on");
      }
    }
    const channelId = await this.directChannelFor(target.userId);
    await this.post(channelId, message);
  }

  /** The user id behind a Mattermost user name (cached). */
  async userIdFor(username: string): Promise<string> {
    const key = username.replace(/^@/, "").toLowerCase();
    const known = this.userIds.get(key);
    if (known) return known;
    let user;
    try {
      user = await this.options.client.getUserByUsername(key);
    } catch (error) {
      if (mattermostStatus(error) === 404) {
        throw new NotFoundError(`There is no Mattermost user "${key}".`, { cause: error });
      }
      throw toBotError(error, "look up a user");
    }
    this.remember(user.id, user.username);
    return user.id;
  }

  /** The user name behind a user id (cached), for running commands as that person. */
  async usernameFor(userId: string): Promise<string> {
    const known = this.usernames.get(userId);
    if (known) return known;
    try {
      const user = await this.options.client.getUser(userId);
      this.remember(user.id, user.username);
      return user.username;
    } catch (error) {
      throw toBotError(error, "look up a user");
    }
  }

  /** The DM channel between the bot and a person, created on first use and kept in the store. */
  async directChannelFor(userId: string): Promise<string> {
    const stored = await this.options.chat.mattermostDmWith(userId);
    if (stored) return stored.channelId;
    return this.dmCreation.run(userId, async () => {
      const again = await this.options.chat.mattermostDmWith(userId);
      if (again) return again.channelId;
      let channel;
      try {
        channel = await this.options.client.createDirectChannel([this.botUserId, userId]);
      } catch (error) {
        throw toBotError(error, "open a direct message channel");
      }
      await this.rememberDirectChannel(channel.id, userId, this.options.now().getTime());
      return channel.id;
    });
  }

  /** Records a DM channel the bot learned about (from an event or by creating it). */
  async rememberDirectChannel(channelId: string, userId: string, seenAt: number): Promise<void> {
    const at = this.options.now();
    await this.options.chat.rememberMattermostDm({ channelId, userId }, at);
    // What was there before the bot knew the channel is history, not commands to catch up on.
    await this.options.chat.advanceMattermostDm(channelId, seenAt, at);
  }

  private remember(userId: string, username: string): void {
    this.userIds.set(username.toLowerCase(), userId);
    this.usernames.set(userId, username);
  }

  /** Reacts to a post as the bot (`POST /reactions`), e.g. `white_check_mark` for ✅. */
  async react(postId: string, emojiName: string): Promise<void> {
    try {
      await this.options.client.addReaction(this.botUserId, postId, emojiName);
    } catch (error) {
      throw toBotError(error, "react to a post");
    }
  }

  private async create(channelId: string, body: PostBody, rootId: string, fileId?: string): Promise<Post> {
    try {
      return await this.options.client.createPost({
        channel_id: channelId,
        message: body.message,
        root_id: rootId,
        ...(body.props ? { props: body.props } : {}),
        ...(fileId !== undefined ? { file_ids: [fileId] } : {}),
      } as NewPost);
    } catch (error) {
      throw toBotError(error, "post a message");
    }
  }
}
