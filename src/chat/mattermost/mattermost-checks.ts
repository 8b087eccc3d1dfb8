/**
 * What `support-bot doctor` checks in Mattermost, with the bot's token: the token, the team, each
 * channel of MATTERMOST_CHANNELS and the bot's membership, the `/support` slash command and its
 * Request URL, whether the bot may send ephemeral posts, and each staff member's account. Plain GETs
 * only: unlike the adapter's start, the doctor joins no channel and registers nothing.
 */
import { z } from "zod";
import { advised, failed, passed, probe, type CheckResult, type FetchFunction, type Probe } from "../../checks.js";
import type { StaffDirectory } from "../../identity.js";
import { PATHS } from "./endpoints.js";
import { TRIGGER_WORD } from "./registration.js";
import type { MattermostSettings } from "./settings.js";
import { httpClient } from "../../http/http-client.js";

/** What the Mattermost checks need. */
export interface MattermostCheckOptions {
  settings: MattermostSettings;
  staff: StaffDirectory;
  timeoutMs?: number;
  fetch?: FetchFunction;
}

const userSchema = z.looseObject({ id: z.string(), username: z.string(), roles: z.string().default(""), is_bot: z.boolean().optional() });
const teamSchema = z.looseObject({ id: z.string(), name: z.string() });
const channelSchema = z.looseObject({ id: z.string(), name: z.string(), type: z.string() });
const commandSchema = z.looseObject({ trigger: z.string(), url: z.string(), delete_at: z.number().default(0) });

/** Runs every Mattermost check; stops early when the token or the team is wrong. */
export async function checkMattermost(options: MattermostCheckOptions): Promise<CheckResult[]> {
  const { settings } = options;
  const fetchFn = options.fetch ?? httpClient;
  const get = (path: string): Promise<Probe> =>
    probe(fetchFn, `${settings.url}/api/v4/${path}`, { Authorization: `Bearer ${settings.botToken}`, Accept: "application/json" }, options.timeoutMs ?? 10_000);
  const results: CheckResult[] = [];

  const me = await get("users/me");
  if (!me.reached) return [failed(`Mattermost at ${settings.url} does not answer: ${me.reason}`, "check MATTERMOST_URL and that Mattermost is up")];
  if (me.status === 401) {
    return [failed(`Mattermost refused MATTERMOST_BOT_TOKEN`, "create a new token: System Console > Integrations > Bot Accounts > the bot > Create New Token")];
  }
  const bot = userSchema.safeParse(me.json);
  if (me.status !== 200 || !bot.success) return [failed(`Mattermost at ${settings.url} answered HTTP ${me.status} to GET users/me`, "MATTERMOST_URL must be the site URL")];
  results.push(
    bot.data.is_bot === false
      ? advised(`MATTERMOST_BOT_TOKEN belongs to the person @${bot.data.username}, not a bot account`, "create a bot account (Integrations > Bot Accounts) and use its token")
      : passed(`MATTERMOST_BOT_TOKEN belongs to the bot @${bot.data.username}`),
  );

  const team = await findTeam(get, settings.team);
  if ("problem" in team) {
    results.push(team.problem);
    return results;
  }
  results.push(passed(`team ${team.name} found, the bot is in it`));

  const mine = await get(`users/me/teams/${team.id}/channels`);
  const memberOf = new Set(mine.reached && mine.status === 200 ? (z.array(channelSchema).safeParse(mine.json).data ?? []).map((channel) => channel.id) : []);
  for (const [key, name] of Object.entries(settings.channels)) {
    const found = await get(`teams/${team.id}/channels/name/${encodeURIComponent(name)}`);
    const channel = found.reached && found.status === 200 ? channelSchema.safeParse(found.json) : undefined;
    if (!channel?.success) {
      results.push(
        failed(
          `MATTERMOST_CHANNELS: ${key}=${name}: the bot sees no such channel in team ${team.name}`,
          `fix the name (the last part of the channel's URL), or if it is private type \`/invite @${bot.data.username}\` in it`,
        ),
      );
    } else if (memberOf.has(channel.data.id)) {
      results.push(passed(`channel ${key}=~${name} exists and the bot is a member`));
    } else if (channel.data.type === "O") {
      results.push(advised(`channel ${key}=~${name} exists; the bot is not a member yet`, "the bot joins this public channel at start; or type `/invite @" + bot.data.username + "` there"));
    } else {
      results.push(failed(`channel ${key}=~${name}: the bot is not a member`, `type \`/invite @${bot.data.username}\` in ~${name}`));
    }
  }
  if (settings.channels["management"] === undefined) {
    results.push(failed("MATTERMOST_CHANNELS has no management channel", "add management=<channel name>: NEW-bug pings and reports for management go there"));
  }

  results.push(await checkSlashCommand(get, settings, team));
  const roles = bot.data.roles.split(" ");
  results.push(
    roles.includes("system_admin")
      ? passed("the bot may send ephemeral posts (private answers appear in the channel)")
      : advised("the bot may not send ephemeral posts: private answers go by DM", "optional: grant the bot create_post_ephemeral (a system admin role) to answer privately in the channel"),
  );

  for (const member of options.staff.all()) {
    const username = member.accounts.mattermost;
    if (!username) continue;
    const user = await get(`users/username/${encodeURIComponent(username)}`);
    results.push(
      user.reached && user.status === 200
        ? passed(`staff member ${member.name} is @${username} on Mattermost`)
        : failed(`staff member ${member.name}: Mattermost has no user @${username}`, `fix accounts.mattermost of ${member.name} in the staff file (the user name without @)`),
    );
  }
  return results;
}

async function findTeam(get: (path: string) => Promise<Probe>, wanted: string | undefined): Promise<{ id: string; name: string } | { problem: CheckResult }> {
  if (wanted) {
    const answer = await get(`teams/name/${encodeURIComponent(wanted)}`);
    const team = answer.reached && answer.status === 200 ? teamSchema.safeParse(answer.json) : undefined;
    if (team?.success) return team.data;
    return { problem: failed(`MATTERMOST_TEAM: the bot is not in a team named "${wanted}"`, "add the bot account to the team, or fix the name (the part of the team's URL)") };
  }
  const answer = await get("users/me/teams");
  const teams = answer.reached && answer.status === 200 ? (z.array(teamSchema).safeParse(answer.json).data ?? []) : [];
  if (teams.length === 1) return teams[0]!;
  return {
    problem: failed(
      teams.length === 0 ? "the bot account is in no team" : `MATTERMOST_TEAM is unset and the bot is in ${teams.length} teams (${teams.map((team) => team.name).join(", ")})`,
      teams.length === 0 ? "add the bot account to the team it serves" : "set MATTERMOST_TEAM to the one it serves",
    ),
  };
}

async function checkSlashCommand(get: (path: string) => Promise<Probe>, settings: MattermostSettings, team: { id: string; name: string }): Promise<CheckResult> {
  const wantedUrl = settings.publicUrl ? `${settings.publicUrl}${PATHS.command}` : undefined;
  const answer = await get(`commands?team_id=${encodeURIComponent(team.id)}&custom_only=true`);
  const list = answer.reached && answer.status === 200 ? z.array(commandSchema).safeParse(answer.json) : undefined;
  const command = list?.success ? list.data.find((candidate) => candidate.trigger === TRIGGER_WORD && candidate.delete_at === 0) : undefined;
  if (settings.registerCommand) {
    if (command && command.url === wantedUrl) return passed(`/${TRIGGER_WORD} is registered with ${command.url}`);
    return passed(`/${TRIGGER_WORD} is ${command ? `registered with ${command.url}; the bot updates it to ${wantedUrl}` : `not registered yet; the bot registers it with ${wantedUrl}`} at start (MATTERMOST_REGISTER_COMMAND=true)`);
  }
  if (!command) {
    // Without manage_others_slash_commands the list holds only the bot's own commands (api4/command.go, listCommands).
    return settings.commandTokens.length > 0
      ? advised(`the bot sees no /${TRIGGER_WORD} command in team ${team.name} (one made by someone else is hidden from it)`, `check that /${TRIGGER_WORD}'s Request URL is ${wantedUrl ?? "<MATTERMOST_PUBLIC_URL>/mattermost/command"} (Integrations > Slash Commands)`)
      : failed(`no /${TRIGGER_WORD} command in team ${team.name} and no MATTERMOST_COMMAND_TOKEN`, "set MATTERMOST_REGISTER_COMMAND=true (with MATTERMOST_PUBLIC_URL), or create it by hand (README, Mattermost step 3) and set MATTERMOST_COMMAND_TOKEN");
  }
  if (wantedUrl !== undefined && command.url !== wantedUrl) {
    return failed(`/${TRIGGER_WORD} points at ${command.url}, not at the bot (${wantedUrl})`, `change its Request URL (Integrations > Slash Commands), or set MATTERMOST_REGISTER_COMMAND=true`);
  }
  return passed(`/${TRIGGER_WORD} is registered with ${command.url}`);
}
