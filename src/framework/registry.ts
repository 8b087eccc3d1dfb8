/**
 * The table of commands, built once at start-up from the explicit list in `commands/index.ts`.
 * A duplicate name or alias, or a malformed definition, stops the bot before it answers anyone.
 */
import { argumentNames } from "./args.js";
import type { CommandDefinition } from "./command.js";
import type { SuggestionCandidate } from "./suggest.js";

/** A command definition whatever its argument schema; what lists and tables hold. */
export type AnyCommand = CommandDefinition;

/** Read-only view of the registry, for help and autocomplete. */
export interface CommandCatalog {
  /** Every command, in the order of the list it was built from. */
  all(): readonly AnyCommand[];
  /** By name or alias, case-insensitive. */
  find(word: string): AnyCommand | undefined;
}

const COMMAND_WORD = /^[a-z][a-z0-9-]*$/;

/** Every problem with one definition, as lines naming the command. */
function checkDefinition(command: AnyCommand): string[] {
  const problems: string[] = [];
  const where = `command "${command.name}"`;
  for (const word of [command.name, ...(command.aliases ?? [])]) {
    if (!COMMAND_WORD.test(word)) problems.push(`${where}: "${word}" must be lower-case letters, digits and '-', starting with a letter`);
  }
  if (!command.summary.trim()) problems.push(`${where}: summary is empty`);
  if (command.roles.length === 0) problems.push(`${where}: no roles may run it`);
  const positional = command.positional ?? [];
  positional.forEach((name, index) => {
    if (name.startsWith("...") && index !== positional.length - 1) problems.push(`${where}: "${name}" collects the rest, so it must come last`);
  });
  const names = [...positional.map((name) => name.replace(/^\.\.\./, "")), ...(command.flags ?? [])].map((name) => name.toLowerCase());
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  for (const name of new Set(repeated)) problems.push(`${where}: argument "${name}" is declared twice (positional names and flags share one namespace)`);
  return [...problems, ...formProblems(command)];
}

/** A form may only ask for the command's own arguments, each once, and a choice needs its values. */
function formProblems(command: AnyCommand): string[] {
  if (command.form === undefined) return [];
  const where = `command "${command.name}", form`;
  const known = new Set(argumentNames(command));
  const fields = command.form.fields.map((field) => field.name);
  return [
    ...fields.filter((name) => !known.has(name)).map((name) => `${where}: field "${name}" is no argument of the command`),
    ...[...new Set(fields.filter((name, index) => fields.indexOf(name) !== index))].map((name) => `${where}: field "${name}" is asked twice`),
    ...command.form.fields.filter((field) => field.kind === "choice" && !field.choices?.length).map((field) => `${where}: choice "${field.name}" has no choices`),
    ...(command.form.opensWith ?? []).filter((name) => !fields.includes(name)).map((name) => `${where}: opensWith names "${name}", which is no field`),
  ];
}

/** The commands the dispatcher routes to, by name and alias. */
export class CommandRegistry implements CommandCatalog {
  private readonly commands: readonly AnyCommand[];
  private readonly byWord = new Map<string, AnyCommand>();

  /** Throws an Error listing every duplicate name or alias and every malformed definition. */
  constructor(commands: readonly AnyCommand[]) {
    this.commands = [...commands];
    const problems = commands.flatMap(checkDefinition);
    for (const command of commands) {
      for (const word of [command.name, ...(command.aliases ?? [])]) {
        const key = word.toLowerCase();
        const owner = this.byWord.get(key);
        if (owner) {
          problems.push(`"${word}" is used twice: by command "${owner.name}" and by command "${command.name}"`);
        } else {
          this.byWord.set(key, command);
        }
      }
    }
    if (problems.length > 0) throw new Error(`Invalid command definitions:\n${problems.map((line) => `- ${line}`).join("\n")}`);
  }

  all(): readonly AnyCommand[] {
    return this.commands;
  }

  find(word: string): AnyCommand | undefined {
    return this.byWord.get(word.toLowerCase());
  }
}

/** Names and aliases of the given commands, for "did you mean". */
export function suggestionCandidates(commands: readonly AnyCommand[]): SuggestionCandidate[] {
  return commands.flatMap((command) => [command.name, ...(command.aliases ?? [])].map((word) => ({ word, command: command.name })));
}
