/**
 * The bot's outgoing side in Mattermost, as the bot account: posts in the configured channels
 * (one thread per bug and channel: the first post about a bug is the root, later ones reply to
 * it), DMs (`POST /channels/direct` with the bot and the person, then a post), and private answers
 * to one person in a channel (an ephemeral post where the bot may send one, else a DM).
 */
import type { Post } from "@mattermost/types/posts";
import type { Logger } from "pino";
import { BotError, NotFoundError } from "../../errors.js";
import type { Message } from "../../framework/reply.js";
import type { StaffMember } from "../../identity.js";
import type { Store } from "../../store/store.js";
import type { ChannelKey } from "../notifier.js";
import type { ChannelDirectory } from "./channels.js";
import { mattermostErrorId, mattermostStatus, toBotError, type BotClient } from "./bot-client.js";
import { KeyedQueue } from "../keyed-queue.js";
import { renderPlainReply, renderPosts, type PostBody } from "./render.js";
import type { Signer } from "./signing.js";

export interface PosterOptions {
  client: BotClient;
  store: Store;
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

/** Root ids the server refuses when the root was deleted or moved: start a new thread then. */
const STALE_ROOT_ERRORS = new Set(["api.post.create_post.root_id.app_error", "api.post.create_post.channel_root_id.app_error", "model.post.is_valid.root_id.app_error"]);

/** Posts, DMs and threads as the bot account; `configure` once the bot knows its ids. */
export class MattermostPoster {
  private botUserId = "";
  private channels: Pick<ChannelDirectory, "idFor"> | undefined;
  private readonly userIds = new Map<string, string>();
  private readonly usernames = new Map<string, string>();
  private readonly threads = new KeyedQueue();
  private readonly dmCreation = new KeyedQueue();
  /** `POST /posts/ephemeral` needs a permission bots rarely have; after a 403 the bot uses DMs. */
  private ephemeralAllowed = true;

  constructor(private readonly options: PosterOptions) {}

  /** The bot's own user id and where the configured channels (by key) are. */
  configure(settings: { botUserId: string; channels: Pick<ChannelDirectory, "idFor"> }): void {
    this.botUserId = settings.botUserId;
    this.channels = settings.channels;
  }

  /** A post in a named channel; with a `bugId`, in that bug's thread there. */
  async channel(key: ChannelKey, message: Message): Promise<void> {
    if (!this.channels) throw new BotError("upstream-unavailable", "The Mattermost connection is not started yet.");
    const channelId = await this.channels.idFor(key);
    if (message.bugId === undefined) {
      await this.post(channelId, message);
      return;
    }
    const bugId = message.bugId;
    await this.threads.run(`${channelId}:${bugId}`, () => this.postInBugThread(channelId, bugId, message));
  }

  /** A DM from the bot to a staff member. */
  async direct(recipient: StaffMember, message: Message): Promise<void> {
    const account = recipient.accounts.mattermost;
    if (!account) {
      // Someone who does not use Mattermost: never guess a user by their handle.
      this.options.log.debug({ staff: recipient.name }, "no Mattermost account; direct message not sent on Mattermost");
      return;
    }
    const userId = await this.userIdFor(account);
    const channelId = await this.directChannelFor(userId);
    await this.post(channelId, message);
  }

  /**
   * Posts a message (split if long; buttons on the last part) in a channel or thread; resolves
   * with the posts made. `threadParts`: the parts of a long message after the first reply to it.
   */
  async post(channelId: string, message: Message, options: { rootId?: string; threadParts?: boolean } = {}): Promise<Post[]> {
    const bodies = renderPosts(message, { actionUrl: this.options.actionUrl, signer: this.options.signer, channelId });
    const posts: Post[] = [];
    for (const body of bodies) {
      const rootId = options.rootId || (options.threadParts && posts[0] ? posts[0].id : "");
      posts.push(await this.create(channelId, body, rootId));
    }
    return posts;
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
    const stored = this.options.store.mattermost.findDmByUser(userId);
    if (stored) return stored.channelId;
    return this.dmCreation.run(userId, async () => {
      const again = this.options.store.mattermost.findDmByUser(userId);
      if (again) return again.channelId;
      let channel;
      try {
        channel = await this.options.client.createDirectChannel([this.botUserId, userId]);
      } catch (error) {
        throw toBotError(error, "open a direct message channel");
      }
      this.rememberDirectChannel(channel.id, userId, this.options.now().getTime());
      return channel.id;
    });
  }

  /** Records a DM channel the bot learned about (from an event or by creating it). */
  rememberDirectChannel(channelId: string, userId: string, seenAt: number): void {
    const at = this.options.now();
    this.options.store.mattermost.rememberDm({ channelId, userId }, at);
    // What was there before the bot knew the channel is history, not commands to catch up on.
    this.options.store.mattermost.advanceDm(channelId, seenAt, at);
  }

  private remember(userId: string, username: string): void {
    this.userIds.set(username.toLowerCase(), userId);
    this.usernames.set(userId, username);
  }

  private async postInBugThread(channelId: string, bugId: number, message: Message): Promise<void> {
    const rootId = this.options.store.mattermost.getThread(channelId, bugId);
    if (rootId !== undefined) {
      try {
        await this.post(channelId, message, { rootId });
        return;
      } catch (error) {
        const cause = error instanceof BotError ? error.cause : error;
        if (!STALE_ROOT_ERRORS.has(mattermostErrorId(cause) ?? "")) throw error;
        this.options.log.info({ channelId, bugId }, "the thread root of a bug is gone; starting a new thread");
      }
    }
    const [root] = await this.post(channelId, message, { threadParts: true });
    if (root) this.options.store.mattermost.saveThread({ channelId, bugId, rootPostId: root.id }, this.options.now());
  }

  private async create(channelId: string, body: PostBody, rootId: string): Promise<Post> {
    try {
      return await this.options.client.createPost({ channel_id: channelId, message: body.message, root_id: rootId, ...(body.props ? { props: body.props } : {}) } as NewPost);
    } catch (error) {
      throw toBotError(error, "post a message");
    }
  }
}
