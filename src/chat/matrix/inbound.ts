/**
 * What arrives from the homeserver: room messages (checked, then handed to the kernel), invites
 * (accepted only from trusted people, DMs recorded in `m.direct`) and encrypted events (the bot
 * cannot read them and says so once per room). Every event passes one gate first: not the bot's
 * own, not from before the start (estimated with the server's `unsigned.age`, so clock skew does
 * not matter), not processed before (a replayed sync). Event texts are never logged.
 */
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import { z } from "zod";
import { ephemeral } from "../../framework/reply.js";
import type { StaffDirectory } from "../../identity.js";
import type { ChatKernel } from "../kernel/chat-kernel.js";
import type { MessageOrigin } from "../kernel/transport.js";
import type { DirectRooms } from "./direct-rooms.js";
import type { MatrixTransport } from "./matrix-transport.js";
import type { ConfiguredRooms } from "./rooms.js";
import { inviterAllowed } from "./settings.js";

const relatesToSchema = z.looseObject({
  rel_type: z.string().optional(),
  event_id: z.string().optional(),
});

const roomEventSchema = z.looseObject({
  event_id: z.string(),
  sender: z.string(),
  type: z.string(),
  origin_server_ts: z.number(),
  content: z.looseObject({
    msgtype: z.string().optional(),
    body: z.unknown().optional(),
    is_direct: z.boolean().optional(),
    "m.relates_to": relatesToSchema.optional(),
  }),
  unsigned: z.looseObject({ age: z.number().optional() }).optional(),
});
type RoomEvent = z.infer<typeof roomEventSchema>;

const encryptedEventSchema = z.looseObject({ type: z.literal("m.room.encrypted") });
const accountDataSchema = z.looseObject({ type: z.string(), content: z.unknown() });

type Retry = <T>(what: string, action: () => Promise<T>) => Promise<T>;

/** What the inbound side needs; built by the adapter. */
export interface MatrixInboundOptions {
  client: MatrixClient;
  kernel: ChatKernel;
  transport: MatrixTransport;
  staff: StaffDirectory;
  directRooms: DirectRooms;
  rooms: ConfiguredRooms;
  commandPrefix: string;
  /** Extra users and servers whose invites are accepted (MATRIX_ALLOWED_INVITERS). */
  allowedInviters: readonly string[];
  retry: Retry;
  clock: () => number;
  log: Logger;
}

/** Listens to the client and hands commands to the kernel. */
export class MatrixInbound {
  private botUserId = "";
  private startedAt = Number.POSITIVE_INFINITY;
  private stopped = true;

  constructor(private readonly options: MatrixInboundOptions) {}

  /** Subscribes to the client's events (once); they are handled between `open` and `close`. */
  subscribe(botUserId: string): void {
    const { client, kernel, directRooms } = this.options;
    this.botUserId = botUserId;
    client.on("room.invite", (roomId: string, event: unknown) => {
      if (!this.stopped) void kernel.queue(roomId, () => this.guard("invite", () => this.onInvite(roomId, event)));
    });
    client.on("room.message", (roomId: string, event: unknown) => this.onRoomEvent(roomId, event, (e) => this.onMessage(roomId, e)));
    client.on("room.event", (roomId: string, event: unknown) => {
      if (encryptedEventSchema.safeParse(event).success) this.onRoomEvent(roomId, event, (e) => this.onEncrypted(roomId, e));
    });
    client.on("room.leave", (roomId: string) => directRooms.forget(roomId));
    client.on("account_data", (event: unknown) => {
      const parsed = accountDataSchema.safeParse(event);
      if (parsed.success && parsed.data.type === "m.direct") directRooms.update(parsed.data.content);
    });
  }

  /** Handles what arrives from now on; everything sent before `startedAt` counts as history. */
  open(startedAt: number): void {
    this.startedAt = startedAt;
    this.stopped = false;
  }

  /** Ignores whatever arrives from now on (the adapter stops, or another replica leads). */
  close(): void {
    this.stopped = true;
  }

  /** The gate every room event passes before it is queued for its room. */
  private onRoomEvent(roomId: string, raw: unknown, handle: (event: RoomEvent) => Promise<void>): void {
    if (this.stopped) return;
    const parsed = roomEventSchema.safeParse(raw);
    if (!parsed.success) return;
    const event = parsed.data;
    if (event.sender === this.botUserId) return;
    const now = this.options.clock();
    const sentAt = event.unsigned?.age !== undefined ? now - event.unsigned.age : event.origin_server_ts;
    if (sentAt < this.startedAt) {
      this.options.log.debug({ roomId, eventId: event.event_id }, "ignoring an event from before the start");
      return;
    }
    // Claimed inside the room's queue: the claim reads the store, and the room's events keep their order.
    void this.options.kernel.queue(roomId, () =>
      this.guard("event", async () => {
        if (await this.options.kernel.claim(event.event_id, roomId)) await handle(event);
      }),
    );
  }

  /** Runs a handler and logs (never throws) what went wrong; the event text is never logged. */
  private async guard(what: string, handler: () => Promise<void>): Promise<void> {
    try {
      await handler();
    } catch (error) {
      this.options.log.error({ err: error, what }, "handling a Matrix event failed");
    }
  }

  private async onMessage(roomId: string, event: RoomEvent): Promise<void> {
    const { content } = event;
    // m.notice is for bots and must never be answered (spec: m.notice); edits would run a command twice.
    if (content.msgtype !== "m.text" || typeof content.body !== "string") return;
    const relation = content["m.relates_to"];
    if (relation?.rel_type === "m.replace") return;
    await this.options.kernel.handle({
      place: roomId,
      id: event.event_id,
      sender: event.sender,
      isDirect: this.options.directRooms.isDirect(roomId),
      ...(relation?.rel_type === "m.thread" && relation.event_id !== undefined ? { threadId: relation.event_id } : {}),
      text: content.body,
    });
  }

  private async onInvite(roomId: string, raw: unknown): Promise<void> {
    const parsed = roomEventSchema.safeParse(raw);
    if (!parsed.success) return;
    const { client, staff, rooms, retry, log } = this.options;
    const inviter = parsed.data.sender;
    const configured = rooms.isConfigured(roomId);
    const trusted = staff.findByPlatformUser("matrix", inviter) !== undefined || inviterAllowed(inviter, this.options.allowedInviters);
    if (!configured && !trusted) {
      log.info({ roomId, inviter }, "refused an invite from someone not allowed to invite the bot");
      await retry("reject an invite", () => client.leaveRoom(roomId));
      return;
    }
    await retry("join a room", () => client.joinRoom(roomId));
    log.info({ roomId, inviter }, "joined a room on invite");
    if (parsed.data.content.is_direct === true) await this.options.directRooms.record(inviter, roomId);
  }

  /** The bot cannot read encrypted rooms: it says so once per room (and opens a plain DM for staff). */
  private async onEncrypted(roomId: string, event: RoomEvent): Promise<void> {
    const { kernel, directRooms, rooms, transport, staff, commandPrefix, log } = this.options;
    const isDirect = directRooms.isDirect(roomId);
    if (!isDirect && !rooms.isConfigured(roomId)) return;
    const member = staff.findByPlatformUser("matrix", event.sender);
    const origin: MessageOrigin = { place: roomId, id: event.event_id, sender: event.sender, isDirect };
    const lines = [
      "This room is end-to-end encrypted, and I cannot read encrypted messages, so I do not see commands here.",
      "Use me in an unencrypted room or direct chat.",
    ];
    if (isDirect && member && (await kernel.notices.claim("encrypted", roomId))) {
      try {
        const plainRoom = await directRooms.roomFor(event.sender);
        lines[1] = "I invited you to a direct chat without encryption: commands and reminders work there.";
        await transport.post(plainRoom, kernel.notifier.fit({ text: `Here you can send me commands, e.g. \`${commandPrefix} help\`.` }));
      } catch (error) {
        log.warn({ err: error, roomId }, "could not open an unencrypted DM");
      }
      await kernel.notices.send("encrypted", roomId, () => kernel.reply(origin, ephemeral(lines.join(" "))));
      return;
    }
    await kernel.notices.once("encrypted", roomId, () => kernel.reply(origin, ephemeral(lines.join(" "))));
  }
}
