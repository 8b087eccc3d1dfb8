/**
 * Versioned schema migrations, applied in order at start-up inside one transaction each.
 * Never edit a migration that has shipped: add a new one with the next version number. Each
 * concern keeps its repository in its own file under src/store/ (`<concern>-repo.ts`, one class,
 * registered in store.ts). Version 5 was reserved for review and never needed.
 *
 * `sql` is SQLite's; the PostgreSQL backend translates it (`postgresDdl` in postgres-sql.ts) unless
 * the migration carries its own `postgres` text, needed where the dialects differ beyond type names.
 * test/store/schema-parity.test.ts holds both to the same tables, columns, keys and indexes.
 */
import type { Migration } from "./db.js";

export type { Migration };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "call log, per-bug process state and journal, user links, notifications, key-value state",
    sql: `
      CREATE TABLE calls (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        recorded_at   TEXT NOT NULL,
        recorded_by   TEXT NOT NULL,
        customer_name TEXT NOT NULL,
        customer_type TEXT NOT NULL,
        phone         TEXT,
        email         TEXT,
        issue         TEXT NOT NULL,
        call_date     TEXT NOT NULL,
        route         TEXT NOT NULL CHECK (route IN ('bug', 'sales')),
        bug_id        INTEGER,
        sales_ref     TEXT
      );
      CREATE INDEX calls_bug ON calls (bug_id);

      -- What the bot knows about each bug beyond MantisBT's own fields.
      CREATE TABLE bug_process (
        bug_id         INTEGER PRIMARY KEY,
        origin         TEXT NOT NULL DEFAULT 'tracker',
        stage          TEXT,
        estimate_min   INTEGER,
        deadline       TEXT,
        fixed_in       TEXT,
        developer      TEXT,
        reviewer       TEXT,
        communicator   TEXT,
        confirmed_by   TEXT,
        draft_note_id  INTEGER,
        draft_text     TEXT,
        updated_at     TEXT NOT NULL
      );

      -- Every change the bot makes in the tracker: who, what, when, from which command.
      CREATE TABLE bug_journal (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        bug_id    INTEGER NOT NULL,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        command   TEXT,
        details   TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX bug_journal_bug ON bug_journal (bug_id, id);

      CREATE TABLE user_links (
        platform      TEXT NOT NULL,
        platform_user TEXT NOT NULL,
        staff_name    TEXT NOT NULL,
        linked_at     TEXT NOT NULL,
        PRIMARY KEY (platform, platform_user)
      );

      CREATE TABLE notifications (
        key         TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        bug_id      INTEGER,
        recipient   TEXT NOT NULL,
        period      TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        created_at  TEXT NOT NULL,
        sent_at     TEXT,
        last_error  TEXT
      );

      CREATE TABLE kv (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: "sales records kept for the ERP (contacts and resolutions)",
    sql: `
      CREATE TABLE sales_records (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        kind     TEXT NOT NULL CHECK (kind IN ('contact', 'resolution')),
        at       TEXT NOT NULL,
        payload  TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: "questions answered by pointing to the documentation, and the docs bugs filed for them",
    sql: `
      -- One row per answer; question_key is the normalized question that repeats are counted by.
      CREATE TABLE docs_questions (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        question_key  TEXT NOT NULL,
        question      TEXT NOT NULL,
        url           TEXT NOT NULL,
        asked_at      TEXT NOT NULL,
        recorded_by   TEXT NOT NULL
      );
      CREATE INDEX docs_questions_key ON docs_questions (question_key, asked_at);

      -- At most one docs bug per question; bug_id is NULL while it is being filed (a claim).
      CREATE TABLE docs_bugs (
        question_key  TEXT PRIMARY KEY,
        bug_id        INTEGER,
        filed_at      TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    description: "analysis and action: sub-feedback between bugs, history of estimates and deadlines",
    sql: `
      -- Sub-bugs opened with the ask command: the parent's feedback waits until each one is answered.
      CREATE TABLE sub_feedback (
        child_bug_id   INTEGER PRIMARY KEY,
        parent_bug_id  INTEGER NOT NULL,
        asked_by       TEXT NOT NULL,
        asked_of       TEXT NOT NULL,
        asked_at       TEXT NOT NULL,
        answered_at    TEXT,
        answered_by    TEXT,
        -- How the wait ended: 'feedback' (answered with the command), 'tracker' (resolved, closed or
        -- deleted in MantisBT by hand).
        answered_how   TEXT CHECK (answered_how IN ('feedback', 'tracker'))
      );
      CREATE INDEX sub_feedback_parent ON sub_feedback (parent_bug_id);

      -- Every estimate and deadline set through the bot; the newest row says when a bug's estimate
      -- was last brought up to date (for "stale" detection) and rows over time show moved deadlines.
      CREATE TABLE estimate_updates (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        bug_id        INTEGER NOT NULL,
        at            TEXT NOT NULL,
        actor         TEXT NOT NULL,
        source        TEXT NOT NULL CHECK (source IN ('feedback', 'confirm', 'eta')),
        estimate_min  INTEGER,
        deadline      TEXT
      );
      CREATE INDEX estimate_updates_bug ON estimate_updates (bug_id, id);
    `,
  },
  {
    version: 6,
    description: "proactive engine: tracker mirror and change log, notification outbox, per-user settings, snoozes, risk reports",
    sql: `
      -- The tracker's bugs as the watcher last saw them: transitions are found by comparing with this,
      -- also for changes made directly in MantisBT; summaries and reminders read it instead of MantisBT.
      CREATE TABLE tracker_mirror (
        bug_id            INTEGER PRIMARY KEY,
        status            TEXT NOT NULL,
        handler           TEXT,
        priority          TEXT NOT NULL,
        summary           TEXT NOT NULL,
        tags              TEXT NOT NULL DEFAULT '[]',
        private           INTEGER NOT NULL DEFAULT 0,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        -- When the bug entered its current status, as far as the watcher knows.
        status_since      TEXT NOT NULL,
        previous_status   TEXT,
        previous_handler  TEXT,
        -- Start of the current feedback round (reminder keys include it).
        feedback_since    TEXT,
        -- Newest note written by the current handler: feedback given in a note stops reminders.
        handler_note_at   TEXT,
        -- When the subject tag [4h, 14.3.2034] last changed (stale estimates).
        tag_changed_at    TEXT NOT NULL,
        seen_at           TEXT NOT NULL,
        -- Announced one by one as NEW (bugs found by the first run are not).
        announced         INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX tracker_mirror_status ON tracker_mirror (status);

      -- What the watcher saw change, for "changed since yesterday" in summaries.
      CREATE TABLE tracker_changes (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        bug_id  INTEGER NOT NULL,
        at      TEXT NOT NULL,
        change  TEXT NOT NULL
      );
      CREATE INDEX tracker_changes_at ON tracker_changes (at);

      -- The notifications table becomes an outbox: what to send, to whom, not before when.
      ALTER TABLE notifications ADD COLUMN target TEXT;
      ALTER TABLE notifications ADD COLUMN payload TEXT;
      ALTER TABLE notifications ADD COLUMN due_at TEXT;
      ALTER TABLE notifications ADD COLUMN combinable INTEGER NOT NULL DEFAULT 1;
      -- Set just before a send; still set at start-up means the process died during the send.
      ALTER TABLE notifications ADD COLUMN attempt_at TEXT;
      ALTER TABLE notifications ADD COLUMN cancelled_at TEXT;
      CREATE INDEX notifications_outbox ON notifications (state, due_at);
      CREATE INDEX notifications_kind_bug ON notifications (kind, bug_id);

      CREATE TABLE user_settings (
        staff_name  TEXT PRIMARY KEY,
        settings    TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );

      CREATE TABLE snoozes (
        bug_id      INTEGER NOT NULL,
        staff_name  TEXT NOT NULL,
        until       TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (bug_id, staff_name)
      );

      -- The last deadline-risk state reported per bug and recipient: report again only when worse or on a new day.
      CREATE TABLE risk_reports (
        bug_id       INTEGER NOT NULL,
        recipient    TEXT NOT NULL,
        state        TEXT NOT NULL,
        reported_on  TEXT NOT NULL,
        reported_at  TEXT NOT NULL,
        PRIMARY KEY (bug_id, recipient)
      );
    `,
  },
  {
    version: 7,
    description: "Mattermost: one thread per bug per channel, the bot's DM channels, DM posts already handled",
    sql: `
      -- The root post that holds a bug's updates in one channel; later posts about the bug reply to it.
      CREATE TABLE mattermost_threads (
        channel_id    TEXT NOT NULL,
        bug_id        INTEGER NOT NULL,
        root_post_id  TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        PRIMARY KEY (channel_id, bug_id)
      );

      -- DM channels between the bot and a person, with the newest post time seen there
      -- (Mattermost's create_at, ms): after a lost connection the bot reads what came since.
      CREATE TABLE mattermost_dm_channels (
        channel_id    TEXT PRIMARY KEY,
        user_id       TEXT NOT NULL,
        last_post_at  INTEGER NOT NULL DEFAULT 0,
        updated_at    TEXT NOT NULL
      );

      -- DM posts the bot has acted on, so a replayed event or a catch-up never runs a command twice.
      CREATE TABLE mattermost_handled_posts (
        post_id     TEXT PRIMARY KEY,
        channel_id  TEXT NOT NULL,
        handled_at  TEXT NOT NULL
      );
      CREATE INDEX mattermost_handled_posts_at ON mattermost_handled_posts (handled_at);
    `,
  },
  {
    version: 8,
    description: "Matrix: one thread per bug per room, events already handled, one-time notices",
    sql: `
      -- The thread that holds a bug's updates in one room: its root event and the newest event the
      -- bot posted in it (the reply fallback for clients without threads points there).
      CREATE TABLE matrix_threads (
        room_id        TEXT NOT NULL,
        bug_id         INTEGER NOT NULL,
        root_event_id  TEXT NOT NULL,
        last_event_id  TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        PRIMARY KEY (room_id, bug_id)
      );

      -- Incoming events the bot has acted on, so a replayed sync never runs a command twice.
      CREATE TABLE matrix_handled_events (
        event_id    TEXT PRIMARY KEY,
        room_id     TEXT NOT NULL,
        handled_at  TEXT NOT NULL
      );
      CREATE INDEX matrix_handled_events_at ON matrix_handled_events (handled_at);

      -- Notices the bot gives only once: 'unlinked' per user, 'encrypted' and 'room-not-allowed' per room.
      CREATE TABLE matrix_notices (
        kind     TEXT NOT NULL,
        target   TEXT NOT NULL,
        sent_at  TEXT NOT NULL,
        PRIMARY KEY (kind, target)
      );
    `,
  },
  {
    version: 9,
    description: "tracker mirror: a fingerprint of what the watcher follows, for changes within one second",
    sql: `
      -- MantisBT's updated_at has whole seconds: a bug changed again in the second the watcher read it
      -- keeps its updated_at, so the watcher also compares this (status, handler, priority, summary,
      -- notes count, tags, relationships). NULL for rows written before: such a row is read once more.
      ALTER TABLE tracker_mirror ADD COLUMN fingerprint TEXT;
    `,
  },
  {
    version: 10,
    description: "chat: one table of bug threads, of processed events and of one-time notices for every platform, rows moved from the per-platform ones",
    sql: `
      -- The thread that holds a bug's updates in one place (channel, room) of one platform: its root
      -- and the newest post the bot made in it (Matrix's reply fallback points there).
      CREATE TABLE chat_threads (
        platform    TEXT NOT NULL,
        place       TEXT NOT NULL,
        bug_id      INTEGER NOT NULL,
        root_id     TEXT NOT NULL,
        last_id     TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (platform, place, bug_id)
      );
      -- Mattermost answers in a thread by its root, so the root is also its newest known post.
      INSERT INTO chat_threads (platform, place, bug_id, root_id, last_id, created_at, updated_at)
        SELECT 'mattermost', channel_id, bug_id, root_post_id, root_post_id, created_at, updated_at FROM mattermost_threads;
      INSERT INTO chat_threads (platform, place, bug_id, root_id, last_id, created_at, updated_at)
        SELECT 'matrix', room_id, bug_id, root_event_id, last_event_id, created_at, updated_at FROM matrix_threads;

      -- Incoming events (DM posts, room events) the bot has acted on, so a replay never runs a command twice.
      CREATE TABLE chat_processed_events (
        platform      TEXT NOT NULL,
        event_id      TEXT NOT NULL,
        place         TEXT NOT NULL,
        processed_at  TEXT NOT NULL,
        PRIMARY KEY (platform, event_id)
      );
      CREATE INDEX chat_processed_events_at ON chat_processed_events (platform, processed_at);
      INSERT INTO chat_processed_events (platform, event_id, place, processed_at)
        SELECT 'mattermost', post_id, channel_id, handled_at FROM mattermost_handled_posts;
      INSERT INTO chat_processed_events (platform, event_id, place, processed_at)
        SELECT 'matrix', event_id, room_id, handled_at FROM matrix_handled_events;

      -- Notices given only once: the not-linked notice per person, others per place.
      CREATE TABLE chat_notices (
        platform  TEXT NOT NULL,
        kind      TEXT NOT NULL,
        target    TEXT NOT NULL,
        sent_at   TEXT NOT NULL,
        PRIMARY KEY (platform, kind, target)
      );
      -- The kernel gives "no commands here" for every platform, so Matrix's room notice gets the general name.
      INSERT INTO chat_notices (platform, kind, target, sent_at)
        SELECT 'matrix', CASE kind WHEN 'room-not-allowed' THEN 'place-not-allowed' ELSE kind END, target, sent_at FROM matrix_notices;

      DROP TABLE mattermost_threads;
      DROP TABLE mattermost_handled_posts;
      DROP TABLE matrix_threads;
      DROP TABLE matrix_handled_events;
      DROP TABLE matrix_notices;
    `,
  },
  {
    version: 11,
    description: "notification outbox: delivery state per route (chat platform), so one platform's failure is retried alone; the tracker mirror keeps what listings need",
    sql: `
      -- A notification is delivered per route: one chat platform, reaching the recipient there. Each
      -- route is retried on its own; one that delivered is never sent again. Rows queued before this
      -- migration get their routes at the next start (src/proactive/outbox.ts, recover).
      CREATE TABLE notification_routes (
        key         TEXT NOT NULL REFERENCES notifications (key) ON DELETE CASCADE,
        platform    TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        -- Set just before a send; still set at start-up means the process died during the send.
        attempt_at  TEXT,
        sent_at     TEXT,
        last_error  TEXT,
        PRIMARY KEY (key, platform)
      );
      CREATE INDEX notification_routes_open ON notification_routes (state, attempt_at);

      -- The tracker mirror keeps the ticket's state in the process's terms, its handler's staff handle
      -- and its sub-tickets, so \`mine\` and \`summary\` can list from it while the engine runs. Rows
      -- written before lose their fingerprint, so the watcher's next full scan writes them again
      -- (until then the listings read the tracker).
      ALTER TABLE tracker_mirror ADD COLUMN ticket_state TEXT;
      ALTER TABLE tracker_mirror ADD COLUMN handler_handle TEXT;
      ALTER TABLE tracker_mirror ADD COLUMN sub_tickets TEXT;
      UPDATE tracker_mirror SET fingerprint = NULL;
    `,
  },
  {
    version: 12,
    description: "pending filings (calls and e-mails kept while the tracker is down) and erased personal data of calls",
    sql: `
      -- A customer's bug to file: kept until the tracker took it, so a call or an e-mail is never lost.
      -- ticket holds what to file (JSON, with the private contact note) until it is filed, then NULL.
      CREATE TABLE pending_filings (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        origin           TEXT NOT NULL CHECK (origin IN ('call', 'email')),
        command          TEXT NOT NULL,
        requested_by     TEXT NOT NULL,
        requested_at     TEXT NOT NULL,
        call_id          INTEGER,
        ticket           TEXT,
        status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'filed', 'failed')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        last_attempt_at  TEXT,
        last_error       TEXT,
        bug_id           INTEGER,
        done_at          TEXT
      );
      CREATE INDEX pending_filings_status ON pending_filings (status);

      -- When the call's name, phone and e-mail were erased (retention or forget); NULL while kept.
      ALTER TABLE calls ADD COLUMN erased_at TEXT;
    `,
  },
  {
    version: 13,
    description: "notifications: the order they were queued in (seq), the same on both backends (SQLite's rowid was the order before)",
    sql: `
      -- Notifications created in the same millisecond go out in the order they were queued. SQLite
      -- cannot add an autoincrementing column, so a trigger gives each new row its rowid, which grows
      -- with every insert as the order did before.
      ALTER TABLE notifications ADD COLUMN seq INTEGER;
      UPDATE notifications SET seq = rowid;
      CREATE TRIGGER notifications_seq AFTER INSERT ON notifications FOR EACH ROW WHEN NEW.seq IS NULL
        BEGIN UPDATE notifications SET seq = NEW.rowid WHERE rowid = NEW.rowid; END;
      CREATE INDEX notifications_order ON notifications (created_at, seq);
    `,
    postgres: `
      -- A PostgreSQL store starts empty at version 1, so every row gets its number on insert.
      ALTER TABLE notifications ADD COLUMN seq BIGINT GENERATED BY DEFAULT AS IDENTITY;
      CREATE INDEX notifications_order ON notifications (created_at, seq);
    `,
  },
  {
    version: 14,
    description: "notifications by bug: the feedback reminders read one bug's rounds per bug in feedback",
    sql: `
      -- Without it each of those reads scanned every notification ever queued: the minute's check
      -- grew with the outbox's history (found by npm run bench: commands slowed run after run).
      CREATE INDEX notifications_bug ON notifications (bug_id, period);
    `,
  },
  {
    version: 15,
    description: "the daily summary's reads covered by indexes: the bugs in action, and each section's first items",
    sql: `
      -- The summary reads every bug in CONFIRMED or ASSIGNED for its deadline risk (2,900 of 10,000
      -- bugs in the benchmark) and ranks each section to show its first items: with these indexes
      -- neither visits the mirror's rows (each holds the whole ticket), only the items shown.
      CREATE INDEX tracker_mirror_action ON tracker_mirror (status, bug_id, handler, summary, tag_changed_at);
      CREATE INDEX tracker_mirror_ranking ON tracker_mirror (status, priority, status_since, feedback_since, tags, bug_id);
    `,
  },
];
