import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildCommandRegistry } from "../../commands/index.js";
import { defineCommand } from "../../src/framework/command.js";
import { CommandRegistry, type AnyCommand } from "../../src/framework/registry.js";
import { ephemeral } from "../../src/framework/reply.js";
import { TEST_COMMANDS, show } from "./test-commands.js";

function command(fields: Partial<AnyCommand> & { name: string }): AnyCommand {
  return defineCommand({
    summary: "Does something",
    usage: "",
    examples: [],
    roles: ["staff"],
    args: z.object({}),
    run: async () => ephemeral("ok"),
    ...fields,
  });
}

describe("CommandRegistry", () => {
  it("finds commands by name and alias, case-insensitively, and keeps the list order", () => {
    const registry = buildCommandRegistry(TEST_COMMANDS);
    expect(registry.find("SHOW")).toBe(show);
    expect(registry.find("View")).toBe(show);
    expect(registry.find("nope")).toBeUndefined();
    expect(registry.all().map((known) => known.name)).toEqual(["show", "assign", "note", "whoami", "fail", "help"]);
  });

  it("fails at start-up on a duplicate name", () => {
    expect(() => new CommandRegistry([command({ name: "grab" }), command({ name: "grab" })])).toThrow(
      '"grab" is used twice: by command "grab" and by command "grab"',
    );
  });

  it("fails at start-up when an alias repeats another command's name or alias, whatever the case", () => {
    expect(() => new CommandRegistry([command({ name: "grab" }), command({ name: "take", aliases: ["Grab"] })])).toThrow(
      '"Grab" is used twice: by command "grab" and by command "take"',
    );
    expect(() => new CommandRegistry([command({ name: "a", aliases: ["x"] }), command({ name: "b", aliases: ["x"] })])).toThrow(/"x" is used twice/);
  });

  it("fails when help is listed again next to the built-in one", () => {
    expect(() => buildCommandRegistry([command({ name: "help" })])).toThrow(/"help" is used twice/);
  });

  it("lists every malformed definition at once", () => {
    const bad = [
      command({ name: "Grab Now", aliases: ["ok", "#1"] }),
      command({ name: "empty", summary: " ", roles: [] }),
      command({ name: "rest", positional: ["...words", "bug"] }),
      command({ name: "twice", positional: ["bug"], flags: ["Bug"] }),
    ];
    expect(() => new CommandRegistry(bad)).toThrow(
      [
        "Invalid command definitions:",
        `- command "Grab Now": "Grab Now" must be lower-case letters, digits and '-', starting with a letter`,
        `- command "Grab Now": "#1" must be lower-case letters, digits and '-', starting with a letter`,
        `- command "empty": summary is empty`,
        `- command "empty": no roles may run it`,
        `- command "rest": "...words" collects the rest, so it must come last`,
        `- command "twice": argument "bug" is declared twice (positional names and flags share one namespace)`,
      ].join("\n"),
    );
  });

  it("fails at start-up on a form that asks for what the command does not take", () => {
    const field = { label: "Bug", prompt: "Which bug?", kind: "text" } as const;
    const bad = command({
      name: "draft",
      positional: ["bug"],
      args: z.object({ bug: z.string() }),
      form: {
        title: "Draft",
        introduction: "A draft.",
        submitLabel: "Save",
        opensWith: ["text"],
        fields: [{ ...field, name: "bug" }, { ...field, name: "bugs" }, { ...field, name: "bug" }, { ...field, name: "bug", kind: "choice" }],
      },
    });
    expect(() => new CommandRegistry([bad])).toThrow(
      [
        "Invalid command definitions:",
        `- command "draft", form: field "bugs" is no argument of the command`,
        `- command "draft", form: field "bug" is asked twice`,
        `- command "draft", form: choice "bug" has no choices`,
        `- command "draft", form: opensWith names "text", which is no field`,
      ].join("\n"),
    );
  });

  it("builds the real registry of commands/index.ts without errors", () => {
    expect(buildCommandRegistry().find("help")?.name).toBe("help");
  });
});
