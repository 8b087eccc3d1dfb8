/**
 * The queue summary posted to channels: what needs whom, stage by stage of the seed's process, and
 * what changed since yesterday. Channels are read by many, so the input carries bug fields only
 * (never call records or anything else that could hold a customer's name, phone or e-mail).
 *
 * It is read, not scrolled: each section shows its count and its most urgent items (at most
 * SUMMARY_ITEMS_PER_SECTION), then one line naming the command that lists the whole section
 * (`summary new`), so the whole summary is one message at any tracker size. Items come in the order
 * in which they need action:
 * - `new` (NEW, awaiting triage) and `confirmed` (not started): highest priority first, then
 *   customers' bugs, then the longest waiting;
 * - `feedback`, `review`, `notify`: the longest waiting first (the feedback, review or customer
 *   message most overdue);
 * - `work`: overdue first, then at risk, then stale estimates, then on track; within each the
 *   earliest deadline first, bugs without a deadline last;
 * - `changes`: the newest first (yesterday's last changes are the ones people have not seen).
 *
 * Composition and splitting are pure and deterministic: the same input gives the same messages.
 */
import { formatDate } from "./dates.js";
import { formatWorkHours } from "./duration.js";
import { priorityRank, type Priority } from "./ticket.js";
import { toLocalDateTime } from "./calendar.js";
import { RISK_SEVERITY, type RiskState } from "./deadline-risk.js";
import type { MessageLimit } from "./message-limit.js";

/** One bug as the summary sees it: tracker fields plus what the bot derived (risk, stage). */
export interface SummaryBug {
  id: number;
  /** The bug's subject; by the process it holds no personal data, and it is escaped before use. */
  summary: string;
  /** The tracker's state key (`TicketState.key`), as the watcher's mirror keeps it. */
  status: string;
  /** Name to show for the handler; shown as plain text, so nobody gets pinged daily. */
  handler?: string;
  priority: Priority;
  /** Filed on behalf of a customer (the Customer tag). */
  customer: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** When the bug entered its current status; defaults to `createdAt` for new bugs, `updatedAt` otherwise. */
  statusSince?: Date;
  /** Work left from the subject tag, in working minutes. */
  workLeftMinutes?: number;
  /** Deadline from the subject tag, ISO `yyyy-mm-dd`. */
  deadline?: string;
  risk?: RiskState;
  /** Process stage; `review` and `resolution` (the seed's chapter names, any case) pick those sections. */
  stage?: string;
  /** Ids of its sub-bugs that are not resolved yet: the bug waits for them. */
  openSubBugs?: readonly number[];
}

/** One line of "what changed since yesterday", already phrased by the caller (e.g. "confirmed -> assigned"). */
export interface SummaryChange {
  bugId: number;
  at: Date;
  change: string;
}

/** The sections as people type them after `summary`, in the order the summary shows them. */
export const SUMMARY_SECTIONS = ["new", "feedback", "confirmed", "work", "review", "notify", "changes"] as const;
/** One section of the summary, by its typed name. */
export type SummarySection = (typeof SUMMARY_SECTIONS)[number];

/** What each section holds, as its heading says. */
export const SUMMARY_SECTION_TITLES: Readonly<Record<SummarySection, string>> = Object.freeze({
  new: "NEW, awaiting triage",
  feedback: "Feedback owed",
  confirmed: "Confirmed, not started",
  work: "In work",
  review: "In review",
  notify: "Resolved, customer not yet notified",
  changes: "Changed since yesterday",
});

/** Whether a typed word names a section. */
export function isSummarySection(word: string): word is SummarySection {
  return (SUMMARY_SECTIONS as readonly string[]).includes(word);
}

/** What the summary and its sections are composed from. */
export interface SummaryInput {
  bugs: readonly SummaryBug[];
  changes?: readonly SummaryChange[];
  now: Date;
  /** Time zone for the date in the title and the times of changes. Default UTC. */
  timeZone?: string;
  bugUrl: (id: number) => string;
  /** Default "Support queue". */
  title?: string;
}

/** How the capped summary is composed. */
export interface ComposeSummaryOptions extends SummaryInput {
  /** SUMMARY_ITEMS_PER_SECTION: at most this many items per section; the rest are counted on a "more" line. */
  itemsPerSection: number;
  /**
   * The message it must fit in: fewer items per section are shown until it does (counts and "more"
   * lines always stay). Without it nothing is left out for size.
   */
  limit?: MessageLimit;
  /** What people type before a command where it is read (e.g. `/support`), for the "more" lines; none: the bare command. */
  trigger?: string;
  /** Short lines after the sections (e.g. that the tracker did not answer), inside the limit. */
  notes?: readonly string[];
  /**
   * Each section's size when `bugs` holds only the bugs it may show (at least the first
   * `itemsPerSection` of each section in its order, as the store selects them): the daily summary
   * does not read every open bug. Without it each section counts its bugs.
   */
  counts?: Readonly<Partial<Record<BugSection, number>>>;
}

/** A section's items in the order they need action, each as its Markdown list line. */
interface SectionItems {
  key: SummarySection;
  lines: (count: number) => string[];
  count: number;
}

/**
 * Composes the summary as one Markdown message: per section its count, its most urgent items and a
 * line naming the command that lists the rest; within `limit` whatever the queue's size.
 */
export function composeSummary(options: ComposeSummaryOptions): string {
  const sections = sortSections(options);
  const header = titleLine(options);
  const command = (key: SummarySection): string => `\`${options.trigger ? `${options.trigger} ` : ""}summary ${key}\``;
  const bugCount = sections.filter((section) => section.key !== "changes").reduce((sum, section) => sum + section.count, 0);
  const most = Math.max(0, Math.floor(options.itemsPerSection));
  // Lines are rendered once for the most items shown; fewer items take a prefix of them.
  const rendered = new Map(sections.map((section) => [section.key, section.lines(Math.min(most, section.count))]));
  const compose = (shown: number): string => {
    const blocks = [header];
    for (const section of sections) {
      if (section.count === 0) continue;
      const lines = rendered.get(section.key)!.slice(0, shown);
      const rest = section.count - lines.length;
      if (rest > 0) lines.push(`- ${lines.length === 0 ? `all ${section.count}` : `and ${rest} more`}: ${command(section.key)}`);
      blocks.push([`**${SUMMARY_SECTION_TITLES[section.key]} (${section.count})**`, ...lines].join("\n"));
    }
    if (bugCount === 0) blocks.splice(1, 0, "All clear: no bug needs anyone right now.");
    blocks.push(...(options.notes ?? []));
    return blocks.join("\n\n");
  };
  const { limit } = options;
  if (!limit) return compose(most);
  for (let shown = most; shown > 0; shown--) {
    const text = compose(shown);
    if (fitsLimit(text, limit)) return text;
  }
  return compose(0);
}

/** Whether a text fits in one message of this size, counted as the platform counts. */
export function fitsLimit(text: string, limit: MessageLimit): boolean {
  return (limit.measure === "utf8-bytes" ? utf8Length(text) : codePointLength(text)) <= limit.length;
}

/**
 * One whole section (`summary new`): the title, the section's heading with its count, and every
 * item in the order of the summary. Not fitted to a message: the chat kernel splits a long one.
 */
export function composeSection(options: SummaryInput, key: SummarySection): string {
  const section = sortSections(options).find((candidate) => candidate.key === key)!;
  const heading = `**${SUMMARY_SECTION_TITLES[key]} (${section.count})**`;
  const body = section.count === 0 ? [heading, key === "changes" ? "Nothing changed." : "Nobody waits here right now."] : [heading, ...section.lines(section.count)];
  return [titleLine(options), body.join("\n")].join("\n\n");
}

function titleLine(options: SummaryInput): string {
  return `#### ${escapeMarkdown(options.title ?? "Support queue")}, ${formatDay(options.now, options.timeZone ?? "UTC")}`;
}

/** Every section with its items sorted by what needs action first (see the module comment). */
function sortSections(options: SummaryInput & Pick<ComposeSummaryOptions, "counts">): SectionItems[] {
  const timeZone = options.timeZone ?? "UTC";
  const now = options.now.getTime();
  const grouped = new Map<SummarySection, SummaryBug[]>(SUMMARY_SECTIONS.map((key) => [key, []]));
  for (const bug of options.bugs) {
    const key = sectionOf(bug);
    if (key) grouped.get(key)!.push(bug);
  }
  const sections: SectionItems[] = [];
  for (const key of SUMMARY_SECTIONS) {
    if (key === "changes") continue;
    const bugs = grouped.get(key)!.sort(sectionComparator(key));
    sections.push({
      key,
      count: options.counts?.[key] ?? bugs.length,
      lines: (count) => bugs.slice(0, count).map((bug) => `- ${bugLink(bug.id, options.bugUrl)} ${describe(key, bug, now, options.bugUrl)}`),
    });
  }
  const changes = [...(options.changes ?? [])].sort(
    (a, b) => b.at.getTime() - a.at.getTime() || b.bugId - a.bugId || compareText(a.change, b.change),
  );
  sections.push({
    key: "changes",
    count: changes.length,
    lines: (count) =>
      changes.slice(0, count).map((entry) => {
        const local = toLocalDateTime(entry.at, timeZone);
        const [, month, day] = local.date.split("-");
        return `- ${Number(day)}.${Number(month)}. ${local.time} ${bugLink(entry.bugId, options.bugUrl)} ${cleanText(entry.change, 300)}`;
      }),
  });
  return sections;
}

export interface SplitOptions {
  /** Largest message, e.g. 16,000; at least 16. */
  maxLength: number;
  /** How the platform counts: Unicode code points (Mattermost, default) or UTF-8 bytes (Matrix). */
  measure?: "code-points" | "utf8-bytes";
}

/**
 * Splits Markdown into messages no longer than `maxLength`, between blocks (blank-line separated
 * sections) where possible, else between lines, never inside a line. A section cut in two repeats its
 * heading marked "(continued)". A single line longer than a whole message is shortened with "…".
 */
export function splitMarkdown(markdown: string, options: SplitOptions): string[] {
  const { maxLength } = options;
  if (!Number.isInteger(maxLength) || maxLength < 16) throw new RangeError(`maxLength must be a whole number of at least 16, got ${maxLength}`);
  const size = options.measure === "utf8-bytes" ? utf8Length : codePointLength;
  const fits = (text: string): boolean => size(text) <= maxLength;
  // Sizes add up over concatenation, so each piece is measured once: measuring the whole message
  // again for every line took ~100 ms for a 10,000-bug summary (docs/benchmarks.md).
  const messages: string[] = [];
  let current = "";
  let currentSize = 0;
  const flush = (): void => {
    if (current !== "") messages.push(current);
    current = "";
    currentSize = 0;
  };
  const start = (text: string, textSize: number): void => {
    current = text;
    currentSize = textSize;
  };
  const append = (separator: string, text: string, textSize: number): void => {
    current = `${current}${separator}${text}`;
    currentSize += separator.length + textSize;
  };

  for (const block of markdown.split(/\n{2,}/).filter((part) => part.trim() !== "")) {
    const blockSize = size(block);
    if (current === "" ? blockSize <= maxLength : currentSize + 2 + blockSize <= maxLength) {
      if (current === "") start(block, blockSize);
      else append("\n\n", block, blockSize);
      continue;
    }
    if (blockSize <= maxLength) {
      flush();
      start(block, blockSize);
      continue;
    }
    // A block too long for any message: fill line by line, starting in the current message.
    const lines = block.split("\n").map((line) => (fits(line) ? line : truncateToFit(line, fits)));
    const sizes = lines.map(size);
    const heading = isHeading(lines[0] ?? "") ? lines[0] : undefined;
    for (const [index, line] of lines.entries()) {
      const separator = index === 0 ? "\n\n" : "\n";
      // A heading goes where its first line fits too; never alone at the end of a message.
      const probeSize = index === 0 && heading !== undefined && lines.length > 1 ? sizes[0]! + 1 + sizes[1]! : sizes[index]!;
      if (current !== "" && currentSize + separator.length + probeSize <= maxLength) {
        append(separator, line, sizes[index]!);
        continue;
      }
      flush();
      const continued = heading !== undefined && index > 0 ? `${heading} (continued)\n${line}` : line;
      const continuedSize = continued === line ? sizes[index]! : size(continued);
      if (continuedSize <= maxLength) start(continued, continuedSize);
      else start(line, sizes[index]!);
    }
  }
  flush();
  return messages;
}

/** Sub-bugs linked on one line at most; the rest are counted. */
const MAX_SUB_BUG_LINKS = 5;

/** The sections that hold bugs (all but "changes"). */
export type BugSection = Exclude<SummarySection, "changes">;

/** Which section shows an open bug, if any (MirrorRepository.summarySelection says the same in SQL). */
export function sectionOf(bug: Pick<SummaryBug, "status" | "stage">): BugSection | undefined {
  if (bug.status === "resolved" || bug.status === "closed") return undefined;
  const stage = bug.stage?.toLowerCase();
  if (stage === "resolution") return "notify";
  if (stage === "review") return "review";
  switch (bug.status) {
    case "new":
      return "new";
    case "feedback":
      return "feedback";
    case "acknowledged":
    case "confirmed":
      return "confirmed";
    case "assigned":
      return "work";
    default:
      return undefined;
  }
}

function since(bug: SummaryBug): number {
  return (bug.statusSince ?? (bug.status === "new" ? bug.createdAt : bug.updatedAt)).getTime();
}

function sectionComparator(key: BugSection): (a: SummaryBug, b: SummaryBug) => number {
  const oldestFirst = (a: SummaryBug, b: SummaryBug): number => since(a) - since(b) || a.id - b.id;
  switch (key) {
    case "new":
    case "confirmed":
      return (a, b) => priorityRank(b.priority) - priorityRank(a.priority) || Number(b.customer) - Number(a.customer) || oldestFirst(a, b);
    case "work":
      return inWorkOrder;
    default:
      return oldestFirst;
  }
}

/** The order of "In work": overdue, at risk, stale, on track; earliest deadline first, none last. */
export function inWorkOrder(a: Pick<SummaryBug, "id" | "risk" | "deadline">, b: Pick<SummaryBug, "id" | "risk" | "deadline">): number {
  return RISK_SEVERITY[b.risk ?? "ok"] - RISK_SEVERITY[a.risk ?? "ok"] || compareText(a.deadline ?? "9999-99-99", b.deadline ?? "9999-99-99") || a.id - b.id;
}

function describe(key: BugSection, bug: SummaryBug, now: number, bugUrl: (id: number) => string): string {
  const parts = [cleanText(bug.summary, 160)];
  const age = formatAge(now - since(bug));
  const handler = bug.handler ? cleanText(bug.handler, 60) : "nobody";
  const flags = [
    priorityRank(bug.priority) >= priorityRank("high") ? `**${bug.priority}**` : undefined,
    bug.customer ? "customer" : undefined,
  ].filter((flag): flag is string => flag !== undefined);
  switch (key) {
    case "new":
      parts.push(...flags, `waiting ${age}`);
      break;
    case "feedback":
      parts.push(`${handler} owes feedback`, `for ${age}`);
      break;
    case "confirmed":
      parts.push(...flags, `confirmed ${age} ago`);
      break;
    case "work":
      parts.push(handler, ...flags);
      if (bug.workLeftMinutes !== undefined) parts.push(`${formatWorkHours(bug.workLeftMinutes)} left`);
      if (bug.deadline !== undefined) parts.push(`due ${formatDate(bug.deadline)}`);
      if (bug.workLeftMinutes === undefined || bug.deadline === undefined) parts.push("no estimate or deadline in the subject");
      if (bug.risk === "overdue") parts.push("**OVERDUE**");
      else if (bug.risk === "at-risk") parts.push("**at risk**");
      else if (bug.risk === "stale") parts.push("estimate not updated");
      break;
    case "review":
      parts.push(`${handler} reviewing`, `for ${age}`);
      break;
    case "notify":
      parts.push(`${handler} to notify the customer`, `for ${age}`);
      break;
  }
  const subBugs = [...(bug.openSubBugs ?? [])].sort((a, b) => a - b);
  if (subBugs.length > 0) {
    // A few links say enough; a bug with hundreds of sub-bugs must not fill the message.
    const shown = subBugs.slice(0, MAX_SUB_BUG_LINKS).map((id) => bugLink(id, bugUrl));
    const more = subBugs.length > shown.length ? ` and ${subBugs.length - shown.length} more` : "";
    parts.push(`waits for ${subBugs.length === 1 ? "sub-bug" : "sub-bugs"} ${shown.join(", ")}${more}`);
  }
  return parts.join(" · ");
}

/** A bug as a Markdown link `[#12](url)`. */
export function bugLink(id: number, bugUrl: (id: number) => string): string {
  // Parentheses and spaces would end the link target early.
  const url = bugUrl(id).replace(/[()\s]/g, (char) => encodeURIComponent(char));
  return `[#${id}](${url})`;
}

/**
 * One line of plain text: whitespace collapsed (a newline would break the list and the splitter),
 * Markdown specials escaped, `@mentions` defused so a bug subject cannot ping a whole channel.
 */
export function cleanText(text: string, maxLength: number): string {
  let flat = text.replace(/\s+/g, " ").trim();
  const points = [...flat];
  if (points.length > maxLength) flat = `${points.slice(0, maxLength - 1).join("").trimEnd()}…`;
  return escapeMarkdown(flat).replace(/@(?=\w)/g, "@\u200B");
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|~!]/g, (char) => `\\${char}`);
}

function isHeading(line: string): boolean {
  return /^#{1,6} /.test(line) || /^\*\*.+\*\*$/.test(line);
}

function truncateToFit(line: string, fits: (text: string) => boolean): string {
  const points = [...line];
  let low = 0;
  let high = points.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(`${points.slice(0, middle).join("")}…`)) low = middle;
    else high = middle - 1;
  }
  return `${points.slice(0, low).join("")}…`;
}

function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

const encoder = new TextEncoder();
function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const WEEKDAY_NAMES = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" } as const;

function formatDay(at: Date, timeZone: string): string {
  const local = toLocalDateTime(at, timeZone);
  return `${WEEKDAY_NAMES[local.weekday]} ${formatDate(local.date)}`;
}



/** Elapsed wall time as `45m`, `5h` or `3d 4h`. */
function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}
