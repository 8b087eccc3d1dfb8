/**
 * The support process as a Mermaid state diagram, generated from the rule table in
 * src/core/stages.ts (STAGE_INFO, COMMAND_RULES) and a tracker's state labels. docs/process.md
 * embeds the output for the tracker the bot runs on, and a test compares the two, so the documented
 * state machine cannot drift from the one the bot enforces.
 */
import { COMMAND_RULES, PROCESS_COMMANDS, STAGE_INFO, STAGES, type Stage, type Target } from "../core/stages.js";
import type { TrackerPort } from "./tracker-port.js";

/** What the diagram and tables need of a tracker: its name and the state labels of each stage. */
export type TrackerVocabulary = Pick<TrackerPort, "name" | "stageLabels">;

/** Mermaid ids allow no hyphen. */
function stateId(stage: Stage): string {
  return stage.replaceAll("-", "_");
}

/** `verdict pass, customer`: the command and the conditions under which it takes this edge. */
function edgeLabel(command: string, target: Target | undefined): string {
  const conditions = [
    target?.when?.outcome,
    target?.when?.customer === undefined ? undefined : target.when.customer ? "customer" : "no customer",
  ].filter((part): part is string => part !== undefined);
  return conditions.length > 0 ? `${command} ${conditions.join(", ")}` : command;
}

/**
 * `stateDiagram-v2` text: one state per stage, labelled with the tracker's states for it; one edge
 * per pair of stages a command moves a bug between (several commands on one edge share it);
 * commands that leave the stage alone (`ask`, `eta`, `draft`) are loops.
 */
export function formatProcessDiagram(tracker: TrackerVocabulary): string {
  const lines = ["stateDiagram-v2"];
  for (const stage of STAGES) {
    lines.push(`    state "${stage}: ${tracker.stageLabels[stage].join(" or ")}" as ${stateId(stage)}`);
  }
  // Where a bug enters the process; not a rule of the table (bugs are filed, not moved there).
  lines.push(`    [*] --> ${stateId("triage")}: filed (call, file, docs, or in ${tracker.name})`);
  const edges = new Map<string, string[]>();
  const addEdge = (from: Stage, to: Stage, label: string): void => {
    const key = `${stateId(from)} --> ${stateId(to)}`;
    edges.set(key, [...(edges.get(key) ?? []), label]);
  };
  for (const command of PROCESS_COMMANDS) {
    const rule = COMMAND_RULES[command];
    for (const from of rule.from) {
      if (rule.to.length === 0) addEdge(from, from, command);
      for (const target of rule.to) addEdge(from, target.stage, edgeLabel(command, rule.to.length > 1 ? target : undefined));
    }
  }
  for (const [edge, labels] of edges) lines.push(`    ${edge}: ${labels.join(" / ")}`);
  lines.push(`    ${stateId("closed")} --> [*]`);
  return lines.join("\n");
}

/** The diagram as a fenced Mermaid block, as docs/process.md carries it. */
export function formatProcessDiagramBlock(tracker: TrackerVocabulary): string {
  return ["```mermaid", formatProcessDiagram(tracker), "```"].join("\n");
}

/** The stages as a Markdown table: the tracker's states, the seed's chapter, what the bug waits for. */
export function formatStageTable(tracker: TrackerVocabulary): string {
  const rows = STAGES.map((stage) => {
    const info = STAGE_INFO[stage];
    return `| ${stage} | ${tracker.stageLabels[stage].join(", ")} | ${info.phase} | ${info.waitsFor} |`;
  });
  return [`| stage | ${tracker.name} status | chapter | the bug ... |`, "| --- | --- | --- | --- |", ...rows].join("\n");
}
