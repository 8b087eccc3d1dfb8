/**
 * Direct-message rooms, found and recorded through the bot's `m.direct` account data (spec:
 * "Direct Messaging"). The bot reuses a DM it is joined to (with the person joined or invited,
 * and without encryption, which it cannot read), creates one only when there is none, and writes
 * `m.direct` by reading it fresh, merging, then writing, because a PUT replaces the whole content.
 */
import type { MatrixClient } from "matrix-bot-sdk";
import { MatrixError } from "matrix-bot-sdk";
import type { Logger } from "pino";
import { z } from "zod";
import { KeyedQueue } from "../kernel/keyed-queue.js";

const directContentSchema = z.record(z.string(), z.array(z.string()).catch([]));
const membershipSchema = z.looseObject({ membership: z.string() });

type Retry = <T>(what: string, action: () => Promise<T>) => Promise<T>;

function isNotFound(error: unknown): boolean {
  return error instanceof MatrixError && (error.errcode === "M_NOT_FOUND" || error.statusCode === 404);
}

/** The bot's DM rooms: lookup by person, recognition of DM rooms, creation when needed. */
export class DirectRooms {
  /** `m.direct` as last read or seen in a sync. */
  private direct: Record<string, string[]> = {};
  /** The room chosen per person, so every reminder does not re-check membership. */
  private readonly chosen = new Map<string, string>();
  private readonly perUser = new KeyedQueue();
  private readonly writes = new KeyedQueue();

  constructor(
    private readonly client: MatrixClient,
    private readonly retry: Retry,
    private readonly log: Logger,
  ) {}

  /** Reads `m.direct` from the homeserver (none yet counts as empty). */
  async load(): Promise<void> {
    this.direct = await this.readDirect();
  }

  /** Takes a newer `m.direct` content from the sync stream. */
  update(content: unknown): void {
    const parsed = directContentSchema.safeParse(content);
    if (parsed.success) this.direct = parsed.data;
  }

  /** Whether the room is recorded as a DM with anyone. */
  isDirect(roomId: string): boolean {
    return Object.values(this.direct).some((rooms) => rooms.includes(roomId));
  }

  /** Drops a room the bot left or was removed from. */
  forget(roomId: string): void {
    for (const [userId, room] of this.chosen) if (room === roomId) this.chosen.delete(userId);
  }

  /** Records a DM room with a person (merge, then write), e.g. after accepting their DM invite. */
  record(userId: string, roomId: string): Promise<void> {
    // One write at a time: two merges from the same old content would drop one of the rooms.
    return this.writes.run("m.direct", async () => {
      const current = await this.readDirect();
      const rooms = current[userId] ?? [];
      if (rooms.includes(roomId)) {
        this.direct = current;
        return;
      }
      const merged = { ...current, [userId]: [roomId, ...rooms] };
      await this.retry("write m.direct", () => this.client.setAccountData("m.direct", merged));
      this.direct = merged;
    });
  }

  /** The DM room with a person: an existing usable one, else a new one (recorded in `m.direct`). */
  roomFor(userId: string): Promise<string> {
    return this.perUser.run(userId, async () => {
      const known = this.chosen.get(userId);
      if (known !== undefined) return known;
      const current = await this.readDirect();
      this.direct = current;
      for (const roomId of current[userId] ?? []) {
        if (await this.usable(roomId, userId)) {
          this.chosen.set(userId, roomId);
          return roomId;
        }
      }
      const roomId = await this.retry("create a DM room", () =>
        this.client.createRoom({ invite: [userId], is_direct: true, preset: "trusted_private_chat" }),
      );
      this.log.info({ roomId, userId }, "created a DM room");
      await this.record(userId, roomId);
      this.chosen.set(userId, roomId);
      return roomId;
    });
  }

  /** Bot joined, the person joined or invited, no encryption. */
  private async usable(roomId: string, userId: string): Promise<boolean> {
    try {
      const bot = membershipSchema.safeParse(await this.client.getRoomStateEvent(roomId, "m.room.member", await this.client.getUserId()));
      if (!bot.success || bot.data.membership !== "join") return false;
      const person = membershipSchema.safeParse(await this.client.getRoomStateEvent(roomId, "m.room.member", userId));
      if (!person.success || !["join", "invite"].includes(person.data.membership)) return false;
      return !(await this.isEncrypted(roomId));
    } catch (error) {
      // Not a member any more (403) or the room is gone: not usable, try the next one.
      this.log.debug({ roomId, err: error }, "DM room not usable");
      return false;
    }
  }

  /** Whether the room has end-to-end encryption switched on. */
  async isEncrypted(roomId: string): Promise<boolean> {
    try {
      await this.client.getRoomStateEvent(roomId, "m.room.encryption", "");
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  private async readDirect(): Promise<Record<string, string[]>> {
    try {
      const parsed = directContentSchema.safeParse(await this.client.getAccountData("m.direct"));
      return parsed.success ? parsed.data : {};
    } catch (error) {
      if (isNotFound(error)) return {};
      throw error;
    }
  }
}
