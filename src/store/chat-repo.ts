/**
 * What the chat platforms keep between restarts, in one repository for all of them: the thread of
 * each bug per place (channel or room), the incoming events already processed (so a replay never
 * runs a command twice), the notices given only once; and what one transport keeps of its own
 * (Mattermost's DM channels for catching up, the Matrix SDK's sync token and values).
 */
import type { KeyValueRepository } from "./kv-repo.js";
import { columnValues, type Db } from "./db.js";

/** The thread that carries one bug's updates in one place of one platform. */
export interface ChatThread {
  platform: string;
  /** The channel or room. */
  place: string;
  bugId: number;
  /** The post that started the thread. */
  rootId: string;
  /** The newest post the bot made in it (replies of clients without threads point there). */
  lastId: string;
}

/** A DM channel between the bot and one person on Mattermost. */
export interface MattermostDmChannel {
  channelId: string;
  /** The other member's Mattermost user id. */
  userId: string;
  /** `create_at` (ms) of the newest post the bot saw in it; 0 when none yet. */
  lastPostAt: number;
}

interface ThreadRow {
  platform: string;
  place: string;
  bug_id: number;
  root_id: string;
  last_id: string;
}

interface DmChannelRow {
  channel_id: string;
  user_id: string;
  last_post_at: number;
}

const MATRIX_KEY_PREFIX = "matrix.";
/** The moment before which every DM to the bot on Mattermost has been read (bot clock, ms). */
const MATTERMOST_DMS_READ_UNTIL_KEY = "mattermost.dms_read_until";

/** The chat tables as typed methods (`store.chat`). */
export class ChatRepository {
  constructor(
    private readonly db: Db,
    private readonly kv: KeyValueRepository,
  ) {}

  /** The bug's thread in a place, if the bot started one there. */
  async thread(platform: string, place: string, bugId: number): Promise<ChatThread | undefined> {
    const row = await this.db.get<ThreadRow>("SELECT * FROM chat_threads WHERE platform = ? AND place = ? AND bug_id = ?", [platform, place, bugId]);
    return row && { platform: row.platform, place: row.place, bugId: row.bug_id, rootId: row.root_id, lastId: row.last_id };
  }

  /** The bug whose thread has this root in a place, if the bot keeps one there (a reply in it may write to the bug). */
  async bugOfThread(platform: string, place: string, rootId: string): Promise<number | undefined> {
    const row = await this.db.get<{ bug_id: number }>("SELECT bug_id FROM chat_threads WHERE platform = ? AND place = ? AND root_id = ?", [platform, place, rootId]);
    return row?.bug_id;
  }

  /** The places (channels, rooms) where the bot keeps bugs' threads on a platform. */
  async threadPlaces(platform: string): Promise<string[]> {
    return columnValues<string>(this.db, "SELECT DISTINCT place FROM chat_threads WHERE platform = ? ORDER BY place", [platform]);
  }

  /** Records a new thread (or a new root, when the old one was deleted) and the newest post in it. */
  async saveThread(thread: ChatThread, at: Date): Promise<void> {
    await this.db.run(`INSERT INTO chat_threads (platform, place, bug_id, root_id, last_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (platform, place, bug_id) DO UPDATE SET root_id = excluded.root_id, last_id = excluded.last_id, updated_at = excluded.updated_at`, [thread.platform, thread.place, thread.bugId, thread.rootId, thread.lastId, at.toISOString(), at.toISOString()]);
  }

  /**
   * Marks an incoming event as processed; false when it already was (a replayed sync or event, an
   * overlapping catch-up, another replica). One statement, so the check and the mark cannot interleave.
   */
  async claimEvent(platform: string, eventId: string, place: string, at: Date): Promise<boolean> {
    const result = await this.db.run("INSERT INTO chat_processed_events (platform, event_id, place, processed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", [platform, eventId, place, at.toISOString()]);
    return result > 0;
  }

  /** Forgets a platform's processed events from before `before`; nothing reaches back that far. */
  async pruneEvents(platform: string, before: Date): Promise<number> {
    return await this.db.run("DELETE FROM chat_processed_events WHERE platform = ? AND processed_at < ?", [platform, before.toISOString()]);
  }

  /** Records a one-time notice; false when it was given before (then it must not be given again). */
  async claimNotice(platform: string, kind: string, target: string, at: Date): Promise<boolean> {
    const result = await this.db.run("INSERT INTO chat_notices (platform, kind, target, sent_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", [platform, kind, target, at.toISOString()]);
    return result > 0;
  }

  /** Gives a claimed notice back, when sending it failed, so a later event may try again. */
  async releaseNotice(platform: string, kind: string, target: string): Promise<void> {
    await this.db.run("DELETE FROM chat_notices WHERE platform = ? AND kind = ? AND target = ?", [platform, kind, target]);
  }

  // --- Mattermost: the bot's DM channels --------------------------------------------------------

  /** Remembers a DM channel; an existing one keeps its newest post time. */
  async rememberMattermostDm(channel: { channelId: string; userId: string }, at: Date): Promise<void> {
    await this.db.run(`INSERT INTO mattermost_dm_channels (channel_id, user_id, last_post_at, updated_at) VALUES (?, ?, 0, ?)
         ON CONFLICT (channel_id) DO NOTHING`, [channel.channelId, channel.userId, at.toISOString()]);
  }

  /** Every DM channel the bot knows of. */
  async mattermostDms(): Promise<MattermostDmChannel[]> {
    const rows = await this.db.all<DmChannelRow>("SELECT channel_id, user_id, last_post_at FROM mattermost_dm_channels ORDER BY channel_id");
    return rows.map((row) => ({ channelId: row.channel_id, userId: row.user_id, lastPostAt: row.last_post_at }));
  }

  /** The DM channel with a person, if known. */
  async mattermostDmWith(userId: string): Promise<MattermostDmChannel | undefined> {
    const row = await this.db.get<DmChannelRow>("SELECT channel_id, user_id, last_post_at FROM mattermost_dm_channels WHERE user_id = ?", [userId]);
    return row && { channelId: row.channel_id, userId: row.user_id, lastPostAt: row.last_post_at };
  }

  /** Moves a DM channel's newest post time forward (never back). */
  async advanceMattermostDm(channelId: string, postAt: number, at: Date): Promise<void> {
    await this.db.run("UPDATE mattermost_dm_channels SET last_post_at = ?, updated_at = ? WHERE channel_id = ? AND last_post_at < ?", [postAt, at.toISOString(), channelId, postAt]);
  }

  /** The moment (ms) before which every Mattermost DM to the bot has been read, if any. */
  async mattermostDmsReadUntil(): Promise<number | undefined> {
    const value = Number(await this.kv.get(MATTERMOST_DMS_READ_UNTIL_KEY));
    return Number.isFinite(value) && value > 0 ? value : undefined;
  }

  /** Records that every Mattermost DM to the bot before `at` (ms) has been read. */
  async setMattermostDmsReadUntil(at: number): Promise<void> {
    await this.kv.set(MATTERMOST_DMS_READ_UNTIL_KEY, String(at));
  }

  // --- Matrix: the SDK's values -------------------------------------------------------------------

  /** A value the Matrix SDK keeps (sync token, filter), namespaced by the bot's user id. */
  async matrixValue(userId: string, key: string): Promise<string | undefined> {
    return this.kv.get(`${MATRIX_KEY_PREFIX}${userId}.${key}`);
  }

  /** Sets (or, with undefined, deletes) a value of the Matrix SDK. */
  async setMatrixValue(userId: string, key: string, value: string | undefined): Promise<void> {
    const fullKey = `${MATRIX_KEY_PREFIX}${userId}.${key}`;
    if (value === undefined) await this.kv.delete(fullKey);
    else await this.kv.set(fullKey, value);
  }
}
