/**
 * A bug's thread writes to the tracker: in the thread the bot keeps for a bug, a reply that starts
 * with the note word (`note `, NOTE_WORD) becomes the `note` command for that bug, run as the person
 * who wrote it; `note private ...` makes the note private. Anything else in the thread stays chat.
 *
 * Decisions:
 * - The word must be written as configured (lower case by default): "Note that the build failed" is
 *   chat, not a public note. The reaction (or the short answer) tells the writer it was taken.
 * - The text goes to the command quoted, so it arrives as written (line breaks, `key=value`, `#12`).
 */

/** What a reply in a bug's thread starts with to become a note, unless configured otherwise. */
export const DEFAULT_NOTE_WORD = "note";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The `note` command line a thread reply stands for, or undefined when the reply is chat. */
export function threadNoteLine(text: string, bugId: number, word: string = DEFAULT_NOTE_WORD): string | undefined {
  const match = new RegExp(`^${escapeRegExp(word)}(?:\\s+|$)`).exec(text);
  if (!match) return undefined;
  let body = text.slice(match[0].length);
  const privately = /^private(?:\s+|$)/.exec(body);
  if (privately) body = body.slice(privately[0].length);
  body = body.trim();
  // An empty text runs the command without one, which answers with its usage.
  const quoted = body === "" ? "" : ` "${body.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
  return `note ${bugId}${quoted}${privately ? " private" : ""}`;
}
