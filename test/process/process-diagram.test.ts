import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { COMMAND_RULES, formatProcessTable, PROCESS_COMMANDS, STAGES } from "../../src/core/stages.js";
import { formatProcessDiagram, formatProcessDiagramBlock, formatStageTable } from "../../src/process/process-diagram.js";
import { MANTIS_NAME, MANTIS_STAGE_LABELS } from "../../src/tracker/mantis/mantis-tracker.js";

/** The docs describe the process on the tracker the bot runs on. */
const MANTIS = { name: MANTIS_NAME, stageLabels: MANTIS_STAGE_LABELS };

const DOC = readFileSync(fileURLToPath(new URL("../../docs/process.md", import.meta.url)), "utf8");

/** The text between `<!-- name -->` and `<!-- /name -->` in docs/process.md. */
function generatedPart(name: string): string | undefined {
  const match = new RegExp(`<!-- ${name} -->\\n([\\s\\S]*?)\\n<!-- /${name} -->`).exec(DOC);
  return match?.[1];
}

const REGENERATE =
  "docs/process.md is out of step with src/core/stages.ts or the MantisBT adapter's stage statuses: paste the output of formatProcessDiagramBlock / formatStageTable / formatProcessTable between its markers";

describe("docs/process.md", () => {
  it("carries the state diagram generated from the rule table", () => {
    expect(generatedPart("process-diagram"), REGENERATE).toBe(formatProcessDiagramBlock(MANTIS));
  });

  it("carries the stage table generated from the rule table", () => {
    expect(generatedPart("stage-table"), REGENERATE).toBe(formatStageTable(MANTIS));
  });

  it("carries the command table generated from the rule table", () => {
    expect(generatedPart("process-table"), REGENERATE).toBe(formatProcessTable(MANTIS_STAGE_LABELS));
  });

  it("maps a seed rule to every process command", () => {
    const seedTable = DOC.slice(DOC.indexOf("## Each rule of the seed"));
    for (const command of PROCESS_COMMANDS) expect(seedTable, command).toContain(`\`${command}`);
  });
});

describe("formatProcessDiagram", () => {
  const diagram = formatProcessDiagram(MANTIS);

  it("declares every stage once, with its MantisBT statuses", () => {
    for (const stage of STAGES) expect(diagram.match(new RegExp(`^    state "${stage}: .*" as ${stage.replace("-", "_")}$`, "gm"))).toHaveLength(1);
    expect(diagram).toContain('state "triage: NEW or ACKNOWLEDGED" as triage');
    expect(diagram).toContain('state "review: FEEDBACK" as review');
  });

  it("draws one edge for each way a command moves a bug, several commands sharing an edge", () => {
    expect(diagram).toContain("    triage --> feedback: triage / grab\n");
    expect(diagram).toContain("    review --> in_work: verdict fail\n");
    expect(diagram).toContain("    review --> resolution: verdict pass, customer\n");
    expect(diagram).toContain("    review --> resolved: verdict pass, no customer\n");
    expect(diagram).toContain("    in_work --> in_work: eta / draft\n");
    expect(diagram).toContain("    resolved --> closed: release\n");
  });

  it("names every command of the table on some edge", () => {
    const edges = diagram.split("\n").filter((line) => line.includes("-->"));
    for (const command of PROCESS_COMMANDS) {
      const rule = COMMAND_RULES[command];
      const expected = rule.from.length * Math.max(1, rule.to.length);
      const onEdges = edges.filter((line) => new RegExp(`: (.* / )?${command}( |$|,)`).test(line)).length;
      expect(onEdges, command).toBe(expected);
    }
  });

  it("starts at triage and ends after closed", () => {
    expect(diagram.split("\n")[0]).toBe("stateDiagram-v2");
    expect(diagram).toMatch(/^    \[\*\] --> triage: /m);
    expect(diagram.split("\n").at(-1)).toBe("    closed --> [*]");
  });
});
