/**
 * Registers the `/support` slash command in the team (MATTERMOST_REGISTER_COMMAND=true): creates
 * it, or updates the existing one when its URL or autocomplete text changed, with the autocomplete
 * hint and description generated from the command registry. The command's token (a secret) is
 * handed to the endpoint in memory and never logged; an administrator never needs to copy it.
 */
import type { Command } from "@mattermost/types/integrations";
import type { Logger } from "pino";
import { BotError, ConfigError } from "../../errors.js";
import { listAutocompleteHints, TRIGGERS } from "../../framework/help.js";
import type { CommandCatalog } from "../../framework/registry.js";
import { mattermostErrorId, mattermostStatus, toBotError, type BotClient } from "./bot-client.js";

/** The trigger word without its slash: `support`. */
export const TRIGGER_WORD = TRIGGERS.mattermost.replace(/^\//, "");

/** The database columns of both autocomplete texts (VARCHAR(1024); Command.IsValid does not check them). */
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

/** What registration needs besides the client. */
export interface RegistrationOptions {
  teamId: string;
  /** The team as the operator named it (MATTERMOST_TEAM), for messages. */
  teamName: string;
  url: string;
  catalog: CommandCatalog;
  log: Logger;
  /** The bot's user name, for the advice to make it a team admin. */
  botUsername: string;
  /** Whether MATTERMOST_COMMAND_TOKEN holds a token of a command made by hand. */
  hasCommandTokens: boolean;
}

/**
 * Makes sure `/support` exists in the team and points at the bot; resolves with its token, or
 * undefined when a command made by someone else is in the way and MATTERMOST_COMMAND_TOKEN is set
 * (the bot then uses that token). Every refusal of the server becomes a configuration error that
 * names the fix.
 */
export async function registerSlashCommand(client: BotClient, options: RegistrationOptions): Promise<{ id: string; token: string; changed: "created" | "updated" | "unchanged" } | undefined> {
  const wanted = desiredCommand(options);
  let existing: Command | undefined;
  try {
    // Without manage_others_slash_commands this lists only the bot's own commands (api4/command.go, listCommands).
    existing = (await client.getCustomTeamCommands(options.teamId)).find((command) => command.trigger === TRIGGER_WORD && command.delete_at === 0);
  } catch (error) {
    throw registrationError(error, options, "list the team's slash commands");
  }
  if (existing === undefined) {
    let created: Command;
    try {
      created = await client.addCommand(wanted as Command);
    } catch (error) {
      if (mattermostErrorId(error) !== "api.command.duplicate_trigger.app_error") throw registrationError(error, options, "create the /support command");
      // The trigger is taken, yet the list did not show it: someone else made it (api4/command.go,
      // validateCommandTriggerUniqueness looks at every command of the team).
      if (!options.hasCommandTokens) throw new ConfigError([hiddenCommandProblem(options)]);
      options.log.warn(
        { url: options.url },
        `a ${TRIGGERS.mattermost} command made by someone else exists in the team; the bot may not see or update it (it lacks manage_others_slash_commands) and uses MATTERMOST_COMMAND_TOKEN. Make sure its Request URL is the one logged here.`,
      );
      return undefined;
    }
    options.log.info({ commandId: created.id, url: options.url }, "registered the /support slash command");
    return { id: created.id, token: created.token, changed: "created" };
  }
  const outdated = COMPARED_FIELDS.some((field) => existing[field] !== wanted[field]);
  if (!outdated) return { id: existing.id, token: existing.token, changed: "unchanged" };
  let updated: Command;
  try {
    updated = await client.editCommand({ ...existing, ...wanted, id: existing.id } as Command);
  } catch (error) {
    throw registrationError(error, options, "update the /support command");
  }
  options.log.info({ commandId: updated.id, url: options.url }, "updated the /support slash command");
  return { id: updated.id, token: updated.token || existing.token, changed: "updated" };
}

/** The way out when the bot cannot see the `/support` someone else made. */
function hiddenCommandProblem(options: RegistrationOptions): string {
  return (
    `MATTERMOST_REGISTER_COMMAND: a ${TRIGGERS.mattermost} command made by someone else already exists in team ${options.teamName}, and the bot may not see or ` +
    `change it (it lacks the permission manage_others_slash_commands). Either put that command's token into MATTERMOST_COMMAND_TOKEN ` +
    `(Integrations > Slash Commands; check that its Request URL is ${options.url}) and set MATTERMOST_REGISTER_COMMAND=false, or give the bot ` +
    `manage_others_slash_commands (make @${options.botUsername} a team admin) so it can take the command over.`
  );
}

/** A refusal of the server as the configuration problem behind it. */
function registrationError(error: unknown, options: RegistrationOptions, what: string): BotError {
  const status = mattermostStatus(error);
  const id = mattermostErrorId(error) ?? "";
  if (status === 501 || id === "api.command.disabled.app_error") {
    return new ConfigError([
      "MATTERMOST_REGISTER_COMMAND: custom slash commands are disabled on this Mattermost server; turn them on in the System Console: " +
        "Integrations > Integration Management > Enable Custom Slash Commands: true.",
    ]);
  }
  if (status === 403) {
    return new ConfigError([
      `MATTERMOST_REGISTER_COMMAND: Mattermost did not let the bot ${what} in team ${options.teamName}: it needs the permission manage_own_slash_commands, ` +
        `and manage_others_slash_commands to take over a command someone else made (team admins have both). Make @${options.botUsername} a team admin ` +
        `(System Console > User Management > Teams > ${options.teamName}), or set MATTERMOST_REGISTER_COMMAND=false and create ${TRIGGERS.mattermost} by hand ` +
        "(README, Mattermost step 3).",
    ]);
  }
  if (id.startsWith("model.command.is_valid.url")) {
    return new ConfigError([`MATTERMOST_PUBLIC_URL: Mattermost refused ${options.url} as the command's Request URL; give an http(s) URL Mattermost can reach.`]);
  }
  if (status === 400) {
    const message = error instanceof Error ? error.message : String(error);
    return new ConfigError([`MATTERMOST_REGISTER_COMMAND: Mattermost refused the ${TRIGGERS.mattermost} command: ${message} (${id || "HTTP 400"})`]);
  }
  return toBotError(error, what);
}
