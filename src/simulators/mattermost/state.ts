/**
 * In-memory server state: one team, its users and channels, posts, slash commands and ephemeral
 * messages, plus the rules the server applies when posts are created or edited. Every change that
 * Mattermost broadcasts is handed to `publish` as a WebSocket event body.
 */
import { isValidId, newId } from "./ids.js";
import { newSimFile, POST_FILE_IDS_MAX_RUNES, toWireFileInfo, type SimFile } from "./files.js";
import {
  type ChannelType,
  type JsonObject,
  type SimChannel,
  type SimCommand,
  type SimPost,
  type SimTeam,
  type SimUser,
  type WirePost,
  SimAppError,
  normalizeAttachmentsProp,
  toWirePost,
} from "./wire.js";

/** Who a WebSocket event goes to, as in `model.WebsocketBroadcast`. */
export interface WsBroadcast {
  omit_users: Record<string, boolean> | null;
  user_id: string;
  channel_id: string;
  team_id: string;
  connection_id: string;
  omit_connection_id: string;
}

/** An event before the hub stamps a sequence number on it. */
export interface WsEventBody {
  event: string;
  data: Record<string, unknown>;
  broadcast: WsBroadcast;
}

/** Builds a broadcast with only the given targets set. */
export function broadcastTo(target: Partial<WsBroadcast>): WsBroadcast {
  return { omit_users: null, user_id: "", channel_id: "", team_id: "", connection_id: "", omit_connection_id: "", ...target };
}

/** A user of the seeded site. */
export interface SeedUser {
  username: string;
  isBot?: boolean;
  firstName?: string;
  lastName?: string;
  /** System roles; `system_admin` may also use POST /posts/ephemeral. Default `system_user`. */
  roles?: string;
  /** Team admins hold manage_own_slash_commands and manage_others_slash_commands (model/role.go). */
  teamAdmin?: boolean;
  /**
   * Further team permissions, as a permission scheme grants them to this member, e.g.
   * `["manage_own_slash_commands"]` for a member who may manage only the commands they made.
   */
  teamPermissions?: string[];
  /** Fixed access token instead of a random one. */
  token?: string;
}

/** A channel of the seeded team. */
export interface SeedChannel {
  name: string;
  displayName?: string;
  type?: "O" | "P";
  /** Usernames; default every user. */
  members?: string[];
}

/** What the site starts with. */
export interface SeedOptions {
  teamName?: string;
  teamDisplayName?: string;
  users?: SeedUser[];
  channels?: SeedChannel[];
}

/**
 * The team permissions of the default roles that the simulator checks, as `MakeDefaultRoles`
 * (server/public/model/role.go) gives them: `team_user` may join and read public channels but has
 * no `create_post` (that comes from `channel_user`, i.e. membership), and only `team_admin` manages
 * slash commands.
 */
const TEAM_USER_PERMISSIONS: readonly string[] = ["view_team", "list_team_channels", "join_public_channels", "read_public_channel"];
const TEAM_ADMIN_PERMISSIONS: readonly string[] = [...TEAM_USER_PERMISSIONS, "manage_own_slash_commands", "manage_others_slash_commands"];

/**
 * Channel names as `IsValidChannelIdentifier` (server/public/model/utils.go) takes them: lower-case
 * letters, digits, `-` and `_`, starting with a letter or digit; at most 64 (`ChannelNameMaxLength`).
 */
export const CHANNEL_NAME = /^(?=.{1,64}$)[a-z0-9]+([a-z\-_0-9]+|(__)?)[a-z0-9]*$/;

/** The default accounts: the bot, a manager, three staff and one person not in the staff directory. */
export const DEFAULT_USERS: readonly SeedUser[] = [
  { username: "support-bot", isBot: true, firstName: "Support", lastName: "Bot", teamAdmin: true },
  { username: "manager", firstName: "Mara", lastName: "Manager", teamAdmin: true },
  { username: "alice", firstName: "Alice", lastName: "Staff" },
  { username: "bob", firstName: "Bob", lastName: "Staff" },
  { username: "carol", firstName: "Carol", lastName: "Staff" },
  { username: "dave-unlinked", firstName: "Dave", lastName: "Unlinked" },
];

/** The default public channels of the team. */
export const DEFAULT_CHANNELS: readonly SeedChannel[] = [
  { name: "town-square", displayName: "Town Square" },
  { name: "support", displayName: "Support" },
  { name: "support-mgmt", displayName: "Support Management", members: ["support-bot", "manager", "alice", "bob", "carol"] },
  { name: "sales", displayName: "Sales", members: ["support-bot", "manager", "carol"] },
];

/** An ephemeral post: shown to one user only, never stored in the channel. */
export interface EphemeralRecord {
  userId: string;
  channelId: string;
  /** Where it came from: a slash-command answer, a button answer, or POST /posts/ephemeral. */
  source: "command" | "action" | "api";
  post: WirePost;
}

/** Fields a client (or the simulator acting as a user) may set on a new post. */
export interface NewPost {
  userId: string;
  channelId: string;
  message: string;
  rootId?: string;
  props?: JsonObject;
  type?: string;
  fileIds?: string[];
  pendingPostId?: string;
  setOnline?: boolean;
}

const MAX_MESSAGE_RUNES = 16_383;

/** The site's data and the server's rules for changing it. */
export class MattermostState {
  readonly users = new Map<string, SimUser>();
  readonly channels = new Map<string, SimChannel>();
  readonly posts = new Map<string, SimPost>();
  // Indexes over `posts` (which only ever grows: deletes are soft), so a new post does not scan
  // every post before it: the replies of each root, the posts by pending id, the latest create_at.
  private readonly repliesByRoot = new Map<string, SimPost[]>();
  private readonly byPendingId = new Map<string, SimPost>();
  private latestCreateAt = 0;
  /** Reactions to posts, oldest first (`model.Reaction`). */
  readonly reactions: SimReaction[] = [];
  /** Uploaded files by id (`POST /files`); a post attaches them. */
  readonly files = new Map<string, SimFile>();
  readonly commands = new Map<string, SimCommand>();
  readonly ephemeral: EphemeralRecord[] = [];
  /** Things a real server accepts but only logs ("will be an error in a future version"). */
  readonly warnings: string[] = [];
  readonly team: SimTeam;
  /** `ServiceSettings.EnableCommands` (Enable Custom Slash Commands). */
  enableCommands = true;

  constructor(
    readonly now: () => number,
    readonly strict: boolean,
    private readonly publish: (event: WsEventBody) => void,
    private readonly changed: () => void,
    seed: SeedOptions = {},
  ) {
    const at = now();
    this.team = {
      id: newId(),
      name: seed.teamName ?? "taler",
      displayName: seed.teamDisplayName ?? "GNU Taler",
      createAt: at,
      updateAt: at,
      members: new Map(),
    };
    for (const spec of seed.users ?? DEFAULT_USERS) {
      const user: SimUser = {
        id: newId(),
        username: spec.username.toLowerCase(),
        email: `${spec.username}@example.org`,
        firstName: spec.firstName ?? "",
        lastName: spec.lastName ?? "",
        nickname: "",
        position: "",
        isBot: spec.isBot ?? false,
        botDescription: spec.isBot ? "Runs the support process" : "",
        roles: spec.roles ?? "system_user",
        token: spec.token ?? newId(),
        createAt: at,
        updateAt: at,
      };
      this.users.set(user.id, user);
      this.team.members.set(user.id, { admin: spec.teamAdmin ?? false, permissions: new Set(spec.teamPermissions ?? []) });
    }
    for (const spec of seed.channels ?? DEFAULT_CHANNELS) {
      // Channel.IsValid refuses such a name; a seed with one is a mistake in the test.
      if (!CHANNEL_NAME.test(spec.name)) throw new Error(`"${spec.name}" is no valid Mattermost channel name ([a-z0-9_-], see model.IsValidChannelIdentifier)`);
      const members = (spec.members ?? [...this.users.values()].map((user) => user.username)).map((name) => this.requireUserByName(name).id);
      this.addChannel({ name: spec.name, displayName: spec.displayName ?? spec.name, type: spec.type ?? "O", teamId: this.team.id, members, creatorId: members[0] ?? "" });
    }
  }

  private addChannel(spec: { name: string; displayName: string; type: ChannelType; teamId: string; members: string[]; creatorId: string }): SimChannel {
    const at = this.now();
    const channel: SimChannel = {
      id: newId(),
      teamId: spec.teamId,
      type: spec.type,
      name: spec.name,
      displayName: spec.displayName,
      header: "",
      purpose: "",
      createAt: at,
      updateAt: at,
      deleteAt: 0,
      lastPostAt: at,
      lastRootPostAt: at,
      totalMsgCount: 0,
      totalMsgCountRoot: 0,
      creatorId: spec.creatorId,
      members: new Set(spec.members),
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** Hands an event to the WebSocket hub (for integrations that broadcast, e.g. `open_dialog`). */
  publishEvent(event: WsEventBody): void {
    this.publish(event);
  }

  // --- look-ups -------------------------------------------------------------------------------

  userByToken(token: string): SimUser | undefined {
    for (const user of this.users.values()) if (user.token === token) return user;
    return undefined;
  }

  userByName(username: string): SimUser | undefined {
    const wanted = username.replace(/^@/, "").toLowerCase();
    for (const user of this.users.values()) if (user.username === wanted) return user;
    return undefined;
  }

  requireUserByName(username: string): SimUser {
    const user = this.userByName(username);
    if (!user) throw new Error(`no simulated user "${username}"`);
    return user;
  }

  channelByName(teamId: string, name: string): SimChannel | undefined {
    for (const channel of this.channels.values()) if (channel.teamId === teamId && channel.name === name) return channel;
    return undefined;
  }

  isTeamMember(teamId: string, userId: string): boolean {
    return teamId === this.team.id && this.team.members.has(userId);
  }

  /**
   * `SessionHasPermissionToTeam` (app/authorization.go): the member's team roles, then the system
   * roles (a system admin holds every permission).
   */
  hasTeamPermission(teamId: string, userId: string, permission: string): boolean {
    if (this.isSystemAdmin(userId)) return true;
    const member = teamId === this.team.id ? this.team.members.get(userId) : undefined;
    if (!member) return false;
    return (member.admin ? TEAM_ADMIN_PERMISSIONS : TEAM_USER_PERMISSIONS).includes(permission) || member.permissions.has(permission);
  }

  isSystemAdmin(userId: string): boolean {
    return (this.users.get(userId)?.roles ?? "").split(" ").includes("system_admin");
  }

  /** read_channel: members always; public channels also for team members. */
  canRead(channel: SimChannel, userId: string): boolean {
    if (channel.members.has(userId)) return true;
    return channel.type === "O" && this.isTeamMember(channel.teamId, userId);
  }

  /**
   * `create_post`, as `userCreatePostPermissionCheckWithContext` (api4/post_utils.go) checks it:
   * it comes from the `channel_user` role, so only members may post, in public channels too (no
   * default role holds `create_post_public`); system admins hold every permission.
   */
  canPost(channel: SimChannel, userId: string): boolean {
    return channel.members.has(userId) || this.isSystemAdmin(userId);
  }

  /** The team a command in this channel runs in; direct messages use the site's team. */
  teamFor(channel: SimChannel): SimTeam {
    return this.team;
  }

  // --- channels -------------------------------------------------------------------------------

  /** `GetOrCreateDirectChannel`: `<idA>__<idB>` with ids sorted; announces new ones with `direct_added`. */
  getOrCreateDirectChannel(userA: string, userB: string, creatorId: string): { channel: SimChannel; created: boolean } {
    const name = [userA, userB].sort().join("__");
    for (const channel of this.channels.values()) {
      if (channel.type === "D" && channel.name === name) return { channel, created: false };
    }
    const channel = this.addChannel({ name, displayName: "", type: "D", teamId: "", members: [userA, userB], creatorId });
    const teammate = creatorId === userA ? userB : userA;
    this.publish({ event: "direct_added", data: { creator_id: creatorId, teammate_id: teammate }, broadcast: broadcastTo({ channel_id: channel.id }) });
    this.changed();
    return { channel, created: true };
  }

  /** Adds a user to a channel and tells its members (`user_added`). */
  addMember(channel: SimChannel, userId: string): void {
    if (channel.members.has(userId)) return;
    channel.members.add(userId);
    this.publish({ event: "user_added", data: { team_id: channel.teamId, user_id: userId }, broadcast: broadcastTo({ channel_id: channel.id }) });
    this.changed();
  }

  // --- posts ----------------------------------------------------------------------------------

  threadInfo(post: SimPost): { replyCount: number; lastReplyAt: number } {
    const rootId = post.rootId || post.id;
    let replyCount = 0;
    let lastReplyAt = 0;
    for (const candidate of this.repliesByRoot.get(rootId) ?? []) {
      if (candidate.deleteAt === 0) {
        replyCount++;
        lastReplyAt = Math.max(lastReplyAt, candidate.createAt);
      }
    }
    return { replyCount, lastReplyAt };
  }

  /** A stored post as clients get it (integrations stripped unless `strip` is false). */
  wirePost(post: SimPost, strip = true): WirePost {
    const files = post.fileIds.flatMap((id) => {
      const file = this.files.get(id);
      return file && file.deleteAt === 0 ? [toWireFileInfo(file)] : [];
    });
    return toWirePost(post, this.threadInfo(post), strip, files);
  }

  /** Stores an upload of a user into a channel. */
  uploadFile(upload: { userId: string; channelId: string; name: string; bytes: Buffer }): SimFile {
    const file = newSimFile({ creatorId: upload.userId, channelId: upload.channelId, name: upload.name, bytes: upload.bytes, now: this.now() });
    this.files.set(file.id, file);
    this.changed();
    return file;
  }

  /**
   * The files a new post keeps (`attachFilesToPost`): each must exist, be attached to no post yet and
   * belong to the post's author; the others are dropped from the post, and the server only logs it.
   */
  private attachFiles(fileIds: readonly string[], post: { postId: string; channelId: string; userId: string }): string[] {
    return fileIds.filter((id) => {
      const file = this.files.get(id);
      const attachable = file !== undefined && file.postId === "" && file.deleteAt === 0 && file.creatorId === post.userId;
      if (!attachable) this.warnings.push(`file ${id}: not attached to the post (unknown, already attached or someone else's); dropped from its file_ids`);
      else file.channelId = post.channelId;
      return attachable;
    });
  }

  /** Validates and stores a post, then broadcasts `posted` (`App.CreatePost`). */
  createPost(input: NewPost): SimPost {
    const channel = this.channels.get(input.channelId);
    if (!channel) throw new SimAppError(404, "app.channel.get.existing.app_error", "Unable to find the existing channel.");
    if (channel.deleteAt !== 0) throw new SimAppError(403, "api.post.create_post.can_not_post_to_deleted.error", "Can not post to deleted channel.");
    const rootId = input.rootId ?? "";
    if (rootId !== "") {
      if (!isValidId(rootId)) throw new SimAppError(400, "model.post.is_valid.root_id.app_error", "Invalid root id.");
      const root = this.posts.get(rootId);
      if (!root || root.deleteAt !== 0 || root.rootId !== "") throw new SimAppError(400, "api.post.create_post.root_id.app_error", "Invalid RootId parameter.");
      if (root.channelId !== channel.id) throw new SimAppError(400, "api.post.create_post.channel_root_id.app_error", "Invalid ChannelId for RootId parameter.");
    }
    if ([...input.message].length > MAX_MESSAGE_RUNES) {
      throw new SimAppError(400, "model.post.is_valid.message_length.app_error", `Message property length is greater than the maximum of ${MAX_MESSAGE_RUNES} characters.`);
    }
    if (input.pendingPostId) {
      // Duplicate submissions with the same pending_post_id return the first post (client retries).
      const existing = this.byPendingId.get(pendingKey(input.userId, input.pendingPostId));
      if (existing) return existing;
    }
    // Post.IsValid: the file ids, written as JSON, fit the column.
    if (JSON.stringify(input.fileIds ?? []).length > POST_FILE_IDS_MAX_RUNES) {
      throw new SimAppError(400, "model.post.is_valid.file_ids.app_error", "Invalid file ids.");
    }
    const { props, problems } = normalizeAttachmentsProp(input.props ?? {});
    this.checkProblems(problems, "post props");
    const user = this.users.get(input.userId);
    const finalProps: JsonObject = { ...props };
    if (user?.isBot) finalProps["from_bot"] = "true";
    const at = Math.max(this.now(), this.lastCreateAt() + 1);
    const post: SimPost = {
      id: newId(),
      createAt: at,
      updateAt: at,
      editAt: 0,
      deleteAt: 0,
      isPinned: false,
      userId: input.userId,
      channelId: channel.id,
      rootId,
      originalId: "",
      message: input.message,
      type: input.type ?? "",
      props: finalProps,
      hashtags: parseHashtags(input.message),
      fileIds: this.attachFiles(input.fileIds ?? [], { postId: "", channelId: channel.id, userId: input.userId }),
      pendingPostId: input.pendingPostId ?? "",
      hasReactions: false,
    };
    for (const id of post.fileIds) this.files.get(id)!.postId = post.id;
    this.posts.set(post.id, post);
    this.latestCreateAt = Math.max(this.latestCreateAt, at);
    if (rootId !== "") {
      const replies = this.repliesByRoot.get(rootId);
      if (replies) replies.push(post);
      else this.repliesByRoot.set(rootId, [post]);
    }
    if (post.pendingPostId !== "" && !this.byPendingId.has(pendingKey(post.userId, post.pendingPostId))) this.byPendingId.set(pendingKey(post.userId, post.pendingPostId), post);
    channel.lastPostAt = at;
    channel.totalMsgCount++;
    if (rootId === "") {
      channel.lastRootPostAt = at;
      channel.totalMsgCountRoot++;
    }
    this.publishPosted(post, channel, input.setOnline ?? true);
    this.changed();
    return post;
  }

  /** Strict mode refuses what the real server only logs; both modes record a warning. */
  checkProblems(problems: string[], what: string): void {
    if (problems.length === 0) return;
    this.warnings.push(...problems.map((problem) => `${what}: ${problem}`));
    if (this.strict) {
      throw new SimAppError(
        400,
        "simulator.strict.invalid_input",
        `The simulator refuses invalid ${what} (a real server logs a warning and goes on): ${problems.join("; ")}`,
      );
    }
  }

  // Posts created in the same millisecond still need a stable order.
  private lastCreateAt(): number {
    return this.latestCreateAt;
  }

  private publishPosted(post: SimPost, channel: SimChannel, setOnline: boolean): void {
    const sender = this.users.get(post.userId);
    const senderName = `@${sender?.username ?? "unknown"}`;
    const mentions = this.mentionedUsers(post, channel);
    const data: Record<string, unknown> = {
      channel_display_name: channel.type === "D" ? senderName : channel.displayName,
      channel_name: channel.name,
      channel_type: channel.type,
    };
    if (mentions.length > 0) data["mentions"] = JSON.stringify(mentions);
    Object.assign(data, {
      post: JSON.stringify(this.wirePost(post)),
      sender_name: senderName,
      set_online: setOnline,
      team_id: channel.teamId,
    });
    this.publish({ event: "posted", data, broadcast: broadcastTo({ channel_id: channel.id }) });
  }

  /** Users notified by a post: the other side of a DM, @username of members, @channel/@all. */
  mentionedUsers(post: SimPost, channel: SimChannel): string[] {
    const mentioned = new Set<string>();
    if (channel.type === "D") for (const member of channel.members) mentioned.add(member);
    for (const match of post.message.matchAll(/\B@([a-z0-9][a-z0-9.\-_]*)/gi)) {
      let name = (match[1] ?? "").toLowerCase();
      if (name === "channel" || name === "all") {
        for (const member of channel.members) mentioned.add(member);
        continue;
      }
      // Trailing punctuation is not part of a username ("@alice." mentions alice).
      let user = this.userByName(name);
      while (!user && /[.\-_]$/.test(name)) {
        name = name.slice(0, -1);
        user = this.userByName(name);
      }
      if (user && channel.members.has(user.id)) mentioned.add(user.id);
    }
    mentioned.delete(post.userId);
    return [...mentioned];
  }

  /**
   * `App.SaveReactionForPost`: one reaction per user, post and emoji (saving it again changes
   * nothing); the post gets `has_reactions`, the channel a `reaction_added` event.
   */
  addReaction(post: SimPost, userId: string, emojiName: string): SimReaction {
    const known = this.reactions.find((reaction) => reaction.postId === post.id && reaction.userId === userId && reaction.emojiName === emojiName);
    if (known) return known;
    const at = this.now();
    const reaction: SimReaction = { userId, postId: post.id, emojiName, createAt: at, updateAt: at, deleteAt: 0, remoteId: "", channelId: post.channelId };
    this.reactions.push(reaction);
    post.hasReactions = true;
    this.publish({ event: "reaction_added", data: { reaction: JSON.stringify(toWireReaction(reaction)) }, broadcast: broadcastTo({ channel_id: post.channelId }) });
    this.changed();
    return reaction;
  }

  /**
   * `App.UpdatePost`: replaces message, props and file ids (what a patch or an action update
   * asks for), stamps edit_at when the message changes, and broadcasts `post_edited`.
   */
  updatePost(post: SimPost, change: { message?: string; props?: JsonObject; fileIds?: string[]; isPinned?: boolean; hasReactions?: boolean }): SimPost {
    const at = this.now();
    if (change.message !== undefined && change.message !== post.message) {
      if ([...change.message].length > MAX_MESSAGE_RUNES) {
        throw new SimAppError(400, "model.post.is_valid.message_length.app_error", `Message property length is greater than the maximum of ${MAX_MESSAGE_RUNES} characters.`);
      }
      post.message = change.message;
      post.hashtags = parseHashtags(change.message);
      post.editAt = at;
    }
    if (change.props !== undefined) {
      const { props, problems } = normalizeAttachmentsProp(change.props);
      this.checkProblems(problems, "post props");
      post.props = props;
    }
    if (change.fileIds !== undefined) post.fileIds = change.fileIds;
    if (change.isPinned !== undefined) post.isPinned = change.isPinned;
    if (change.hasReactions !== undefined) post.hasReactions = change.hasReactions;
    post.updateAt = Math.max(at, post.updateAt + 1);
    this.publish({ event: "post_edited", data: { post: JSON.stringify(this.wirePost(post)) }, broadcast: broadcastTo({ channel_id: post.channelId }) });
    this.changed();
    return post;
  }

  /** Soft-deletes a post and its replies and broadcasts `post_deleted`. */
  deletePost(post: SimPost, byUserId: string): void {
    const at = this.now();
    for (const candidate of this.posts.values()) {
      if (candidate.id === post.id || candidate.rootId === post.id) {
        candidate.deleteAt = at;
        candidate.updateAt = at;
      }
    }
    this.publish({ event: "post_deleted", data: { delete_by: byUserId, post: JSON.stringify(this.wirePost(post)) }, broadcast: broadcastTo({ channel_id: post.channelId }) });
    this.changed();
  }

  /** `App.SendEphemeralPost`: a `system_ephemeral` post delivered to one user over the WebSocket. */
  sendEphemeral(userId: string, draft: { channelId: string; rootId: string; userId: string; message: string; props?: JsonObject }, source: EphemeralRecord["source"]): EphemeralRecord {
    const at = this.now();
    const { props } = normalizeAttachmentsProp(draft.props ?? {});
    const post: SimPost = {
      id: newId(),
      createAt: at,
      updateAt: at,
      editAt: 0,
      deleteAt: 0,
      isPinned: false,
      userId: draft.userId,
      channelId: draft.channelId,
      rootId: draft.rootId,
      originalId: "",
      message: draft.message,
      type: "system_ephemeral",
      props,
      hashtags: "",
      fileIds: [],
      pendingPostId: "",
      hasReactions: false,
    };
    const wire = toWirePost(post, { replyCount: 0, lastReplyAt: 0 });
    const record: EphemeralRecord = { userId, channelId: draft.channelId, source, post: wire };
    this.ephemeral.push(record);
    this.publish({ event: "ephemeral_message", data: { post: JSON.stringify(wire) }, broadcast: broadcastTo({ channel_id: draft.channelId, user_id: userId }) });
    this.changed();
    return record;
  }
}

/** `model.ParseHashtags`: words starting with `#` and a letter, at least three characters. */
export function parseHashtags(message: string): string {
  const tags: string[] = [];
  for (const word of message.split(/\s+/)) {
    const tag = word.replace(/^[^#]*(?=#)/, "").replace(/[,.;:!?)\]]+$/, "");
    if (/^#[A-Za-z][A-Za-z0-9._-]*[A-Za-z0-9]$/.test(tag) && tag.length >= 3 && !tags.includes(tag)) tags.push(tag);
  }
  return tags.join(" ");
}

/** A reaction to a post as the simulator keeps it. */
export interface SimReaction {
  userId: string;
  postId: string;
  emojiName: string;
  createAt: number;
  updateAt: number;
  deleteAt: number;
  remoteId: string;
  channelId: string;
}

/** A reaction as the API answers it (`model.Reaction`'s JSON). */
export function toWireReaction(reaction: SimReaction): Record<string, unknown> {
  return {
    user_id: reaction.userId,
    post_id: reaction.postId,
    emoji_name: reaction.emojiName,
    create_at: reaction.createAt,
    update_at: reaction.updateAt,
    delete_at: reaction.deleteAt,
    remote_id: reaction.remoteId,
    channel_id: reaction.channelId,
  };
}

/** The key of a post by its author and pending id (a client's retry of the same post). */
function pendingKey(userId: string, pendingPostId: string): string {
  return `${userId}\n${pendingPostId}`;
}
