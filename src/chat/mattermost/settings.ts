/**
 * The Mattermost adapter's settings and the parsers for its list-valued environment variables
 * (MATTERMOST_CHANNELS, MATTERMOST_COMMAND_TOKEN). Pure: config.ts calls them inside its zod
 * schema, so a malformed value stops the bot at start-up with a line naming the variable.
 */
import { createHmac } from "node:crypto";
import type { Parsed } from "../../core/parse-result.js";

/** Everything the Mattermost adapter reads from the configuration. */
export interface MattermostSettings {
  /** Site URL, e.g. `https://chat.example.com`. */
  url: string;
  /** The bot account's access token. */
  botToken: string;
  /** Tokens of the `/support` slash command that are accepted (more than one while rotating). */
  commandTokens: string[];
  /** Team name (URL part); unset: the bot's only team. */
  team?: string;
  /** Channel key (`management`, `sales`, ...) to channel name in the team (`support-mgmt`). */
  channels: Record<string, string>;
  /** The bot's base URL as Mattermost reaches it; needed for buttons, dialogs and registration. */
  publicUrl?: string;
  /** Create or update the `/support` command in the team at start-up. */
  registerCommand: boolean;
  /** Key of the HMAC that signs button contexts and dialog states. */
  actionSecret: string;
}

const CHANNEL_KEY = /^[a-z][a-z0-9_-]*$/;
/**
 * Mattermost channel names (the URL part), as `IsValidChannelIdentifier` (server/public/model/utils.go)
 * takes them: lower-case letters, digits, '-' and '_', starting with a letter or digit; at most 64.
 */
const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** `management=support-mgmt,sales=~sales` as a map from channel key to channel name. */
export function parseChannelMap(text: string): Parsed<Record<string, string>> {
  const channels: Record<string, string> = {};
  for (const entry of splitList(text, /[,\n]+/)) {
    const separator = entry.indexOf("=");
    if (separator < 0) return { ok: false, error: `"${entry}" must look like key=channel-name, such as management=support-mgmt` };
    const key = entry.slice(0, separator).trim().toLowerCase();
    const name = entry.slice(separator + 1).trim().replace(/^~/, "").toLowerCase();
    if (!CHANNEL_KEY.test(key)) return { ok: false, error: `"${key}" is no channel key; use lower-case letters, digits, '-' or '_', such as management` };
    if (!CHANNEL_NAME.test(name)) {
      return { ok: false, error: `${key}: "${name}" is no channel name; give the name from the channel's URL (…/taler/channels/support-mgmt), not its display name` };
    }
    if (Object.hasOwn(channels, key)) return { ok: false, error: `${key} is given twice` };
    channels[key] = name;
  }
  return { ok: true, value: channels };
}

/** One token or several, comma-separated (the old and the new one while rotating). */
export function parseTokenList(text: string): Parsed<string[]> {
  const tokens = splitList(text, /[,\s]+/);
  if (tokens.length === 0) return { ok: false, error: "must hold at least one token" };
  return { ok: true, value: [...new Set(tokens)] };
}

/**
 * The signing key when MATTERMOST_ACTION_SECRET is unset: derived from the bot token, so it is as
 * secret as the token and changes with it (buttons posted before a token change stop working).
 */
export function deriveActionSecret(botToken: string): string {
  return createHmac("sha256", botToken).update("support-bot mattermost action signing v1").digest("hex");
}

function splitList(text: string, separators: RegExp): string[] {
  return text
    .split(separators)
    .map((entry) => entry.trim())
    .filter(Boolean);
}
