/**
 * Identifiers shaped like Synapse's: room ids `!<18 letters>:server`, room-version-4+ event ids
 * (`$` + 43 url-safe base64 characters), access tokens `syt_<base64 localpart>_<random>_<check>`,
 * and opaque stream tokens for `/sync` and `/messages`.
 */
import { randomBytes, randomInt } from "node:crypto";

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Random string of ASCII letters, as Synapse uses for room ids and device ids. */
export function randomLetters(length: number, alphabet = LETTERS): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A new room id on `serverName`. */
export function newRoomId(serverName: string): string {
  return `!${randomLetters(18)}:${serverName}`;
}

/** A new event id in the format of room versions 4 and later (the reference hash, url-safe base64). */
export function newEventId(): string {
  return `$${randomBytes(32).toString("base64url")}`;
}

/** A new device id, ten upper-case letters like Synapse's. */
export function newDeviceId(): string {
  return randomLetters(10, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
}

/** A new access token in Synapse's `syt_` format. */
export function newAccessToken(localpart: string): string {
  return `syt_${Buffer.from(localpart).toString("base64url")}_${randomLetters(20)}_${randomLetters(6)}`;
}

/**
 * Stream tokens carry the position and an instance tag, so a token from another simulator instance
 * (for example one a test forgot to reset) is refused instead of silently skipping events.
 */
export function encodeStreamToken(position: number, instance: string): string {
  return `s${position}_${instance}`;
}

/** The position in a stream token of this instance, or undefined when the token is malformed or foreign. */
export function decodeStreamToken(token: string, instance: string): number | undefined {
  const match = /^[st](\d+)_([A-Za-z]+)$/.exec(token);
  if (!match || match[2] !== instance) return undefined;
  return Number(match[1]);
}
