/**
 * Mattermost-style identifiers: 26 characters of base32 in the server's own alphabet
 * (`model.NewId` in server/public/model/utils.go), used for users, channels, posts, tokens and hooks.
 */
import { randomBytes } from "node:crypto";

const ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769";

/** A fresh random id, shaped like the ones the server hands out. */
export function newId(): string {
  const bytes = randomBytes(17);
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    // Keep only the bits not yet emitted so the accumulator never overflows.
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += ALPHABET.charAt((buffer >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  return out;
}

/** The server's `model.IsValidId`: exactly 26 letters or digits. */
export function isValidId(value: string): boolean {
  return /^[A-Za-z0-9]{26}$/.test(value);
}
