import type { Message } from "../framework/reply.js";
import type { StaffMember } from "../identity.js";

/**
 * Named channels the process talks to. Each platform adapter maps a key to one of its channels
 * (configured per platform); `management` gets NEW-bug pings and reports, `sales` the ERP records.
 */
export type ChannelKey = "management" | "sales" | (string & {});

/**
 * The outgoing side of a chat platform: how the process reaches people without being asked. Each
 * platform's adapter implements it; commands and jobs get the outbox's, which queues every message
 * and delivers it on each platform (src/proactive/outbox.ts).
 */
export interface Notifier {
  /** A direct message to one staff member. */
  direct(recipient: StaffMember, message: Message): Promise<void>;
  /** A post in a named channel; messages with a `bugId` go into that bug's thread. */
  channel(channel: ChannelKey, message: Message): Promise<void>;
}
