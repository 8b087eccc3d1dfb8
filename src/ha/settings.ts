/**
 * Settings of leader election (docs/operations.md, section Replicas): how fast a standby replica
 * takes over the work that must happen once when the leader dies or loses its database connection.
 */
import { z } from "zod";

/** What leader election reads from configuration. */
export interface LeaderSettings {
  /** LEADER_TAKEOVER_SECONDS: the longest a replica may be without a leader, in milliseconds. */
  takeoverMs: number;
}

/** The environment variables of leader election, each with its documented default; config.ts composes it. */
export const leaderEnvSchema = z.object({
  // At least 10 s: the server-side keepalives are whole seconds, and below 10 s they cannot fit between
  // the leader's step-down and the takeover (src/ha/leader.ts, electionTiming).
  LEADER_TAKEOVER_SECONDS: z.coerce.number({ error: "must be a number of seconds" }).int("must be a whole number of seconds").min(10).max(3600).default(30),
});
/** Leader election's variables as the schema returns them. */
export type LeaderEnv = z.output<typeof leaderEnvSchema>;

/** Leader election's settings from its parsed variables. */
export function leaderSettingsFromEnv(env: LeaderEnv): LeaderSettings {
  return { takeoverMs: env.LEADER_TAKEOVER_SECONDS * 1000 };
}
