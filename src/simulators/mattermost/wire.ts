/**
 * The simulator's stored records and their JSON form on the wire, field for field as the Go structs
 * in server/public/model serialize them (snake_case keys, Go's field order, `omitempty` honoured).
 * Also a small "decode like Go's encoding/json" toolkit: the server parses integration payloads into
 * typed structs, so a wrongly typed field fails the whole payload and unknown keys vanish.
 */
import { newId } from "./ids.js";

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** `O` public, `P` private, `D` direct message, `G` group message. */
export type ChannelType = "O" | "P" | "D" | "G";

/** A stored account. */
export interface SimUser {
  id: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  nickname: string;
  position: string;
  isBot: boolean;
  botDescription: string;
  /** Space-separated system roles, e.g. `system_user` or `system_user system_admin`. */
  roles: string;
  /** Session / access token accepted as `Authorization: Bearer <token>`. */
  token: string;
  createAt: number;
  updateAt: number;
}

/** The stored team. */
export interface SimTeam {
  id: string;
  name: string;
  displayName: string;
  createAt: number;
  updateAt: number;
  /** user id -> whether the member is a team admin, and permissions a scheme grants beyond the role. */
  members: Map<string, { admin: boolean; permissions: ReadonlySet<string> }>;
}

/** A stored channel with its members. */
export interface SimChannel {
  id: string;
  /** Empty for direct and group messages, as on the server. */
  teamId: string;
  type: ChannelType;
  name: string;
  displayName: string;
  header: string;
  purpose: string;
  createAt: number;
  updateAt: number;
  deleteAt: number;
  lastPostAt: number;
  lastRootPostAt: number;
  totalMsgCount: number;
  totalMsgCountRoot: number;
  creatorId: string;
  members: Set<string>;
}

/** A stored post. */
export interface SimPost {
  id: string;
  createAt: number;
  updateAt: number;
  editAt: number;
  deleteAt: number;
  isPinned: boolean;
  userId: string;
  channelId: string;
  rootId: string;
  originalId: string;
  message: string;
  type: string;
  /** Server-side props, integration blocks included (clients never see those). */
  props: JsonObject;
  hashtags: string;
  fileIds: string[];
  pendingPostId: string;
  hasReactions: boolean;
}

/** A registered custom slash command. */
export interface SimCommand {
  id: string;
  token: string;
  createAt: number;
  updateAt: number;
  deleteAt: number;
  creatorId: string;
  teamId: string;
  trigger: string;
  method: "P" | "G";
  username: string;
  iconUrl: string;
  autoComplete: boolean;
  autoCompleteDesc: string;
  autoCompleteHint: string;
  displayName: string;
  description: string;
  url: string;
}

/** A post as the REST API and the WebSocket send it (model.Post JSON). */
export interface WirePost {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  is_pinned: boolean;
  user_id: string;
  channel_id: string;
  root_id: string;
  original_id: string;
  message: string;
  type: string;
  props: JsonObject;
  hashtags: string;
  file_ids?: string[];
  pending_post_id: string;
  has_reactions?: boolean;
  reply_count: number;
  last_reply_at: number;
  participants: null;
  metadata: { embeds?: Array<{ type: string }>; files?: JsonObject[] };
}

/** The error body every failing REST call returns (model.AppError JSON). */
export interface AppErrorBody {
  id: string;
  message: string;
  detailed_error: string;
  request_id: string;
  status_code: number;
  is_oauth: boolean;
}

/** Thrown inside the simulator to answer with a Mattermost error; `id` is the server's i18n id. */
export class SimAppError extends Error {
  override readonly name = "SimAppError";
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    readonly detailedError = "",
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding like Go's encoding/json into typed structs.

/** The payload would not decode into the server's struct (a type mismatch), as Go reports it. */
export class GoDecodeError extends Error {
  override readonly name = "GoDecodeError";
}

/** True for a plain JSON object (not an array or null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Go matches JSON keys to struct fields exactly first, then case-insensitively. */
export function goField(object: JsonObject, key: string): JsonValue | undefined {
  if (Object.hasOwn(object, key)) return object[key];
  const lower = key.toLowerCase();
  for (const [candidate, value] of Object.entries(object)) {
    if (candidate.toLowerCase() === lower) return value;
  }
  return undefined;
}

function describe(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** A string field; null or missing is "", another type fails like Go. */
export function goString(object: JsonObject, key: string, where: string): string {
  const value = goField(object, key);
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new GoDecodeError(`json: cannot unmarshal ${describe(value)} into Go struct field ${where}.${key} of type string`);
  return value;
}

/** A bool field; null or missing is false, another type fails like Go. */
export function goBool(object: JsonObject, key: string, where: string): boolean {
  const value = goField(object, key);
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new GoDecodeError(`json: cannot unmarshal ${describe(value)} into Go struct field ${where}.${key} of type bool`);
  return value;
}

/** An integer field; null or missing is 0, another type fails like Go. */
export function goInt(object: JsonObject, key: string, where: string): number {
  const value = goField(object, key);
  if (value === undefined || value === null) return 0;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new GoDecodeError(`json: cannot unmarshal ${describe(value)} into Go struct field ${where}.${key} of type int64`);
  }
  return value;
}

/** An object field (`map[string]interface{}`); null or missing is null. */
export function goObject(object: JsonObject, key: string, where: string): JsonObject | null {
  const value = goField(object, key);
  if (value === undefined || value === null) return null;
  if (!isJsonObject(value)) throw new GoDecodeError(`json: cannot unmarshal ${describe(value)} into Go struct field ${where}.${key} of type map[string]interface {}`);
  return value;
}

/** An array field; null or missing is null. */
export function goArray(object: JsonObject, key: string, where: string): JsonValue[] | null {
  const value = goField(object, key);
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw new GoDecodeError(`json: cannot unmarshal ${describe(value)} into Go struct field ${where}.${key} of type []`);
  return value;
}

/** `map[string]string`: every value must be a string. */
export function goStringMap(object: JsonObject, key: string, where: string): Record<string, string> | null {
  const value = goObject(object, key, where);
  if (value === null) return null;
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (entry === null) continue;
    if (typeof entry !== "string") throw new GoDecodeError(`json: cannot unmarshal ${describe(entry)} into Go struct field ${where}.${key} of type string`);
    out[name] = entry;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Message attachments ("Slack attachments") and their actions.

/** Where a button posts to, and the hidden context it sends. */
export interface WireActionIntegration {
  url?: string;
  context?: JsonObject;
}

/** `model.PostAction` JSON (every field omitempty). */
export interface WireAction {
  id?: string;
  type?: string;
  name?: string;
  tooltip?: string;
  disabled?: boolean;
  style?: string;
  data_source?: string;
  options?: Array<{ text: string; value: string }>;
  default_option?: string;
  integration?: WireActionIntegration;
  cookie?: string;
}

/** `model.SlackAttachmentField` JSON. */
export interface WireAttachmentField {
  title: string;
  value: JsonValue;
  short: boolean;
}

/** `model.SlackAttachment` JSON: every field present, `actions` only when there are some. */
export interface WireAttachment {
  id: number;
  fallback: string;
  color: string;
  pretext: string;
  author_name: string;
  author_link: string;
  author_icon: string;
  title: string;
  title_link: string;
  text: string;
  fields: WireAttachmentField[] | null;
  image_url: string;
  thumb_url: string;
  footer: string;
  footer_icon: string;
  ts: JsonValue;
  actions?: WireAction[];
}

function decodeAction(value: JsonObject): WireAction {
  const where = "PostAction";
  const action: WireAction = {};
  const id = goString(value, "id", where);
  if (id) action.id = id;
  const type = goString(value, "type", where);
  if (type) action.type = type;
  const name = goString(value, "name", where);
  if (name) action.name = name;
  const tooltip = goString(value, "tooltip", where);
  if (tooltip) action.tooltip = tooltip;
  if (goBool(value, "disabled", where)) action.disabled = true;
  const style = goString(value, "style", where);
  if (style) action.style = style;
  const dataSource = goString(value, "data_source", where);
  if (dataSource) action.data_source = dataSource;
  const options = goArray(value, "options", where);
  if (options && options.length > 0) {
    action.options = options.flatMap((option) => {
      if (option === null) return [];
      if (!isJsonObject(option)) throw new GoDecodeError(`json: cannot unmarshal ${describe(option)} into Go struct field PostAction.options`);
      return [{ text: goString(option, "text", "PostActionOptions"), value: goString(option, "value", "PostActionOptions") }];
    });
  }
  const defaultOption = goString(value, "default_option", where);
  if (defaultOption) action.default_option = defaultOption;
  const integration = goObject(value, "integration", where);
  if (integration) {
    const decoded: WireActionIntegration = {};
    const url = goString(integration, "url", "PostActionIntegration");
    if (url) decoded.url = url;
    const context = goObject(integration, "context", "PostActionIntegration");
    if (context && Object.keys(context).length > 0) decoded.context = context;
    action.integration = decoded;
  }
  const cookie = goString(value, "cookie", where);
  if (cookie) action.cookie = cookie;
  return action;
}

/** Decodes one attachment like `Post.Attachments()`; throws GoDecodeError where Go would drop it. */
export function decodeAttachment(value: JsonValue): WireAttachment {
  if (!isJsonObject(value)) throw new GoDecodeError(`json: cannot unmarshal ${describe(value)} into Go value of type model.SlackAttachment`);
  const where = "SlackAttachment";
  const rawFields = goArray(value, "fields", where);
  const fields: WireAttachmentField[] | null = rawFields
    ? rawFields.flatMap((field) => {
        if (field === null) return [];
        if (!isJsonObject(field)) throw new GoDecodeError(`json: cannot unmarshal ${describe(field)} into Go struct field SlackAttachment.fields`);
        const short = goField(field, "short");
        let shortValue = false;
        // SlackCompatibleBool takes true/false as well as "true"/"false".
        if (typeof short === "boolean") shortValue = short;
        else if (typeof short === "string") shortValue = short.toLowerCase() === "true";
        else if (short !== undefined && short !== null) throw new GoDecodeError("json: cannot unmarshal into SlackCompatibleBool");
        return [{ title: goString(field, "title", "SlackAttachmentField"), value: goField(field, "value") ?? null, short: shortValue }];
      })
    : null;
  const rawActions = goArray(value, "actions", where);
  const actions = rawActions
    ? rawActions.flatMap((action) => {
        if (action === null) return [];
        if (!isJsonObject(action)) throw new GoDecodeError(`json: cannot unmarshal ${describe(action)} into Go struct field SlackAttachment.actions`);
        return [decodeAction(action)];
      })
    : [];
  const attachment: WireAttachment = {
    id: goInt(value, "id", where),
    fallback: goString(value, "fallback", where),
    color: goString(value, "color", where),
    pretext: goString(value, "pretext", where),
    author_name: goString(value, "author_name", where),
    author_link: goString(value, "author_link", where),
    author_icon: goString(value, "author_icon", where),
    title: goString(value, "title", where),
    title_link: goString(value, "title_link", where),
    text: goString(value, "text", where),
    fields,
    image_url: goString(value, "image_url", where),
    thumb_url: goString(value, "thumb_url", where),
    footer: goString(value, "footer", where),
    footer_icon: goString(value, "footer_icon", where),
    ts: goField(value, "ts") ?? null,
  };
  if (actions.length > 0) attachment.actions = actions;
  return attachment;
}

function isValidHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.host !== "";
  } catch {
    return false;
  }
}

/** `SlackAttachment.IsValid` and `PostAction.IsValid`: the server only logs these today ("will be an error"). */
export function attachmentProblems(attachment: WireAttachment, index: number): string[] {
  const problems: string[] = [];
  const at = `attachment ${index}`;
  if (attachment.color && !["good", "warning", "danger"].includes(attachment.color) && !/^#[0-9a-fA-F]{6}$/.test(attachment.color)) {
    problems.push(`${at}: invalid color "${attachment.color}" (good, warning, danger or #rrggbb)`);
  }
  if (attachment.title_link && (!attachment.title || !isValidHttpUrl(attachment.title_link))) {
    problems.push(`${at}: title_link needs a title and an http(s) URL`);
  }
  if (attachment.author_link && (!attachment.author_name || !isValidHttpUrl(attachment.author_link))) {
    problems.push(`${at}: author_link needs an author_name and an http(s) URL`);
  }
  for (const [name, url] of [["image_url", attachment.image_url], ["thumb_url", attachment.thumb_url], ["footer_icon", attachment.footer_icon], ["author_icon", attachment.author_icon]] as const) {
    if (url && !isValidHttpUrl(url)) problems.push(`${at}: invalid ${name}`);
  }
  (attachment.actions ?? []).forEach((action, actionIndex) => {
    const where = `${at} action ${actionIndex}`;
    if (!action.name) problems.push(`${where}: action must have a name`);
    if (action.style && !["default", "primary", "success", "good", "warning", "danger"].includes(action.style) && !/^#[0-9a-fA-F]{6}$/.test(action.style)) {
      problems.push(`${where}: invalid style "${action.style}"`);
    }
    if (action.type === "button") {
      if (action.options?.length) problems.push(`${where}: button action must not have options`);
      if (action.data_source) problems.push(`${where}: button action must not have a data source`);
    } else if (action.type === "select") {
      if (!action.data_source && !action.options?.length) problems.push(`${where}: select action must have either data_source or options`);
    } else {
      problems.push(`${where}: invalid action type "${action.type ?? ""}": must be 'button' or 'select'`);
    }
    const url = action.integration?.url ?? "";
    if (!action.integration) problems.push(`${where}: action must have integration settings`);
    else if (!url) problems.push(`${where}: action must have an integration URL`);
    else if (!(url.startsWith("/plugins/") || url.startsWith("plugins/") || isValidHttpUrl(url))) problems.push(`${where}: action must have a valid integration URL`);
  });
  return problems;
}

/**
 * What the server does to `props.attachments` when it stores a post (`GenerateActionIds`):
 * re-encodes them as structs (unknown keys dropped, undecodable attachments dropped) and gives
 * every action without an id a fresh one. Returns the problems a strict server would reject.
 */
export function normalizeAttachmentsProp(props: JsonObject): { props: JsonObject; problems: string[] } {
  const raw = props["attachments"];
  if (raw === undefined || raw === null) return { props, problems: [] };
  const problems: string[] = [];
  if (!Array.isArray(raw)) {
    return { props: { ...props, attachments: null }, problems: ["props.attachments is not an array; the server stores null"] };
  }
  const attachments: WireAttachment[] = [];
  raw.forEach((entry, index) => {
    try {
      const attachment = decodeAttachment(entry);
      for (const action of attachment.actions ?? []) {
        if (!action.id) action.id = newId();
      }
      problems.push(...attachmentProblems(attachment, index));
      attachments.push(attachment);
    } catch (error) {
      if (!(error instanceof GoDecodeError)) throw error;
      problems.push(`attachment ${index} dropped by the server: ${error.message}`);
    }
  });
  return { props: { ...props, attachments: attachments as unknown as JsonValue }, problems };
}

/** Copies props without action `integration` blocks, as every post leaving the server is. */
export function stripIntegrations(props: JsonObject): JsonObject {
  const attachments = props["attachments"];
  if (!Array.isArray(attachments)) return props;
  return {
    ...props,
    attachments: attachments.map((attachment) => {
      if (!isJsonObject(attachment) || !Array.isArray(attachment["actions"])) return attachment;
      return {
        ...attachment,
        actions: attachment["actions"].map((action) => {
          if (!isJsonObject(action)) return action;
          const { integration: _dropped, ...rest } = action;
          return rest;
        }),
      };
    }),
  };
}

/** Attachment actions of a stored post, integration blocks included. */
export function postActions(post: SimPost): WireAction[] {
  const attachments = post.props["attachments"];
  if (!Array.isArray(attachments)) return [];
  return attachments.flatMap((attachment) => (isJsonObject(attachment) && Array.isArray(attachment["actions"]) ? (attachment["actions"] as unknown as WireAction[]) : []));
}

/** `model.ParseSlackLinksToMarkdown`: `<url|text>` becomes `[text](url)`. */
export function parseSlackLinksToMarkdown(text: string): string {
  return text.replace(/<([^<|]+)\|([^>]+)>/g, "[$2]($1)");
}

/** The parts of `ProcessSlackText` that matter for bots: Slack-style channel mentions and links. */
export function processSlackText(text: string): string {
  return parseSlackLinksToMarkdown(text.replace(/<!channel>/g, "@channel").replace(/<!here>/g, "@here").replace(/<!all>/g, "@all"));
}

// ---------------------------------------------------------------------------------------------
// Serializers.

/** Serializes a stored post; `strip` removes integration blocks (always true for clients). */
export function toWirePost(post: SimPost, thread: { replyCount: number; lastReplyAt: number }, strip = true, files: readonly JsonObject[] = []): WirePost {
  const props = strip ? stripIntegrations(post.props) : structuredClone(post.props);
  const attachments = post.props["attachments"];
  const wire: WirePost = {
    id: post.id,
    create_at: post.createAt,
    update_at: post.updateAt,
    edit_at: post.editAt,
    delete_at: post.deleteAt,
    is_pinned: post.isPinned,
    user_id: post.userId,
    channel_id: post.channelId,
    root_id: post.rootId,
    original_id: post.originalId,
    message: post.message,
    type: post.type,
    props,
    hashtags: post.hashtags,
    pending_post_id: post.pendingPostId,
    reply_count: thread.replyCount,
    last_reply_at: thread.lastReplyAt,
    participants: null,
    metadata: {
      ...(Array.isArray(attachments) && attachments.length > 0 ? { embeds: [{ type: "message_attachment" }] } : {}),
      // PreparePostForClient adds the attached files' infos.
      ...(files.length > 0 ? { files: [...files] } : {}),
    },
  };
  if (post.fileIds.length > 0) wire.file_ids = [...post.fileIds];
  if (post.hasReactions) wire.has_reactions = true;
  // Keep Go's field order: file_ids sits between hashtags and pending_post_id.
  return reorder(wire, ["id", "create_at", "update_at", "edit_at", "delete_at", "is_pinned", "user_id", "channel_id", "root_id", "original_id", "message", "type", "props", "hashtags", "file_ids", "pending_post_id", "has_reactions", "reply_count", "last_reply_at", "participants", "metadata"]);
}

function reorder<T extends object>(value: T, keys: readonly string[]): T {
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in source) out[key] = source[key];
  return out as T;
}

/** `model.User` as returned to `viewer`: the user's own record carries notify props. */
export function toWireUser(user: SimUser, viewerId: string): Record<string, unknown> {
  const self = user.id === viewerId;
  const wire: Record<string, unknown> = {
    id: user.id,
    create_at: user.createAt,
    update_at: user.updateAt,
    delete_at: 0,
    username: user.username,
    auth_data: "",
    auth_service: "",
    email: user.email,
  };
  if (self) wire["email_verified"] = true;
  Object.assign(wire, {
    nickname: user.nickname,
    first_name: user.firstName,
    last_name: user.lastName,
    position: user.position,
    roles: user.roles,
    props: {},
  });
  if (self) {
    wire["notify_props"] = {
      channel: "true",
      comments: "never",
      desktop: "mention",
      desktop_sound: "true",
      email: "true",
      first_name: "false",
      mention_keys: "",
      push: "mention",
      push_status: "online",
    };
    wire["last_password_update"] = user.createAt;
  }
  Object.assign(wire, {
    locale: "en",
    timezone: { automaticTimezone: "", manualTimezone: "", useAutomaticTimezone: "true" },
  });
  if (user.isBot) {
    wire["is_bot"] = true;
    if (user.botDescription) wire["bot_description"] = user.botDescription;
  }
  wire["disable_welcome_email"] = false;
  return wire;
}

/** `model.Channel` JSON. */
export function toWireChannel(channel: SimChannel): Record<string, unknown> {
  return {
    id: channel.id,
    create_at: channel.createAt,
    update_at: channel.updateAt,
    delete_at: channel.deleteAt,
    team_id: channel.teamId,
    type: channel.type,
    display_name: channel.displayName,
    name: channel.name,
    header: channel.header,
    purpose: channel.purpose,
    last_post_at: channel.lastPostAt,
    total_msg_count: channel.totalMsgCount,
    extra_update_at: 0,
    creator_id: channel.creatorId,
    scheme_id: null,
    group_constrained: null,
    shared: null,
    total_msg_count_root: channel.totalMsgCountRoot,
    policy_id: null,
    last_root_post_at: channel.lastRootPostAt,
  };
}

/** `model.Team` JSON, sanitized as for a non-admin (no email or invite id). */
export function toWireTeam(team: SimTeam): Record<string, unknown> {
  return {
    id: team.id,
    create_at: team.createAt,
    update_at: team.updateAt,
    delete_at: 0,
    display_name: team.displayName,
    name: team.name,
    description: "",
    email: "",
    type: "O",
    company_name: "",
    allowed_domains: "",
    invite_id: "",
    allow_open_invite: false,
    scheme_id: null,
    group_constrained: null,
    policy_id: null,
    cloud_limits_archived: false,
  };
}

/** `model.Command` JSON. */
export function toWireCommand(command: SimCommand): Record<string, unknown> {
  return {
    id: command.id,
    token: command.token,
    create_at: command.createAt,
    update_at: command.updateAt,
    delete_at: command.deleteAt,
    creator_id: command.creatorId,
    team_id: command.teamId,
    trigger: command.trigger,
    method: command.method,
    username: command.username,
    icon_url: command.iconUrl,
    auto_complete: command.autoComplete,
    auto_complete_desc: command.autoCompleteDesc,
    auto_complete_hint: command.autoCompleteHint,
    display_name: command.displayName,
    description: command.description,
    url: command.url,
    plugin_id: "",
  };
}
