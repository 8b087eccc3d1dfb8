/**
 * Sync filters (`definitions/sync_filter.yaml`): validation with zod and the matching rules the spec gives
 * for `types`, `not_types`, `senders`, `not_senders`, `rooms`, `not_rooms` and `limit`.
 */
import { z } from "zod";

const userIds = z.array(z.string().regex(/^@/, "must be a user id"));
const roomIds = z.array(z.string().regex(/^!/, "must be a room id"));

const eventFilterSchema = z.looseObject({
  limit: z.number().int().positive().optional(),
  types: z.array(z.string()).optional(),
  not_types: z.array(z.string()).optional(),
  senders: userIds.optional(),
  not_senders: userIds.optional(),
});

const roomEventFilterSchema = eventFilterSchema.extend({
  rooms: roomIds.optional(),
  not_rooms: roomIds.optional(),
  contains_url: z.boolean().optional(),
  lazy_load_members: z.boolean().optional(),
  include_redundant_members: z.boolean().optional(),
  unread_thread_notifications: z.boolean().optional(),
});

/** The Filter object of `POST /user/{userId}/filter` and of an inline `/sync?filter={...}`. */
export const syncFilterSchema = z.looseObject({
  event_fields: z.array(z.string()).optional(),
  event_format: z.enum(["client", "federation"]).optional(),
  presence: eventFilterSchema.optional(),
  account_data: eventFilterSchema.optional(),
  room: z
    .looseObject({
      rooms: roomIds.optional(),
      not_rooms: roomIds.optional(),
      include_leave: z.boolean().optional(),
      ephemeral: roomEventFilterSchema.optional(),
      state: roomEventFilterSchema.optional(),
      timeline: roomEventFilterSchema.optional(),
      account_data: roomEventFilterSchema.optional(),
    })
    .optional(),
});
export type SyncFilter = z.infer<typeof syncFilterSchema>;
export type RoomEventFilter = z.infer<typeof roomEventFilterSchema>;

/** Synapse's default timeline limit per room when the filter sets none. */
export const DEFAULT_TIMELINE_LIMIT = 10;

/** `*` matches any run of characters, as the spec allows in `types` and `not_types`. */
function globMatches(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`).test(value);
}

/** Whether an event (or account data item) passes an EventFilter or RoomEventFilter. */
export function eventPasses(
  filter: RoomEventFilter | undefined,
  event: { type: string; sender?: string; content?: Record<string, unknown> },
): boolean {
  if (!filter) return true;
  if (filter.not_types?.some((p) => globMatches(p, event.type))) return false;
  if (filter.types && !filter.types.some((p) => globMatches(p, event.type))) return false;
  if (event.sender !== undefined) {
    if (filter.not_senders?.includes(event.sender)) return false;
    if (filter.senders && !filter.senders.includes(event.sender)) return false;
  }
  if (filter.contains_url !== undefined) {
    const hasUrl = typeof event.content?.["url"] === "string";
    if (hasUrl !== filter.contains_url) return false;
  }
  return true;
}

/** Whether a room passes the `rooms`/`not_rooms` lists of a filter. */
export function roomPasses(filter: { rooms?: string[]; not_rooms?: string[] } | undefined, roomId: string): boolean {
  if (!filter) return true;
  if (filter.not_rooms?.includes(roomId)) return false;
  if (filter.rooms && !filter.rooms.includes(roomId)) return false;
  return true;
}
