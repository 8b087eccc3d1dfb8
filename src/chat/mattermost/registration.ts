/**
 * Registers the `/support` slash command in the team (MATTERMOST_REGISTER_COMMAND=true): creates
 * it, or updates the existing one when its URL or autocomplete text changed, with the autocomplete
 * hint and description generated from the command registry. The command's token (a secret) is
 * handed to the endpoint in memory and never logged; an administrator never needs to copy it.
 */
import type { Command } from "@mattermost/types/integrations";
import type { Logger } from "pino";
import { BotError } from "../../errors.js";
import { listAutocompleteHints, TRIGGERS } from "../../framework/help.js";
import type { CommandCatalog } from "../../framework/registry.js";
import { mattermostStatus, toBotError, type BotClient } from "./bot-client.js";

/** The trigger word without its slash: `support`. */
export const TRIGGER_WORD = TRIGGERS.mattermost.replace(/^\//, "");

/** Mattermost's limit for both autocomplete texts (model.Command.IsValid). */
const AUTOCOMPLETE_LIMIT = 1024;

/** The fields of the command the bot wants; the rest of an existing command is kept. */
export function desiredCommand(options: { teamId: string; url: string; catalog: CommandCatalog }): Partial<Command> {
  const names = listAutocompleteHints(options.catalog).map((hint) => hint.name);
  const hint = `[${names.join(" | ")}]`;
  const description = `The support process on MantisBT. \`${TRIGGERS.mattermost} help\` lists what you can run, \`${TRIGGERS.mattermost} help <command>\` explains one.`;
  return {
    team_id: options.teamId,
    trigger: TRIGGER_WORD,
    url: options.url,
    method: "P",
    username: "",
    icon_url: "",
    auto_complete: true,
    auto_complete_hint: hint.length <= AUTOCOMPLETE_LIMIT ? hint : "[command]",
    auto_complete_desc: description.slice(0, AUTOCOMPLETE_LIMIT),
    display_name: "Support",
    description: "Run the support process (MantisBT) from Mattermost",
  };
}

const COMPARED_FIELDS = ["url", "method", "auto_complete", "auto_complete_hint", "auto_complete_desc", "display_name", "description"] as const;

/**
 * Makes sure `/support` exists in the team and points at the bot; resolves with its token. A
 * missing permission is a configuration error that says which one.
 */
export async function registerSlashCommand(
  client: BotClient,
  options: { teamId: string; url: string; catalog: CommandCatalog; log: Logger },
): Promise<{ id: string; token: string; changed: "created" | "updated" | "unchanged" }> {
  const wanted = desiredCommand(options);
  try {
    const existing = (await client.getCustomTeamCommands(options.teamId)).find((command) => command.trigger === TRIGGER_WORD && command.delete_at === 0);
    if (existing === undefined) {
      const created = await client.addCommand(wanted as Command);
      options.log.info({ commandId: created.id, url: options.url }, "registered the /support slash command");
      return { id: created.id, token: created.token, changed: "created" };
    }
    const outdated = COMPARED_FIELDS.some((field) => existing[field] !== wanted[field]);
    if (!outdated) return { id: existing.id, token: existing.token, changed: "unchanged" };
    const updated = await client.editCommand({ ...existing, ...wanted, id: existing.id } as Command);
    options.log.info({ commandId: updated.id, url: options.url }, "updated the /support slash command");
    return { id: updated.id, token: updated.token || existing.token, changed: "updated" };
  } catch (error) {
    if (mattermostStatus(error) === 403) {
      throw new BotError("config", "Mattermost did not let the bot register the /support slash command.", {
        cause: error,
        hint:
          "Make the bot account a team admin (or give it the manage_slash_commands permission), or set MATTERMOST_REGISTER_COMMAND=false " +
          "and create the command by hand (docs/mattermost.md).",
      });
    }
    throw toBotError(error, "register the /support slash command");
  }
}
