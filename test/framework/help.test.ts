import { describe, expect, it } from "vitest";
import { buildCommandRegistry } from "../../commands/index.js";
import { parseArguments } from "../../src/framework/args.js";
import { listAutocompleteHints, renderCommandHelp, renderCommandList, TRIGGERS } from "../../src/framework/help.js";
import type { CommandRegistry } from "../../src/framework/registry.js";
import { tokenize } from "../../src/framework/tokenizer.js";
import { ROLES } from "../../src/identity.js";
import { assign, TEST_COMMANDS } from "./test-commands.js";

const registries: [string, CommandRegistry][] = [
  ["the real commands", buildCommandRegistry()],
  ["the test commands", buildCommandRegistry(TEST_COMMANDS)],
];

describe.each(registries)("help and autocomplete for %s", (_name, registry) => {
  it("lists every registered command in the help of some role, and each role sees exactly what it may run", () => {
    const seen = new Set<string>();
    for (const role of ROLES) {
      const text = renderCommandList(registry, { role, trigger: "/support" });
      for (const command of registry.all()) {
        const listed = text.includes(`- \`/support ${command.name}`);
        expect(listed, `${command.name} in help for ${role}`).toBe(command.roles.includes(role));
        if (listed) seen.add(command.name);
      }
    }
    expect([...seen].sort()).toEqual(registry.all().map((command) => command.name).sort());
  });

  it("has autocomplete data for every registered command", () => {
    const hints = listAutocompleteHints(registry);
    expect(hints.map((hint) => hint.name)).toEqual(registry.all().map((command) => command.name));
    for (const hint of hints) expect(hint.summary).not.toBe("");
  });

  it("gives examples that start with the command and that its argument schema accepts", () => {
    for (const command of registry.all()) {
      for (const example of command.examples) {
        const [first, ...rest] = tokenize(example);
        expect(registry.find(first!.text), example).toBe(command);
        expect(() => parseArguments(command, rest), example).not.toThrow();
      }
    }
  });
});

describe("renderCommandList", () => {
  const registry = buildCommandRegistry(TEST_COMMANDS);

  it("shows staff the commands everyone may run, then their own, and hides management's", () => {
    expect(renderCommandList(registry, { role: "staff", trigger: "!support" })).toBe(
      [
        "**Commands** (type them after `!support`):",
        "- `!support show <bug>`: Show a bug",
        "- `!support whoami`: Say who the bot thinks you are",
        "- `!support fail <mode>`: Fail on purpose",
        "- `!support help [command]`: List the commands you can use, or explain one with examples",
        "",
        "**Only for staff:**",
        "- `!support note <bug> <text...> [private]`: Add a note to a bug",
        "",
        "`!support help <command>` explains one command, with examples.",
      ].join("\n"),
    );
  });

  it("shows management its own commands in a separate part", () => {
    const text = renderCommandList(registry, { role: "management", trigger: "/support" });
    expect(text).toContain("**Only for management:**\n- `/support assign <bug> @user [priority=<name>]`: Give a bug to a staff member");
    expect(text).not.toContain("note");
  });
});

describe("renderCommandHelp", () => {
  it("shows summary, usage, aliases, examples and who may run it", () => {
    const registry = buildCommandRegistry(TEST_COMMANDS);
    expect(renderCommandHelp(registry.find("show")!, { role: "staff", trigger: TRIGGERS.mattermost })).toBe(
      [
        "**show**: Show a bug",
        "Usage: `/support show <bug>`",
        "Also: `view`",
        "Examples:",
        "- `/support show 12`",
        "- `/support view #12`",
        "Who can run it: management or staff.",
      ].join("\n"),
    );
  });

  it("tells a caller who may not run the command why", () => {
    expect(renderCommandHelp(assign, { role: "staff", trigger: TRIGGERS.matrix })).toContain(
      "Who can run it: management.\nYou are linked as staff, so you cannot run it.",
    );
  });
});

describe("listAutocompleteHints", () => {
  it("gives name, usage, hint and summary, optionally only for one role", () => {
    const registry = buildCommandRegistry(TEST_COMMANDS);
    expect(listAutocompleteHints(registry, "staff").map((hint) => hint.name)).toEqual(["show", "note", "whoami", "fail", "help"]);
    expect(listAutocompleteHints(registry).find((hint) => hint.name === "assign")).toEqual({
      name: "assign",
      aliases: [],
      usage: "assign <bug> @user [priority=<name>]",
      hint: "<bug> @user [priority=<name>]",
      summary: "Give a bug to a staff member",
      roles: ["management"],
    });
  });
});
