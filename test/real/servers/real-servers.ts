/**
 * Starts both real servers side by side (a throw-away directory, free loopback ports) and stops
 * them together. Used once per run by the suite's global setup.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startRealMantis, type RealMantisInfo } from "./mantis.js";
import { startRealSynapse, type RealSynapseInfo } from "./synapse.js";

/** Everything a test file needs to reach the servers. */
export interface RealServersInfo {
  mantis: RealMantisInfo;
  synapse: RealSynapseInfo;
  /** The throw-away directory with the servers' data and logs. */
  workDir: string;
}

/** The unmodified server trees: SUPPORT_BOT_SERVERS_DIR, else ../shared/servers beside the repository. */
export function serversDirectory(): string {
  const dir = process.env["SUPPORT_BOT_SERVERS_DIR"] ?? resolve(fileURLToPath(new URL("../../../../shared/servers", import.meta.url)));
  for (const tree of ["mantisbt-2.28.4", "synapse-1.67.0"]) {
    if (!existsSync(join(dir, tree))) throw new Error(`the real servers' sources are missing: ${join(dir, tree)} (set SUPPORT_BOT_SERVERS_DIR to the folder holding mantisbt-2.28.4 and synapse-1.67.0)`);
  }
  return dir;
}

/** Starts MantisBT and Synapse at once; `stop()` ends both and removes their data unless KEEP_REAL_SERVERS=1. */
export async function startRealServers(log: (line: string) => void): Promise<{ info: RealServersInfo; stop(): Promise<void> }> {
  const serversDir = serversDirectory();
  const workDir = mkdtempSync(join(tmpdir(), "support-bot-real-"));
  const [mantis, synapse] = await Promise.allSettled([
    startRealMantis({ serversDir, workDir, log }),
    startRealSynapse({ serversDir, workDir, log }),
  ]);
  const stopAll = async () => {
    if (mantis.status === "fulfilled") await mantis.value.stop();
    if (synapse.status === "fulfilled") await synapse.value.stop();
    if (process.env["KEEP_REAL_SERVERS"] !== "1") rmSync(workDir, { recursive: true, force: true });
  };
  if (mantis.status === "rejected" || synapse.status === "rejected") {
    await stopAll();
    const reasons = [mantis, synapse].filter((result) => result.status === "rejected").map((result) => String(result.reason instanceof Error ? result.reason.message : result.reason));
    throw new Error(`could not start the real servers:\n${reasons.join("\n")}`);
  }
  return { info: { mantis: mantis.value.info, synapse: synapse.value.info, workDir }, stop: stopAll };
}
