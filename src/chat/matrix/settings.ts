/**
 * The Matrix adapter's settings and the parsers for the two list-valued environment variables
 * (MATRIX_ROOMS, MATRIX_ALLOWED_INVITERS). Pure: config.ts calls them inside its zod schema, so a
 * malformed value stops the bot at start-up with a line naming the variable.
 */
import type { Parsed } from "../../core/parse-result.js";

/** Everything the Matrix adapter reads from the configuration. */
export interface MatrixSettings {
  homeserverUrl: string;
  accessToken: string;
  /** What starts a command in a message, e.g. `!support`. */
  commandPrefix: string;
  /** Channel key (`management`, `sales`, ...) to room id (`!abc:example.org`) or alias (`#support:example.org`). */
  rooms: Record<string, string>;
  /** Extra users (`@alice:example.org`) and servers (`example.org`) whose invites the bot accepts; linked staff always may. */
  allowedInviters: string[];
  /** How long a guided conversation (`!support call` without arguments) waits for the next answer. */
  conversationTimeoutMs: number;
}

const CHANNEL_KEY = /^[a-z][a-z0-9_-]*$/;
const ROOM_ID = /^![^:\s]+:\S+$/;
const ROOM_ALIAS = /^#[^:\s]+:\S+$/;
const USER_ID = /^@[^:\s]+:\S+$/;
/** A server name: host name or IP literal with an optional port (spec: appendices, server names). */
const SERVER_NAME = /^(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;

/** `management=!abc:example.org,support=#support:example.org` as a map from channel key to room. */
export function parseRoomMap(text: string): Parsed<Record<string, string>> {
  const rooms: Record<string, string> = {};
  for (const entry of splitList(text, /[,\n]+/)) {
    const separator = entry.indexOf("=");
    if (separator < 0) return { ok: false, error: `"${entry}" must look like key=!roomid:server or key=#alias:server` };
    const key = entry.slice(0, separator).trim().toLowerCase();
    const room = entry.slice(separator + 1).trim();
    if (!CHANNEL_KEY.test(key)) return { ok: false, error: `"${key}" is no channel key; use lower-case letters, digits, '-' or '_', such as management` };
    if (!ROOM_ID.test(room) && !ROOM_ALIAS.test(room)) {
      return { ok: false, error: `${key}: "${room}" is neither a room id (!abc:example.org) nor an alias (#support:example.org)` };
    }
    if (Object.hasOwn(rooms, key)) return { ok: false, error: `${key} is given twice` };
    rooms[key] = room;
  }
  return { ok: true, value: rooms };
}

/** `@alice:example.org,example.org` as a list of user ids and server names. */
export function parseInviterList(text: string): Parsed<string[]> {
  const entries = splitList(text, /[,\s]+/);
  for (const entry of entries) {
    if (!USER_ID.test(entry) && !SERVER_NAME.test(entry)) {
      return { ok: false, error: `"${entry}" is neither a user id (@alice:example.org) nor a server name (example.org)` };
    }
  }
  return { ok: true, value: entries };
}

/** Whether an entry of the inviter list names this user, directly or by their server. */
export function inviterAllowed(userId: string, allowed: readonly string[]): boolean {
  const server = userId.slice(userId.indexOf(":") + 1).toLowerCase();
  return allowed.some((entry) => (entry.startsWith("@") ? entry.toLowerCase() === userId.toLowerCase() : entry.toLowerCase() === server));
}

function splitList(text: string, separators: RegExp): string[] {
  return text
    .split(separators)
    .map((entry) => entry.trim())
    .filter(Boolean);
}
