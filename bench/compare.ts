/**
 * Two builds of the bot side by side, for a before/after on a shared machine: `npx tsx
 * bench/compare.ts <before/dist/main.js> <after/dist/main.js> [kinds] [blocks] [requests] [clients]`
 * starts both against one pair of simulators and sends each kind of command (default
 * `help,show,grab`; `mix` is the three in turn, as commands_per_s sends them) to one and then the
 * other in alternating blocks, so both see the same moments of the machine. Per kind it prints the
 * medians over the blocks of each bot's CPU time per command (/proc/<pid>/stat), the simulators' CPU
 * time per command, the p50 latency and the commands answered per second; CPU time is the figure to
 * trust under load, latency and rate only as a ratio.
 */
import { cpuTimeMs, startBot, type BotProcess } from "./bot-process.js";
import { startSimulators } from "./children.js";
import { slashRequest } from "./commands.js";
import { percentile, runLoad, type LoadRequest } from "./http-load.js";

const [before, after] = [process.argv[2], process.argv[3]];
if (!before || !after) throw new Error("usage: tsx bench/compare.ts <before main.js> <after main.js> [help,show,grab] [blocks] [requests] [clients]");
const kinds = (process.argv[4] ?? "help,show,grab").split(",");
const blocks = Number(process.argv[5] ?? "6");
const requests = Number(process.argv[6] ?? "300");
const clients = Number(process.argv[7] ?? "10");
const USERS = ["alice", "bob", "carol", "manager"];

const sim = await startSimulators(2_000);
// COMPARE_BEFORE_NODE_ARGS / COMPARE_AFTER_NODE_ARGS ("" for node's defaults) replace production's options for node on one side.
const argsOf = (name: string) => (process.env[name] === undefined ? {} : { productionArgs: process.env[name]!.split(" ").filter(Boolean) });
const bots: [string, BotProcess][] = [
  ["before", await startBot({ simulators: sim.info, env: { PROACTIVE: "off" }, main: before, ...argsOf("COMPARE_BEFORE_NODE_ARGS") })],
  ["after", await startBot({ simulators: sim.info, env: { PROACTIVE: "off" }, main: after, ...argsOf("COMPARE_AFTER_NODE_ARGS") })],
];

interface Block {
  botUs: number;
  simUs: number;
  p50: number;
  perSecond: number;
}

async function block(bot: BotProcess, kind: string): Promise<Block> {
  const grabbable = kind === "grab" || kind === "mix" ? await sim.addNewBugs(requests) : [];
  const request = (index: number): LoadRequest => {
    const user = USERS[index % USERS.length]!;
    const which = kind === "mix" ? ["help", "show", "grab"][index % 3]! : kind;
    if (which === "help") return slashRequest(sim, user, "help");
    if (which === "show") return slashRequest(sim, user, `show ${100 + (index % 1_900)}`);
    return slashRequest(sim, user, `grab ${grabbable[index]}`);
  };
  const botCpu = cpuTimeMs(bot.pid);
  const simCpu = cpuTimeMs(sim.pid);
  const result = await runLoad({ url: bot.url, concurrency: clients, next: (index) => (index < requests ? request(index) : undefined) });
  // Let background work the commands started (the outbox's posts) finish within the block.
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (result.errors.length > 0) throw new Error(`${kind}: ${result.errors.length} errors, e.g. ${result.errors[0]}`);
  const count = result.latencies.length;
  return {
    botUs: ((cpuTimeMs(bot.pid) - botCpu) * 1000) / count,
    simUs: ((cpuTimeMs(sim.pid) - simCpu) * 1000) / count,
    p50: percentile(result.latencies, 50),
    perSecond: count / (result.elapsedMs / 1000),
  };
}

const median = (values: number[]) => percentile(values, 50);
try {
  for (const kind of kinds) {
    // A warm-up block each, not counted.
    for (const [, bot] of bots) await block(bot, kind);
    const seen = new Map<string, Block[]>(bots.map(([name]) => [name, []]));
    for (let index = 0; index < blocks; index++) {
      const order = index % 2 === 0 ? bots : [...bots].reverse();
      for (const [name, bot] of order) seen.get(name)!.push(await block(bot, kind));
    }
    for (const [name, measured] of seen) {
      process.stdout.write(
        `${kind.padEnd(5)} ${name.padEnd(6)}  bot ${median(measured.map((one) => one.botUs)).toFixed(0).padStart(5)} µs CPU/command` +
          `  simulators ${median(measured.map((one) => one.simUs)).toFixed(0).padStart(5)} µs  p50 ${median(measured.map((one) => one.p50)).toFixed(2)} ms` +
          `  ${median(measured.map((one) => one.perSecond)).toFixed(0)}/s` +
          `  (bot µs per block: ${measured.map((one) => one.botUs.toFixed(0)).join(" ")})\n`,
      );
    }
  }
} finally {
  for (const [, bot] of bots) await bot.stop();
  await sim.stop();
}
