/**
 * Notifications that follow a change already made in the tracker. A chat hiccup must not turn a
 * successful command into an error (the change is done), so failures are logged and reported back.
 * Commands' notifiers queue every message in the outbox and resolve once it is queued: the outbox
 * delivers it right after and retries a failed delivery on its own, so what fails here is queueing.
 */
import type { ProcessContext } from "./context.js";

/** Runs the sends; resolves to a sentence for the reply when one failed, else undefined. */
export async function notifyAfterChange(ctx: Pick<ProcessContext, "log">, what: string, send: () => Promise<void>): Promise<string | undefined> {
  try {
    await send();
    return undefined;
  } catch (err) {
    ctx.log.warn({ err }, "notification after change failed");
    return `(I could not send ${what}; the change itself is done.)`;
  }
}
