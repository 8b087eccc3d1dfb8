/**
 * The chat kernel's settings, the same on every platform: what a reply in a bug's thread starts
 * with to become a note on the bug (src/chat/kernel/thread-notes.ts).
 */
import { z } from "zod";
import { DEFAULT_NOTE_WORD } from "./thread-notes.js";

/** The kernel's environment variables, composed into the one schema by src/config.ts. */
export const chatEnvSchema = z.object({
  NOTE_WORD: z.string().regex(/^\S+$/, "must be one word without spaces, such as note").default(DEFAULT_NOTE_WORD),
});

/** The kernel's settings. */
export interface ChatSettings {
  /** A staff member's reply in a bug's thread that starts with this word becomes a note on the bug. */
  noteWord: string;
}

/** The kernel's settings from the parsed variables. */
export function chatSettingsFromEnv(env: z.infer<typeof chatEnvSchema>): ChatSettings {
  return { noteWord: env.NOTE_WORD };
}
