/**
 * One elector in a process of its own, for the test that kills a leader with SIGKILL: it competes
 * for the lock (PG_URL, TAKEOVER_MS from the environment) and writes `elected` when it leads.
 */
import pino from "pino";
import { createPostgresLeadership } from "../../src/ha/leader.js";

const url = process.env["PG_URL"];
if (!url) throw new Error("PG_URL is not set");
const leadership = createPostgresLeadership({ connection: url, takeoverMs: Number(process.env["TAKEOVER_MS"] ?? 3000), log: pino({ level: "silent" }) });
leadership.onElected(() => {
  process.stdout.write("elected\n");
});
await leadership.start();
process.stdout.write("started\n");
