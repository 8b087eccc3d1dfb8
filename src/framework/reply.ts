/**
 * Platform-neutral messages. Commands and jobs produce these; each chat adapter renders them
 * (Markdown in Mattermost, HTML + plain body in Matrix, plain text in the terminal).
 */

/** A button that runs a command string as the user who clicks it. */
export interface MessageButton {
  label: string;
  /** The command line without the trigger, e.g. `grab 1234`. */
  command: string;
  style?: "primary" | "danger" | "default";
}

/** A picture sent with a message (the report's chart): a PNG, its size, a file name and what it shows in words. */
export interface MessageImage {
  png: Uint8Array;
  width: number;
  height: number;
  /** The file name the platform shows, e.g. `support-report-2034-03-06.png`. */
  name: string;
  /** What the picture shows, for screen readers and clients that do not show it. */
  alt: string;
}

/** Something the bot says: Markdown text, optional buttons and picture, and the bug it is about. */
export interface Message {
  /** Markdown (CommonMark subset: **bold**, `code`, [links](url), lists). */
  text: string;
  buttons?: MessageButton[];
  /** A picture uploaded with the text where the platform can (see the transports' `images`); elsewhere only the text goes. */
  image?: MessageImage;
  /** The bug this message is about; adapters use it to keep one thread per bug per channel. */
  bugId?: number;
}

/** What a command answers to the person who ran it. */
export interface Reply extends Message {
  /** `ephemeral`: only the caller sees it; `channel`: everyone in the channel where it was run. */
  visibility: "ephemeral" | "channel";
}

export { DEFAULT_MESSAGE_LIMIT, type MessageLimit } from "../core/message-limit.js";

/** A reply only the caller sees (where the platform can show one; else in their thread or DM). */
export function ephemeral(text: string, extra: Omit<Message, "text"> = {}): Reply {
  return { text, visibility: "ephemeral", ...extra };
}

/** A reply for everyone in the place where the command was given. */
export function inChannel(text: string, extra: Omit<Message, "text"> = {}): Reply {
  return { text, visibility: "channel", ...extra };
}
