import type { Message } from "../framework/reply.js";
import type { StaffMember } from "../identity.js";
import type { Logger } from "pino";
import type { ChannelKey, Notifier } from "./notifier.js";

/**
 * Sends every notification through each running chat platform (Mattermost and Matrix can run
 * at once). One platform failing does not stop the others; the error is logged and re-thrown
 * only when every platform failed, so callers can retry.
 */
export class FanOutNotifier implements Notifier {
  constructor(
    private readonly targets: readonly Notifier[],
    private readonly log: Logger,
  ) {}

  direct(recipient: StaffMember, message: Message): Promise<void> {
    return this.each((target) => target.direct(recipient, message), "direct message failed");
  }

  channel(channel: ChannelKey, message: Message): Promise<void> {
    return this.each((target) => target.channel(channel, message), "channel post failed");
  }

  private async each(send: (target: Notifier) => Promise<void>, failure: string): Promise<void> {
    const results = await Promise.allSettled(this.targets.map(send));
    const errors = results.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
    for (const err of errors) this.log.error({ err }, failure);
    if (errors.length > 0 && errors.length === results.length) throw errors[0];
  }
}
