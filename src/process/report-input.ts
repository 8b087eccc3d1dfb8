/**
 * The report's input (src/core/process-report.ts) from what the bot keeps: each bug's way through
 * the stages from the journal of every tracker change the bot made (who, when, to which stage), its
 * filing time and subject from the watcher's mirror, its source and deadline from its process state.
 * What people changed in the tracker by hand shows only in the mirror: a bug whose tracker state
 * no longer fits the stage the journal last gave it gets one more step, at the time the watcher saw
 * the state begin.
 *
 * Decisions:
 * - A bug the mirror does not know (the engine is off) is dated by its first journal entry; a bug
 *   neither knows is not in the report.
 * - A deadline is judged as it stands now (a deadline moved with `eta` counts as the new one: the
 *   risk job warned about the old one while it was at risk).
 * - Journal entries written before the tracker port name the tracker's status, not the stage: the
 *   command's rule says where the bug went (the verdict by its outcome).
 */
import { buildProcessReport, type PeriodKind, type ProcessReport, type ReportBug, type ReportSource, type StageEvent } from "../core/process-report.js";
import { companyCalendar, type PeopleDefaults } from "../core/people-settings.js";
import { COMMAND_RULES, isStage, PROCESS_COMMANDS, type ProcessCommand, type Stage } from "../core/stages.js";
import type { BugOrigin, BugProcessState, JournalEntry, Store } from "../store/store.js";
import type { MirrorRow } from "../store/mirror-repo.js";

/** How the report groups a bug's origin: calls, e-mails (`file`), the tracker itself, and the team's own (docs, sales, sub-bugs). */
export function sourceOf(origin: BugOrigin | undefined): ReportSource {
  switch (origin) {
    case "call":
      return "call";
    case "email":
      return "email";
    case undefined:
    case "tracker":
      return "tracker";
    default:
      return "team";
  }
}

const isProcessCommand = (value: string | undefined): value is ProcessCommand => (PROCESS_COMMANDS as readonly (string | undefined)[]).includes(value);

/** The stage a journal entry moved its bug to; undefined for entries that moved nothing (notes, filing, `eta`). */
export function stageOfEntry(entry: Pick<JournalEntry, "command" | "action" | "details">): Stage | undefined {
  const change = entry.details["change"];
  if (typeof change !== "object" || change === null) return undefined;
  const fields = change as Record<string, unknown>;
  if (isStage(fields["stage"])) return fields["stage"];
  if (typeof fields["status"] !== "string" || !isProcessCommand(entry.command)) return undefined;
  if (entry.command === "verdict") return entry.action === "verdict-fail" ? "in-work" : fields["status"] === "resolved" ? "resolved" : "resolution";
  const targets = COMMAND_RULES[entry.command].to;
  return targets.length === 1 ? targets[0]!.stage : undefined;
}

/** The stage the mirror's state means for a bug whose last known stage was `last`. */
function mirrorStage(row: MirrorRow, last: Stage): Stage | undefined {
  const stages = row.state?.stages;
  if (!stages) return undefined;
  return stages.includes(last) ? last : stages[0];
}

/** One bug's report record from its journal, mirror row and process state. */
function reportBug(id: number, entries: readonly JournalEntry[], row: MirrorRow | undefined, state: BugProcessState | undefined): ReportBug | undefined {
  const createdAt = row?.createdAt ?? entries[0]?.at;
  if (createdAt === undefined) return undefined;
  const events: StageEvent[] = [];
  // A sub-bug opened with `ask` is filed straight into feedback for the developer asked.
  if (state?.origin === "sub-feedback") events.push({ at: createdAt, stage: "feedback", ...(entries[0] ? { actor: entries[0].actor } : {}) });
  for (const entry of entries) {
    const stage = stageOfEntry(entry);
    if (stage !== undefined) events.push({ at: entry.at, stage, actor: entry.actor });
  }
  if (row) {
    const last = events.at(-1);
    const stage = mirrorStage(row, last?.stage ?? "triage");
    // Changed in the tracker after the bot's last step (by hand, or before the bot knew the bug).
    if (stage !== undefined && stage !== (last?.stage ?? "triage") && row.statusSince.getTime() >= (last?.at ?? createdAt).getTime()) {
      events.push({ at: row.statusSince, stage });
    }
  }
  return {
    id,
    summary: row?.summary ?? "",
    source: sourceOf(state?.origin),
    createdAt,
    events,
    ...(state?.deadline !== undefined ? { deadline: state.deadline } : {}),
  };
}

/** Every bug the bot knows, as the report reads it. */
export async function readReportBugs(store: Store): Promise<ReportBug[]> {
  const journal = new Map<number, JournalEntry[]>();
  for (const entry of await store.journal.since(new Date(0))) journal.set(entry.bugId, [...(journal.get(entry.bugId) ?? []), entry]);
  const mirror = new Map((await store.mirror.list()).map((row) => [row.id, row]));
  const states = new Map((await store.bugProcess.list()).map((state) => [state.bugId, state]));
  const ids = [...new Set([...mirror.keys(), ...journal.keys()])].sort((a, b) => a - b);
  return ids.flatMap((id) => reportBug(id, journal.get(id) ?? [], mirror.get(id), states.get(id)) ?? []);
}

/** The report of the last complete week or month before `now`, in the company's working time. */
export async function buildReport(store: Store, settings: PeopleDefaults, kind: PeriodKind, now: Date): Promise<ProcessReport> {
  return buildProcessReport({ bugs: await readReportBugs(store), calendar: companyCalendar(settings), kind, now });
}
