/** How big one chat message may be: part of the process's model because listings are cut to fit it. */

/** The largest message a place takes, and how the platform counts it. */
export interface MessageLimit {
  /** At most this many units per message. */
  length: number;
  /** Unicode code points (Mattermost) or UTF-8 bytes (Matrix counts the event's bytes). */
  measure: "code-points" | "utf8-bytes";
}

/**
 * The size a reply is made to fit when the one asking did not say (a script or test calling the
 * core directly): 16,000 code points, which Mattermost takes, and Matrix too for mostly Latin text.
 * Transports declare their own limit, and the chat kernel passes it with each command.
 */
export const DEFAULT_MESSAGE_LIMIT: MessageLimit = Object.freeze({ length: 16_000, measure: "code-points" });
