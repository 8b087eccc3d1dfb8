/**
 * Properties of argument parsing for every command in the registry: whatever is typed after the
 * command's name, `parseArguments` returns its arguments or refuses with a UsageError that says
 * what is wrong and carries the command's usage line; it never throws anything else.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildCommandRegistry } from "../../commands/index.js";
import { UsageError } from "../../src/errors.js";
import { formatUsage, parseArguments } from "../../src/framework/args.js";
import { tokenize } from "../../src/framework/tokenizer.js";
import { clearMessageProblem, commandLine, RUNS } from "./arbitraries.js";

const commands = buildCommandRegistry().all();

describe.each(commands.map((command) => [command.name, command] as const))("parseArguments for %s", (_name, command) => {
  it("returns arguments or refuses with a clear message and the usage line, for any line", () => {
    fc.assert(
      fc.property(commandLine(command), (line) => {
        let tokens;
        try {
          tokens = tokenize(line);
        } catch (error) {
          // The tokenizer's own refusals are its property test's business.
          if (error instanceof UsageError) return;
          throw error;
        }
        try {
          parseArguments(command, tokens.slice(1));
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          expect(clearMessageProblem(error.userMessage, line)).toBeUndefined();
          expect(error.usage).toBe(formatUsage(command));
        }
      }),
      { numRuns: RUNS.perCommand },
    );
  });

  it("accepts every one of its own examples", () => {
    for (const example of command.examples) expect(() => parseArguments(command, tokenize(example).slice(1)), example).not.toThrow();
  });
});
