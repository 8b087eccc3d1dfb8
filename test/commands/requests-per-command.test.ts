/**
 * Each command's MantisBT requests against the simulator, step by step through the walk of
 * test/support/requests-per-command.ts (the real-server suite holds a real MantisBT to the same
 * table), and the table in docs/requests.md agreeing with it.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";
import { recordFiled, startWalk, steadyCounts, tableRequest, walkLine, WALK, type WalkState } from "../support/requests-per-command.js";

let h: Harness;
let state: WalkState;

beforeAll(async () => {
  h = await startHarness({ simulator: { seed: false } });
  state = startWalk(h.clock.now);
});
afterAll(async () => {
  await h.close();
});

describe("MantisBT requests per command, against the simulator", () => {
  it.each(WALK.map((step, index) => [`${index + 1}. ${step.person}: ${step.line}`, step] as const))("%s", async (_name, step) => {
    const line = walkLine(step, state);
    const from = h.sim.requests.length;
    const result = await h.run(step.person, line);
    expect(result.kind, `${line}\n${result.reply.text}`).toBe("ok");
    recordFiled(step, state, result.reply.text);
    expect(h.sim.requests.slice(from).map((request) => tableRequest(request.method, request.path, state))).toEqual(step.requests);
  });
});

describe("docs/requests.md", () => {
  /** `| \`row\` | reads | writes | ...` lines of the table. */
  const rows = new Map(
    [...readFileSync(new URL("../../docs/requests.md", import.meta.url), "utf8").matchAll(/^\| `([^`]+)` \| (\d+) \| (\d+) \|/gm)].map((match) => [
      match[1]!,
      { reads: Number(match[2]), writes: Number(match[3]) },
    ]),
  );

  it.each([...new Set(WALK.map((step) => step.row))])("counts `%s` as the walk does", (row) => {
    for (const step of WALK.filter((candidate) => candidate.row === row)) {
      expect(rows.get(row), `the row for ${step.line}`).toEqual(steadyCounts(step));
    }
  });
});
