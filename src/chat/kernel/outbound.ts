/**
 * Messages made to fit a platform: buttons written as commands to type where it has none, and long
 * texts split below its message size, at line breaks where possible. Pure.
 */
import type { Message, MessageButton, MessageLimit } from "../../framework/reply.js";

/** Measures a text the way a platform counts it. */
export function measureText(text: string, measure: MessageLimit["measure"]): number {
  return measure === "utf8-bytes" ? Buffer.byteLength(text, "utf8") : codePoints(text);
}

/**
 * Whether a text fits `room` without measuring it: it has no more code points than UTF-16 units
 * and no more than 3 UTF-8 bytes per unit. Most messages are far below a platform's limit, and
 * measuring walks every character.
 */
function surelyFits(text: string, room: number, measure: MessageLimit["measure"]): boolean {
  return (measure === "utf8-bytes" ? text.length * 3 : text.length) <= room;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _char of text) count += 1;
  return count;
}

/** What a transport without buttons shows by default: `Next: `/support grab 12` · `/support show 12``. */
export function typedButtonsLine(buttons: readonly MessageButton[], trigger: string): string {
  return `Next: ${buttons.map((button) => `\`${trigger} ${button.command.replace(/`/g, "")}\``).join(" · ")}`;
}

/** Cuts a line into pieces of at most `room` units, between characters. */
function cutLine(line: string, room: number, measure: MessageLimit["measure"]): string[] {
  if (surelyFits(line, room, measure) || measureText(line, measure) <= room) return [line];
  const pieces: string[] = [];
  let piece = "";
  let size = 0;
  for (const char of line) {
    const charSize = measureText(char, measure);
    if (size + charSize > room && piece !== "") {
      pieces.push(piece);
      piece = "";
      size = 0;
    }
    piece += char;
    size += charSize;
  }
  pieces.push(piece);
  return pieces;
}

const FENCE = "```";

/**
 * Cuts a text into parts within the limit, at line breaks where it can; a code fence open at a cut
 * is closed and reopened, so the next part still renders as code.
 */
export function splitText(text: string, limit: MessageLimit): string[] {
  const { measure } = limit;
  if (surelyFits(text, limit.length, measure) || measureText(text, measure) <= limit.length) return [text];
  // Room for the fence closed at the end of a part and reopened at the start of the next.
  const room = limit.length - 8;
  const lines = text.split("\n").flatMap((line) => cutLine(line, room, measure));
  const parts: string[] = [];
  let current: string[] = [];
  let length = 0;
  let inFence = false;
  for (const line of lines) {
    const size = measureText(line, measure);
    if (current.length > 0 && length + size + 1 > room) {
      parts.push([...current, ...(inFence ? [FENCE] : [])].join("\n"));
      current = inFence ? [FENCE] : [];
      length = inFence ? FENCE.length + 1 : 0;
    }
    current.push(line);
    length += size + 1;
    if (/^\s*```/.test(line)) inFence = !inFence;
  }
  parts.push(current.join("\n"));
  return parts;
}

/** How to fit messages to one platform. */
export interface FitOptions {
  limit: MessageLimit;
  /** Whether the platform shows buttons; if not, `typedButtons` writes them into the text. */
  buttons: boolean;
  typedButtons(buttons: readonly MessageButton[]): string;
  /** Whether the platform takes pictures; if not (the default), a message's picture is left out and its text goes alone. */
  images?: boolean;
}

/**
 * The parts one message becomes on a platform: buttons it cannot show become typed commands at
 * the end of the text, the text is split within the limit, and buttons it can show and its picture
 * go on the last part (a picture only where the platform takes one). Every part keeps the
 * message's other fields (visibility, bug).
 */
export function fitMessage<M extends Message>(message: M, options: FitOptions): M[] {
  const { buttons, image, ...rest } = message;
  const hasButtons = buttons !== undefined && buttons.length > 0;
  const text = hasButtons && !options.buttons ? `${message.text}\n\n${options.typedButtons(buttons)}` : message.text;
  const parts = splitText(text, options.limit);
  return parts.map((part, index) => {
    const fitted = { ...rest, text: part } as M;
    const last = index === parts.length - 1;
    if (hasButtons && options.buttons && last) fitted.buttons = buttons;
    if (image !== undefined && options.images === true && last) fitted.image = image;
    return fitted;
  });
}
