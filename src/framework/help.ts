/**
 * Help text and autocomplete data, generated from the command definitions so they cannot drift
 * from what the dispatcher accepts.
 */
import { PLATFORMS, ROLES, type Platform, type Role } from "../identity.js";
import { formatUsage } from "./args.js";
import type { AnyCommand, CommandCatalog } from "./registry.js";

/** What users type before a command on each platform (from the platform list); transports strip it before dispatch. */
export const TRIGGERS = Object.fromEntries(Object.entries(PLATFORMS).map(([platform, entry]) => [platform, entry.trigger])) as Readonly<Record<Platform, string>>;

/** Whether someone with this role may run the command. */
export function canRun(command: AnyCommand, role: Role): boolean {
  return command.roles.includes(role);
}

/** "management" or "management or staff", for sentences about who may run a command. */
export function describeRoles(roles: readonly Role[]): string {
  return roles.length <= 1 ? (roles[0] ?? "nobody") : `${roles.slice(0, -1).join(", ")} or ${roles.at(-1)}`;
}

/** A full command line as the user types it, in backticks: `` `/support grab 1234` ``. */
function typed(trigger: string, line: string): string {
  return `\`${`${trigger} ${line}`.trim()}\``;
}

function listLine(command: AnyCommand, trigger: string): string {
  return `- ${typed(trigger, formatUsage(command))}: ${command.summary}`;
}

export interface HelpOptions {
  /** The role of the person asking; decides which commands are listed. */
  role: Role;
  /** Shown in front of every command, e.g. `/support`; see TRIGGERS. */
  trigger: string;
}

/**
 * The commands the caller may run: first those everyone may run, then (in their own part) those
 * only some roles may, e.g. management's. Commands the caller may not run are left out.
 */
export function renderCommandList(catalog: CommandCatalog, options: HelpOptions): string {
  const mine = catalog.all().filter((command) => canRun(command, options.role));
  const common = mine.filter((command) => ROLES.every((role) => canRun(command, role)));
  const restricted = mine.filter((command) => !common.includes(command));
  const after = options.trigger ? ` (type them after ${typed(options.trigger, "")})` : "";
  const lines = [`**Commands**${after}:`, ...common.map((command) => listLine(command, options.trigger))];
  if (restricted.length > 0) {
    lines.push("", `**Only for ${options.role}:**`, ...restricted.map((command) => listLine(command, options.trigger)));
  }
  lines.push("", `${typed(options.trigger, "help <command>")} explains one command, with examples.`);
  return lines.join("\n");
}

/** Summary, usage, aliases, examples and who may run one command. */
export function renderCommandHelp(command: AnyCommand, options: HelpOptions): string {
  const lines = [`**${command.name}**: ${command.summary}`, `Usage: ${typed(options.trigger, formatUsage(command))}`];
  if (command.aliases?.length) lines.push(`Also: ${command.aliases.map((alias) => `\`${alias}\``).join(", ")}`);
  if (command.examples.length > 0) {
    lines.push("Examples:", ...command.examples.map((example) => `- ${typed(options.trigger, example)}`));
  }
  lines.push(`Who can run it: ${describeRoles(command.roles)}.`);
  if (!canRun(command, options.role)) lines.push(`You are linked as ${options.role}, so you cannot run it.`);
  return lines.join("\n");
}

/** One entry of autocomplete data, e.g. for Mattermost's command suggestions. */
export interface AutocompleteHint {
  name: string;
  aliases: readonly string[];
  /** The whole usage line, e.g. `grab <bug>`. */
  usage: string;
  /** Only the arguments part, e.g. `<bug>` (Mattermost's `hint`). */
  hint: string;
  summary: string;
  roles: readonly Role[];
}

/** Autocomplete data for every command, or only for those a role may run. */
export function listAutocompleteHints(catalog: CommandCatalog, role?: Role): AutocompleteHint[] {
  return catalog
    .all()
    .filter((command) => role === undefined || canRun(command, role))
    .map((command) => ({
      name: command.name,
      aliases: command.aliases ?? [],
      usage: formatUsage(command),
      hint: command.usage,
      summary: command.summary,
      roles: command.roles,
    }));
}
