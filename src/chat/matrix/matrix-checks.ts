/**
 * What `support-bot doctor` checks on the Matrix homeserver, with the bot's access token: the token
 * (`whoami`), each room of MATRIX_ROOMS joined and not encrypted (the bot cannot read encrypted
 * rooms), the bot's power to redact (it removes messages that hold customers' data), and each staff
 * member's account. Plain GETs only: the doctor joins no room.
 */
import { z } from "zod";
import { failed, passed, probe, type CheckResult, type FetchFunction, type Probe } from "../../checks.js";
import type { StaffDirectory } from "../../identity.js";
import type { MatrixSettings } from "./settings.js";
import { httpClient } from "../../http/http-client.js";

/** What the Matrix checks need. */
export interface MatrixCheckOptions {
  settings: MatrixSettings;
  staff: StaffDirectory;
  timeoutMs?: number;
  fetch?: FetchFunction;
}

const whoamiSchema = z.looseObject({ user_id: z.string() });
const joinedSchema = z.looseObject({ joined_rooms: z.array(z.string()) });
const aliasSchema = z.looseObject({ room_id: z.string() });
/** m.room.power_levels with the spec's defaults (client-server API, m.room.power_levels). */
const powerSchema = z.looseObject({
  users: z.record(z.string(), z.number()).default({}),
  users_default: z.number().default(0),
  redact: z.number().default(50),
});

/** Runs every Matrix check; stops early when the token is refused. */
export async function checkMatrix(options: MatrixCheckOptions): Promise<CheckResult[]> {
  const { settings } = options;
  const fetchFn = options.fetch ?? httpClient;
  const base = settings.homeserverUrl.replace(/\/+$/, "");
  const get = (path: string): Promise<Probe> =>
    probe(fetchFn, `${base}/_matrix/client/v3/${path}`, { Authorization: `Bearer ${settings.accessToken}`, Accept: "application/json" }, options.timeoutMs ?? 10_000);
  const results: CheckResult[] = [];

  const whoami = await get("account/whoami");
  if (!whoami.reached) return [failed(`the Matrix homeserver at ${base} does not answer: ${whoami.reason}`, "check MATRIX_HOMESERVER_URL and that the homeserver is up")];
  const self = whoami.status === 200 ? whoamiSchema.safeParse(whoami.json) : undefined;
  if (!self?.success) {
    return [
      whoami.status === 401
        ? failed("the homeserver refused MATRIX_ACCESS_TOKEN", "log the bot in again and set the new access token (README, Matrix > 2. Get its access token)")
        : failed(`the homeserver at ${base} answered HTTP ${whoami.status} to whoami`, "MATRIX_HOMESERVER_URL must be the client-server API base URL, e.g. https://matrix.example.org"),
    ];
  }
  const botId = self.data.user_id;
  results.push(passed(`MATRIX_ACCESS_TOKEN belongs to ${botId}`));

  const joinedAnswer = await get("joined_rooms");
  const joined = new Set(joinedAnswer.reached && joinedAnswer.status === 200 ? (joinedSchema.safeParse(joinedAnswer.json).data?.joined_rooms ?? []) : []);
  for (const [key, room] of Object.entries(settings.rooms)) results.push(...(await checkRoom(get, { key, room, botId, joined })));
  if (settings.rooms["management"] === undefined) {
    results.push(failed("MATRIX_ROOMS has no management room", "add management=!room:server: NEW-bug pings and reports for management go there"));
  }

  for (const member of options.staff.all()) {
    const userId = member.accounts.matrix;
    if (!userId) continue;
    const profile = await get(`profile/${encodeURIComponent(userId)}`);
    results.push(
      profile.reached && profile.status === 200
        ? passed(`staff member ${member.name} is ${userId} on Matrix`)
        : failed(`staff member ${member.name}: the homeserver knows no user ${userId}`, `fix accounts.matrix of ${member.name} in the staff file (the full id, @name:server)`),
    );
  }
  return results;
}

async function checkRoom(get: (path: string) => Promise<Probe>, room: { key: string; room: string; botId: string; joined: ReadonlySet<string> }): Promise<CheckResult[]> {
  const label = `room ${room.key}=${room.room}`;
  let roomId = room.room;
  if (room.room.startsWith("#")) {
    const alias = await get(`directory/room/${encodeURIComponent(room.room)}`);
    const resolved = alias.reached && alias.status === 200 ? aliasSchema.safeParse(alias.json) : undefined;
    if (!resolved?.success) return [failed(`${label}: no such alias`, "fix MATRIX_ROOMS (a room id !abc:server or an existing alias)")];
    roomId = resolved.data.room_id;
  }
  if (!room.joined.has(roomId)) {
    return [failed(`${label}: the bot has not joined it`, `invite ${room.botId} to the room (the bot accepts invites from linked staff), or fix MATRIX_ROOMS`)];
  }
  const results: CheckResult[] = [passed(`${label}: joined`)];
  const encryption = await get(`rooms/${encodeURIComponent(roomId)}/state/m.room.encryption`);
  results.push(
    encryption.reached && encryption.status === 404
      ? passed(`${label}: not encrypted`)
      : failed(`${label}: encrypted (or its encryption state cannot be read), and the bot cannot read encrypted rooms`, "use a room without encryption for the bot (encryption cannot be turned off in a room: create a new one)"),
  );
  const powerAnswer = await get(`rooms/${encodeURIComponent(roomId)}/state/m.room.power_levels`);
  const power = powerAnswer.reached && powerAnswer.status === 200 ? powerSchema.safeParse(powerAnswer.json) : undefined;
  if (power?.success) {
    const level = power.data.users[room.botId] ?? power.data.users_default;
    results.push(
      level >= power.data.redact
        ? passed(`${label}: the bot may remove messages (power ${level}, redact needs ${power.data.redact})`)
        : failed(
            `${label}: the bot may not remove messages (power ${level}, redact needs ${power.data.redact}), so a call typed there keeps the customer's data in the room`,
            `give ${room.botId} power level ${power.data.redact} (Moderator) in the room's settings > Roles & Permissions`,
          ),
    );
  } else {
    results.push(failed(`${label}: the bot cannot read the room's power levels`, "check that the bot is joined to the room"));
  }
  return results;
}
