/**
 * The MantisBT simulator in its own process for the benchmark, so the bot's time and memory are
 * measured without the simulator's. Prints one JSON line `{url, token}` once it listens; exits when
 * its standard input closes.
 */
import { startMantisSimulator } from "../src/simulators/mantis/server.js";

const bugs = Number(process.argv[2] ?? "10000");
const simulator = await startMantisSimulator({ seed: true, bulkBugs: bugs });
process.stdout.write(`${JSON.stringify({ url: simulator.url, token: simulator.tokens.administrator })}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  void simulator.close().then(() => process.exit(0));
});
