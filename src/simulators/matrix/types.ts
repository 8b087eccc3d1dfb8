/**
 * Shapes the simulated homeserver stores and returns, named after the spec's schemas
 * (`definitions/client_event.yaml`, `core-event-schema/stripped_state.yaml`).
 */

/** JSON object content of an event or of account data. */
export type JsonObject = Record<string, unknown>;

/** Membership states of `m.room.member` (see `event-schemas/schema/m.room.member.yaml`). */
export type Membership = "invite" | "join" | "knock" | "leave" | "ban";

/** An event as the client-server API returns it (ClientEvent; `room_id` is left out inside `/sync`). */
export interface ClientEvent {
  content: JsonObject;
  event_id: string;
  origin_server_ts: number;
  room_id?: string;
  sender: string;
  state_key?: string;
  type: string;
  /** Present on redaction events (room versions up to 10 keep it at the top level). */
  redacts?: string;
  unsigned?: {
    age?: number;
    transaction_id?: string;
    prev_content?: JsonObject;
    replaces_state?: string;
    /** Synapse: the sender of the state event this one replaced. */
    prev_sender?: string;
    /** Synapse: the id of the redaction, beside `redacted_because`. */
    redacted_by?: string;
    redacted_because?: ClientEvent;
    membership?: string;
    /** Bundled aggregations (here only `m.thread`). */
    "m.relations"?: JsonObject;
  };
  /** Synapse's older client format outside `/sync`: top-level copies of `sender` and of `unsigned` fields. */
  user_id?: string;
  age?: number;
  prev_content?: JsonObject;
  replaces_state?: string;
  redacted_because?: ClientEvent;
}

/** A stripped state event as found in `rooms.invite[roomId].invite_state.events`. */
export interface StrippedStateEvent {
  content: JsonObject;
  sender: string;
  state_key: string;
  type: string;
}

/** One HTTP request the simulator received, with what it answered. */
export interface RecordedRequest {
  method: string;
  /** Percent-decoded path, e.g. `/_matrix/client/v3/rooms/!abc:localhost/send/m.room.message/1`. */
  path: string;
  /** The path exactly as sent. */
  rawPath: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  body: unknown;
  /** The user the access token belongs to, when it was valid. */
  userId?: string;
  /** Filled in when the answer was sent (long-polling `/sync` answers late). */
  status?: number;
  response?: unknown;
}
