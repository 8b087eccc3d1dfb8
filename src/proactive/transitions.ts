/**
 * What a bug's change means for the process, found by comparing the watcher's mirror row with the
 * bug as MantisBT lists it now. Pure: the caller supplies the facts only the store knows (whether the
 * developer's feedback was recorded), so changes made directly in MantisBT are read the same way as
 * changes made through the bot.
 */
import { createHash } from "node:crypto";
import { isTeam } from "../core/person.js";
import { parseSubject } from "../core/subject-tag.js";
import type { Ticket, TicketNote } from "../core/ticket.js";
import type { MirrorBug, MirrorRow } from "../store/mirror-repo.js";

/** A state key as messages write it: NEW, FEEDBACK, ... */
const statusLabel = (status: string): string => status.toUpperCase();

/** Something the engine reacts to. */
export type WatchEventKind =
  /** The bug became NEW and nobody handles it: announce it to management once. */
  | "new-bug"
  /** The bug went back to NEW after the developer's feedback: ready for a timeline. */
  | "feedback-in"
  /** A feedback round ended (status left feedback, or the handler wrote a note): stop reminders. */
  | "feedback-ended"
  /** Someone outside the team (the reporter, a customer) wrote a note: tell the handler at once. */
  | "customer-note";

/** An event about one bug. */
export type WatchEvent =
  | { kind: Exclude<WatchEventKind, "customer-note">; bug: MirrorRow }
  | {
      kind: "customer-note";
      bug: MirrorRow;
      note: TicketNote;
      /** The note is by the bug's reporter. */
      byReporter: boolean;
      /** The bug left this state (its key) in the same change, as the tracker does on a reporter's note to a bug waiting for feedback. */
      leftState?: string;
    };

/** What the watcher read of a bug besides its mirror form: its notes and reporter. */
export type ObservedNotes = Pick<Ticket, "notes" | "reporter">;

/** The new mirror row of a bug, its events and its change line. */
export interface Observation {
  row: MirrorRow;
  events: WatchEvent[];
  /** One line for "changed since yesterday", when something people care about changed. */
  change?: string;
}

/** What only the store knows, handed to `observeBug`. */
export interface ObserveFacts {
  now: Date;
  /** Whether the bot recorded the developer's feedback (stage `timeline`, or a `feedback` journal entry since `since`). */
  feedbackRecorded(bugId: number, since: Date | undefined): boolean;
}

/**
 * What the watcher follows of a bug, as one string: status, handler, priority, summary, notes count,
 * tags and relationships. Two reads of a bug with the same `updated_at` second differ here when the bug
 * changed in between (MantisBT's times have whole seconds).
 */
export function watchedFingerprint(bug: Ticket): string {
  const followed = [
    bug.state.unknown ? `${bug.state.key}/${bug.state.label}` : bug.state.key,
    bug.handler?.name ?? "",
    bug.priority,
    bug.summary,
    bug.notes.length,
    [...bug.tags].sort(),
    [...bug.subTicketIds.map((id) => `parent-of ${id}`), ...bug.parentTicketIds.map((id) => `child-of ${id}`)].sort(),
  ];
  // A digest keeps summaries and tags out of the column, which only ever needs comparing.
  return createHash("sha256").update(JSON.stringify(followed)).digest("base64url");
}

/** The compact form of a bug the mirror keeps; notes are reduced to the newest one by the handler. */
export function toMirrorBug(bug: Ticket): MirrorBug {
  const handler = bug.handler?.name;
  let handlerNoteAt: Date | undefined;
  if (handler) {
    const wanted = handler.toLowerCase();
    for (const note of bug.notes) {
      if (note.author.name.toLowerCase() !== wanted) continue;
      if (!handlerNoteAt || note.createdAt.getTime() > handlerNoteAt.getTime()) handlerNoteAt = note.createdAt;
    }
  }
  return {
    id: bug.id,
    status: bug.state.key,
    handler,
    priority: bug.priority,
    summary: bug.summary,
    tags: [...bug.tags],
    private: bug.private,
    createdAt: bug.createdAt,
    updatedAt: bug.updatedAt,
    handlerNoteAt,
    fingerprint: watchedFingerprint(bug),
    state: bug.state,
    ...(bug.handler?.handle !== undefined ? { handlerHandle: bug.handler.handle } : {}),
    subTicketIds: [...bug.subTicketIds],
  };
}

/**
 * The mirror row for a bug found by the first scan: recorded as it is, nothing announced. A feedback
 * round found at installation counts from then: MantisBT does not say when the bug entered FEEDBACK,
 * and reminders and escalations for every old round at once would be the flood the first run avoids.
 */
export function initialRow(bug: MirrorBug, now: Date): MirrorRow {
  return {
    ...bug,
    statusSince: bug.status === "new" ? bug.createdAt : bug.updatedAt,
    feedbackSince: bug.status === "feedback" ? now : undefined,
    tagChangedAt: bug.updatedAt,
    seenAt: now,
    announced: false,
  };
}

function tagText(summary: string): string | undefined {
  return parseSubject(summary).tagText;
}

/**
 * Notes written since the bug was last seen by someone outside the team. A note in the second of the
 * last read may have been seen already: the outbox's key (the note's id) keeps it from being told twice.
 * A bug new to the mirror has none: its filing is announced instead.
 */
export function newCustomerNotes(previous: MirrorRow | undefined, notes: readonly TicketNote[]): TicketNote[] {
  if (!previous) return [];
  return notes.filter((note) => !isTeam(note.author) && note.createdAt.getTime() >= previous.updatedAt.getTime());
}

/** Compares the previous mirror row (if any) with the bug now and says what that means. */
export function observeBug(previous: MirrorRow | undefined, current: MirrorBug, facts: ObserveFacts, read?: ObservedNotes): Observation {
  const at = current.updatedAt;
  const statusChanged = previous !== undefined && previous.status !== current.status;
  const handlerChanged = previous !== undefined && (previous.handler ?? "") !== (current.handler ?? "");

  const feedbackRound =
    current.status === "feedback"
      ? previous && previous.status === "feedback" && !handlerChanged && previous.feedbackSince
        ? previous.feedbackSince
        : at
      : undefined;
  const row: MirrorRow = {
    ...current,
    statusSince: previous ? (statusChanged ? at : previous.statusSince) : current.status === "new" ? current.createdAt : at,
    previousStatus: statusChanged ? previous.status : previous?.previousStatus,
    previousHandler: handlerChanged ? previous.handler : previous?.previousHandler,
    feedbackSince: feedbackRound,
    tagChangedAt: previous && tagText(previous.summary) === tagText(current.summary) ? previous.tagChangedAt : at,
    seenAt: facts.now,
    // "Announced" is per NEW round: leaving NEW ends it.
    announced: current.status === "new" && previous?.status === "new" ? previous.announced : false,
  };

  const events: WatchEvent[] = [];
  const becameNew = current.status === "new" && (previous === undefined || previous.status !== "new");
  if (becameNew || (current.status === "new" && handlerChanged && !current.handler)) {
    const feedbackIn =
      current.status === "new" &&
      becameNew &&
      ((previous?.status === "feedback" && previous.handler !== undefined) || facts.feedbackRecorded(current.id, previous?.statusSince));
    if (feedbackIn) {
      events.push({ kind: "feedback-in", bug: row });
    } else if (!current.handler && !facts.feedbackRecorded(current.id, previous?.statusSince)) {
      row.announced = true;
      events.push({ kind: "new-bug", bug: row });
    }
  }
  if (previous?.status === "feedback" && previous.feedbackSince) {
    const leftFeedback = current.status !== "feedback" || handlerChanged;
    const noted =
      current.status === "feedback" &&
      current.handlerNoteAt !== undefined &&
      current.handlerNoteAt.getTime() > previous.feedbackSince.getTime() &&
      (previous.handlerNoteAt === undefined || current.handlerNoteAt.getTime() > previous.handlerNoteAt.getTime());
    if (leftFeedback || noted) events.push({ kind: "feedback-ended", bug: { ...row, feedbackSince: previous.feedbackSince } });
  }
  for (const note of newCustomerNotes(previous, read?.notes ?? [])) {
    const byReporter = read?.reporter !== undefined && read.reporter.name.toLowerCase() === note.author.name.toLowerCase();
    events.push({ kind: "customer-note", bug: row, note, byReporter, ...(statusChanged && byReporter ? { leftState: previous.status } : {}) });
  }

  return { row, events, change: describeChange(previous, current) };
}

/** "NEW → FEEDBACK, handler nobody → alice", or undefined when nothing people track changed. */
export function describeChange(previous: MirrorRow | undefined, current: MirrorBug): string | undefined {
  if (!previous) {
    const handler = current.handler ? `, handler ${current.handler}` : "";
    return current.status === "new" ? `filed: NEW${handler}` : `appeared in MantisBT as ${statusLabel(current.status)}${handler}`;
  }
  const parts: string[] = [];
  if (previous.status !== current.status) parts.push(`${statusLabel(previous.status)} → ${statusLabel(current.status)}`);
  if ((previous.handler ?? "") !== (current.handler ?? "")) parts.push(`handler ${previous.handler ?? "nobody"} → ${current.handler ?? "nobody"}`);
  if (previous.priority !== current.priority) parts.push(`priority ${previous.priority} → ${current.priority}`);
  const before = tagText(previous.summary);
  const after = tagText(current.summary);
  if (before !== after) parts.push(`estimate ${before ?? "none"} → ${after ?? "none"}`);
  return parts.length > 0 ? parts.join(", ") : undefined;
}
