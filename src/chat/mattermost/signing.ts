/**
 * Signatures that make button clicks and dialog submissions trustworthy. Mattermost sends neither
 * with a token, so anyone who can reach the bot's HTTP port could POST one; what tells a real one
 * from a forgery is the HMAC the bot put into the button's context (which Mattermost never shows
 * to clients) or into the dialog's state, with the time it was issued and the channel (and, for
 * dialogs, the user) it belongs to.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/** What a button carries in `integration.context`. */
export interface ActionContext {
  /** The command line the click runs, without the trigger, e.g. `grab 1234`. */
  command: string;
  /** The channel of the post the button is on. */
  channel_id: string;
  /** When the bot signed it (ms since the epoch). */
  issued_at: number;
  /** hex HMAC-SHA256 of the fields above. */
  signature: string;
}

/** What a dialog carries in `state`, signed; the user and channel it was opened for. */
export interface DialogState {
  /** Which form: `call` or `draft`. */
  form: string;
  userId: string;
  channelId: string;
  /** The thread the command was typed in ("" none); undefined when the server did not say (before 11). */
  rootId?: string;
  /** The slash command's response_url, where the result goes. */
  responseUrl?: string;
  issuedAt: number;
}

/** A check's outcome; an expired but authentic button still says which command it was for. */
export type Verified<T> = { ok: true; value: T } | { ok: false; reason: "malformed" | "forged" | "wrong-place" } | { ok: false; reason: "expired"; value: T };

const actionContextSchema = z.object({
  command: z.string().min(1).max(4_000),
  channel_id: z.string().regex(/^[A-Za-z0-9]{1,64}$/),
  issued_at: z.number().int().nonnegative(),
  signature: z.string().regex(/^[0-9a-f]{64}$/),
});

const dialogStateSchema = z.object({
  form: z.string().min(1).max(32),
  userId: z.string().regex(/^[A-Za-z0-9]{1,64}$/),
  channelId: z.string().regex(/^[A-Za-z0-9]{1,64}$/),
  rootId: z.string().regex(/^[A-Za-z0-9]{0,64}$/).optional(),
  responseUrl: z.string().max(2_000).optional(),
  issuedAt: z.number().int().nonnegative(),
});

/** Buttons stay usable this long (notifications are read days later); then they say to type the command. */
export const ACTION_MAX_AGE_MS = 30 * 24 * 3_600_000;
/** A dialog is filled in within this time or not at all. */
export const DIALOG_MAX_AGE_MS = 24 * 3_600_000;

/** Signs and checks button contexts and dialog states with one secret. */
export class Signer {
  constructor(
    private readonly secret: string,
    private readonly now: () => number,
  ) {}

  /** The context for a button that runs `command` in `channelId`. */
  signAction(command: string, channelId: string): ActionContext {
    const issuedAt = this.now();
    return { command, channel_id: channelId, issued_at: issuedAt, signature: this.mac(["action", channelId, String(issuedAt), command]) };
  }

  /** Checks a click's context against the channel the click came from. */
  verifyAction(context: unknown, channelId: string): Verified<ActionContext> {
    const parsed = actionContextSchema.safeParse(context);
    if (!parsed.success) return { ok: false, reason: "malformed" };
    const value = parsed.data;
    const expected = this.mac(["action", value.channel_id, String(value.issued_at), value.command]);
    if (!sameHex(expected, value.signature)) return { ok: false, reason: "forged" };
    if (value.channel_id !== channelId) return { ok: false, reason: "wrong-place" };
    if (this.now() - value.issued_at > ACTION_MAX_AGE_MS) return { ok: false, reason: "expired", value };
    return { ok: true, value };
  }

  /** The `state` string of a dialog: the fields as base64url JSON, a dot, the signature. */
  signDialogState(state: Omit<DialogState, "issuedAt">): string {
    const payload = Buffer.from(JSON.stringify({ ...state, issuedAt: this.now() }), "utf8").toString("base64url");
    return `${payload}.${this.mac(["dialog", payload])}`;
  }

  /** Checks a submission's state against the user and channel Mattermost says it came from. */
  verifyDialogState(state: string, from: { userId: string; channelId: string }): Verified<DialogState> {
    const [payload = "", signature = "", ...extra] = state.split(".");
    if (payload === "" || extra.length > 0 || !/^[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: "malformed" };
    if (!sameHex(this.mac(["dialog", payload]), signature)) return { ok: false, reason: "forged" };
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      return { ok: false, reason: "malformed" };
    }
    const parsed = dialogStateSchema.safeParse(decoded);
    if (!parsed.success) return { ok: false, reason: "malformed" };
    if (parsed.data.userId !== from.userId || parsed.data.channelId !== from.channelId) return { ok: false, reason: "wrong-place" };
    if (this.now() - parsed.data.issuedAt > DIALOG_MAX_AGE_MS) return { ok: false, reason: "expired", value: parsed.data };
    return { ok: true, value: parsed.data };
  }

  /** HMAC over the parts joined by newlines; only the last part may hold one (ids and times cannot). */
  private mac(parts: string[]): string {
    return createHmac("sha256", this.secret).update(parts.join("\n")).digest("hex");
  }
}

/** Timing-safe comparison of two strings (tokens, hex signatures). */
export function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  // Compare against itself when the lengths differ, so the time taken does not tell the length.
  return timingSafeEqual(a, a.length === b.length ? b : a) && a.length === b.length;
}

function sameHex(expected: string, given: string): boolean {
  return sameSecret(expected, given);
}
