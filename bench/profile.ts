/**
 * Where the built bot spends its time under one kind of load: `npx tsx bench/profile.ts <help|show|
 * grab|mix> [requests] [clients]` runs the bot with `--cpu-prof` against the simulators (as `npm run
 * bench` does), sends the commands, stops it and prints the functions with the most samples, with
 * and without what they call. The profile itself (`.cpuprofile`, for Chrome's DevTools) stays in
 * the directory it names. Samples are wall time: on a busy machine a function that waits for the
 * CPU (a write to a socket) looks heavier than it is; `perf record` with `--perf-basic-prof`
 * counts CPU time only (docs/benchmarks.md).
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBot } from "./bot-process.js";
import { startSimulators } from "./children.js";
import { slashRequest } from "./commands.js";
import { percentile, runLoad, type LoadRequest } from "./http-load.js";

const kind = process.argv[2] ?? "help";
const count = Number(process.argv[3] ?? "5000");
const clients = Number(process.argv[4] ?? "10");
if (!["help", "show", "grab", "mix"].includes(kind)) throw new Error("usage: tsx bench/profile.ts <help|show|grab|mix> [requests] [clients]");

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

const dir = mkdtempSync(join(tmpdir(), "support-bot-profile-"));
const sim = await startSimulators(10_000);
const bot = await startBot({ simulators: sim.info, env: { PROACTIVE: "off" }, nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
const grabbable = await sim.addNewBugs(count + 500);
const users = ["alice", "bob", "carol", "manager"];
let grabbed = 0;
const request = (index: number): LoadRequest => {
  const which = kind === "mix" ? ["help", "show", "grab"][index % 3]! : kind;
  const user = users[index % users.length]!;
  if (which === "help") return slashRequest(sim, user, "help");
  if (which === "show") return slashRequest(sim, user, `show ${100 + (index % 9_000)}`);
  return slashRequest(sim, user, `grab ${grabbable[grabbed++]}`);
};
// A warm-up, so the profile shows the optimised code rather than the compiler.
await runLoad({ url: bot.url, concurrency: clients, next: (index) => (index < Math.min(500, count) ? request(index) : undefined) });
const result = await runLoad({ url: bot.url, concurrency: clients, next: (index) => (index < count ? request(index) : undefined) });
await bot.stop();
await sim.stop();
process.stdout.write(`${kind} x${count} at ${clients} clients: p50 ${percentile(result.latencies, 50).toFixed(2)} ms, ${(result.latencies.length / (result.elapsedMs / 1000)).toFixed(0)}/s, ${result.errors.length} errors\n`);

const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"))!;
const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as { nodes: ProfileNode[] };
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const total = profile.nodes.reduce((sum, node) => sum + node.hitCount, 0);
const name = (node: ProfileNode): string => {
  const where = node.callFrame.url.replace(/^file:\/\/.*?\/(dist\/|node_modules\/)/, "$1").replace(/node_modules\/((?:@[^/]+\/)?[^/]+)\/.*/, "package $1");
  return `${node.callFrame.functionName || "(anonymous)"} ${where}:${node.callFrame.lineNumber + 1}`;
};
const own = new Map<string, number>();
const inclusive = new Map<string, number>();
// Inclusive samples count each function once per stack, however deep it recurses.
const walk = (id: number, onStack: Set<string>): number => {
  const node = byId.get(id)!;
  const key = name(node);
  own.set(key, (own.get(key) ?? 0) + node.hitCount);
  const fresh = !onStack.has(key);
  if (fresh) onStack.add(key);
  let sum = node.hitCount;
  for (const child of node.children ?? []) sum += walk(child, onStack);
  if (fresh) {
    onStack.delete(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + sum);
  }
  return sum;
};
walk(profile.nodes[0]!.id, new Set());
const top = (samples: Map<string, number>, filter: (key: string) => boolean) =>
  [...samples]
    .filter(([key]) => filter(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 30)
    .map(([key, hits]) => `  ${((100 * hits) / total).toFixed(1).padStart(5)}%  ${key}`)
    .join("\n");
process.stdout.write(`\nThe bot's code and packages, with what they call:\n${top(inclusive, (key) => / (dist\/|package )/.test(key))}\n`);
process.stdout.write(`\nEverything, own samples only:\n${top(own, () => true)}\n\nProfile: ${join(dir, file)}\n`);
