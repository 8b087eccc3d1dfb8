/**
 * The proactive engine in the built bot's own process over a 10,000-bug tracker: its resident
 * memory once the first scan is done, and how many MantisBT requests one watcher cycle makes when
 * nothing changed and when 5 bugs changed. Cycles are told apart by the simulator's log: each one
 * starts by reading page 1 of the issue list (last updated first), so a cycle's requests are those
 * from its page 1 up to the next cycle's.
 */
import { startBot } from "./bot-process.js";
import type { Simulators } from "./children.js";
import type { Served } from "./simulator-process.js";

/** One repetition: a bot started on an empty store. */
export interface WatcherFigures {
  rssAfterFirstScanMb: number;
  /** Peak resident memory up to then (VmHWM), MB. */
  peakRssMb: number;
  firstScanRequests: number;
  firstScanMs: number;
  quietRequests: number;
  fiveChangedRequests: number;
}

const isFirstPage = (request: Served) => request.method === "GET" && /^\/api\/rest\/issues\?/.test(request.url) && new URLSearchParams(request.url.split("?")[1]).get("page") === "1";

/** Starts the bot with the engine polling every second, watches its first scan and then three cycles. */
export async function measureWatcher(sim: Simulators, changedIds: () => number[]): Promise<WatcherFigures> {
  const start = (await sim.served(0)).next;
  const seen: Served[] = [];
  let cursor = start;
  // Index (in `seen`) of each request that starts a cycle.
  const starts: number[] = [];
  const waitForCycleStart = async (count: number): Promise<void> => {
    const deadline = Date.now() + 120_000;
    while (starts.length < count) {
      if (Date.now() > deadline) throw new Error(`no watcher cycle ${count} within 2 minutes (${seen.length} requests seen)`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const served = await sim.served(cursor, "mantis");
      cursor = served.next;
      for (const request of served.requests) {
        if (isFirstPage(request)) starts.push(seen.length);
        seen.push(request);
      }
    }
  };
  const bot = await startBot({ simulators: sim.info, env: { PROACTIVE: "on", POLL_INTERVAL: "1" } });
  try {
    // Cycle 1 is the first scan; cycle 2 starts once it is recorded.
    await waitForCycleStart(2);
    const rssAfterFirstScanMb = bot.rssMb();
    const peakRssMb = bot.peakRssMb();
    const firstScan = seen.slice(starts[0], starts[1]);
    const firstScanMs = firstScan.at(-1)!.at + firstScan.at(-1)!.ms - firstScan[0]!.at;
    // Cycle 3 is measured quiet; once cycle 4 has read its page, 5 bugs change, and cycle 5 sees them.
    await waitForCycleStart(4);
    await sim.changeBugs(changedIds());
    await waitForCycleStart(6);
    return {
      rssAfterFirstScanMb,
      peakRssMb,
      firstScanRequests: starts[1]! - starts[0]!,
      firstScanMs,
      quietRequests: starts[3]! - starts[2]!,
      fiveChangedRequests: starts[5]! - starts[4]!,
    };
  } finally {
    await bot.stop();
  }
}
