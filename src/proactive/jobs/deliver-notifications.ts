/**
 * Sends what the other jobs queued and retries failed routes. It runs in each catch-up pass and right
 * after every other job; it has no timer of its own, because the outbox's owner (src/live.ts,
 * src/sandbox.ts) retries on the outbox's timer, with the engine on or off.
 */
import type { ProactiveJob } from "../job.js";

/** Delivers the outbox. */
export const deliverNotificationsJob: ProactiveJob = {
  name: "deliver-notifications",
  schedules: () => [],
  async run(ctx) {
    await ctx.outbox.deliver();
  },
};
