/**
 * A chat platform the bot serves (Mattermost, Matrix): its transport with the chat kernel on top.
 * The live runner starts each configured adapter with the shared bot core; the kernel hands it
 * command lines and gives the proactive engine and the commands a Notifier for the platform.
 */
import type { ChatAccountPlatform } from "../../identity.js";
import type { Notifier } from "../notifier.js";

/** A running chat platform: its transport and the kernel on it, as the live runner starts and stops them. */
export interface ChatAdapter {
  /** One of the chat platforms of the platform list (src/identity.ts). */
  readonly platform: ChatAccountPlatform;
  /** Sends DMs and channel posts on this platform (valid once `start` resolved). */
  readonly notifier: Notifier;
  /** Connects (HTTP endpoint, WebSocket, sync loop); resolves when the adapter is ready. */
  start(): Promise<void>;
  /** Disconnects and cancels every timer it owns. */
  stop(): Promise<void>;
  /** Whether it is connected now (for `/healthz` and `/readyz`), and if not since when or why. */
  health(): { ok: boolean; detail: string };
}
