/** The tracker port contract against the in-memory tracker (test/support/memory-tracker.ts). */
import { createMemoryTracker } from "../support/memory-tracker.js";
import { describePortContract } from "./port-contract.js";

describePortContract("in-memory tracker", async () => {
  const clock = { now: new Date("2026-11-26T10:00:00Z") };
  const tracker = createMemoryTracker({
    now: () => clock.now,
    versions: ["1.0.0"],
    accounts: [
      { handle: "alice", account: "mem-alice", mayHandle: true },
      { handle: "bob", account: "mem-bob", mayHandle: true },
      { handle: "rolf", account: "mem-rolf", mayHandle: false },
    ],
  });
  return {
    tracker,
    people: {
      alice: { name: "alice", displayName: "Alice Developer" },
      bob: { name: "bob", displayName: "Bob Developer" },
      rolf: { name: "rolf", displayName: "Rolf Berger" },
      stranger: { name: "mallory", displayName: "Mallory" },
    },
    advance(ms) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
    async setUnknownState(id) {
      tracker.setCustomState(id, "waiting for legal");
    },
    close: async () => undefined,
  };
});
