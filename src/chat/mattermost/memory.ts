/**
 * What the Mattermost transport keeps between restarts besides the kernel's memory: the bot's DM
 * channels with the newest post time seen in each, and the moment up to which every DM was read,
 * so a catch-up after a lost connection reads exactly what it missed. The store implements it.
 */

/** A DM channel between the bot and one person. */
export interface MattermostDmChannel {
  channelId: string;
  /** The other member's Mattermost user id. */
  userId: string;
  /** `create_at` (ms) of the newest post the bot saw in it; 0 when none yet. */
  lastPostAt: number;
}

/** The Mattermost transport's own memory. */
export interface MattermostMemory {
  /** Remembers a DM channel; an existing one keeps its newest post time. */
  rememberMattermostDm(channel: { channelId: string; userId: string }, at: Date): Promise<void>;
  /** Every DM channel the bot knows of. */
  mattermostDms(): Promise<MattermostDmChannel[]>;
  /** The DM channel with a person, if known. */
  mattermostDmWith(userId: string): Promise<MattermostDmChannel | undefined>;
  /** Moves a DM channel's newest post time forward (never back). */
  advanceMattermostDm(channelId: string, postAt: number, at: Date): Promise<void>;
  /** The moment (bot clock, ms) before which every DM to the bot has been read, live or by a catch-up. */
  mattermostDmsReadUntil(): Promise<number | undefined>;
  setMattermostDmsReadUntil(at: number): Promise<void>;
}
