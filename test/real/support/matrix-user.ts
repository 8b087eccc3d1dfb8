/**
 * A person on the real Synapse, driven over the client-server API the way their Matrix client would:
 * create rooms and DMs, invite, join, send messages, and read the rooms' timelines to see what the
 * bot did. Waiting is polling of `/messages` (no timing asserts: a wait only bounds how long to try).
 */
import { randomUUID } from "node:crypto";
import type { RegisteredUser } from "../servers/synapse.js";

/** A room event as `/messages` and `/event` give it. */
export interface RoomEvent {
  event_id: string;
  type: string;
  sender: string;
  room_id?: string;
  state_key?: string;
  redacts?: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
  unsigned?: { redacted_because?: unknown; [key: string]: unknown };
}

/** The relation of an event to another: thread root or reply target. */
export function relationOf(event: RoomEvent): { threadRoot?: string; inReplyTo?: string } {
  const relation = event.content["m.relates_to"] as Record<string, unknown> | undefined;
  if (!relation) return {};
  return {
    ...(relation["rel_type"] === "m.thread" ? { threadRoot: relation["event_id"] as string } : {}),
    ...((relation["m.in_reply_to"] as { event_id?: string } | undefined)?.event_id ? { inReplyTo: (relation["m.in_reply_to"] as { event_id: string }).event_id } : {}),
  };
}

/** The text of a message event ("" for others). */
export function bodyOf(event: RoomEvent): string {
  return typeof event.content["body"] === "string" ? event.content["body"] : "";
}

/** A Matrix error answer, with the homeserver's errcode. */
export class MatrixRequestError extends Error {
  override readonly name = "MatrixRequestError";
  constructor(
    readonly status: number,
    readonly errcode: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** One account on the homeserver, acting through its own access token. */
export class MatrixUser {
  readonly userId: string;

  constructor(
    private readonly homeserverUrl: string,
    readonly account: RegisteredUser,
  ) {
    this.userId = account.userId;
  }

  /** Any client-server call; throws MatrixRequestError on a status of 400 or more. */
  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.homeserverUrl}/_matrix/client/v3/${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.account.accessToken}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.status >= 400) {
      throw new MatrixRequestError(response.status, json["errcode"] as string | undefined, `${method} ${path}: ${response.status} ${String(json["errcode"] ?? "")} ${String(json["error"] ?? "")}`);
    }
    return json as T;
  }

  /** POST /createRoom with the given body; answers the room id. */
  async createRoom(body: Record<string, unknown>): Promise<string> {
    const { room_id } = await this.request<{ room_id: string }>("POST", "createRoom", body);
    return room_id;
  }

  /** A DM as Element opens one, but unencrypted: trusted_private_chat, is_direct, and the room in the creator's `m.direct`. */
  async createDirectRoom(other: string): Promise<string> {
    const roomId = await this.createRoom({ preset: "trusted_private_chat", is_direct: true, invite: [other] });
    const direct = await this.request<Record<string, string[]>>("GET", `user/${enc(this.userId)}/account_data/m.direct`).catch(() => ({}) as Record<string, string[]>);
    await this.request("PUT", `user/${enc(this.userId)}/account_data/m.direct`, { ...direct, [other]: [...(direct[other] ?? []), roomId] });
    return roomId;
  }

  async invite(roomId: string, userId: string): Promise<void> {
    await this.request("POST", `rooms/${enc(roomId)}/invite`, { user_id: userId });
  }

  async join(roomIdOrAlias: string): Promise<string> {
    const { room_id } = await this.request<{ room_id: string }>("POST", `join/${enc(roomIdOrAlias)}`, {});
    return room_id;
  }

  /** Sends a plain text message; answers its event id. */
  async say(roomId: string, text: string, extra: Record<string, unknown> = {}): Promise<string> {
    const { event_id } = await this.request<{ event_id: string }>("PUT", `rooms/${enc(roomId)}/send/m.room.message/${randomUUID()}`, { msgtype: "m.text", body: text, ...extra });
    return event_id;
  }

  /** Sends a message in the thread of `root`. */
  sayInThread(roomId: string, root: string, text: string): Promise<string> {
    return this.say(roomId, text, { "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } } });
  }

  /** The room's latest events (up to `limit`), oldest first. */
  async timeline(roomId: string, limit = 200): Promise<RoomEvent[]> {
    const { chunk } = await this.request<{ chunk: RoomEvent[] }>("GET", `rooms/${enc(roomId)}/messages?dir=b&limit=${limit}`);
    return chunk.map((event) => ({ ...event, room_id: roomId })).reverse();
  }

  /** One event, as this user may see it (redacted events keep their id, lose their content). */
  event(roomId: string, eventId: string): Promise<RoomEvent> {
    return this.request<RoomEvent>("GET", `rooms/${enc(roomId)}/event/${enc(eventId)}`);
  }

  /** State content, or undefined when the room has no such state. */
  async state(roomId: string, type: string, stateKey = ""): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.request("GET", `rooms/${enc(roomId)}/state/${enc(type)}/${enc(stateKey)}`);
    } catch (error) {
      if (error instanceof MatrixRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Someone's membership in a room, as this user sees it. */
  async membership(roomId: string, userId: string): Promise<string | undefined> {
    return (await this.state(roomId, "m.room.member", userId))?.["membership"] as string | undefined;
  }

  /**
   * The first event in the room after `after` (or anywhere) that matches; polls until `timeoutMs`
   * and then fails with what the room holds, so a failure explains itself.
   */
  async waitForEvent(roomId: string, matches: (event: RoomEvent) => boolean, options: { after?: string; timeoutMs?: number; what?: string } = {}): Promise<RoomEvent> {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    let events: RoomEvent[] = [];
    for (;;) {
      events = await this.timeline(roomId);
      const start = options.after ? events.findIndex((event) => event.event_id === options.after) + 1 : 0;
      const found = events.slice(start).find(matches);
      if (found) return found;
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const shown = events.slice(-12).map((event) => `  ${event.sender} ${event.type}${event.content["msgtype"] ? `/${String(event.content["msgtype"])}` : ""}: ${bodyOf(event).slice(0, 160).replace(/\n/g, " ⏎ ")}`);
    throw new Error(`timed out waiting for ${options.what ?? "an event"} in ${roomId}; the room's last events:\n${shown.join("\n")}`);
  }

  /** Rooms this user is invited to, from an initial /sync. */
  async invitedRooms(): Promise<string[]> {
    const filter = JSON.stringify({ room: { timeline: { limit: 1 } } });
    const sync = await this.request<{ rooms?: { invite?: Record<string, unknown> } }>("GET", `sync?timeout=0&filter=${enc(filter)}`);
    return Object.keys(sync.rooms?.invite ?? {});
  }

  /** Waits for an invite to a room this user is not in yet, and joins it. */
  async acceptNextInvite(timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [roomId] = await this.invitedRooms();
      if (roomId) return this.join(roomId);
      if (Date.now() > deadline) throw new Error(`${this.userId} received no invite within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function enc(part: string): string {
  return encodeURIComponent(part);
}
