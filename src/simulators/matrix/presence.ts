/**
 * Presence as Synapse 1.67 keeps it (`synapse/handlers/presence.py`): a `/sync` sets its caller online,
 * activity bumps `last_active_ts`, and other clients hear of a change only when `should_notify` says
 * it matters. Timers are left out: nobody goes idle or offline by themselves here.
 */
import type { JsonObject } from "./types.js";

/** The presence states a client can set. */
export type PresenceState = "online" | "offline" | "unavailable";

/** A user's presence. */
export interface PresenceRecord {
  presence: PresenceState;
  /** 0 when the user was never active. */
  lastActiveTs: number;
  currentlyActive: boolean;
  statusMsg?: string;
  /** Stream position of the last change that clients were told about. */
  pos: number;
}

/** Synapse's LAST_ACTIVE_GRANULARITY: activity bumps closer together than this are not announced. */
export const LAST_ACTIVE_GRANULARITY_MS = 60_000;

/** The presence of a user who never logged in. */
export const OFFLINE: PresenceRecord = { presence: "offline", lastActiveTs: 0, currentlyActive: false, pos: 0 };

/** Synapse's `should_notify`: whether a change is worth telling the people who share a room. */
export function shouldNotify(old: PresenceRecord, next: PresenceRecord): boolean {
  if (old.statusMsg !== next.statusMsg || old.presence !== next.presence) return true;
  const bumped = next.lastActiveTs - old.lastActiveTs > LAST_ACTIVE_GRANULARITY_MS;
  if (old.presence === "online") return next.currentlyActive !== old.currentlyActive || (bumped && !next.currentlyActive);
  return bumped;
}

/** The content of an `m.presence` event (Synapse's `format_user_presence_state`). */
export function presenceContent(record: PresenceRecord, now: number): JsonObject {
  const content: JsonObject = { presence: record.presence };
  if (record.lastActiveTs > 0) content["last_active_ago"] = now - record.lastActiveTs;
  if (record.statusMsg) content["status_msg"] = record.statusMsg;
  if (record.presence === "online") content["currently_active"] = record.currentlyActive;
  return content;
}
