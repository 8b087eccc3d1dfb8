/**
 * Finds the command in a message: the text after a trigger such as `!support` or `/support`. Pure.
 */

/**
 * The text after the first matching trigger (any case), trimmed; "" for the trigger alone; undefined
 * when the message starts with none. A trigger must end at a space or the end (`!supportive` is none).
 */
export function textAfterTrigger(text: string, triggers: readonly string[]): string | undefined {
  const body = text.trim();
  for (const trigger of triggers) {
    if (body.length < trigger.length || body.slice(0, trigger.length).toLowerCase() !== trigger.toLowerCase()) continue;
    const rest = body.slice(trigger.length);
    if (rest !== "" && !/^\s/.test(rest)) continue;
    return rest.trim();
  }
  return undefined;
}

/** The first word of a line when it looks like a command (the rest may be customers' data). */
export function commandWord(line: string): string | undefined {
  const word = line.trim().split(/\s+/)[0] ?? "";
  return /^[a-z][a-z0-9-]{0,30}$/i.test(word) ? word.toLowerCase() : undefined;
}
