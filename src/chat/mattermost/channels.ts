/**
 * The channels of MATTERMOST_CHANNELS as the bot account reaches them. Posting needs channel
 * membership on a real server, public channels included (`create_post` comes from the
 * `channel_user` role; api4/post_utils.go), so at start the bot joins every configured public
 * channel it is not in. A private channel it is not in cannot even be looked up (the server says it
 * does not exist), so start-up warns with the `/invite` to type there; such a channel is looked up
 * again when it is first needed, and an invitation takes effect without a restart.
 */
import type { Logger } from "pino";
import { z } from "zod";
import { BotError } from "../../errors.js";
import type { ChannelKey } from "../notifier.js";
import { mattermostStatus, toBotError, type BotClient } from "./bot-client.js";

/** The fields of a channel (model.Channel) the adapter reads: `type` O public, P private, D direct. */
export const channelSchema = z.looseObject({ id: z.string().min(1), type: z.string(), name: z.string() });

export interface ChannelDirectoryOptions {
  client: BotClient;
  teamId: string;
  /** Channel key to channel name (MATTERMOST_CHANNELS). */
  channels: Readonly<Record<string, string>>;
  bot: { id: string; username: string };
  log: Logger;
}

/** Resolves channel keys to channel ids, joining public channels and explaining private ones. */
export class ChannelDirectory {
  private readonly ids = new Map<string, string>();

  constructor(private readonly options: ChannelDirectoryOptions) {}

  /**
   * At start: finds each channel, joins the public ones the bot is not in (and logs it), and warns
   * about the ones it cannot see. Fails only on errors that are not about the channel itself.
   */
  async prepare(): Promise<void> {
    const { client, teamId, log } = this.options;
    let memberOf: Set<string>;
    try {
      memberOf = new Set(z.array(channelSchema).parse(await client.getMyChannels(teamId)).map((channel) => channel.id));
    } catch (error) {
      throw toBotError(error, "list the bot's channels");
    }
    for (const [key, name] of Object.entries(this.options.channels)) {
      try {
        this.ids.set(key, await this.resolve(key, name, memberOf));
      } catch (error) {
        if (!(error instanceof BotError && error.code === "config")) throw error;
        log.warn({ setting: "MATTERMOST_CHANNELS", key, channel: name }, error.userMessage);
      }
    }
  }

  /** The id of a configured channel; looks it up (and joins it) if start-up could not. */
  async idFor(key: ChannelKey): Promise<string> {
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const name = this.options.channels[key];
    if (name === undefined) {
      throw new BotError("config", `No Mattermost channel is set up for "${key}".`, {
        hint: `Add ${key}=<channel name> to MATTERMOST_CHANNELS (e.g. MATTERMOST_CHANNELS=management=support-mgmt,sales=sales).`,
      });
    }
    const id = await this.resolve(key, name, undefined);
    this.ids.set(key, id);
    return id;
  }

  /** Finds a channel by name and makes sure the bot is a member; a config error says what to do. */
  private async resolve(key: string, name: string, memberOf: ReadonlySet<string> | undefined): Promise<string> {
    const { client, teamId, bot, log } = this.options;
    let channel: z.infer<typeof channelSchema>;
    try {
      channel = channelSchema.parse(await client.getChannelByName(teamId, name));
    } catch (error) {
      if (mattermostStatus(error) !== 404) throw toBotError(error, `find the channel ${name}`);
      throw new BotError(
        "config",
        `MATTERMOST_CHANNELS: ${key}=${name}: the bot sees no channel of that name in the team. If it is a private channel, type ` +
          `\`/invite @${bot.username}\` in it (no restart needed); otherwise fix the name (the last part of the channel's URL).`,
        { cause: error },
      );
    }
    // Private channels can only be seen by members, so only public ones may still need joining.
    if (channel.type === "O" && !memberOf?.has(channel.id)) {
      try {
        // Adding oneself to a public channel takes join_public_channels, which every team member has.
        await client.addToChannel(bot.id, channel.id);
      } catch (error) {
        if (mattermostStatus(error) !== 403) throw toBotError(error, `join the channel ${name}`);
        throw new BotError(
          "config",
          `MATTERMOST_CHANNELS: ${key}=${name}: the bot may not join this public channel by itself; type \`/invite @${bot.username}\` in ~${name}.`,
          { cause: error },
        );
      }
      if (memberOf) log.info({ key, channel: name }, `joined the public channel ~${name}: Mattermost lets only members post`);
    }
    return channel.id;
  }
}
