import { describe, expect, it } from "vitest";
import { z } from "zod";
import { UsageError } from "../../src/errors.js";
import { bugIdArg, deadlineArg, estimateArg, flagArg, priorityArg, resolveBugReferences, staffHandleArg, textArg } from "../../src/framework/arg-types.js";
import { formatUsage, mapTokens, parseArguments } from "../../src/framework/args.js";
import { defineCommand, type CommandDefinition } from "../../src/framework/command.js";
import { ephemeral } from "../../src/framework/reply.js";
import { tokenize } from "../../src/framework/tokenizer.js";

const assign = defineCommand({
  name: "assign",
  summary: "Give a bug to someone",
  usage: "<bug> @user [priority=<name>] [deadline=<date>] [notify]",
  examples: ["assign 12 @alice priority=high"],
  roles: ["management"],
  positional: ["bug", "to"],
  flags: ["notify"],
  args: z.object({
    bug: bugIdArg,
    to: staffHandleArg,
    priority: priorityArg.optional(),
    deadline: deadlineArg.optional(),
    fixedIn: z.string().optional(),
    notify: flagArg,
  }),
  run: async () => ephemeral("done"),
});

const note = defineCommand({
  name: "note",
  summary: "Add a note",
  usage: "<bug> <text...> [private]",
  examples: ["note 12 works again"],
  roles: ["staff"],
  positional: ["bug", "...text"],
  flags: ["private"],
  args: z.object({ bug: bugIdArg, text: textArg, private: flagArg }),
  run: async () => ephemeral("done"),
});

/** The arguments for a line, as the dispatcher would parse them (the command word already removed). */
function parse<Schema extends z.ZodType>(command: CommandDefinition<Schema>, line: string) {
  return parseArguments(command, tokenize(`${command.name} ${line}`).slice(1));
}

function usageErrorOf(action: () => unknown): UsageError {
  try {
    action();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError");
}

describe("parseArguments", () => {
  it("fills positional names in order and converts them through the schema", () => {
    expect(parse(assign, "#12 @alice")).toEqual({ bug: 12, to: "alice", notify: false });
  });

  it("takes key=value options, case-insensitive values and flags anywhere", () => {
    expect(parse(assign, "notify priority=HIGH 12 @bob deadline=2034-03-14")).toEqual({
      bug: 12,
      to: "bob",
      priority: "high",
      deadline: "2034-03-14",
      notify: true,
    });
  });

  it("accepts a positional argument given by name, and fills the others around it", () => {
    expect(parse(assign, "to=@carol 7")).toEqual({ bug: 7, to: "carol", notify: false });
  });

  it("matches option names regardless of case, '-' and '_'", () => {
    expect(parse(assign, "12 @bob fixed_in=1.2")).toMatchObject({ fixedIn: "1.2" });
    expect(parse(assign, "12 @bob Fixed-In=1.3")).toMatchObject({ fixedIn: "1.3" });
  });

  it("collects the rest into a text and keeps quoted parts whole", () => {
    expect(parse(note, `#3 customer "Jürg Müller" can't pay 🙁 private`)).toEqual({
      bug: 3,
      text: "customer Jürg Müller can't pay 🙁",
      private: true,
    });
  });

  it("takes a quoted flag word as text, not as the flag", () => {
    expect(parse(note, `3 set to "private"`)).toEqual({ bug: 3, text: "set to private", private: false });
  });

  it("accepts a flag as flag=yes / flag=no", () => {
    expect(parse(note, "3 hello private=no")).toMatchObject({ private: false });
    expect(parse(note, "3 hello private=yes")).toMatchObject({ private: true });
  });

  it.each([
    ["12 @alice priority=soon", "priority: must be one of none, low, normal, high, urgent, immediate"],
    ["12", "to: missing"],
    ["", "bug: missing\nto: missing"],
    ["# @alice", "bug: must be a bug number such as #1234"],
    ["12 @", "to: must be a staff handle such as @alice"],
    ["12 @alice deadline=", "deadline: must not be empty; for example 2034-03-14 or 14.3.2034"],
    ["12 @alice priority=", "priority: must be one of none, low, normal, high, urgent, immediate"],
    ["12 @alice prio=high", 'Unknown option "prio=". This command knows bug=, to=, notify=, priority=, deadline=, fixedIn=. To use "=" in text, put the text in quotes.'],
    ["12 @alice priority=high priority=low", "priority: given twice."],
    ["bug=13 12 @alice", 'Too many arguments: I did not expect "@alice". Put text with spaces in quotes.'],
    ["12 @alice extra", 'Too many arguments: I did not expect "extra". Put text with spaces in quotes.'],
    ["12 @alice notify=maybe", 'notify: is a switch; write just "notify" to turn it on, or leave it out.'],
  ])("refuses `assign %s` with a message naming the argument", (line, message) => {
    const error = usageErrorOf(() => parse(assign, line));
    expect(error.userMessage).toBe(message);
    expect(error.usage).toBe("assign <bug> @user [priority=<name>] [deadline=<date>] [notify]");
  });

  it.each([
    ["3", "text: missing"],
    ['3 ""', "text: must not be empty"],
    ["3 hello text=world", "text: given twice."],
  ])("refuses `note %s`", (line, message) => {
    expect(usageErrorOf(() => parse(note, line)).userMessage).toBe(message);
  });
});

describe("mapTokens", () => {
  it("builds the raw object before validation, with an empty list for a missing rest", () => {
    expect(mapTokens(note, tokenize("12"))).toEqual({ bug: "12", text: [] });
  });
});

describe("formatUsage", () => {
  it("puts the command name before its arguments", () => {
    expect(formatUsage(assign)).toBe("assign <bug> @user [priority=<name>] [deadline=<date>] [notify]");
    expect(formatUsage({ name: "mine", usage: "" })).toBe("mine");
  });
});

describe("argument types", () => {
  it.each([
    ["#1234", 1234],
    ["1234", 1234],
    [" 7 ", 7],
  ])("reads bug reference %j", (text, id) => {
    expect(bugIdArg.parse(text)).toBe(id);
  });

  it.each(["", "#", "#0", "-3", "12a", "#1.5", "https://example.com/?id=3", "https://bugs.taler.net/view.php?id=9876"])("refuses %j as a bug reference", (text) => {
    expect(bugIdArg.safeParse(text).success).toBe(false);
  });

  it("leaves links to the tracker's reader: a bug argument it reads becomes #id, other arguments stay", () => {
    const schema = z.object({ bug: bugIdArg, other: bugIdArg.optional(), text: textArg });
    const reader = (text: string) => (text === "tracker:9876" ? 9876 : undefined);
    expect(resolveBugReferences(schema, { bug: "tracker:9876", other: "12", text: ["tracker:9876"] }, reader)).toEqual({ bug: "#9876", other: "12", text: ["tracker:9876"] });
    expect(resolveBugReferences(schema, { bug: "elsewhere:1" }, reader)).toEqual({ bug: "elsewhere:1" });
  });

  it("strips @ from handles but keeps Matrix ids whole", () => {
    expect(staffHandleArg.parse("@alice")).toBe("alice");
    expect(staffHandleArg.parse("bob")).toBe("bob");
    expect(staffHandleArg.parse("@carol:example.org")).toBe("@carol:example.org");
    expect(staffHandleArg.safeParse("@").success).toBe(false);
    expect(staffHandleArg.safeParse("Jürg Müller").success).toBe(false);
  });

  it("reads priority names case-insensitively", () => {
    expect(priorityArg.parse(" Urgent")).toBe("urgent");
    expect(priorityArg.safeParse("asap").error?.issues[0]?.message).toBe("must be one of none, low, normal, high, urgent, immediate");
  });

  it("keeps estimate text for src/core to check, refusing only empty text", () => {
    expect(estimateArg.parse(" 4h ")).toBe("4h");
    expect(estimateArg.safeParse("  ").error?.issues[0]?.message).toBe("must not be empty; for example 4h or 2d");
  });
});
