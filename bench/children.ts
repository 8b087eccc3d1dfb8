/**
 * The benchmark's helper processes: the simulators (bench/simulator-process.ts) with their control
 * channel, and the bare HTTP server (bench/bare-server.ts). Each runs in its own process so that
 * neither takes CPU time from the process measured.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ControlRequest, Served, SimulatorInfo } from "./simulator-process.js";

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

/** The simulators' process: their addresses and what MantisBT served. */
export interface Simulators {
  info: SimulatorInfo;
  /** The simulators' process. */
  pid: number;
  /** Requests answered from index `since` on (of one server, if named), and the index to ask from next time. */
  served(since: number, server?: "mantis" | "mattermost"): Promise<{ next: number; requests: Served[] }>;
  /** Adds NEW unassigned bugs (for `grab`); their ids. */
  addNewBugs(count: number): Promise<number[]>;
  /** Changes bugs as a person in MantisBT would (newer updated_at). */
  changeBugs(ids: number[]): Promise<void>;
  stop(): Promise<void>;
}

function spawnTs(script: string, args: string[]): ChildProcessByStdio<Writable, Readable, null> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  // BENCH_SIM_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/sim" profiles the simulators (and the bare server) too.
  const nodeArgs = process.env["BENCH_SIM_NODE_ARGS"]?.split(" ").filter(Boolean) ?? [];
  return spawn(process.execPath, [...nodeArgs, "--import", "tsx", path, ...args], { stdio: ["pipe", "pipe", "inherit"] });
}

/** Starts MantisBT (seed and `bulkBugs` more) and Mattermost in a child process. */
export async function startSimulators(bulkBugs: number): Promise<Simulators> {
  const child = spawnTs("./simulator-process.ts", [String(bulkBugs)]);
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, "line")) as [string];
  const info = JSON.parse(first) as SimulatorInfo;
  const waiting = new Map<number, (result: unknown) => void>();
  lines.on("line", (line) => {
    const { id, result } = JSON.parse(line) as { id: number; result: unknown };
    waiting.get(id)?.(result);
    waiting.delete(id);
  });
  let nextId = 1;
  const call = <T>(request: WithoutId<ControlRequest>): Promise<T> =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      waiting.set(id, (result) => resolve(result as T));
      child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    });
  return {
    info,
    pid: child.pid!,
    served: (since, server) => call({ op: "served", since, ...(server ? { server } : {}) }),
    addNewBugs: (count) => call({ op: "add-new-bugs", count }),
    changeBugs: async (ids) => {
      await call({ op: "change-bugs", ids });
    },
    async stop() {
      const exited = once(child, "exit");
      child.stdin.end();
      await exited;
    },
  };
}

/** Starts the bare server answering `bytes`-byte JSON bodies; its URL. */
export async function startBareServer(bytes: number): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawnTs("./bare-server.ts", [String(bytes)]);
  const [port] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      const exited = once(child, "exit");
      child.stdin.end();
      await exited;
    },
  };
}
