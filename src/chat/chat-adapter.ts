/**
 * A chat platform the bot serves (Mattermost, Matrix). The live runner starts each configured
 * adapter with the shared bot core; every adapter feeds command lines to `core.run` and gives the
 * proactive engine and the commands a Notifier for its platform.
 */
import type { Notifier } from "./notifier.js";

export interface ChatAdapter {
  readonly platform: "mattermost" | "matrix";
  /** Sends DMs and channel posts on this platform (valid once `start` resolved). */
  readonly notifier: Notifier;
  /** Connects (HTTP endpoint, WebSocket, sync loop); resolves when the adapter is ready. */
  start(): Promise<void>;
  /** Disconnects and cancels every timer it owns. */
  stop(): Promise<void>;
}
