/**
 * The texts the engine sends. Only bug fields appear in them (number, subject, status, priority,
 * handler, tags): by the process, subjects carry no personal data, and nothing else is read.
 * Every message says what to do next, with the command to type.
 */
import { formatLocalTime } from "../core/calendar.js";
import { formatDate } from "../core/dates.js";
import type { BugRisk } from "../core/deadline-risk.js";
import { formatDuration } from "../core/duration.js";
import type { Message, MessageButton } from "../framework/reply.js";
import { bugLink, escapeMarkdown } from "../process/bug-format.js";
import type { MirrorRow } from "../store/mirror-repo.js";
import type { WorkFacts } from "./team-risk.js";

/** Working time as people say it: `4 working hours`, `1.5 working hours`, `36 working minutes`. */
function workingTime(hours: number): string {
  if (hours < 1) {
    const minutes = Math.round(hours * 60);
    return `${minutes} working minute${minutes === 1 ? "" : "s"}`;
  }
  const rounded = Math.round(hours * 10) / 10;
  return `${rounded} working hour${rounded === 1 ? "" : "s"}`;
}

/** What the engine needs to write about a bug. */
export interface MessageBug {
  row: Pick<MirrorRow, "id" | "summary" | "private" | "priority" | "tags">;
  url: string;
  customer: boolean;
}

/** `[#12](url) subject`, escaped, with the private marker. */
export function bugTitle(bug: MessageBug): string {
  return `${bugLink({ id: bug.row.id, private: bug.row.private }, bug.url)} ${escapeMarkdown(bug.row.summary.replace(/\s+/g, " ").trim())}`;
}

function triageFacts(bug: MessageBug): string {
  const priority = bug.row.priority === "high" || bug.row.priority === "urgent" || bug.row.priority === "immediate" ? `**${bug.row.priority}**` : bug.row.priority;
  return [`priority ${priority}`, bug.customer ? "**Customer**" : undefined].filter(Boolean).join(" · ");
}

function triageButtons(id: number): MessageButton[] {
  // One button per developer would not scale; "Triage…" runs `triage 12`, which answers with its
  // usage (who to assign) so the manager completes the command.
  return [
    { label: "Grab", command: `grab ${id}`, style: "primary" },
    { label: "Triage…", command: `triage ${id}` },
  ];
}

/** The management-channel ping for a bug that became NEW and unassigned. */
export function newBugMessage(bug: MessageBug): Message {
  return {
    text: [
      `**NEW bug** ${bugTitle(bug)} · ${triageFacts(bug)}`,
      `Nobody handles it yet: management triages it (\`triage ${bug.row.id} @developer\`), or a developer grabs it (\`grab ${bug.row.id}\`).`,
    ].join("\n"),
    buttons: triageButtons(bug.row.id),
    bugId: bug.row.id,
  };
}

/** Raised once more when a NEW bug is still untriaged after NEW_REMIND_AFTER working hours. */
export function newBugReminderMessage(bug: MessageBug, options: { afterHours: number; since: Date; timeZone: string }): Message {
  return {
    text: [
      `**Still untriaged** after ${workingTime(options.afterHours)}: ${bugTitle(bug)} · ${triageFacts(bug)} (NEW since ${formatLocalTime(options.since, options.timeZone)}).`,
      `Triage it (\`triage ${bug.row.id} @developer\`) or grab it (\`grab ${bug.row.id}\`); until then it stays in the daily summary.`,
    ].join("\n"),
    buttons: triageButtons(bug.row.id),
    bugId: bug.row.id,
  };
}

/** The first-run notice: what the watcher found, without a ping per bug. */
export function firstRunMessage(options: { total: number; newBugs: readonly MessageBug[]; feedbackOwed: number; atRisk: number }): Message {
  const { total, newBugs } = options;
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;
  const lines = [
    `I am now watching MantisBT (${plural(total, "bug")} recorded). ` +
      (newBugs.length === 0 ? "No NEW bug is waiting for triage." : `Found **${plural(newBugs.length, "NEW bug")}** waiting for triage:`),
  ];
  const shown = newBugs.slice(0, 10);
  for (const bug of shown) lines.push(`- ${bugTitle(bug)} · ${triageFacts(bug)}`);
  if (newBugs.length > shown.length) lines.push(`- … and ${newBugs.length - shown.length} more (\`new\` lists them all)`);
  const waiting = [
    options.feedbackOwed > 0 ? `${plural(options.feedbackOwed, "bug")} in FEEDBACK (reminders count from now)` : undefined,
    options.atRisk > 0 ? `${plural(options.atRisk, "deadline")} at risk, overdue or with a stale estimate (reported from tomorrow)` : undefined,
  ].filter(Boolean);
  if (waiting.length > 0) lines.push(`Also waiting: ${waiting.join("; ")}.`);
  lines.push("I did not announce these one by one; the daily summary lists them. From now on, every bug that becomes NEW is announced here once.");
  return { text: lines.join("\n") };
}

/** Management's cue after the developer's feedback: set the timeline and confirm. */
export function feedbackInMessage(bug: MessageBug, options: { developer?: string; work: WorkFacts; workdayHours: number }): Message {
  const from = options.developer ? ` from @${options.developer}` : "";
  const { workLeftMinutes, deadline } = options.work;
  const proposal =
    workLeftMinutes !== undefined || deadline !== undefined
      ? `Proposed: ${workLeftMinutes !== undefined ? `**${formatDuration(workLeftMinutes, { workdayHours: options.workdayHours })}** of work` : "no estimate"}, ` +
        `${deadline !== undefined ? `deadline **${formatDate(deadline)}**` : "no deadline"}.`
      : `No estimate or deadline was given${options.developer ? `; ask @${options.developer}` : ""} (\`show ${bug.row.id}\` has the notes).`;
  return {
    text: [
      `**Feedback in**${from} for ${bugTitle(bug)}: ready for a timeline.`,
      proposal,
      `Set the timeline and tell the reporter we are investigating: \`confirm ${bug.row.id}\`.`,
    ].join("\n"),
    buttons: [{ label: "Confirm", command: `confirm ${bug.row.id}`, style: "primary" }],
    bugId: bug.row.id,
  };
}

/** The DM to a handler who owes feedback. */
export function feedbackReminderMessage(bug: MessageBug, options: { ordinal: number; workingHours: number }): Message {
  const id = bug.row.id;
  return {
    text: [
      `**Feedback needed** (reminder ${options.ordinal}): ${bugTitle(bug)} has waited ${workingTime(options.workingHours)} for your feedback.`,
      `Is the problem clear, what is the path to a fix, and what is a realistic, conservative timeline? ` +
        `Answer with \`feedback ${id} <estimate> <deadline> "path to resolution"\`, e.g. \`feedback ${id} 4h 14.3.2034 "..."\`.`,
      `Need time first? \`snooze ${id} 1d\` holds these reminders for a day.`,
    ].join("\n"),
    buttons: [{ label: "Snooze 1 day", command: `snooze ${id} 1d` }],
    bugId: id,
  };
}

/** Management hears when feedback is overdue. */
export function feedbackEscalationMessage(bug: MessageBug, options: { handler: string; workingHours: number; since: Date; timeZone: string; reminders: number }): Message {
  return {
    text:
      `**Feedback overdue**: ${bugTitle(bug)}: @${options.handler} has owed feedback for ${workingTime(options.workingHours)} ` +
      `(since ${formatLocalTime(options.since, options.timeZone)}; ${options.reminders} reminder${options.reminders === 1 ? "" : "s"} sent).`,
    bugId: bug.row.id,
  };
}

const RISK_LABELS = { overdue: "**overdue**", "at-risk": "**at risk**", stale: "estimate not updated", ok: "on track" } as const;

/** One line per bug: link, subject, state and why. */
export function riskLine(bug: MessageBug, risk: BugRisk): string {
  return `${bugTitle(bug)}: ${RISK_LABELS[risk.state]}: ${risk.reason}`;
}

/** The DM to a developer whose deadlines worsened. */
export function riskDirectMessage(items: readonly { bug: MessageBug; risk: BugRisk }[]): Message {
  const first = items[0]!.bug.row.id;
  const lines = [`**Deadlines need your attention**`, ...items.map((item) => `- ${riskLine(item.bug, item.risk)}`)];
  lines.push(
    `Update the estimate when it changed: \`eta ${first} <work left> <deadline>\` (e.g. \`eta ${first} 2h 14.3.2034\`). ` +
      `If a deadline cannot be met, put the delay in writing: a note on the bug with the reason and a realistic new date, and tell management.`,
  );
  return {
    text: lines.join("\n"),
    buttons: items.slice(0, 5).map((item) => ({ label: `Snooze #${item.bug.row.id} 1 day`, command: `snooze ${item.bug.row.id} 1d` })),
    ...(items.length === 1 ? { bugId: first } : {}),
  };
}

/** The list management gets in its channel. */
export function riskReportMessage(items: readonly { bug: MessageBug; risk: BugRisk; handler: string }[]): Message {
  return {
    text: [`**Deadlines at risk, overdue or with a stale estimate** (${items.length})`, ...items.map((item) => `- @${item.handler}: ${riskLine(item.bug, item.risk)}`)].join("\n"),
  };
}

/** A developer's daily digest: feedback owed, deadlines, reviews, customers to notify. */
export function digestMessage(options: { date: string; sections: readonly { title: string; lines: readonly string[] }[] }): Message {
  const blocks = [`**Your open work, ${formatDate(options.date)}**`];
  for (const section of options.sections) {
    if (section.lines.length === 0) continue;
    blocks.push([`**${section.title} (${section.lines.length})**`, ...section.lines.map((line) => `- ${line}`)].join("\n"));
  }
  return { text: blocks.join("\n\n") };
}

/** What the engine says about a note from outside the team. */
export interface CustomerNoteFacts {
  note: { text: string; private: boolean; authorName: string };
  byReporter: boolean;
  /** The handler told (staff handle), if the bug has one who is on the staff. */
  handler?: string;
  /** Set when the tracker moved the bug by itself because of the note: its name and the states' labels. */
  movedByTracker?: { tracker: string; from: string; to: string };
}

/** How many lines of a note the DM quotes, and how long each may be. */
const QUOTED_LINES = 4;
const QUOTED_LINE_LENGTH = 200;

/** The first lines of a note, quoted and escaped. */
function quoteFirstLines(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const shown = lines.slice(0, QUOTED_LINES).map((line) => `> ${escapeMarkdown(line.length > QUOTED_LINE_LENGTH ? `${line.slice(0, QUOTED_LINE_LENGTH)}…` : line)}`);
  if (lines.length > QUOTED_LINES) shown.push("> …");
  return shown.join("\n");
}

function movedLine(moved: NonNullable<CustomerNoteFacts["movedByTracker"]>): string {
  return `${moved.tracker} moved it from ${moved.from} to ${moved.to} by itself: it does that when the reporter writes on a bug waiting for feedback.`;
}

/**
 * The DM to the handler: who wrote, the note's first lines and the link. The handler is staff and may
 * read private notes, so the text comes along; the channel line never carries it.
 */
export function customerNoteDirectMessage(bug: MessageBug, facts: CustomerNoteFacts): Message {
  const who = facts.byReporter ? "the reporter" : escapeMarkdown(facts.note.authorName);
  const lines = [`**${facts.note.private ? "Private note" : "Note"} from ${who}** on ${bugTitle(bug)}:`, quoteFirstLines(facts.note.text)];
  if (facts.movedByTracker) lines.push(`${movedLine(facts.movedByTracker)} It is back with you.`);
  lines.push(`Answer in ${bug.url} (\`show ${bug.row.id}\` has the whole bug).`);
  return { text: lines.join("\n"), bugId: bug.row.id };
}

/** The line in the bug's thread: that a note came and who was told; never the note's text. */
export function customerNoteThreadMessage(bug: MessageBug, facts: CustomerNoteFacts): Message {
  const who = facts.byReporter ? "the reporter" : "someone outside the team";
  const told = facts.handler ? `@${facts.handler} has it in a direct message.` : `Nobody handles the bug: read it in ${bug.url}.`;
  const lines = [`**${facts.note.private ? "Private note" : "Note"} from ${who}** on ${bugTitle(bug)}. ${told}`];
  if (facts.movedByTracker) lines.push(movedLine(facts.movedByTracker));
  return { text: lines.join("\n"), bugId: bug.row.id };
}
