/**
 * Properties of the whole command path (tokenize, find, roles, arguments, `run` against the
 * MantisBT simulator, replies) for every command: whatever a linked person or a stranger types
 * after its name, the bot answers ok or refuses with a clear message; it never fails with the
 * generic "problem on my side", and the answer never shows internals.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCommandRegistry } from "../../commands/index.js";
import { startHarness, type Harness } from "../support/harness.js";
import { clearMessageProblem, commandLine, hostileText, RUNS } from "./arbitraries.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const commands = buildCommandRegistry().all();
/** Management may run every command; alice is staff; mallory is not linked at all. */
const callers = fc.constantFrom("manager", "alice", "mallory");

/** What went wrong with one answer, or undefined when it is fine. */
async function answerProblem(user: string, line: string): Promise<string | undefined> {
  const result = await h.run(user, line);
  if (result.kind === "failed") return `failed for ${user}: ${result.reply.text}`;
  const problem = clearMessageProblem(result.reply.text, line);
  return problem === undefined ? undefined : `${result.kind} for ${user}: ${problem}: ${result.reply.text}`;
}

describe.each(commands.map((command) => [command.name, command] as const))("dispatch of %s", (_name, command) => {
  it("answers ok or refuses clearly, for any line and any caller", async () => {
    await fc.assert(
      fc.asyncProperty(callers, commandLine(command), async (user, line) => {
        expect(await answerProblem(user, line)).toBeUndefined();
      }),
      { numRuns: RUNS.dispatch },
    );
  });
});

describe("dispatch of anything", () => {
  it("refuses unknown commands and hostile text clearly, for any caller", async () => {
    await fc.assert(
      fc.asyncProperty(callers, hostileText(300), async (user, line) => {
        expect(await answerProblem(user, line)).toBeUndefined();
      }),
      { numRuns: RUNS.http },
    );
  });
});
