/**
 * `help`: the commands the caller may run, or one command in detail. Everything shown comes from
 * the command definitions, so help cannot drift from what the dispatcher accepts.
 */
import { z } from "zod";
import { UsageError } from "../src/errors.js";
import { defineCommand } from "../src/framework/command.js";
import { renderCommandHelp, renderCommandList, type HelpOptions } from "../src/framework/help.js";
import { suggestionCandidates, type CommandCatalog } from "../src/framework/registry.js";
import { ephemeral } from "../src/framework/reply.js";
import { formatSuggestions, suggestCommands } from "../src/framework/suggest.js";

/**
 * The help command over a catalog it reads when run; a function because help is itself in the
 * registry it describes, which exists only once every command, help included, is defined.
 */
export function createHelpCommand(catalog: () => CommandCatalog) {
  // The list depends only on the catalog (fixed once the bot runs), the role and the trigger: it is
  // rendered once per role and trigger, not for every `help`.
  const lists = new WeakMap<CommandCatalog, Map<string, string>>();
  const listFor = (commands: CommandCatalog, options: HelpOptions): string => {
    let rendered = lists.get(commands);
    if (!rendered) lists.set(commands, (rendered = new Map()));
    const key = `${options.role}\n${options.trigger}`;
    let text = rendered.get(key);
    if (text === undefined) rendered.set(key, (text = renderCommandList(commands, options)));
    return text;
  };
  return defineCommand({
    name: "help",
    summary: "List the commands you can use, or explain one with examples",
    usage: "[command]",
    examples: ["help", "help grab"],
    roles: ["management", "staff"],
    positional: ["command"],
    args: z.object({ command: z.string().optional() }),
    async run(ctx, args) {
      const options = { role: ctx.caller.role, trigger: ctx.trigger };
      const commands = catalog();
      if (args.command === undefined) return ephemeral(listFor(commands, options));
      const command = commands.find(args.command);
      if (!command) {
        const suggestions = suggestCommands(args.command, suggestionCandidates(commands.all()));
        throw new UsageError(`There is no command \`${args.command.replace(/`/g, "")}\`.${formatSuggestions(suggestions)}`);
      }
      return ephemeral(renderCommandHelp(command, options));
    },
  });
}
