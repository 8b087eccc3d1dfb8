/** The README's command table, generated from the command definitions so the docs cannot drift. */
import { formatUsage } from "./args.js";
import type { CommandCatalog } from "./registry.js";

const ROLE_WORDS: Record<string, string> = { management: "management", staff: "staff" };

/** A Markdown table: usage, who may run it, summary; in registry (help) order. */
export function renderCommandTable(catalog: CommandCatalog): string {
  const escapeCell = (text: string) => text.replace(/\|/g, "\\|");
  const rows = catalog.all().map((command) => {
    const who = command.roles.length === 2 ? "anyone" : command.roles.map((role) => ROLE_WORDS[role] ?? role).join(", ");
    return `| \`${escapeCell(formatUsage(command))}\` | ${who} | ${escapeCell(command.summary)} |`;
  });
  return ["| command | who | what it does |", "| --- | --- | --- |", ...rows].join("\n");
}
