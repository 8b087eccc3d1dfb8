/**
 * What the Mattermost adapter keeps between restarts: the thread of each bug per channel, the
 * DM channels it shares with people (and the newest post time seen in each, for catching up after
 * a lost connection), and the DM posts it already acted on.
 */
import type { Sql } from "./sql.js";

/** A DM channel between the bot and one person. */
export interface MattermostDmChannel {
  channelId: string;
  /** The other member's Mattermost user id. */
  userId: string;
  /** `create_at` (ms) of the newest post the bot saw in it; 0 when none yet. */
  lastPostAt: number;
}

interface DmChannelRow {
  channel_id: string;
  user_id: string;
  last_post_at: number;
}

/** What the Mattermost adapter keeps. */
export class MattermostRepository {
  constructor(private readonly sql: Sql) {}

  /** The root post of the bug's thread in a channel, if the bot started one. */
  getThread(channelId: string, bugId: number): string | undefined {
    const row = this.sql.statement("SELECT root_post_id FROM mattermost_threads WHERE channel_id = ? AND bug_id = ?").get(channelId, bugId) as
      | { root_post_id: string }
      | undefined;
    return row?.root_post_id;
  }

  /** Records (or replaces, when the old root was deleted) the root post of a bug's thread. */
  saveThread(thread: { channelId: string; bugId: number; rootPostId: string }, at: Date): void {
    this.sql
      .statement(
        `INSERT INTO mattermost_threads (channel_id, bug_id, root_post_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (channel_id, bug_id) DO UPDATE SET root_post_id = excluded.root_post_id, updated_at = excluded.updated_at`,
      )
      .run(thread.channelId, thread.bugId, thread.rootPostId, at.toISOString(), at.toISOString());
  }

  /** Remembers a DM channel; an existing one keeps its newest post time. */
  rememberDm(channel: { channelId: string; userId: string }, at: Date): void {
    this.sql
      .statement(
        `INSERT INTO mattermost_dm_channels (channel_id, user_id, last_post_at, updated_at) VALUES (?, ?, 0, ?)
         ON CONFLICT (channel_id) DO NOTHING`,
      )
      .run(channel.channelId, channel.userId, at.toISOString());
  }

  /** Every DM channel the bot knows of. */
  listDms(): MattermostDmChannel[] {
    const rows = this.sql.statement("SELECT channel_id, user_id, last_post_at FROM mattermost_dm_channels ORDER BY channel_id").all() as DmChannelRow[];
    return rows.map((row) => ({ channelId: row.channel_id, userId: row.user_id, lastPostAt: row.last_post_at }));
  }

  /** The DM channel with a person, if known. */
  findDmByUser(userId: string): MattermostDmChannel | undefined {
    const row = this.sql.statement("SELECT channel_id, user_id, last_post_at FROM mattermost_dm_channels WHERE user_id = ?").get(userId) as DmChannelRow | undefined;
    return row && { channelId: row.channel_id, userId: row.user_id, lastPostAt: row.last_post_at };
  }

  /** Moves a DM channel's newest post time forward (never back). */
  advanceDm(channelId: string, postAt: number, at: Date): void {
    this.sql
      .statement("UPDATE mattermost_dm_channels SET last_post_at = MAX(last_post_at, ?), updated_at = ? WHERE channel_id = ?")
      .run(postAt, at.toISOString(), channelId);
  }

  /**
   * Marks a DM post as handled; false when it already was (a replayed event or an overlapping
   * catch-up). Synchronous, so the check and the mark cannot interleave with another handler.
   */
  claimPost(postId: string, channelId: string, at: Date): boolean {
    const result = this.sql
      .statement("INSERT OR IGNORE INTO mattermost_handled_posts (post_id, channel_id, handled_at) VALUES (?, ?, ?)")
      .run(postId, channelId, at.toISOString());
    return result.changes > 0;
  }

  /** Forgets handled posts from before `before`; catch-up never reaches back that far. */
  pruneHandledPosts(before: Date): number {
    return this.sql.statement("DELETE FROM mattermost_handled_posts WHERE handled_at < ?").run(before.toISOString()).changes;
  }
}
