/**
 * The REST routes the bot (and, in tests, simulated people) call, with the server's checks in the
 * server's order: session, URL parameters, body decoding, permissions, then the action. Handlers
 * return a status and a JSON body; errors are thrown as SimAppError and rendered by the server.
 */
import { readMultipart, toWireFileInfo, uploadKind, uploadMultipart, uploadSimple, type SimFile, type UploadContext } from "./files.js";
import { isValidId, newId } from "./ids.js";
import type { Integrations } from "./integrations.js";
import { CHANNEL_NAME, toWireReaction, type MattermostState } from "./state.js";
import {
  type JsonObject,
  type JsonValue,
  type SimChannel,
  type SimCommand,
  type SimPost,
  type SimUser,
  GoDecodeError,
  SimAppError,
  goArray,
  goBool,
  goField,
  goObject,
  goString,
  isJsonObject,
  toWireChannel,
  toWireCommand,
  toWireTeam,
  toWireUser,
} from "./wire.js";

/** One REST request as the router sees it. */
export interface RestRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  rawBody: string;
  /** The body's bytes (uploads). */
  bodyBytes: Buffer;
  contentType: string;
}

/** A request, its path parameters and the authenticated caller, as handlers see them. */
export interface RestContext {
  request: RestRequest;
  params: Record<string, string>;
  user: SimUser | undefined;
}

/** What a handler answers: JSON by default, or plain text. */
export interface RestResult {
  status: number;
  json?: unknown;
  text?: string;
  /** A file's bytes, sent with this content type. */
  bytes?: { data: Buffer; contentType: string };
}

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  /** `none`: no session needed (the server's APIHandler); `required`: APISessionRequired. */
  auth: "required" | "none";
  handler: (context: RestContext) => RestResult | Promise<RestResult>;
}

const BUILT_IN_TRIGGERS = new Set([
  "away", "code", "collapse", "custom_status", "dnd", "echo", "expand", "groupmsg", "header", "help", "invite", "invite_people",
  "join", "kick", "leave", "logout", "me", "msg", "mute", "offline", "online", "open", "purpose", "remove", "rename", "search",
  "settings", "shortcuts", "shrug", "status",
]);

/** `model.EmojiNameMaxLength`. */
const EMOJI_NAME_MAX_LENGTH = 64;
/** `model.IsValidEmojiName`'s pattern. */
const EMOJI_NAME = /^[a-zA-Z0-9\-+_]+$/;

/** `SetPermissionError`: the detail names the permission that was missing, as the server's does. */
const forbidden = (permission = ""): SimAppError =>
  new SimAppError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.", permission ? `permission=${permission}` : "");
const invalidUrlParam = (name: string): SimAppError => new SimAppError(400, "api.context.invalid_url_param.app_error", `Invalid or missing ${name} parameter in request URL.`);
const invalidBodyParam = (name: string, detail = ""): SimAppError => new SimAppError(400, "api.context.invalid_body_param.app_error", `Invalid or missing ${name} in request body.`, detail);
const payloadParseError = (detail: string): SimAppError => new SimAppError(400, "api.payload.parse.error", "Error parsing the payload.", detail);

/** `Command.Sanitize`: what members without the permission to manage commands get to see. */
function sanitizedCommand(command: SimCommand): Record<string, unknown> {
  return { ...toWireCommand(command), token: "", creator_id: "", method: "", url: "", username: "", icon_url: "" };
}

/** Parses the body as JSON, failing the way the handler for `name` does. */
function jsonBody(context: RestContext, name: string): JsonValue {
  try {
    return JSON.parse(context.request.rawBody) as JsonValue;
  } catch (error) {
    throw invalidBodyParam(name, error instanceof Error ? error.message : "");
  }
}

/** A JSON array of strings (`model.SortedArrayFromJSON`). */
function stringArrayBody(context: RestContext): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(context.request.rawBody);
  } catch (error) {
    throw payloadParseError(error instanceof Error ? error.message : "");
  }
  if (!Array.isArray(parsed) || parsed.some((entry) => typeof entry !== "string")) throw payloadParseError("expected an array of strings");
  return parsed as string[];
}

/** `page` / `per_page` as the server's Params parse them: per_page defaults to 60, capped at 200. */
export function paging(query: URLSearchParams, perPageKey = "per_page"): { page: number; perPage: number } {
  const pageRaw = Number.parseInt(query.get("page") ?? "", 10);
  const perPageRaw = Number.parseInt(query.get(perPageKey) ?? "", 10);
  const page = Number.isFinite(pageRaw) && pageRaw >= 0 ? pageRaw : 0;
  let perPage = Number.isFinite(perPageRaw) && perPageRaw >= 0 ? perPageRaw : 60;
  if (perPage > 200) perPage = 200;
  return { page, perPage };
}

function compile(path: string): { pattern: RegExp; keys: string[] } {
  const keys: string[] = [];
  const source = path.replace(/\{([a-z_]+)\}/g, (_match, key: string) => {
    keys.push(key);
    return "([^/]+)";
  });
  return { pattern: new RegExp(`^${source}$`), keys };
}

/** Builds the route table over the simulator's state and integrations. */
export function createRoutes(state: MattermostState, integrations: Integrations): Route[] {
  const routes: Route[] = [];
  const add = (method: string, path: string, auth: Route["auth"], handler: Route["handler"]): void => {
    routes.push({ method, ...compile(path), auth, handler });
  };
  const me = (context: RestContext): SimUser => {
    if (!context.user) throw new SimAppError(401, "api.context.session_expired.app_error", "Invalid or expired session, please login again.");
    return context.user;
  };

  const findUserParam = (context: RestContext): SimUser => {
    const raw = context.params["user_id"] ?? "";
    const id = raw === "me" ? me(context).id : raw;
    if (!isValidId(id)) throw invalidUrlParam("user_id");
    const user = state.users.get(id);
    if (!user) throw new SimAppError(404, "app.user.missing_account.const", "Unable to find the user.");
    return user;
  };

  const findChannelParam = (context: RestContext): SimChannel => {
    const id = context.params["channel_id"] ?? "";
    if (!isValidId(id)) throw invalidUrlParam("channel_id");
    const channel = state.channels.get(id);
    if (!channel || channel.deleteAt !== 0) throw new SimAppError(404, "app.channel.get.existing.app_error", "Unable to find the existing channel.");
    if (!state.canRead(channel, me(context).id)) throw forbidden();
    return channel;
  };

  const findPostParam = (context: RestContext): SimPost => {
    const id = context.params["post_id"] ?? "";
    if (!isValidId(id)) throw invalidUrlParam("post_id");
    const post = state.posts.get(id);
    if (!post || post.deleteAt !== 0) throw new SimAppError(404, "app.post.get.app_error", "Unable to get post.");
    const channel = state.channels.get(post.channelId);
    if (!channel || !state.canRead(channel, me(context).id)) throw forbidden();
    return post;
  };

  const channelByName = (context: RestContext, teamId: string): SimChannel => {
    const name = context.params["channel_name"] ?? "";
    // RequireChannelName (api4/context.go) applies model.IsValidChannelIdentifier.
    if (!CHANNEL_NAME.test(name)) throw invalidUrlParam("channel_name");
    const channel = state.channelByName(teamId, name);
    if (!channel || (channel.deleteAt !== 0 && context.request.query.get("include_deleted") !== "true")) {
      throw new SimAppError(404, "app.channel.get_by_name.missing.app_error", "Channel does not exist.");
    }
    const user = me(context);
    if (channel.type === "O") {
      if (!state.isTeamMember(channel.teamId, user.id)) throw forbidden();
    } else if (!channel.members.has(user.id)) {
      // Private channels the caller cannot read are reported as missing, not forbidden.
      throw new SimAppError(404, "app.channel.get_by_name.missing.app_error", "Channel does not exist.");
    }
    return channel;
  };

  const ownPost = (context: RestContext): SimPost => {
    const post = findPostParam(context);
    // edit_post covers one's own posts; nobody seeded holds edit_others_posts except system admins.
    if (post.userId !== me(context).id && !state.isSystemAdmin(me(context).id)) throw forbidden();
    return post;
  };

  // --- system -----------------------------------------------------------------------------------
  add("GET", "/api/v4/system/ping", "none", () => ({ status: 200, json: { ActiveSearchBackend: "database", AndroidLatestVersion: "", status: "OK" } }));

  // --- users ------------------------------------------------------------------------------------
  add("GET", "/api/v4/users/username/{username}", "required", (context) => {
    const username = decodeURIComponent(context.params["username"] ?? "");
    if (!/^[A-Za-z0-9.\-_]{1,64}$/.test(username)) throw invalidUrlParam("username");
    const user = state.userByName(username);
    if (!user) throw new SimAppError(404, "app.user.get_by_username.app_error", "Unable to find an existing account matching your username for this team. This team may require an invite from the team owner to join.");
    return { status: 200, json: toWireUser(user, me(context).id) };
  });
  add("POST", "/api/v4/users/usernames", "required", (context) => {
    const names = stringArrayBody(context);
    if (names.length === 0) throw invalidBodyParam("usernames");
    const viewer = me(context).id;
    return { status: 200, json: names.flatMap((name) => { const user = state.userByName(name); return user ? [toWireUser(user, viewer)] : []; }) };
  });
  add("POST", "/api/v4/users/ids", "required", (context) => {
    const ids = stringArrayBody(context);
    if (ids.length === 0) throw invalidBodyParam("user_ids");
    const viewer = me(context).id;
    return { status: 200, json: ids.flatMap((id) => { const user = state.users.get(id); return user ? [toWireUser(user, viewer)] : []; }) };
  });
  add("GET", "/api/v4/users/{user_id}/teams", "required", (context) => {
    const user = findUserParam(context);
    if (user.id !== me(context).id && !state.isSystemAdmin(me(context).id)) throw forbidden();
    return { status: 200, json: state.team.members.has(user.id) ? [toWireTeam(state.team)] : [] };
  });
  // getChannelsForUser / getChannelsForTeamForUser (api4/channel.go): every channel the user is a
  // member of, DMs included; only for oneself (or with edit_other_users, i.e. system admins).
  const channelsOf = (context: RestContext, teamId: string | undefined): Record<string, unknown>[] => {
    const user = findUserParam(context);
    if (user.id !== me(context).id && !state.isSystemAdmin(me(context).id)) throw forbidden("edit_other_users");
    const includeDeleted = context.request.query.get("include_deleted") === "true";
    return [...state.channels.values()]
      .filter((channel) => channel.members.has(user.id) && (includeDeleted || channel.deleteAt === 0))
      .filter((channel) => teamId === undefined || channel.teamId === teamId || channel.teamId === "")
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map(toWireChannel);
  };
  add("GET", "/api/v4/users/{user_id}/channels", "required", (context) => ({ status: 200, json: channelsOf(context, undefined) }));
  add("GET", "/api/v4/users/{user_id}/teams/{team_id}/channels", "required", (context) => {
    const teamId = context.params["team_id"] ?? "";
    if (!isValidId(teamId)) throw invalidUrlParam("team_id");
    if (!state.hasTeamPermission(teamId, me(context).id, "view_team")) throw forbidden("view_team");
    return { status: 200, json: channelsOf(context, teamId) };
  });
  add("GET", "/api/v4/users/{user_id}", "required", (context) => ({ status: 200, json: toWireUser(findUserParam(context), me(context).id) }));

  // --- teams ------------------------------------------------------------------------------------
  add("GET", "/api/v4/teams/name/{team_name}/channels/name/{channel_name}", "required", (context) => {
    if (context.params["team_name"] !== state.team.name) throw new SimAppError(404, "app.team.get_by_name.missing.app_error", "Unable to find the existing team.");
    return { status: 200, json: toWireChannel(channelByName(context, state.team.id)) };
  });
  add("GET", "/api/v4/teams/name/{team_name}", "required", (context) => {
    if (context.params["team_name"] !== state.team.name) throw new SimAppError(404, "app.team.get_by_name.missing.app_error", "Unable to find the existing team.");
    if (!state.isTeamMember(state.team.id, me(context).id)) throw forbidden();
    return { status: 200, json: toWireTeam(state.team) };
  });
  add("GET", "/api/v4/teams/{team_id}/channels/name/{channel_name}", "required", (context) => {
    const teamId = context.params["team_id"] ?? "";
    if (!isValidId(teamId)) throw invalidUrlParam("team_id");
    return { status: 200, json: toWireChannel(channelByName(context, teamId)) };
  });
  add("GET", "/api/v4/teams/{team_id}", "required", (context) => {
    const teamId = context.params["team_id"] ?? "";
    if (!isValidId(teamId)) throw invalidUrlParam("team_id");
    if (teamId !== state.team.id) throw new SimAppError(404, "app.team.get.find.app_error", "Unable to find the existing team.");
    if (!state.isTeamMember(teamId, me(context).id)) throw forbidden();
    return { status: 200, json: toWireTeam(state.team) };
  });

  // --- channels ---------------------------------------------------------------------------------
  add("POST", "/api/v4/channels/direct", "required", (context) => {
    const ids = stringArrayBody(context);
    if (ids.length !== 2) throw invalidBodyParam("user_ids");
    const caller = me(context);
    for (const id of ids) if (!isValidId(id)) throw invalidBodyParam("user_id");
    if (!ids.includes(caller.id) && !state.isSystemAdmin(caller.id)) throw forbidden();
    const [first = "", second = ""] = ids;
    if (!state.users.has(first) || !state.users.has(second)) {
      throw new SimAppError(400, "api.channel.create_direct_channel.invalid_user.app_error", "Invalid user ID for direct channel creation.");
    }
    const { channel } = state.getOrCreateDirectChannel(first, second, caller.id);
    return { status: 201, json: toWireChannel(channel) };
  });
  add("GET", "/api/v4/channels/{channel_id}/posts", "required", (context) => {
    const channel = findChannelParam(context);
    return { status: 200, json: channelPosts(state, channel, context.request.query) };
  });
  add("POST", "/api/v4/channels/{channel_id}/members", "required", (context) => {
    const id = context.params["channel_id"] ?? "";
    if (!isValidId(id)) throw invalidUrlParam("channel_id");
    const channel = state.channels.get(id);
    if (!channel || channel.deleteAt !== 0) throw new SimAppError(404, "app.channel.get.existing.app_error", "Unable to find the existing channel.");
    const body = jsonBody(context, "user_id");
    const userId = isJsonObject(body) && typeof body["user_id"] === "string" ? body["user_id"] : "";
    if (!isValidId(userId) || !state.users.has(userId)) throw invalidBodyParam("user_id");
    const caller = me(context);
    if (channel.type === "D" || channel.type === "G") throw new SimAppError(400, "api.channel.add_user_to_channel.type.app_error", "Can not add user to this channel type.");
    // addChannelMember (api4/channel.go): joining a public channel oneself takes join_public_channels
    // (team_user has it); adding others, or anyone to a private channel, takes membership
    // (manage_*_channel_members come from channel_user). A member adding itself again is no change.
    if (channel.type === "O" && userId === caller.id) {
      if (!channel.members.has(caller.id) && !state.hasTeamPermission(channel.teamId, caller.id, "join_public_channels")) throw forbidden("join_public_channels");
    } else if (!channel.members.has(caller.id) && !state.isSystemAdmin(caller.id)) {
      throw forbidden(channel.type === "O" ? "manage_public_channel_members" : "manage_private_channel_members");
    }
    if (!state.isTeamMember(channel.teamId, userId)) throw new SimAppError(403, "api.channel.add_members.user_denied", "The user is not a member of the channel's team.");
    state.addMember(channel, userId);
    return { status: 201, json: { channel_id: channel.id, user_id: userId, roles: "channel_user", last_viewed_at: 0, msg_count: 0, mention_count: 0, notify_props: { desktop: "default", email: "default", mark_unread: "all", push: "default" }, last_update_at: state.now() } };
  });
  add("GET", "/api/v4/channels/{channel_id}", "required", (context) => ({ status: 200, json: toWireChannel(findChannelParam(context)) }));

  // --- reactions (api4/reaction.go) ------------------------------------------------------------
  add("POST", "/api/v4/reactions", "required", (context) => {
    const caller = me(context);
    const body = jsonBody(context, "reaction");
    if (!isJsonObject(body)) throw invalidBodyParam("reaction");
    const field = (name: string): string => (typeof body[name] === "string" ? (body[name] as string) : "");
    const userId = field("user_id");
    const postId = field("post_id");
    const emojiName = field("emoji_name");
    if (!isValidId(userId) || !isValidId(postId) || emojiName === "" || emojiName.length > EMOJI_NAME_MAX_LENGTH) {
      throw new SimAppError(400, "api.reaction.save_reaction.invalid.app_error", "Reaction is not valid.");
    }
    if (userId !== caller.id) throw new SimAppError(403, "api.reaction.save_reaction.user_id.app_error", "You cannot save reaction for the other user.");
    const post = state.posts.get(postId);
    const channel = post ? state.channels.get(post.channelId) : undefined;
    // SessionHasPermissionToChannelByPost: an unknown post is a permission error too; add_reaction comes with channel_user.
    if (!post || post.deleteAt !== 0 || !channel || !state.canPost(channel, caller.id)) throw forbidden("add_reaction");
    // model.IsValidEmojiName: what the emoji picker names, without colons.
    if (!EMOJI_NAME.test(emojiName)) throw new SimAppError(400, "model.reaction.is_valid.emoji_name.app_error", "Invalid emoji name.");
    return { status: 200, json: toWireReaction(state.addReaction(post, caller.id, emojiName)) };
  });
  add("GET", "/api/v4/posts/{post_id}/reactions", "required", (context) => {
    const post = findPostParam(context);
    return { status: 200, json: state.reactions.filter((reaction) => reaction.postId === post.id).map(toWireReaction) };
  });

  // --- posts ------------------------------------------------------------------------------------
  add("POST", "/api/v4/posts/ephemeral", "required", (context) => {
    const caller = me(context);
    const body = jsonBody(context, "ephemeral_post");
    if (!isJsonObject(body)) throw invalidBodyParam("ephemeral_post");
    if (!state.isSystemAdmin(caller.id)) throw forbidden();
    const userId = typeof body["user_id"] === "string" ? body["user_id"] : "";
    const draft = isJsonObject(body["post"]) ? body["post"] : {};
    const channelId = typeof draft["channel_id"] === "string" ? draft["channel_id"] : "";
    if (!isValidId(userId)) throw invalidBodyParam("user_id");
    if (!state.channels.has(channelId)) throw invalidBodyParam("post.channel_id");
    const record = state.sendEphemeral(
      userId,
      { channelId, rootId: typeof draft["root_id"] === "string" ? draft["root_id"] : "", userId: caller.id, message: typeof draft["message"] === "string" ? draft["message"] : "", props: isJsonObject(draft["props"]) ? draft["props"] : {} },
      "api",
    );
    return { status: 201, json: record.post };
  });
  add("POST", "/api/v4/posts", "required", (context) => {
    const caller = me(context);
    const body = jsonBody(context, "post");
    if (!isJsonObject(body)) throw invalidBodyParam("post");
    let draft: { channelId: string; message: string; rootId: string; props: JsonObject; fileIds: string[]; pendingPostId: string; type: string };
    try {
      const fileIds = goArray(body, "file_ids", "Post");
      draft = {
        channelId: goString(body, "channel_id", "Post"),
        message: goString(body, "message", "Post"),
        rootId: goString(body, "root_id", "Post"),
        props: goObject(body, "props", "Post") ?? {},
        fileIds: (fileIds ?? []).map((id) => {
          if (typeof id !== "string") throw new GoDecodeError("json: cannot unmarshal into Go struct field Post.file_ids of type string");
          return id;
        }),
        pendingPostId: goString(body, "pending_post_id", "Post"),
        type: goString(body, "type", "Post"),
      };
    } catch (error) {
      if (!(error instanceof GoDecodeError)) throw error;
      throw invalidBodyParam("post", error.message);
    }
    const channel = state.channels.get(draft.channelId);
    // The permission check runs first, so an unknown channel is a 403, not a 404.
    if (!channel || !state.canPost(channel, caller.id)) throw forbidden();
    if (draft.type.startsWith("system_")) throw new SimAppError(400, "api.context.invalid_param.app_error", "Invalid post.type parameter.");
    const post = state.createPost({
      userId: caller.id,
      channelId: channel.id,
      message: draft.message,
      rootId: draft.rootId,
      props: draft.props,
      type: draft.type,
      fileIds: draft.fileIds,
      pendingPostId: draft.pendingPostId,
      setOnline: context.request.query.get("set_online") !== "false",
    });
    return { status: 201, json: state.wirePost(post) };
  });
  // --- files ------------------------------------------------------------------------------------
  add("POST", "/api/v4/files", "required", async (context) => {
    const caller = me(context);
    const { request } = context;
    if (request.bodyBytes.length === 0) {
      throw new SimAppError(400, "api.file.upload_file.read_request.app_error", "Unable to upload file(s). Error reading or parsing request data.", "Content-Length should not be 0");
    }
    const upload: UploadContext = {
      userId: caller.id,
      query: request.query,
      isValidId,
      mayUpload: (channelId) => {
        const channel = state.channels.get(channelId);
        // upload_file comes with the channel's member role, like create_post.
        return channel !== undefined && channel.deleteAt === 0 && state.canPost(channel, caller.id);
      },
      store: (file) => state.uploadFile({ userId: caller.id, ...file }),
    };
    const result =
      uploadKind(request.contentType) === "multipart"
        ? uploadMultipart(upload, await readMultipart(request.contentType, request.bodyBytes))
        : uploadSimple(upload, request.bodyBytes);
    return { status: 201, json: result };
  });
  const findFileParam = (context: RestContext): SimFile => {
    const id = context.params["file_id"] ?? "";
    if (!isValidId(id)) throw invalidUrlParam("file_id");
    const file = state.files.get(id);
    if (!file || file.deleteAt !== 0) throw new SimAppError(404, "app.file_info.get.app_error", "Unable to get the file info.");
    const post = file.postId === "" ? undefined : state.posts.get(file.postId);
    const channel = post ? state.channels.get(post.channelId) : undefined;
    // The uploader, or whoever may read the channel of the post it is attached to.
    if (file.creatorId !== me(context).id && !(channel && state.canRead(channel, me(context).id))) throw forbidden("read_channel");
    return file;
  };
  add("GET", "/api/v4/files/{file_id}/info", "required", (context) => ({ status: 200, json: toWireFileInfo(findFileParam(context)) }));
  add("GET", "/api/v4/files/{file_id}", "required", (context) => {
    const file = findFileParam(context);
    return { status: 200, bytes: { data: file.bytes, contentType: file.mimeType || "application/octet-stream" } };
  });

  add("PUT", "/api/v4/posts/{post_id}/patch", "required", (context) => {
    const post = ownPost(context);
    const body = jsonBody(context, "post");
    if (!isJsonObject(body)) throw invalidBodyParam("post");
    const change: Parameters<MattermostState["updatePost"]>[1] = {};
    try {
      if (goField(body, "message") !== undefined) change.message = goString(body, "message", "PostPatch");
      if (goField(body, "props") !== undefined) change.props = goObject(body, "props", "PostPatch") ?? {};
      if (goField(body, "is_pinned") !== undefined) change.isPinned = goBool(body, "is_pinned", "PostPatch");
      if (goField(body, "has_reactions") !== undefined) change.hasReactions = goBool(body, "has_reactions", "PostPatch");
      const fileIds = goArray(body, "file_ids", "PostPatch");
      if (fileIds) change.fileIds = fileIds.filter((id): id is string => typeof id === "string");
    } catch (error) {
      if (!(error instanceof GoDecodeError)) throw error;
      throw invalidBodyParam("post", error.message);
    }
    state.updatePost(post, change);
    return { status: 200, json: state.wirePost(post) };
  });
  add("PUT", "/api/v4/posts/{post_id}", "required", (context) => {
    const post = ownPost(context);
    const body = jsonBody(context, "post");
    if (!isJsonObject(body)) throw invalidBodyParam("post");
    if (body["id"] !== post.id) throw invalidBodyParam("id");
    try {
      state.updatePost(post, {
        message: goString(body, "message", "Post"),
        props: goObject(body, "props", "Post") ?? {},
        fileIds: (goArray(body, "file_ids", "Post") ?? []).filter((id): id is string => typeof id === "string"),
      });
    } catch (error) {
      if (!(error instanceof GoDecodeError)) throw error;
      throw invalidBodyParam("post", error.message);
    }
    return { status: 200, json: state.wirePost(post) };
  });
  add("DELETE", "/api/v4/posts/{post_id}", "required", (context) => {
    const post = ownPost(context);
    state.deletePost(post, me(context).id);
    return { status: 200, json: { status: "OK" } };
  });
  add("GET", "/api/v4/posts/{post_id}/thread", "required", (context) => {
    const post = findPostParam(context);
    return { status: 200, json: postThread(state, post, context.request.query) };
  });
  add("POST", "/api/v4/posts/{post_id}/actions/{action_id}", "required", async (context) => {
    let selectedOption = "";
    if (context.request.rawBody.trim() !== "") {
      const body = jsonBody(context, "action_request");
      if (!isJsonObject(body)) throw invalidBodyParam("action_request");
      selectedOption = typeof body["selected_option"] === "string" ? body["selected_option"] : "";
    }
    const result = await integrations.doPostAction({ userId: me(context).id, postId: context.params["post_id"] ?? "", actionId: context.params["action_id"] ?? "", selectedOption });
    if (result.error) throw new SimAppError(result.status, result.error.id, result.error.message, result.error.detailed_error);
    return { status: 200, json: { status: "OK", trigger_id: result.triggerId ?? "" } };
  });
  add("GET", "/api/v4/posts/{post_id}", "required", (context) => ({ status: 200, json: state.wirePost(findPostParam(context)) }));

  // --- interactive dialogs ------------------------------------------------------------------------
  add("POST", "/api/v4/actions/dialogs/open", "none", (context) => {
    integrations.openDialog(jsonBody(context, "dialog"));
    return { status: 200, json: { status: "OK" } };
  });
  add("POST", "/api/v4/actions/dialogs/submit", "required", async (context) => {
    const body = jsonBody(context, "dialog");
    if (!isJsonObject(body)) throw invalidBodyParam("dialog");
    const url = typeof body["url"] === "string" ? body["url"] : "";
    if (url === "") throw invalidBodyParam("url");
    const submission = isJsonObject(body["submission"]) ? body["submission"] : {};
    const result = await integrations.submitDialog({
      userId: me(context).id,
      url,
      channelId: typeof body["channel_id"] === "string" ? body["channel_id"] : "",
      callbackId: typeof body["callback_id"] === "string" ? body["callback_id"] : "",
      state: typeof body["state"] === "string" ? body["state"] : "",
      submission,
      cancelled: body["cancelled"] === true,
    });
    if (result.error) throw new SimAppError(result.status, result.error.id, result.error.message, result.error.detailed_error);
    return { status: 200, json: result.response ?? {} };
  });

  // --- slash commands ---------------------------------------------------------------------------
  const decodeCommand = (context: RestContext): Partial<SimCommand> & { id?: string } => {
    const body = jsonBody(context, "command");
    if (!isJsonObject(body)) throw invalidBodyParam("command");
    try {
      const method = goString(body, "method", "Command");
      return {
        id: goString(body, "id", "Command"),
        teamId: goString(body, "team_id", "Command"),
        trigger: goString(body, "trigger", "Command"),
        method: method as SimCommand["method"],
        url: goString(body, "url", "Command"),
        username: goString(body, "username", "Command"),
        iconUrl: goString(body, "icon_url", "Command"),
        autoComplete: goBool(body, "auto_complete", "Command"),
        autoCompleteDesc: goString(body, "auto_complete_desc", "Command"),
        autoCompleteHint: goString(body, "auto_complete_hint", "Command"),
        displayName: goString(body, "display_name", "Command"),
        description: goString(body, "description", "Command"),
      };
    } catch (error) {
      if (!(error instanceof GoDecodeError)) throw error;
      throw invalidBodyParam("command", error.message);
    }
  };
  /** Bytes, as Go's `len` counts them in `Command.IsValid`. */
  const bytes = (value: string): number => Buffer.byteLength(value, "utf8");
  /**
   * `Command.IsValid` (server/public/model/command.go), then the database columns
   * (`commands` table: `autocompletehint`/`autocompletedesc` VARCHAR(1024), which IsValid does not
   * check, so a longer text fails in the store: a 500, not a 400).
   */
  const validateCommand = (command: SimCommand, storeError: string): void => {
    const invalid = (field: string, message: string): SimAppError => new SimAppError(400, `model.command.is_valid.${field}.app_error`, message);
    if (!isValidId(command.teamId)) throw invalid("team_id", "Invalid team ID.");
    if (bytes(command.trigger) < 1 || bytes(command.trigger) > 128 || command.trigger.startsWith("/") || command.trigger.includes(" ")) throw invalid("trigger", "Invalid trigger.");
    if (command.url === "" || bytes(command.url) > 1024) throw invalid("url", "Invalid URL.");
    if (!/^https?:\/\/[^/\s]+/.test(command.url)) throw invalid("url_http", "Invalid URL. Must be a valid URL and start with http:// or https://.");
    if (command.method !== "P" && command.method !== "G") throw invalid("method", "Invalid Method.");
    if (bytes(command.displayName) > 64) throw invalid("display_name", "Invalid title.");
    if (bytes(command.description) > 128) throw invalid("description", "Invalid description.");
    if ([...command.autoCompleteDesc].length > 1024 || [...command.autoCompleteHint].length > 1024) {
      throw new SimAppError(500, storeError, "We couldn't save the command.", "pq: value too long for type character varying(1024)");
    }
  };
  /** `EnableCommands` off: the App layer's answer to every custom-command call (app/command.go). */
  const requireCommandsEnabled = (where: string): void => {
    if (!state.enableCommands) throw new SimAppError(501, "api.command.disabled.app_error", "Commands have been disabled by the system admin.", where);
  };
  const commandNotFound = (): SimAppError => new SimAppError(404, "store.sql_command.save.get.app_error", "We couldn't get the command.");
  /**
   * The checks of getCommand/updateCommand/deleteCommand/regenCommandToken (api4/command.go): a
   * command the caller may not manage at all is "not found" (its existence does not leak); one made
   * by someone else needs manage_others_slash_commands.
   */
  const findCommand = (context: RestContext, others: "not_found" | "forbidden"): SimCommand => {
    const id = context.params["command_id"] ?? "";
    if (!isValidId(id)) throw invalidUrlParam("command_id");
    // GetCommand answers 501 when commands are disabled; the handlers turn any error into not found.
    if (!state.enableCommands) throw commandNotFound();
    const command = state.commands.get(id);
    const caller = me(context).id;
    if (!command || command.deleteAt !== 0 || !state.hasTeamPermission(command.teamId, caller, "manage_own_slash_commands")) throw commandNotFound();
    if (command.creatorId !== caller && !state.hasTeamPermission(command.teamId, caller, "manage_others_slash_commands")) {
      if (others === "not_found") throw commandNotFound();
      throw forbidden("manage_others_slash_commands");
    }
    return command;
  };
  /** `validateCommandTriggerUniqueness` (app/command.go): built-in triggers and every command of the team, whoever made it. */
  const requireFreeTrigger = (command: SimCommand): void => {
    const taken = [...state.commands.values()].some(
      (existing) => existing.id !== command.id && existing.teamId === command.teamId && existing.deleteAt === 0 && existing.trigger === command.trigger,
    );
    if (taken || BUILT_IN_TRIGGERS.has(command.trigger)) {
      throw new SimAppError(400, "api.command.duplicate_trigger.app_error", "This trigger word is already in use. Please choose another word.");
    }
  };

  add("POST", "/api/v4/commands/execute", "required", async (context) => {
    const body = jsonBody(context, "command_args");
    if (!isJsonObject(body)) throw invalidBodyParam("command_args");
    const command = typeof body["command"] === "string" ? body["command"] : "";
    const channelId = typeof body["channel_id"] === "string" ? body["channel_id"] : "";
    if (command.length <= 1 || !command.startsWith("/") || !isValidId(channelId)) {
      throw new SimAppError(400, "api.command.execute_command.start.app_error", "No command trigger found.");
    }
    const result = await integrations.executeCommand({ userId: me(context).id, channelId, rootId: typeof body["root_id"] === "string" ? body["root_id"] : "", command });
    if (result.error) throw new SimAppError(result.status, result.error.id, result.error.message, result.error.detailed_error);
    return { status: 200, json: result.response };
  });
  // createCommand (api4/command.go): permission first, then App.CreateCommand (disabled, duplicate), then the store.
  add("POST", "/api/v4/commands", "required", (context) => {
    const caller = me(context);
    const input = decodeCommand(context);
    const at = state.now();
    const command: SimCommand = {
      id: newId(),
      token: newId(),
      createAt: at,
      updateAt: at,
      deleteAt: 0,
      creatorId: caller.id,
      teamId: input.teamId ?? "",
      trigger: (input.trigger ?? "").toLowerCase(),
      method: input.method ?? "P",
      username: input.username ?? "",
      iconUrl: input.iconUrl ?? "",
      autoComplete: input.autoComplete ?? false,
      autoCompleteDesc: input.autoCompleteDesc ?? "",
      autoCompleteHint: input.autoCompleteHint ?? "",
      displayName: input.displayName ?? "",
      description: input.description ?? "",
      url: input.url ?? "",
    };
    if (!state.hasTeamPermission(command.teamId, caller.id, "manage_own_slash_commands")) throw forbidden("manage_own_slash_commands");
    requireCommandsEnabled("CreateCommand");
    requireFreeTrigger(command);
    validateCommand(command, "app.command.createcommand.internal_error");
    state.commands.set(command.id, command);
    return { status: 201, json: toWireCommand(command) };
  });
  // listCommands (api4/command.go): custom_only needs manage_own_slash_commands and lists only the
  // caller's own commands unless it also holds manage_others_slash_commands.
  add("GET", "/api/v4/commands", "required", (context) => {
    const teamId = context.request.query.get("team_id") ?? "";
    if (teamId === "") throw invalidBodyParam("team_id");
    const caller = me(context);
    if (!state.hasTeamPermission(teamId, caller.id, "view_team")) throw forbidden("view_team");
    const customOnly = context.request.query.get("custom_only") === "true";
    const mayManage = state.hasTeamPermission(teamId, caller.id, "manage_own_slash_commands");
    const byCaller = (command: SimCommand): boolean => state.hasTeamPermission(teamId, caller.id, "manage_others_slash_commands") || command.creatorId === caller.id;
    const ofTeam = [...state.commands.values()].filter((command) => command.teamId === teamId && command.deleteAt === 0);
    if (customOnly) {
      if (!mayManage) throw forbidden("manage_own_slash_commands");
      requireCommandsEnabled("ListTeamCommands");
      return { status: 200, json: ofTeam.filter(byCaller).map(toWireCommand) };
    }
    // Without the permission: the autocomplete list, sanitized (Command.Sanitize); built-in commands are not simulated.
    if (!state.enableCommands) return { status: 200, json: [] };
    if (!mayManage) return { status: 200, json: ofTeam.filter((command) => command.autoComplete).map(sanitizedCommand) };
    return { status: 200, json: ofTeam.filter(byCaller).map(sanitizedCommand) };
  });
  add("PUT", "/api/v4/commands/{command_id}/regen_token", "required", (context) => {
    const command = findCommand(context, "forbidden");
    command.token = newId();
    command.updateAt = state.now();
    return { status: 200, json: { token: command.token } };
  });
  add("GET", "/api/v4/commands/{command_id}", "required", (context) => ({ status: 200, json: toWireCommand(findCommand(context, "not_found")) }));
  add("PUT", "/api/v4/commands/{command_id}", "required", (context) => {
    const input = decodeCommand(context);
    if (input.id !== context.params["command_id"]) throw invalidBodyParam("command");
    const command = findCommand(context, "forbidden");
    if (input.teamId !== command.teamId) throw new SimAppError(400, "api.command.team_mismatch.app_error", "Unable to update commands across teams.");
    const updated: SimCommand = {
      ...command,
      trigger: (input.trigger ?? "").toLowerCase(),
      method: input.method ?? "P",
      url: input.url ?? "",
      username: input.username ?? "",
      iconUrl: input.iconUrl ?? "",
      autoComplete: input.autoComplete ?? false,
      autoCompleteDesc: input.autoCompleteDesc ?? "",
      autoCompleteHint: input.autoCompleteHint ?? "",
      displayName: input.displayName ?? "",
      description: input.description ?? "",
      updateAt: state.now(),
    };
    requireFreeTrigger(updated);
    validateCommand(updated, "app.command.updatecommand.internal_error");
    state.commands.set(command.id, updated);
    return { status: 200, json: toWireCommand(updated) };
  });
  add("DELETE", "/api/v4/commands/{command_id}", "required", (context) => {
    const command = findCommand(context, "forbidden");
    command.deleteAt = state.now();
    return { status: 200, json: { status: "OK" } };
  });

  // --- response_url -----------------------------------------------------------------------------
  add("POST", "/hooks/commands/{hook_id}", "none", (context) => {
    integrations.handleCommandHook(context.params["hook_id"] ?? "", context.request.contentType, context.request.rawBody);
    return { status: 200, text: "ok" };
  });

  return routes;
}

/** Finds the route for a request: the route, or `405` when only the method is wrong, or `404`. */
export function matchRoute(routes: Route[], method: string, path: string): { route: Route; params: Record<string, string> } | 404 | 405 {
  let pathMatched = false;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    route.keys.forEach((key, index) => {
      params[key] = match[index + 1] ?? "";
    });
    return { route, params };
  }
  return pathMatched ? 405 : 404;
}

function postList(state: MattermostState, ordered: SimPost[], extra: SimPost[] = []): { order: string[]; posts: Record<string, unknown> } {
  const posts: Record<string, unknown> = {};
  for (const post of [...ordered, ...extra]) posts[post.id] = state.wirePost(post);
  return { order: ordered.map((post) => post.id), posts };
}

/** `GET /channels/{id}/posts`: newest first; `since`, `before`, `after`, `page`, `per_page`. */
function channelPosts(state: MattermostState, channel: SimChannel, query: URLSearchParams): Record<string, unknown> {
  const all = [...state.posts.values()].filter((post) => post.channelId === channel.id);
  const since = Number.parseInt(query.get("since") ?? "", 10);
  if (Number.isFinite(since) && since > 0) {
    // Modified since: deleted posts included so clients learn about deletions.
    const changed = all.filter((post) => post.updateAt > since).sort((a, b) => b.createAt - a.createAt).slice(0, 1000);
    return { ...postList(state, changed), next_post_id: "", prev_post_id: "", has_next: false, first_inaccessible_post_time: 0 };
  }
  let live = all.filter((post) => post.deleteAt === 0).sort((a, b) => b.createAt - a.createAt);
  const before = query.get("before");
  const after = query.get("after");
  if (before) {
    const anchor = state.posts.get(before);
    live = anchor ? live.filter((post) => post.createAt < anchor.createAt) : [];
  } else if (after) {
    const anchor = state.posts.get(after);
    live = anchor ? live.filter((post) => post.createAt > anchor.createAt) : [];
  }
  const { page, perPage } = paging(query);
  const start = page * perPage;
  const pagePosts = after ? live.slice(Math.max(0, live.length - start - perPage), live.length - start) : live.slice(start, start + perPage);
  const roots = pagePosts.flatMap((post) => (post.rootId && !pagePosts.some((other) => other.id === post.rootId) ? [state.posts.get(post.rootId)].filter((root): root is SimPost => root !== undefined) : []));
  const newest = pagePosts[0];
  const oldest = pagePosts.at(-1);
  const indexOf = (post: SimPost | undefined): number => (post ? live.indexOf(post) : -1);
  return {
    ...postList(state, pagePosts, roots),
    next_post_id: newest && indexOf(newest) > 0 ? live[indexOf(newest) - 1]?.id ?? "" : "",
    prev_post_id: oldest && indexOf(oldest) < live.length - 1 ? live[indexOf(oldest) + 1]?.id ?? "" : "",
    has_next: after ? live.length - start - perPage > 0 : start + perPage < live.length,
    first_inaccessible_post_time: 0,
  };
}

/** `GET /posts/{id}/thread`: the root and its replies; `direction=down` is oldest first. */
function postThread(state: MattermostState, post: SimPost, query: URLSearchParams): Record<string, unknown> {
  const rootId = post.rootId || post.id;
  const thread = [...state.posts.values()].filter((candidate) => candidate.deleteAt === 0 && (candidate.id === rootId || candidate.rootId === rootId));
  thread.sort((a, b) => (query.get("direction") === "down" ? a.createAt - b.createAt : b.createAt - a.createAt));
  const perPage = Number.parseInt(query.get("perPage") ?? "0", 10);
  const limited = Number.isFinite(perPage) && perPage > 0 ? thread.slice(0, Math.min(perPage, 200)) : thread;
  return { ...postList(state, limited), next_post_id: "", prev_post_id: "", has_next: limited.length < thread.length, first_inaccessible_post_time: 0 };
}
