/**
 * Platform-neutral messages as Mattermost wants them: Markdown text (Mattermost renders the same
 * CommonMark subset), buttons as message-attachment actions whose context is signed, long texts
 * split below the post size limit, and slash-command answers as snake_case CommandResponses
 * (server/public/model/command_response.go; the OpenAPI schema's PascalCase is not the wire).
 */
import { TRIGGERS } from "../../framework/help.js";
import type { Message, MessageButton, MessageLimit, Reply } from "../../framework/reply.js";
import { fitMessage, typedButtonsLine } from "../kernel/outbound.js";
import type { ActionContext, Signer } from "./signing.js";

/** Mattermost cuts posts at 16 383 characters (PostMessageMaxRunesV2); stay clearly below. */
export const MATTERMOST_MESSAGE_LIMIT: MessageLimit = Object.freeze({ length: 16_000, measure: "code-points" });

/** Where buttons of one post lead: the bot's action URL (none: buttons become typed hints). */
export interface ButtonTarget {
  /** `<MATTERMOST_PUBLIC_URL>/mattermost/action`, or undefined when the bot has no public URL. */
  actionUrl: string | undefined;
  signer: Signer;
  /** The channel the post goes to; the signature binds each button to it. */
  channelId: string;
}

/** One attachment action (model.PostAction) as the bot sends it. */
export interface AttachmentAction {
  id: string;
  type: "button";
  name: string;
  style: string;
  integration: { url: string; context: ActionContext };
}

/** A message attachment (model.SlackAttachment) holding the buttons. */
export interface Attachment {
  fallback: string;
  actions: AttachmentAction[];
}

/** One post to create: the text, and the attachments for the last post of a message. */
export interface PostBody {
  message: string;
  props?: { attachments: Attachment[] };
}

/** The JSON a slash command (or its response_url) answers with. */
export interface CommandResponseBody {
  response_type: "ephemeral" | "in_channel";
  text: string;
  attachments?: Attachment[];
  /** Our Markdown is already Markdown: Slack's `<url|text>` conversion would mangle usage lines like `<user|merchant>`. */
  skip_slack_parsing: true;
  extra_responses?: Array<Omit<CommandResponseBody, "extra_responses">>;
}

/** `/support grab 1234`, as a person would type it. */
export function typedCommand(line: string): string {
  return `${TRIGGERS.mattermost} ${line}`;
}

/** The buttons as a line of commands to type, for places buttons cannot go. */
export function buttonHint(buttons: readonly MessageButton[]): string {
  return typedButtonsLine(buttons, TRIGGERS.mattermost);
}

/** The attachment with one action per button, or undefined when there is nothing to attach. */
export function renderButtons(buttons: readonly MessageButton[] | undefined, target: ButtonTarget): Attachment | undefined {
  if (!buttons || buttons.length === 0 || target.actionUrl === undefined) return undefined;
  const actionUrl = target.actionUrl;
  return {
    fallback: `Buttons: ${buttons.map((button) => button.label).join(", ")}`,
    actions: buttons.map((button, index) => ({
      // Action ids must match [A-Za-z0-9]+ (the route of POST /posts/{id}/actions/{action_id}).
      id: `b${index}`,
      type: "button" as const,
      name: button.label,
      style: button.style ?? "default",
      integration: { url: actionUrl, context: target.signer.signAction(button.command, target.channelId) },
    })),
  };
}

/** The parts of a message as Mattermost takes them: split below the post size, buttons typed where they cannot be attached. */
export function fitForMattermost<M extends Message>(message: M, target: Pick<ButtonTarget, "actionUrl">): M[] {
  return fitMessage(message, { limit: MATTERMOST_MESSAGE_LIMIT, buttons: target.actionUrl !== undefined, typedButtons: buttonHint, images: true });
}

/** One part (already within the post size) as a post: its text, and its buttons as an attachment. */
export function renderPost(part: Message, target: ButtonTarget): PostBody {
  const attachment = renderButtons(part.buttons, target);
  return attachment ? { message: part.text, props: { attachments: [attachment] } } : { message: part.text };
}

/** The posts for one message: the text split where needed, the buttons on the last post. */
export function renderPosts(message: Message, target: ButtonTarget): PostBody[] {
  return fitForMattermost(message, target).map((part) => renderPost(part, target));
}

/** A reply as a slash-command answer: `in_channel` for channel replies, `ephemeral` otherwise. */
export function renderCommandResponse(reply: Reply, target: ButtonTarget): CommandResponseBody {
  const responseType = reply.visibility === "channel" ? "in_channel" : "ephemeral";
  const posts = renderPosts(reply, target);
  const [first, ...more] = posts.map(
    (post): Omit<CommandResponseBody, "extra_responses"> => ({
      response_type: responseType,
      text: post.message,
      ...(post.props ? { attachments: post.props.attachments } : {}),
      skip_slack_parsing: true,
    }),
  );
  return more.length > 0 ? { ...first!, extra_responses: more } : first!;
}

/** A reply as the text of an `ephemeral_text` (no attachments possible there: buttons become hints). */
export function renderPlainReply(message: Message): string {
  return fitForMattermost(message, { actionUrl: undefined })[0]?.text ?? "";
}
