/**
 * The MantisBT requests of the main commands against a real MantisBT 2.28.4: the walk of
 * test/support/requests-per-command.ts typed in Matrix, each command's requests taken from the live
 * bot's log (one `mantis request` record per request at LOG_LEVEL=debug) and held to the same table
 * as the simulator test (test/commands/requests-per-command.test.ts), so that both agree.
 *
 * The watcher polls once an hour here: after its first cycle, every request in a command's window is
 * the command's own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordFiled, startWalk, tableRequest, walkLine, WALK, type WalkState, type WalkStep } from "../support/requests-per-command.js";
import { startRealWorld, type RealWorld } from "./support/real-world.js";

let w: RealWorld;
let state: WalkState;
/** Each person's direct room with the bot, for commands that carry a customer's personal data. */
const directRooms = new Map<WalkStep["person"], string>();

beforeAll(async () => {
  w = await startRealWorld({ env: { POLL_INTERVAL: "3600", CHECK_INTERVAL: "3600" } });
  state = startWalk(new Date());
});
afterAll(async () => {
  await w?.close();
});

/** The person's direct room with the bot, made (and joined by the bot) on first use. */
async function directRoom(person: WalkStep["person"]): Promise<string> {
  const known = directRooms.get(person);
  if (known) return known;
  const user = w.people[person];
  const room = await user.createDirectRoom(w.people.bot.userId);
  await user.waitForEvent(room, (event) => event.type === "m.room.member" && event.state_key === w.people.bot.userId && event.content["membership"] === "join", {
    what: "the bot joining the DM",
  });
  directRooms.set(person, room);
  return room;
}

describe("MantisBT requests per command, against a real MantisBT 2.28.4", () => {
  it.each(WALK.map((step, index) => [`${index + 1}. ${step.person}: ${step.line}`, step] as const))("%s", async (_name, step) => {
    const line = walkLine(step, state);
    const room = step.private ? await directRoom(step.person) : w.managementRoom;
    const result = await w.command(w.people[step.person], room, line);
    expect(result.outcome, `${line}\n${result.text}`).toBe("done");
    recordFiled(step, state, result.text);
    expect(result.mantisRequests.map((request) => tableRequest(request.method, request.path, state))).toEqual(step.requests);
  });
});
