/**
 * Global setup of `npm run test:real`: the real MantisBT and Synapse start once per run (not per
 * test file), their versions are printed so nobody mistakes a simulator for them, and both stop at
 * the end. Test files reach them through `inject("realServers")`.
 */
import type { TestProject } from "vitest/node";
import { startRealServers, type RealServersInfo } from "./servers/real-servers.js";

declare module "vitest" {
  export interface ProvidedContext {
    realServers: RealServersInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const say = (line: string) => process.stdout.write(`[real servers] ${line}\n`);
  const started = Date.now();
  say("starting MantisBT (PHP + PostgreSQL) and Synapse ...");
  const servers = await startRealServers(say);
  const { mantis, synapse } = servers.info;
  say(`MantisBT ${mantis.version} (X-Mantis-Version) at ${mantis.url}, PostgreSQL on port ${mantis.database.port}`);
  say(`Synapse ${synapse.version} (/_synapse/admin/v1/server_version) at ${synapse.url}`);
  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s; data in ${servers.info.workDir}`);
  project.provide("realServers", servers.info);
  return async () => {
    await servers.stop();
    say("stopped");
  };
}
