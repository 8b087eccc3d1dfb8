/** Sends what the other jobs queued, and retries failed sends; also runs right after each of them. */
import type { ProactiveJob } from "../job.js";

/** The longest a queued notification waits for delivery when no other job triggers it. */
const DELIVER_EVERY_MS = 30_000;

/** Delivers the outbox. */
export const deliverNotificationsJob: ProactiveJob = {
  name: "deliver-notifications",
  schedules: (config) => [{ every: Math.min(DELIVER_EVERY_MS, config.checkIntervalMs) }],
  async run(ctx) {
    await ctx.outbox.deliver();
  },
};
