/**
 * The rooms of MATRIX_ROOMS: aliases resolved to room ids, joined at start, and the map between
 * channel keys (`management`, `sales`) and rooms both ways.
 */
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { ChannelKey } from "../notifier.js";
import type { DirectRooms } from "./direct-rooms.js";

type Retry = <T>(what: string, action: () => Promise<T>) => Promise<T>;

/** The configured rooms, once resolved. */
export class ConfiguredRooms {
  private readonly channelOfRoom = new Map<string, string>();
  private readonly roomOfChannel = new Map<string, string>();

  constructor(
    private readonly options: { client: MatrixClient; rooms: Readonly<Record<string, string>>; directRooms: DirectRooms; retry: Retry; log: Logger },
  ) {}

  /** Resolves configured aliases and joins every configured room the bot is not in yet. */
  async join(): Promise<void> {
    const { client, directRooms, retry, log } = this.options;
    const joined = new Set(await client.getJoinedRooms());
    for (const [channel, room] of Object.entries(this.options.rooms)) {
      let roomId: string;
      try {
        roomId = room.startsWith("!") ? room : await client.resolveRoom(room);
        this.channelOfRoom.set(roomId, channel);
        this.roomOfChannel.set(channel, roomId);
        if (!joined.has(roomId)) await retry("join a configured room", () => client.joinRoom(room));
      } catch (error) {
        log.warn({ err: error, channel, room }, "cannot join a configured room; invite the bot to it (or check the room id or alias in MATRIX_ROOMS)");
        continue;
      }
      if (await directRooms.isEncrypted(roomId).catch(() => false)) {
        log.warn({ channel, roomId }, "a configured room is encrypted: the bot cannot read commands there and posts unencrypted; configure an unencrypted room");
      }
    }
  }

  /** Whether a room is one of MATRIX_ROOMS. */
  isConfigured(roomId: string): boolean {
    return this.channelOfRoom.has(roomId);
  }

  /** The room configured for a channel key. */
  roomFor(channel: ChannelKey): string | undefined {
    return this.roomOfChannel.get(channel);
  }

  /** The channel keys with a room, for the start-up log line. */
  channels(): string[] {
    return [...this.roomOfChannel.keys()];
  }
}
