/**
 * The MantisBT and Mattermost simulators in their own process for the benchmark, so the bot's time
 * and memory are measured without theirs. `tsx bench/simulator-process.ts <bulk bugs>` prints one
 * JSON line ({@link SimulatorInfo}) once both listen, then answers one JSON line per request line
 * on standard input ({@link ControlRequest}); it exits when its standard input closes.
 *
 * Both report how long they served each request (`onServed`), so the benchmark can take their own
 * time out of a command's latency and count each command's MantisBT requests.
 */
import { createInterface } from "node:readline";
import { performance } from "node:perf_hooks";
import { startMantisSimulator, type ServedRequest } from "../src/simulators/mantis/server.js";
import { startMattermostSimulator } from "../src/simulators/mattermost/server.js";

/** What the benchmark needs to configure the bot against the two simulators. */
export interface SimulatorInfo {
  mantisUrl: string;
  mantisToken: string;
  mattermostUrl: string;
  botToken: string;
  /** Mattermost user ids of the sandbox staff, by name. */
  userIds: Record<string, string>;
  /** Mattermost channel ids by name. */
  channelIds: Record<string, string>;
  teamId: string;
}

/** A request as answered, with when it arrived (ms on the machine's clock, sub-ms precision) and by which server. */
export interface Served extends ServedRequest {
  at: number;
  server: "mantis" | "mattermost";
}

/** One request on the control channel. */
export type ControlRequest =
  | { id: number; op: "served"; since: number; server?: "mantis" | "mattermost" }
  | { id: number; op: "add-new-bugs"; count: number }
  | { id: number; op: "change-bugs"; ids: number[] };

const bulkBugs = Number(process.argv[2] ?? "10000");
const served: Served[] = [];
const clock = () => performance.timeOrigin + performance.now();

const mantis = await startMantisSimulator({
  seed: true,
  bulkBugs,
  recordRequests: false,
  onServed: (request) => served.push({ ...request, at: clock() - request.ms, server: "mantis" }),
});
// Rate limits off: a real server's default (RateLimitSettings.Enable is false); the bot's posts are measured, not throttled.
const mattermost = await startMattermostSimulator({ rateLimit: false, onServed: (request) => served.push({ ...request, at: clock() - request.ms, server: "mattermost" }) });

const staff = ["manager", "alice", "bob", "carol"];
const info: SimulatorInfo = {
  mantisUrl: mantis.url,
  mantisToken: mantis.tokens["administrator"]!,
  mattermostUrl: mattermost.url,
  botToken: mattermost.tokens["support-bot"]!,
  userIds: Object.fromEntries(staff.map((name) => [name, mattermost.user(name).id])),
  channelIds: Object.fromEntries(["support", "support-mgmt", "sales"].map((name) => [name, mattermost.channelId(name)])),
  teamId: mattermost.team.id,
};
process.stdout.write(`${JSON.stringify(info)}\n`);

function answer(request: ControlRequest): unknown {
  switch (request.op) {
    case "served":
      return { next: served.length, requests: served.slice(request.since).filter((one) => request.server === undefined || one.server === request.server) };
    case "add-new-bugs":
      return mantis.addBulkBugs(request.count, { onlyNew: true });
    case "change-bugs": {
      // As someone changing them in MantisBT's web page: newer updated_at, another priority.
      const now = Math.floor(Date.now() / 1000);
      for (const id of request.ids) {
        const bug = mantis.database.bugById(id);
        if (bug) mantis.database.updateBug(id, { updated_at: now, priority: bug.priority === 40 ? 30 : 40 });
      }
      return request.ids.length;
    }
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const request = JSON.parse(line) as ControlRequest;
  process.stdout.write(`${JSON.stringify({ id: request.id, result: answer(request) })}\n`);
});
lines.on("close", () => {
  void Promise.all([mantis.close(), mattermost.close()]).then(() => process.exit(0));
});
