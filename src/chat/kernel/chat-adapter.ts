/**
 * A chat platform the bot serves (Mattermost, Matrix): its transport with the chat kernel on top.
 * The live runner starts each configured adapter with the shared bot core; the kernel hands it
 * command lines and gives the proactive engine and the commands a Notifier for the platform.
 */
import type { ChatAccountPlatform } from "../../identity.js";
import type { Notifier } from "../notifier.js";

/** How an adapter starts. */
export interface AdapterStartOptions {
  /** Whether it reads messages from the start (default true); false leaves that to `listen()`. */
  listen?: boolean;
  /**
   * How far back a message counts as new when reading starts (default 0: only what is sent after).
   * A replica taking over as leader reads what was sent while there was none. Matrix uses it;
   * Mattermost's catch-up reads DMs from where the last reader stopped in any case.
   */
  catchUpMs?: number;
}

/** A running chat platform: its transport and the kernel on it, as the live runner starts and stops them. */
export interface ChatAdapter {
  /** One of the chat platforms of the platform list (src/identity.ts). */
  readonly platform: ChatAccountPlatform;
  /** Sends DMs and channel posts on this platform (valid once `start` resolved). */
  readonly notifier: Notifier;
  /**
   * Connects (HTTP endpoint, sending; and, unless `listen: false`, the WebSocket or sync loop that
   * reads what people write to the bot); resolves when the adapter is ready.
   */
  start(options?: AdapterStartOptions): Promise<void>;
  /**
   * Starts reading what people write to the bot outside HTTP requests (Mattermost's WebSocket, the
   * Matrix sync). With replicas only the leader reads (src/ha/leader.ts), so each message is handled once.
   */
  listen(): Promise<void>;
  /** Stops reading (another replica leads now); sending and HTTP requests go on. */
  stopListening(): Promise<void>;
  /** Disconnects and cancels every timer it owns. */
  stop(): Promise<void>;
  /** Whether it is connected now (for `/healthz` and `/readyz`), and if not since when or why. */
  health(): { ok: boolean; detail: string };
}
