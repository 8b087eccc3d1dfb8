/**
 * Counts every message the kernel sends through a transport (replies, DMs, channel posts), by
 * platform and outcome, for the metrics port. The transport itself stays unaware of metrics.
 */
import type { Metrics } from "../../metrics.js";
import type { ChatTransport } from "./transport.js";

const SENDS = new Set<PropertyKey>(["reply", "sendDirect", "post"]);

/** The transport, with its sends counted; every other member is the transport's own. */
export function countSends(transport: ChatTransport, metrics: Metrics): ChatTransport {
  return new Proxy(transport, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      if (!SENDS.has(property)) return bound;
      return async (...args: unknown[]) => {
        try {
          const result = await bound(...args);
          metrics.chatSent(target.platform, "ok");
          return result;
        } catch (error) {
          metrics.chatSent(target.platform, "failed");
          throw error;
        }
      };
    },
  });
}
