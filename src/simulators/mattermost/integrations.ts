/**
 * The server's side of integrations, as server/channels/app/command.go, webhook.go and
 * integration_action.go do it: running custom slash commands against their registered URL,
 * `response_url` hooks, signed trigger ids, interactive dialogs and message-attachment buttons.
 * Every request the "server" sends to the bot is recorded with the bot's answer.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { isValidId, newId } from "./ids.js";
import type { EphemeralRecord, MattermostState } from "./state.js";
import { broadcastTo } from "./state.js";
import {
  type JsonObject,
  type JsonValue,
  type SimCommand,
  type SimPost,
  type WireAction,
  type WireAttachment,
  type WirePost,
  GoDecodeError,
  SimAppError,
  decodeAttachment,
  goArray,
  goBool,
  goField,
  goInt,
  goObject,
  goString,
  goStringMap,
  isJsonObject,
  parseSlackLinksToMarkdown,
  postActions,
  processSlackText,
} from "./wire.js";

/** A request the simulated server sent to an integration, with what came back. */
export interface OutgoingRequest {
  kind: "slash_command" | "post_action" | "dialog_submission";
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  /** Exactly the bytes sent: form-encoded for slash commands, JSON otherwise. */
  body: string;
  response?: { status: number; contentType: string; body: string };
  /** Set when the integration could not be reached or timed out. */
  error?: string;
}

/** `model.CommandResponse` as the server decoded it (snake_case, as on the wire). */
export interface CommandResponse {
  response_type: string;
  text: string;
  username: string;
  channel_id: string;
  icon_url: string;
  type: string;
  props: JsonObject | null;
  goto_location: string;
  trigger_id: string;
  skip_slack_parsing: boolean;
  attachments: WireAttachment[] | null;
  extra_responses: CommandResponse[] | null;
}

/** What running a slash command did, as the user would see it. */
export interface SlashCommandResult {
  /** HTTP status `POST /api/v4/commands/execute` answers the user's client with. */
  status: number;
  /** The bot's answer as the server decoded it (`trigger_id` is the client trigger id). */
  response?: CommandResponse;
  /** The error the user is shown when the command failed. */
  error?: { id: string; message: string; detailed_error: string; status_code: number };
  /** The request sent to the command URL, when one was sent. */
  request?: OutgoingRequest;
  /** Posts the answer created in channels (`in_channel`). */
  posts: WirePost[];
  /** Ephemeral messages the answer showed to the user. */
  ephemeral: EphemeralRecord[];
}

/** `model.DialogElement` as decoded by the server. */
export interface DialogElement {
  display_name: string;
  name: string;
  type: string;
  subtype: string;
  default: string;
  placeholder: string;
  help_text: string;
  optional: boolean;
  min_length: number;
  max_length: number;
  data_source: string;
  data_source_url?: string;
  options: Array<{ text: string; value: string }> | null;
  multiselect: boolean;
}

/** `model.Dialog` as decoded by the server. */
export interface Dialog {
  callback_id: string;
  title: string;
  introduction_text: string;
  icon_url: string;
  elements: DialogElement[] | null;
  submit_label: string;
  notify_on_cancel: boolean;
  state: string;
}

/** A dialog the bot opened (or a next step it returned), as shown to a user. */
export interface RecordedDialog {
  /** The full signed trigger id the bot used ("" for a multi-step form). */
  triggerId: string;
  userId: string;
  channelId: string;
  url: string;
  dialog: Dialog;
  openedAt: number;
  /** What `Dialog.IsValid` found (the real server only logs these). */
  problems: string[];
  via: "open" | "form";
}

/** The JSON a dialog submission sends to the integration (`model.SubmitDialogRequest`). */
export interface DialogSubmissionPayload {
  type: "dialog_submission";
  callback_id: string;
  state: string;
  user_id: string;
  channel_id: string;
  team_id: string;
  submission: Record<string, JsonValue>;
  cancelled: boolean;
}

/** What submitting a dialog did. */
export interface DialogSubmitResult {
  /** False when nothing was sent (cancelling a dialog without `notify_on_cancel`). */
  sent: boolean;
  /** HTTP status the user's client gets. */
  status: number;
  payload?: DialogSubmissionPayload;
  /** The integration's answer: `{}` for an empty 200, or `errors` / `error` / `type` / `form`. */
  response?: { error?: string; errors?: Record<string, string>; type?: string; form?: Dialog };
  /** Mattermost's error when the integration failed. */
  error?: { id: string; message: string; detailed_error: string; status_code: number };
  /** True when the dialog closes (no field errors, no error text, no next form). */
  closed: boolean;
  /** The next step, when the integration answered with `type: "form"`. */
  nextDialog?: RecordedDialog;
}

/** What clicking an attachment button (or choosing a menu option) did. */
export interface PostActionResult {
  status: number;
  /** The client trigger id returned to the user's client. */
  triggerId?: string;
  request?: OutgoingRequest;
  /** The integration's parsed answer. */
  response?: { update: JsonObject | null; ephemeral_text: string; skip_slack_parsing: boolean };
  error?: { id: string; message: string; detailed_error: string; status_code: number };
  /** The post after an `update` was applied. */
  updatedPost?: WirePost;
  ephemeral?: EphemeralRecord;
}

interface TriggerRecord {
  userId: string;
  channelId: string;
  rootId: string;
  issuedAt: number;
  used: boolean;
}

interface CommandHook {
  id: string;
  commandId: string;
  userId: string;
  channelId: string;
  rootId: string;
  createAt: number;
  useCount: number;
}

/** What the integrations need from the server around them. */
export interface IntegrationsOptions {
  state: MattermostState;
  now: () => number;
  siteUrl: () => string;
  /** `ServiceSettings.OutgoingIntegrationRequestsTimeout`, also the trigger id lifetime. */
  timeoutMs: number;
  strict: boolean;
  /** The version the server claims; decides whether slash-command requests carry `root_id`. */
  serverVersion: string;
  /** Outgoing OAuth connections, whose token replaces the command token's header. */
  outgoingOAuthConnections: ReadonlyArray<{ audiences: readonly string[]; accessToken: string }>;
  changed: () => void;
}

/**
 * Whether a server of this version puts `root_id` into slash-command requests: release-10.11's
 * `tryExecuteCustomCommand` (app/command.go) sends no `root_id`, master's sends
 * `p.Set("root_id", args.RootId)` (empty outside threads). Taken as 11.0 and later.
 */
export function commandRequestHasRootId(version: string): boolean {
  return Number.parseInt(version.split(".")[0] ?? "", 10) >= 11;
}

const COMMAND_WEBHOOK_LIFETIME_MS = 30 * 60 * 1000;
const COMMAND_WEBHOOK_MAX_USES = 5;
const RETAINED_PROPS = ["from_webhook", "override_username", "override_icon_url"] as const;

/** Go's `url.QueryEscape`. */
function goQueryEscape(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(char)) out += char;
    else if (char === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Go's `url.Values.Encode`: keys sorted, values of one key in insertion order. */
export function encodeGoValues(entries: Array<[string, string]>): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of entries) grouped.set(key, [...(grouped.get(key) ?? []), value]);
  return [...grouped.keys()]
    .sort()
    .flatMap((key) => (grouped.get(key) ?? []).map((value) => `${goQueryEscape(key)}=${goQueryEscape(value)}`))
    .join("&");
}

function appErrorJson(error: SimAppError): { id: string; message: string; detailed_error: string; status_code: number } {
  return { id: error.id, message: error.message, detailed_error: error.detailedError, status_code: error.status };
}

function byteLength(value: string): number {
  return Buffer.byteLength(value, "utf8");
}

/** Decodes `model.CommandResponse` the way `json.Unmarshal` does; throws GoDecodeError on bad types. */
export function decodeCommandResponse(value: JsonValue): CommandResponse {
  if (!isJsonObject(value)) throw new GoDecodeError("json: cannot unmarshal into Go value of type model.CommandResponse");
  const where = "CommandResponse";
  const rawAttachments = goArray(value, "attachments", where);
  const attachments = rawAttachments
    ? rawAttachments.flatMap((entry) => {
        if (entry === null) return [];
        const attachment = decodeAttachment(entry);
        // StringifySlackFieldValue: field values become strings.
        attachment.fields = attachment.fields?.map((field) => ({ ...field, value: field.value === null ? null : typeof field.value === "object" ? JSON.stringify(field.value) : String(field.value) })) ?? null;
        return [attachment];
      })
    : null;
  const rawExtra = goArray(value, "extra_responses", where);
  return {
    response_type: goString(value, "response_type", where),
    text: goString(value, "text", where),
    username: goString(value, "username", where),
    channel_id: goString(value, "channel_id", where),
    icon_url: goString(value, "icon_url", where),
    type: goString(value, "type", where),
    props: goObject(value, "props", where),
    goto_location: goString(value, "goto_location", where),
    trigger_id: goString(value, "trigger_id", where),
    skip_slack_parsing: goBool(value, "skip_slack_parsing", where),
    attachments,
    extra_responses: rawExtra ? rawExtra.flatMap((entry) => (entry === null ? [] : [decodeCommandResponse(entry)])) : null,
  };
}

function decodeDialog(value: JsonObject): Dialog {
  const where = "Dialog";
  const rawElements = goArray(value, "elements", where);
  return {
    callback_id: goString(value, "callback_id", where),
    title: goString(value, "title", where),
    introduction_text: goString(value, "introduction_text", where),
    icon_url: goString(value, "icon_url", where),
    elements: rawElements
      ? rawElements.map((entry) => {
          if (!isJsonObject(entry)) throw new GoDecodeError("json: cannot unmarshal into Go struct field Dialog.elements");
          const at = "DialogElement";
          const options = goArray(entry, "options", at);
          const element: DialogElement = {
            display_name: goString(entry, "display_name", at),
            name: goString(entry, "name", at),
            type: goString(entry, "type", at),
            subtype: goString(entry, "subtype", at),
            default: goString(entry, "default", at),
            placeholder: goString(entry, "placeholder", at),
            help_text: goString(entry, "help_text", at),
            optional: goBool(entry, "optional", at),
            min_length: goInt(entry, "min_length", at),
            max_length: goInt(entry, "max_length", at),
            data_source: goString(entry, "data_source", at),
            options: options
              ? options.flatMap((option) => {
                  if (option === null) return [];
                  if (!isJsonObject(option)) throw new GoDecodeError("json: cannot unmarshal into Go struct field DialogElement.options");
                  return [{ text: goString(option, "text", "PostActionOptions"), value: goString(option, "value", "PostActionOptions") }];
                })
              : null,
            multiselect: goBool(entry, "multiselect", at),
          };
          const source = goString(entry, "data_source_url", at);
          if (source) element.data_source_url = source;
          return element;
        })
      : null,
    submit_label: goString(value, "submit_label", where),
    notify_on_cancel: goBool(value, "notify_on_cancel", where),
    state: goString(value, "state", where),
  };
}

/** `Dialog.IsValid` (server/public/model/integration_action.go); lengths count bytes, as in Go. */
export function dialogProblems(dialog: Dialog): string[] {
  const problems: string[] = [];
  if (dialog.title === "" || byteLength(dialog.title) > 24) problems.push(`invalid dialog title "${dialog.title}" (1 to 24 characters)`);
  if (dialog.icon_url && !/^https?:\/\/[^/]+/.test(dialog.icon_url)) problems.push("invalid icon url");
  const seen = new Set<string>();
  for (const element of dialog.elements ?? []) {
    const field = `"${element.name}" field`;
    if (seen.has(element.name)) problems.push(`duplicate dialog element "${element.name}"`);
    seen.add(element.name);
    const check = (name: string, value: string, max: number, required = false): void => {
      if (required && value.length === 0) problems.push(`${field}: ${name} cannot be empty`);
      if (byteLength(value) > max) problems.push(`${field}: ${name} cannot be longer than ${max} characters, got ${byteLength(value)}`);
    };
    if (element.min_length < 0) problems.push(`${field}: min length cannot be a negative number`);
    if (element.min_length > element.max_length) problems.push(`${field}: min length should be less then max length, got ${element.min_length} > ${element.max_length}`);
    check("DisplayName", element.display_name, 24, true);
    check("Name", element.name, 300, true);
    check("HelpText", element.help_text, 150);
    if (element.multiselect && element.type !== "select") problems.push(`${field}: multiselect can only be used with select elements`);
    const textSubtypes = ["", "text", "email", "number", "tel", "url", "password"];
    const inOptions = (value: string): boolean => value === "" || (element.options ?? []).some((option) => option.value === value);
    switch (element.type) {
      case "text":
        check("Default", element.default, 150);
        check("Placeholder", element.placeholder, 150);
        if (!textSubtypes.includes(element.subtype)) problems.push(`${field}: invalid subtype "${element.subtype}"`);
        break;
      case "textarea":
        check("Default", element.default, 3000);
        check("Placeholder", element.placeholder, 3000);
        if (!textSubtypes.includes(element.subtype)) problems.push(`${field}: invalid subtype "${element.subtype}"`);
        break;
      case "select":
        check("Default", element.default, 3000);
        check("Placeholder", element.placeholder, 3000);
        if (!["", "users", "channels", "dynamic"].includes(element.data_source)) problems.push(`${field}: invalid data source "${element.data_source}"`);
        if (element.data_source === "dynamic" && !element.data_source_url) problems.push(`${field}: dynamic data_source requires data_source_url`);
        if (element.data_source === "" && !element.multiselect && !inOptions(element.default)) problems.push(`${field}: default value "${element.default}" doesn't exist in options`);
        break;
      case "bool":
        if (!["", "true", "false"].includes(element.default)) problems.push(`${field}: invalid default of bool`);
        check("Placeholder", element.placeholder, 150);
        break;
      case "radio":
        if (!inOptions(element.default)) problems.push(`${field}: default value "${element.default}" doesn't exist in options`);
        break;
      case "date":
      case "datetime":
        break;
      default:
        problems.push(`${field}: invalid element type "${element.type}"`);
    }
  }
  return problems;
}

/**
 * Field lengths the 10.x/11 web app warns about: it shows dialogs as an apps form whose text fields
 * take 150 characters and text areas 3000 (`TEXT_DEFAULT_MAX_LENGTH`, `TEXTAREA_DEFAULT_MAX_LENGTH`
 * in webapp apps_form_field); a `max_length` beyond them is not honoured. The server says nothing.
 */
export function webAppFieldWarnings(dialog: Dialog): string[] {
  const warnings: string[] = [];
  for (const element of dialog.elements ?? []) {
    const limit = element.type === "text" ? 150 : element.type === "textarea" ? 3000 : undefined;
    if (limit !== undefined && element.max_length > limit) {
      warnings.push(`"${element.name}" field: max_length ${element.max_length} is over the web app's ${limit} for a ${element.type} element`);
    }
  }
  return warnings;
}

/**
 * A submission as the web app sends it: fields the person did not touch keep the element's
 * `default` (a radio's or select's as the option's value), as interactive_dialog_adapter.tsx
 * (`convertElementsToFields`) starts the form with them.
 */
export function withUntouchedDefaults(dialog: Dialog, submission: Readonly<Record<string, JsonValue>>): Record<string, JsonValue> {
  const filled: Record<string, JsonValue> = {};
  for (const element of dialog.elements ?? []) {
    if (element.default !== "" && !Object.hasOwn(submission, element.name)) filled[element.name] = element.default;
  }
  return { ...filled, ...submission };
}

/** The server's outgoing side: commands, hooks, trigger ids, dialogs and actions. */
export class Integrations {
  private readonly secret = randomBytes(32);
  private readonly triggers = new Map<string, TriggerRecord>();
  private readonly hooks = new Map<string, CommandHook>();
  readonly dialogs: RecordedDialog[] = [];
  readonly outgoing: OutgoingRequest[] = [];

  constructor(private readonly options: IntegrationsOptions) {}

  private get state(): MattermostState {
    return this.options.state;
  }

  // --- trigger ids ----------------------------------------------------------------------------

  /** `model.GenerateTriggerId`: base64("<client id>:<user id>:<millis>:<signature>"). */
  issueTrigger(userId: string, channelId: string, rootId: string): { triggerId: string; clientTriggerId: string } {
    const clientTriggerId = newId();
    const issuedAt = this.options.now();
    const data = `${clientTriggerId}:${userId}:${issuedAt}:`;
    const signature = createHmac("sha256", this.secret).update(data).digest("base64");
    const triggerId = Buffer.from(data + signature, "utf8").toString("base64");
    this.triggers.set(triggerId, { userId, channelId, rootId, issuedAt, used: false });
    return { triggerId, clientTriggerId };
  }

  /** `DecodeAndVerifyTriggerId`, plus single use in strict mode (marked by `consumeTrigger`). */
  private verifyTrigger(triggerId: string): { record: TriggerRecord; clientTriggerId: string } {
    const decoded = Buffer.from(triggerId, "base64").toString("utf8");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(triggerId) || decoded === "") {
      throw new SimAppError(400, "interactive_message.decode_trigger_id.base64_decode_failed", "Unable to decode base64 for trigger ID for interactive dialog.");
    }
    const parts = decoded.split(":");
    if (parts.length !== 4) throw new SimAppError(400, "interactive_message.decode_trigger_id.missing_data", "Missing required data for trigger ID for interactive dialog.");
    const [clientTriggerId = "", userId = "", issuedAt = "", signature = ""] = parts;
    const timeoutSeconds = Math.round(this.options.timeoutMs / 1000);
    if (this.options.now() - Number(issuedAt) > this.options.timeoutMs) {
      throw new SimAppError(400, "interactive_message.decode_trigger_id.expired", `Trigger ID for interactive dialog is expired. Trigger IDs live for a maximum of ${timeoutSeconds}s.`);
    }
    const expected = createHmac("sha256", this.secret).update(`${clientTriggerId}:${userId}:${issuedAt}:`).digest();
    const given = Buffer.from(signature, "base64");
    const record = this.triggers.get(triggerId);
    if (given.length !== expected.length || !timingSafeEqual(given, expected) || !record) {
      throw new SimAppError(400, "interactive_message.decode_trigger_id.verify_signature_failed", "Unable to verify signature for trigger ID for interactive dialog.");
    }
    if (record.used) {
      this.state.warnings.push(`trigger id reused (issued for user ${record.userId})`);
      if (this.options.strict) {
        throw new SimAppError(400, "simulator.strict.trigger_id_reused", "The simulator refuses a trigger id used twice (a real server accepts it until it expires).");
      }
    }
    return { record, clientTriggerId };
  }

  // --- outgoing HTTP --------------------------------------------------------------------------

  private async send(request: OutgoingRequest): Promise<OutgoingRequest> {
    this.outgoing.push(request);
    this.options.changed();
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.method === "POST" ? request.body : undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      request.response = { status: response.status, contentType: response.headers.get("content-type") ?? "", body: await response.text() };
    } catch (error) {
      request.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    this.options.changed();
    return request;
  }

  // --- slash commands -------------------------------------------------------------------------

  /** Team members named with @ in the text, as `MentionsToTeamMembers` finds them. */
  private userMentions(text: string): Array<[string, string]> {
    const found: Array<[string, string]> = [];
    for (const match of text.matchAll(/\B@([A-Za-z0-9][A-Za-z0-9.\-_:]*)/g)) {
      let name = (match[1] ?? "").toLowerCase();
      let user = this.state.userByName(name);
      while (!user && /[.\-_]$/.test(name)) {
        name = name.slice(0, -1);
        user = this.state.userByName(name);
      }
      if (user && this.state.team.members.has(user.id) && !found.some(([known]) => known === name)) found.push([name, user.id]);
    }
    return found;
  }

  /** Public channels named with ~ in the text (`MentionsToPublicChannels`). */
  private channelMentions(text: string): Array<[string, string]> {
    const found: Array<[string, string]> = [];
    for (const match of text.matchAll(/\B~([a-zA-Z0-9\-_]+)/g)) {
      const name = match[1] ?? "";
      const channel = this.state.channelByName(this.state.team.id, name);
      if (channel && channel.type === "O" && !found.some(([known]) => known === name)) found.push([name, channel.id]);
    }
    return found;
  }

  /** `App.ExecuteCommand` for custom commands: what a user typing `/trigger text` causes. */
  async executeCommand(args: { userId: string; channelId: string; rootId: string; command: string }): Promise<SlashCommandResult> {
    const result: SlashCommandResult = { status: 200, posts: [], ephemeral: [] };
    try {
      const channel = this.state.channels.get(args.channelId);
      if (!channel) throw new SimAppError(404, "app.channel.get.existing.app_error", "Unable to find the existing channel.");
      // executeCommand (api4/command.go) needs create_post in the channel: membership.
      if (!this.state.canPost(channel, args.userId)) throw new SimAppError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.", "permission=create_post");
      const index = args.command.search(/\s/);
      let trigger = (index === -1 ? args.command : args.command.slice(0, index)).toLowerCase();
      const message = index === -1 ? "" : args.command.slice(index + 1);
      if (!trigger.startsWith("/")) {
        throw new SimAppError(400, "api.command.execute_command.format.app_error", "Command trigger word is missing the leading slash character");
      }
      trigger = trigger.slice(1);
      // tryExecuteCustomCommand refuses before looking for the command when custom commands are off.
      if (!this.state.enableCommands) throw new SimAppError(501, "api.command.disabled.app_error", "Commands have been disabled by the system admin.");
      const team = this.state.teamFor(channel);
      const command = [...this.state.commands.values()].find((candidate) => candidate.teamId === team.id && candidate.deleteAt === 0 && candidate.trigger === trigger);
      if (!command) {
        throw new SimAppError(
          404,
          "api.command.execute_command.not_found.app_error",
          `Command with a trigger of '${trigger}' not found. To send a message beginning with "/", try adding an empty space at the beginning of the message.`,
        );
      }
      const user = this.state.users.get(args.userId);
      const { triggerId, clientTriggerId } = this.issueTrigger(args.userId, channel.id, args.rootId);
      const hook: CommandHook = { id: newId(), commandId: command.id, userId: args.userId, channelId: channel.id, rootId: args.rootId, createAt: this.options.now(), useCount: 0 };
      this.hooks.set(hook.id, hook);
      const fields: Array<[string, string]> = [
        ["token", command.token],
        ["team_id", command.teamId],
        ["team_domain", team.name],
        ["channel_id", channel.id],
        ["channel_name", channel.name],
        ["user_id", args.userId],
        ["user_name", user?.username ?? ""],
        ["command", `/${trigger}`],
        ["text", message],
        ["trigger_id", triggerId],
      ];
      for (const [name, id] of this.userMentions(message)) fields.push(["user_mentions", name], ["user_mentions_ids", id]);
      for (const [name, id] of this.channelMentions(message)) fields.push(["channel_mentions", name], ["channel_mentions_ids", id]);
      fields.push(["response_url", `${this.options.siteUrl()}/hooks/commands/${hook.id}`]);
      if (commandRequestHasRootId(this.options.serverVersion)) fields.push(["root_id", args.rootId]);
      const encoded = encodeGoValues(fields);
      const headers: Record<string, string> = { Accept: "application/json", "User-Agent": "Mattermost-Bot/1.1" };
      if (command.token) headers["Authorization"] = `Token ${command.token}`;
      // DoCommandRequest (app/command.go): an outgoing OAuth connection for the URL replaces the command token's header.
      const connection = this.options.outgoingOAuthConnections.find((candidate) => candidate.audiences.some((audience) => command.url.startsWith(audience)));
      if (connection) headers["Authorization"] = `Bearer ${connection.accessToken}`;
      let url = command.url;
      if (command.method === "G") url += (url.includes("?") ? "&" : "?") + encoded;
      else headers["Content-Type"] = "application/x-www-form-urlencoded";
      const request = await this.send({ kind: "slash_command", method: command.method === "G" ? "GET" : "POST", url, headers, body: command.method === "G" ? "" : encoded });
      result.request = request;
      const failed = (detail: string): SimAppError =>
        new SimAppError(500, "api.command.execute_command.failed.app_error", `Command with a trigger of '${trigger}' failed.`, detail);
      if (!request.response) throw failed(request.error ?? "no response");
      if (request.response.status !== 200) {
        throw new SimAppError(
          500,
          "api.command.execute_command.failed_resp.app_error",
          `Command with a trigger of '${trigger}' returned response ${request.response.status}.`,
          request.response.body,
        );
      }
      let response: CommandResponse;
      if (request.response.contentType.split(";")[0]?.trim() === "application/json") {
        try {
          response = decodeCommandResponse(JSON.parse(request.response.body) as JsonValue);
        } catch (error) {
          throw failed(error instanceof Error ? error.message : String(error));
        }
      } else {
        response = { ...decodeCommandResponse({}), text: request.response.body };
      }
      response.trigger_id = clientTriggerId;
      result.response = response;
      this.handleCommandResponse(command, { userId: args.userId, channelId: channel.id, rootId: args.rootId }, response, result, trigger);
    } catch (error) {
      if (!(error instanceof SimAppError)) throw error;
      result.status = error.status;
      result.error = appErrorJson(error);
    }
    return result;
  }

  /** `HandleCommandResponse`: the main answer and every extra response become posts. */
  private handleCommandResponse(command: SimCommand, args: { userId: string; channelId: string; rootId: string }, response: CommandResponse, result: SlashCommandResult, trigger: string): void {
    let failed = false;
    for (const part of [response, ...(response.extra_responses ?? [])]) {
      try {
        this.commandResponsePost(args, part, result);
      } catch (error) {
        if (!(error instanceof SimAppError)) throw error;
        this.state.warnings.push(`slash command /${command.trigger} response not posted: ${error.id}`);
        failed = true;
      }
    }
    if (failed) {
      throw new SimAppError(500, "api.command.execute_command.create_post_failed.app_error", `Command '${trigger}' failed to post response. Please contact your System Administrator.`);
    }
  }

  /** `HandleCommandResponsePost` + `CreateCommandPost`. */
  private commandResponsePost(args: { userId: string; channelId: string; rootId: string }, response: CommandResponse, result: SlashCommandResult): void {
    let channelId = args.channelId;
    if (response.channel_id) {
      const target = this.state.channels.get(response.channel_id);
      if (!target || !target.members.has(args.userId)) {
        throw new SimAppError(403, "api.command.command_post.forbidden.app_error", "Specified user is not a member of specified channel.");
      }
      channelId = target.id;
    }
    const props: JsonObject = { ...(response.props ?? {}), from_webhook: "true" };
    let text = response.text;
    let attachments = response.attachments;
    if (!response.skip_slack_parsing) {
      text = processSlackText(text);
      attachments = attachments?.map((attachment) => ({ ...attachment, text: processSlackText(attachment.text), pretext: processSlackText(attachment.pretext) })) ?? null;
    }
    const message = response.skip_slack_parsing ? text : parseSlackLinksToMarkdown(text);
    let type = response.type;
    if (type.startsWith("system_")) throw new SimAppError(400, "api.context.invalid_param.app_error", "Invalid post.type parameter.");
    if (attachments !== null) {
      if (type === "") type = "slack_attachment";
      props["attachments"] = attachments.map((attachment) => ({
        ...attachment,
        text: parseSlackLinksToMarkdown(attachment.text),
        pretext: parseSlackLinksToMarkdown(attachment.pretext),
        fields: attachment.fields?.map((field) => ({ ...field, value: typeof field.value === "string" ? parseSlackLinksToMarkdown(field.value) : field.value })) ?? null,
      })) as unknown as JsonValue;
    }
    if (response.response_type === "in_channel") {
      const post = this.state.createPost({ userId: args.userId, channelId, message, rootId: args.rootId, props, type });
      result.posts.push(this.state.wirePost(post));
      return;
    }
    if (response.response_type === "" || response.response_type === "ephemeral") {
      if (response.text !== "" || response.attachments !== null) {
        result.ephemeral.push(this.state.sendEphemeral(args.userId, { channelId, rootId: args.rootId, userId: args.userId, message, props }, "command"));
      }
      return;
    }
    this.state.warnings.push(`slash command answer has response_type "${response.response_type}": the server shows nothing (use "in_channel" or "ephemeral")`);
  }

  /** `POST /hooks/commands/{id}`: the delayed answer through `response_url`. */
  handleCommandHook(hookId: string, contentType: string, body: string): void {
    let response: CommandResponse;
    if (contentType.split(";")[0]?.trim() === "application/json") {
      try {
        response = decodeCommandResponse(JSON.parse(body) as JsonValue);
      } catch (error) {
        throw new SimAppError(400, "web.command_webhook.parse.app_error", "Unable to parse incoming data.", error instanceof Error ? error.message : "");
      }
    } else {
      response = { ...decodeCommandResponse({}), text: body };
    }
    const hook = this.hooks.get(hookId);
    if (!hook || hook.createAt <= this.options.now() - COMMAND_WEBHOOK_LIFETIME_MS) {
      throw new SimAppError(404, "app.command_webhook.get.missing", "Unable to find the webhook.");
    }
    const command = this.state.commands.get(hook.commandId);
    if (!command) throw new SimAppError(400, "web.command_webhook.command.app_error", "Could not find the command.");
    if (hook.useCount >= COMMAND_WEBHOOK_MAX_USES) throw new SimAppError(400, "app.command_webhook.try_use.invalid", "Invalid webhook.");
    hook.useCount++;
    const result: SlashCommandResult = { status: 200, posts: [], ephemeral: [] };
    this.handleCommandResponse(command, { userId: hook.userId, channelId: hook.channelId, rootId: hook.rootId }, response, result, command.trigger);
  }

  // --- dialogs --------------------------------------------------------------------------------

  /** `POST /api/v4/actions/dialogs/open` (no session needed: the trigger id authenticates). */
  openDialog(body: JsonValue): void {
    if (!isJsonObject(body)) throw new SimAppError(400, "api.context.invalid_body_param.app_error", "Invalid or missing dialog in request body.");
    let triggerId: string;
    let url: string;
    let dialog: Dialog;
    try {
      triggerId = goString(body, "trigger_id", "OpenDialogRequest");
      url = goString(body, "url", "OpenDialogRequest");
      dialog = decodeDialog(goObject(body, "dialog", "OpenDialogRequest") ?? {});
    } catch (error) {
      if (!(error instanceof GoDecodeError)) throw error;
      throw new SimAppError(400, "api.context.invalid_body_param.app_error", "Invalid or missing dialog in request body.", error.message);
    }
    if (url === "") throw new SimAppError(400, "api.context.invalid_body_param.app_error", "Invalid or missing url in request body.");
    const problems = dialogProblems(dialog);
    // The trigger is checked first on the server; the dialog itself is only logged when invalid.
    const { record, clientTriggerId } = this.verifyTrigger(triggerId);
    this.state.checkProblems(problems, "dialog");
    this.state.warnings.push(...webAppFieldWarnings(dialog).map((warning) => `dialog: ${warning}`));
    record.used = true;
    const recorded: RecordedDialog = { triggerId, userId: record.userId, channelId: record.channelId, url, dialog, openedAt: this.options.now(), problems, via: "open" };
    this.dialogs.push(recorded);
    this.options.state.publishEvent({
      event: "open_dialog",
      data: { dialog: JSON.stringify({ trigger_id: clientTriggerId, url, dialog }) },
      broadcast: broadcastTo({ user_id: record.userId }),
    });
    this.options.changed();
  }

  /** `SubmitInteractiveDialog`: posts the submission to the dialog URL and reads the answer. */
  async submitDialog(args: { userId: string; url: string; channelId: string; callbackId: string; state: string; submission: Record<string, JsonValue>; cancelled: boolean }): Promise<DialogSubmitResult> {
    const channel = this.state.channels.get(args.channelId);
    const result: DialogSubmitResult = { sent: true, status: 200, closed: false };
    try {
      if (!channel) throw new SimAppError(404, "app.channel.get.existing.app_error", "Unable to find the existing channel.");
      if (!this.state.canRead(channel, args.userId)) throw new SimAppError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.");
      const payload: DialogSubmissionPayload = {
        type: "dialog_submission",
        callback_id: args.callbackId,
        state: args.state,
        user_id: args.userId,
        channel_id: channel.id,
        // Since 11.10 the server derives the team from the channel: empty for DMs.
        team_id: channel.teamId,
        submission: args.submission,
        cancelled: args.cancelled,
      };
      result.payload = payload;
      const request = await this.send({ kind: "dialog_submission", method: "POST", url: args.url, headers: { "Content-Type": "application/json", Accept: "application/json", "User-Agent": "Mattermost-Bot/1.1" }, body: JSON.stringify(payload) });
      if (!request.response || request.response.status !== 200) {
        throw new SimAppError(400, "api.post.do_action.action_integration.app_error", "Action integration error.", request.response ? `status=${request.response.status}` : request.error ?? "");
      }
      const text = request.response.body;
      if (text.length === 0) {
        result.response = {};
        result.closed = true;
        return result;
      }
      let parsed: JsonValue;
      try {
        parsed = JSON.parse(text) as JsonValue;
        if (!isJsonObject(parsed)) throw new GoDecodeError("not an object");
      } catch {
        throw new SimAppError(500, "app.submit_interactive_dialog.decode_json_error", "Encountered an error decoding JSON response from interactive dialog.");
      }
      let response: DialogSubmitResult["response"];
      try {
        response = {};
        const error = goString(parsed, "error", "SubmitDialogResponse");
        if (error) response.error = error;
        const errors = goStringMap(parsed, "errors", "SubmitDialogResponse");
        if (errors && Object.keys(errors).length > 0) response.errors = errors;
        const type = goString(parsed, "type", "SubmitDialogResponse");
        if (type) response.type = type;
        const form = goObject(parsed, "form", "SubmitDialogResponse");
        if (form) response.form = decodeDialog(form);
      } catch {
        throw new SimAppError(500, "app.submit_interactive_dialog.decode_json_error", "Encountered an error decoding JSON response from interactive dialog.");
      }
      result.response = response;
      if (response.error || response.errors) return result;
      if (!["", "ok", "form", "navigate"].includes(response.type ?? "")) {
        throw new SimAppError(400, "app.submit_interactive_dialog.invalid_response", "Invalid response from the interactive dialog.", `invalid type "${response.type ?? ""}"`);
      }
      if (response.type === "form") {
        if (!response.form) throw new SimAppError(400, "app.submit_interactive_dialog.invalid_response", "Invalid response from the interactive dialog.", "form field is required for form type");
        const next: RecordedDialog = { triggerId: "", userId: args.userId, channelId: channel.id, url: args.url, dialog: response.form, openedAt: this.options.now(), problems: dialogProblems(response.form), via: "form" };
        this.dialogs.push(next);
        result.nextDialog = next;
        return result;
      }
      result.closed = true;
      return result;
    } catch (error) {
      if (!(error instanceof SimAppError)) throw error;
      result.status = error.status;
      result.error = appErrorJson(error);
      return result;
    } finally {
      this.options.changed();
    }
  }

  // --- buttons and menus ----------------------------------------------------------------------

  /** `DoPostActionWithCookie` for attachment actions: POSTs the action payload and applies the answer. */
  async doPostAction(args: { userId: string; postId: string; actionId: string; selectedOption: string }): Promise<PostActionResult> {
    const result: PostActionResult = { status: 200 };
    try {
      // The route only matches alphanumeric action ids; anything else is the router's 404.
      if (!/^[A-Za-z0-9]+$/.test(args.actionId)) throw new SimAppError(404, "api.context.404.app_error", "Sorry, we could not find the page.", `action id "${args.actionId}" does not match [A-Za-z0-9]+`);
      if (!isValidId(args.postId)) throw new SimAppError(400, "api.context.invalid_url_param.app_error", "Invalid or missing post_id parameter in request URL.");
      const post = this.state.posts.get(args.postId);
      if (!post || post.deleteAt !== 0) throw new SimAppError(404, "app.post.get.app_error", "Unable to get post.");
      const channel = this.state.channels.get(post.channelId);
      if (!channel || !this.state.canRead(channel, args.userId)) throw new SimAppError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.");
      const action = postActions(post).find((candidate) => candidate.id === args.actionId);
      if (!action || !action.integration) throw new SimAppError(404, "api.post.do_action.action_id.app_error", "Invalid action id.");
      const user = this.state.users.get(args.userId);
      const team = channel.teamId ? this.state.team : undefined;
      const { triggerId, clientTriggerId } = this.issueTrigger(args.userId, channel.id, post.rootId || post.id);
      const context: JsonObject | undefined = action.integration.context ? structuredClone(action.integration.context) : undefined;
      let dataSource = "";
      let finalContext = context;
      if (args.selectedOption) {
        finalContext = { ...(context ?? {}), selected_option: args.selectedOption };
        dataSource = action.data_source ?? "";
      }
      const payload: Record<string, JsonValue> = {
        user_id: args.userId,
        user_name: user?.username ?? "",
        channel_id: channel.id,
        channel_name: channel.name,
        team_id: channel.teamId,
        team_domain: team?.name ?? "",
        post_id: post.id,
        trigger_id: triggerId,
        type: action.type ?? "",
        data_source: dataSource,
      };
      if (finalContext && Object.keys(finalContext).length > 0) payload["context"] = finalContext;
      const request = await this.send({ kind: "post_action", method: "POST", url: action.integration.url ?? "", headers: { "Content-Type": "application/json", Accept: "application/json", "User-Agent": "Mattermost-Bot/1.1" }, body: JSON.stringify(payload) });
      result.request = request;
      const integrationError = (detail: string): SimAppError => new SimAppError(400, "api.post.do_action.action_integration.app_error", "Action integration error.", detail);
      if (!request.response) throw integrationError(request.error ?? "no response");
      if (request.response.status !== 200) throw integrationError(`status=${request.response.status}`);
      let update: JsonObject | null = null;
      let ephemeralText = "";
      let skipSlackParsing = false;
      // PostActionIntegrationResponse (server/public/model/integration_action.go) has update, ephemeral_text and skip_slack_parsing only.
      if (request.response.body.length > 0) {
        try {
          const parsed = JSON.parse(request.response.body) as JsonValue;
          if (!isJsonObject(parsed)) throw new GoDecodeError("not an object");
          update = goObject(parsed, "update", "PostActionIntegrationResponse");
          ephemeralText = goString(parsed, "ephemeral_text", "PostActionIntegrationResponse");
          skipSlackParsing = goBool(parsed, "skip_slack_parsing", "PostActionIntegrationResponse");
        } catch (error) {
          throw integrationError(error instanceof Error ? error.message : "bad JSON");
        }
      }
      result.response = { update, ephemeral_text: ephemeralText, skip_slack_parsing: skipSlackParsing };
      if (update) result.updatedPost = this.applyUpdate(post, update);
      if (ephemeralText) {
        const retained: JsonObject = {};
        for (const key of RETAINED_PROPS) if (post.props[key] !== undefined) retained[key] = post.props[key] ?? null;
        result.ephemeral = this.state.sendEphemeral(
          args.userId,
          { channelId: channel.id, rootId: post.rootId || post.id, userId: args.userId, message: skipSlackParsing ? ephemeralText : parseSlackLinksToMarkdown(ephemeralText), props: retained },
          "action",
        );
      }
      result.triggerId = clientTriggerId;
    } catch (error) {
      if (!(error instanceof SimAppError)) throw error;
      result.status = error.status;
      result.error = appErrorJson(error);
    }
    this.options.changed();
    return result;
  }

  /** `applyPostActionUpdate`: the answer's post replaces message and props; webhook props are kept. */
  private applyUpdate(post: SimPost, update: JsonObject): WirePost {
    let message: string;
    let props: JsonObject | null;
    try {
      message = goString(update, "message", "Post");
      props = goObject(update, "props", "Post");
    } catch (error) {
      throw new SimAppError(400, "api.post.do_action.action_integration.app_error", "Action integration error.", error instanceof Error ? error.message : "");
    }
    let nextProps: JsonObject;
    if (props === null) {
      nextProps = post.props;
    } else {
      nextProps = { ...props };
      for (const key of RETAINED_PROPS) {
        if (post.props[key] !== undefined) nextProps[key] = post.props[key] ?? null;
        else delete nextProps[key];
      }
    }
    const fileIds = goField(update, "file_ids");
    this.state.updatePost(post, { message, props: nextProps, fileIds: Array.isArray(fileIds) ? fileIds.filter((id): id is string => typeof id === "string") : [] });
    return this.state.wirePost(post);
  }

  /** Finds an action of a post by id or, for convenience in tests, by its button label. */
  findAction(post: SimPost, idOrName: string): WireAction | undefined {
    const actions = postActions(post);
    return actions.find((action) => action.id === idOrName) ?? actions.find((action) => action.name === idOrName);
  }

}
