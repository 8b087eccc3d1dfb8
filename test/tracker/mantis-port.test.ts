/** The tracker port contract against the MantisBT adapter, over the MantisBT simulator on loopback. */
import pino from "pino";
import { StaffDirectory } from "../../src/identity.js";
import { startMantisSimulator } from "../../src/simulators/mantis/server.js";
import { SANDBOX_STAFF } from "../../src/staff-file.js";
import { createMantisClient } from "../../src/tracker/mantis/mantis-client.js";
import { createMantisTracker } from "../../src/tracker/mantis/mantis-tracker.js";
import { describePortContract } from "./port-contract.js";

describePortContract("MantisBT adapter over the simulator", async () => {
  const clock = { now: new Date("2026-11-26T10:00:00Z") };
  const sim = await startMantisSimulator({ seed: false, now: () => clock.now });
  // rolf's MantisBT account has another name than his handle, and may report but not handle bugs.
  const staff = new StaffDirectory([...SANDBOX_STAFF, { name: "rolf", role: "staff", displayName: "Rolf Berger", accounts: { mantis: "reporter" } }]);
  const client = createMantisClient({
    url: sim.url,
    token: sim.tokens.administrator!,
    project: 1,
    impersonate: true,
    timeoutMs: 5_000,
    category: "General",
    log: pino({ level: "silent" }),
  });
  const person = (name: string) => ({ name, displayName: staff.find(name)?.displayName ?? name });
  return {
    tracker: createMantisTracker({ client, staff }),
    people: { alice: person("alice"), bob: person("bob"), rolf: person("rolf"), stranger: { name: "mallory", displayName: "Mallory" } },
    advance(ms) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
    async setUnknownState(id) {
      // A status MantisBT was configured with beyond its defaults (the simulator has no name for 60).
      sim.database.updateBug(id, { status: 60 });
    },
    close: () => sim.close(),
  };
});
