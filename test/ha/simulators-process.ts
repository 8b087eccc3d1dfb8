/**
 * The MantisBT, Mattermost and Matrix simulators in a process of their own, for the tests that run
 * bot processes against them (test/ha/replicas.test.ts): a bot killed with SIGKILL must not take the
 * servers with it. `tsx test/ha/simulators-process.ts <clock file>` prints one JSON line
 * ({@link SimulatorsInfo}) once all listen, then answers one JSON line per request line on standard
 * input ({@link SimulatorsRequest}); it exits when its standard input closes. MantisBT's clock is
 * the bots' (TEST_CLOCK_FILE), so bugs are filed at the day's times.
 */
import { createInterface } from "node:readline";
import { fileClock } from "../../src/ops/test-clock.js";
import { startMantisSimulator } from "../../src/simulators/mantis/server.js";
import { startMatrixSimulator } from "../../src/simulators/matrix/server.js";
import { startMattermostSimulator } from "../../src/simulators/mattermost/server.js";

/** Where the bots reach the simulators. */
export interface SimulatorsInfo {
  mantisUrl: string;
  mantisToken: string;
  mattermostUrl: string;
  mattermostBotToken: string;
  matrixUrl: string;
  matrixBotToken: string;
  /** The Matrix room configured as the management channel. */
  managementRoom: string;
  /** What a slash command's request from Mattermost carries: the team, the channel it was typed in, the users. */
  teamId: string;
  supportChannelId: string;
  userIds: Record<string, string>;
}

/** One request on the control channel. */
export type SimulatorsRequest =
  | { id: number; op: "file-bug"; summary: string }
  | { id: number; op: "mattermost-bot-posts"; channel: string }
  | { id: number; op: "mattermost-bot-dms"; user: string }
  | { id: number; op: "matrix-say"; user: string; text: string }
  | { id: number; op: "matrix-replies"; eventId: string }
  | { id: number; op: "matrix-bot-notices" };

const clockFile = process.argv[2];
if (!clockFile) throw new Error("usage: simulators-process.ts <clock file>");
const now = fileClock(clockFile);

const mantis = await startMantisSimulator({ seed: false, now, recordRequests: false });
const mattermost = await startMattermostSimulator({ rateLimit: false });
const matrix = await startMatrixSimulator();
const managementRoom = matrix.createRoom("manager", { name: "Management", invite: ["@alice:localhost", matrix.bot.userId] });
matrix.join("alice", managementRoom);

const info: SimulatorsInfo = {
  mantisUrl: mantis.url,
  mantisToken: mantis.tokens["administrator"]!,
  mattermostUrl: mattermost.url,
  mattermostBotToken: mattermost.tokens["support-bot"]!,
  matrixUrl: matrix.url,
  matrixBotToken: matrix.bot.accessToken,
  managementRoom,
  teamId: mattermost.team.id,
  supportChannelId: mattermost.channelId("support"),
  userIds: Object.fromEntries(["manager", "alice", "bob", "carol"].map((name) => [name, mattermost.user(name).id])),
};
process.stdout.write(`${JSON.stringify(info)}\n`);

const isBotNotice = (event: { sender: string; type: string; content: Record<string, unknown> }) =>
  event.sender === matrix.bot.userId && event.type === "m.room.message" && event.content["msgtype"] === "m.notice";

/** Files a NEW bug as the reporter does in MantisBT's web page; resolves to its id. */
async function fileBug(summary: string): Promise<number> {
  const response = await fetch(`${mantis.url}api/rest/issues`, {
    method: "POST",
    headers: { Authorization: mantis.tokens["reporter"]!, "Content-Type": "application/json" },
    body: JSON.stringify({ summary, description: "Filed by the replicas test.", category: { name: "General" }, project: { id: 1 } }),
  });
  if (response.status !== 201) throw new Error(`MantisBT answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { issue: { id: number } }).issue.id;
}

async function answer(request: SimulatorsRequest): Promise<unknown> {
  switch (request.op) {
    case "file-bug":
      return fileBug(request.summary);
    case "mattermost-bot-posts":
      return mattermost
        .posts(request.channel)
        .filter((post) => post.user_id === mattermost.bot.id)
        .map((post) => ({ id: post.id, message: post.message, rootId: post.root_id }));
    case "mattermost-bot-dms": {
      const channel = String(mattermost.directChannel(request.user, "support-bot")["id"]);
      return mattermost
        .posts(channel)
        .filter((post) => post.user_id === mattermost.bot.id)
        .map((post) => ({ id: post.id, message: post.message, rootId: post.root_id }));
    }
    case "matrix-say":
      return matrix.sendMessage(request.user, managementRoom, request.text);
    case "matrix-replies":
      return matrix.timeline(managementRoom).filter((event) => {
        if (!isBotNotice(event)) return false;
        const relation = event.content["m.relates_to"] as { event_id?: string; "m.in_reply_to"?: { event_id?: string } } | undefined;
        return relation?.event_id === request.eventId || relation?.["m.in_reply_to"]?.event_id === request.eventId;
      }).length;
    case "matrix-bot-notices":
      return matrix.timeline(managementRoom).filter(isBotNotice).map((event) => String(event.content["body"] ?? ""));
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const request = JSON.parse(line) as SimulatorsRequest;
  void answer(request).then(
    (result) => process.stdout.write(`${JSON.stringify({ id: request.id, result })}\n`),
    (error: unknown) => process.stdout.write(`${JSON.stringify({ id: request.id, error: error instanceof Error ? error.message : String(error) })}\n`),
  );
});
lines.on("close", () => {
  void Promise.all([mantis.close(), mattermost.close(), matrix.close()]).then(() => process.exit(0));
});
