/**
 * The `/api/v4/websocket` endpoint, modelled on server/channels/app/platform (web_conn.go, web_hub.go,
 * websocket_router.go): authentication by header/cookie on the upgrade or by
 * `authentication_challenge`, a `hello` event, per-connection sequence numbers, and the
 * "reliable websocket" resume: a client that reconnects with `connection_id` and
 * `sequence_number` (and authenticates on the upgrade itself) gets the events it missed.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { isValidId, newId } from "./ids.js";
import type { MattermostState, WsBroadcast, WsEventBody } from "./state.js";
import { broadcastTo } from "./state.js";

/** Up to this many sent events are kept per connection for resumes (`deadQueueSize`). */
const DEAD_QUEUE_SIZE = 128;
/** Events queued for a disconnected client before the server gives up on it (`sendQueueSize`). */
const SEND_QUEUE_SIZE = 256;

/** The server version the simulator claims by default (that of the installed @mattermost/client). */
export const SERVER_VERSION = "11.9.0";

/** `X-Version-Id` and the hello event's `server_version` for a version: `11.9.0.dev.simulator.false`. */
export function serverVersionId(version: string): string {
  return `${version}.dev.simulator.false`;
}

/** A WebSocket event as sent on the wire. */
export interface WsEvent extends WsEventBody {
  seq: number;
}

/** A message a client sent over the WebSocket, kept for assertions. */
export interface RecordedWsMessage {
  connectionId: string;
  userId: string;
  message: unknown;
}

/** One connection id known to the server: open, or closed and waiting for a resume. */
interface WsSession {
  connectionId: string;
  userId: string;
  /** Sequence number of the next event written. */
  seq: number;
  deadQueue: WsEvent[];
  /** Events broadcast while the client was away. */
  pending: WsEventBody[];
  socket: WebSocket | null;
  /**
   * `WebConn.lastUserActivityAt`: set when the connection is made or reused (NewWebConn) and moved
   * only by user activity, which a bot never reports; the reaper measures from here.
   */
  lastActivityAt: number;
  /** When the socket closed (the hub marks the connection inactive), or null while open. */
  inactiveSince: number | null;
}

interface Connection {
  ws: WebSocket;
  session: WsSession | null;
  authTimer: NodeJS.Timeout | null;
}

/** What the hub needs: state for membership, a clock, the reaper and auth time limits, the version. */
export interface WebSocketHubOptions {
  state: MattermostState;
  now: () => number;
  /** `inactiveConnReaperInterval`: how often the reaper runs, and how stale a connection must be. */
  reaperIntervalMs: number;
  /** Unauthenticated sockets are closed after this long (`authCheckInterval`, 5 s). */
  authTimeoutMs: number;
  /** The server version told in `hello` and ping answers. */
  serverVersion: string;
  changed: () => void;
}

/** Reads the session token of an upgrade request: header, `MMAUTHTOKEN` cookie or `access_token`. */
export function tokenFromRequest(headers: IncomingMessage["headers"], query: URLSearchParams): string | undefined {
  const auth = headers.authorization;
  if (auth) {
    const match = /^(bearer|token)\s+(.+)$/i.exec(auth.trim());
    if (match?.[2]) return match[2].trim();
  }
  const cookie = headers.cookie;
  if (cookie) {
    for (const part of cookie.split(";")) {
      const [name, ...rest] = part.trim().split("=");
      if (name === "MMAUTHTOKEN" && rest.length > 0) return rest.join("=");
    }
  }
  return query.get("access_token") ?? undefined;
}

/** Accepts WebSocket upgrades, authenticates them and delivers events with sequence numbers. */
export class WebSocketHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, WsSession>();
  private readonly connections = new Set<Connection>();
  private refuseRemaining = 0;
  private refuseAll = false;
  /** Upgrade attempts turned away by `refuseConnections`. */
  refusedAttempts = 0;
  readonly received: RecordedWsMessage[] = [];

  /** When the hub started: the reaper's ticker counts from here. */
  private readonly startedAt: number;

  constructor(private readonly options: WebSocketHubOptions) {
    this.startedAt = options.now();
  }

  /** Handles an HTTP upgrade on the simulator's server. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/api/v4/websocket") {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    if (this.refuseAll || this.refuseRemaining > 0) {
      if (this.refuseRemaining > 0) this.refuseRemaining--;
      this.refusedAttempts++;
      // Like a server that is down: the TCP connection is dropped, no HTTP answer.
      socket.destroy();
      this.options.changed();
      return;
    }
    const token = tokenFromRequest(request.headers, url.searchParams);
    // A bad token on the upgrade does not fail it; the socket just stays unauthenticated.
    const user = token ? this.options.state.userByToken(token) : undefined;
    this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws, url.searchParams, user?.id));
  }

  private onConnection(ws: WebSocket, params: URLSearchParams, userId: string | undefined): void {
    const connection: Connection = { ws, session: null, authTimer: null };
    this.connections.add(connection);
    ws.on("message", (data: RawData) => this.onMessage(connection, data));
    ws.on("close", () => {
      if (connection.authTimer) clearTimeout(connection.authTimer);
      this.connections.delete(connection);
      const session = connection.session;
      if (session && session.socket === ws) {
        session.socket = null;
        session.inactiveSince = this.options.now();
      }
      this.options.changed();
    });
    ws.on("error", () => {
      // Socket errors end in "close"; nothing else to do.
    });
    if (userId) {
      this.attachFromUpgrade(connection, userId, params);
    } else {
      connection.authTimer = setTimeout(() => {
        if (!connection.session) ws.close();
      }, this.options.authTimeoutMs);
      connection.authTimer.unref();
    }
    this.options.changed();
  }

  /** Upgrade carried a valid token: resume the old connection id if the client asks for it. */
  private attachFromUpgrade(connection: Connection, userId: string, params: URLSearchParams): void {
    const requested = params.get("connection_id") ?? "";
    if (requested !== "") {
      const sequence = params.get("sequence_number");
      // PopulateWebConnConfig refuses these and the server closes the socket.
      if (!isValidId(requested) || sequence === null || !/^-?\d+$/.test(sequence)) {
        connection.ws.close();
        return;
      }
      this.reapInactive();
      const old = this.sessions.get(requested);
      if (old && old.userId === userId) {
        // The client may be back before the server noticed its old socket die: the new one wins.
        if (old.socket) {
          const stale = old.socket;
          old.socket = null;
          stale.terminate();
        }
        this.resume(connection, old, Number(sequence));
        return;
      }
    }
    this.startSession(connection, userId);
  }

  private startSession(connection: Connection, userId: string): WsSession {
    const session: WsSession = { connectionId: newId(), userId, seq: 0, deadQueue: [], pending: [], socket: connection.ws, lastActivityAt: this.options.now(), inactiveSince: null };
    this.sessions.set(session.connectionId, session);
    connection.session = session;
    this.sendEvent(session, this.hello(session));
    return session;
  }

  private hello(session: WsSession): WsEventBody {
    return {
      event: "hello",
      data: { connection_id: session.connectionId, server_hostname: "mattermost-simulator", server_version: serverVersionId(this.options.serverVersion) },
      broadcast: broadcastTo({ user_id: session.userId }),
    };
  }

  /** The writePump's start on a reused connection: drain the dead queue, or start over with a hello. */
  private resume(connection: Connection, session: WsSession, clientSequence: number): void {
    connection.session = session;
    session.socket = connection.ws;
    // A reused connection is a new WebConn: its activity clock starts again.
    session.lastActivityAt = this.options.now();
    session.inactiveSince = null;
    const index = session.deadQueue.findIndex((event) => event.seq === clientSequence);
    if (clientSequence !== 0 && index >= 0) {
      const replay = session.deadQueue.slice(index);
      for (const event of replay) connection.ws.send(JSON.stringify(event));
      session.seq = clientSequence + replay.length;
    } else if (clientSequence !== 0 && this.hasMessageLoss(session, clientSequence)) {
      this.sessions.delete(session.connectionId);
      session.connectionId = newId();
      this.sessions.set(session.connectionId, session);
      session.deadQueue = [];
      session.seq = 0;
      this.sendEvent(session, this.hello(session));
    } else {
      session.seq = clientSequence;
    }
    const pending = session.pending.splice(0);
    for (const event of pending) this.sendEvent(session, event);
  }

  private hasMessageLoss(session: WsSession, clientSequence: number): boolean {
    const last = session.deadQueue.at(-1);
    return last !== undefined && last.seq !== clientSequence - 1;
  }

  private sendEvent(session: WsSession, body: WsEventBody): void {
    const event: WsEvent = { event: body.event, data: body.data, broadcast: body.broadcast, seq: session.seq++ };
    session.deadQueue.push(event);
    if (session.deadQueue.length > DEAD_QUEUE_SIZE) session.deadQueue.shift();
    if (session.socket && session.socket.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify(event));
  }

  private respond(ws: WebSocket, reply: Record<string, unknown>): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(reply));
  }

  private fail(ws: WebSocket, seq: number, status: number, id: string, message: string): void {
    this.respond(ws, { status: "FAIL", seq_reply: seq, error: { id, message, detailed_error: "", status_code: status } });
  }

  private onMessage(connection: Connection, raw: RawData): void {
    const { ws } = connection;
    let request: unknown;
    try {
      request = JSON.parse(raw.toString());
    } catch {
      // The server stops reading (and closes) on a frame it cannot decode.
      ws.close();
      return;
    }
    this.received.push({ connectionId: connection.session?.connectionId ?? "", userId: connection.session?.userId ?? "", message: request });
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      ws.close();
      return;
    }
    const fields = request as Record<string, unknown>;
    const action = typeof fields["action"] === "string" ? fields["action"] : "";
    const seq = typeof fields["seq"] === "number" ? fields["seq"] : 0;
    const data = typeof fields["data"] === "object" && fields["data"] !== null ? (fields["data"] as Record<string, unknown>) : {};
    if (action === "") return this.fail(ws, seq, 400, "api.web_socket_router.no_action.app_error", "No websocket action.");
    if (seq <= 0) return this.fail(ws, seq, 400, "api.web_socket_router.bad_seq.app_error", "Invalid sequence for WebSocket message.");

    if (action === "authentication_challenge") {
      // Already authenticated (e.g. by header): ignored without a reply, as on the server.
      if (connection.session) return;
      const token = data["token"];
      const user = typeof token === "string" ? this.options.state.userByToken(token) : undefined;
      if (!user) {
        ws.close();
        return;
      }
      if (connection.authTimer) clearTimeout(connection.authTimer);
      this.respond(ws, { status: "OK", seq_reply: seq });
      this.startSession(connection, user.id);
      this.options.changed();
      return;
    }
    if (action === "presence") return this.respond(ws, { status: "OK", seq_reply: seq });
    const session = connection.session;
    if (!session) return this.fail(ws, seq, 401, "api.web_socket_router.not_authenticated.app_error", "Invalid or expired session, please login again.");

    switch (action) {
      case "ping":
        return this.respond(ws, { status: "OK", seq_reply: seq, data: { node_id: "", server_time: this.options.now(), text: "pong", version: this.options.serverVersion } });
      case "user_typing": {
        const channelId = typeof data["channel_id"] === "string" ? data["channel_id"] : "";
        const parentId = typeof data["parent_id"] === "string" ? data["parent_id"] : "";
        const channel = this.options.state.channels.get(channelId);
        if (!channel || !this.options.state.canRead(channel, session.userId)) {
          return this.fail(ws, seq, 400, "api.websocket_handler.invalid_param.app_error", "Invalid channel_id parameter.");
        }
        this.publish({ event: "typing", data: { parent_id: parentId, user_id: session.userId }, broadcast: broadcastTo({ channel_id: channelId, omit_users: { [session.userId]: true } }) });
        return this.respond(ws, { status: "OK", seq_reply: seq });
      }
      case "get_statuses":
        return this.respond(ws, { status: "OK", seq_reply: seq, data: this.statuses([...this.options.state.users.keys()]) });
      case "get_statuses_by_ids": {
        const ids = Array.isArray(data["user_ids"]) ? data["user_ids"].filter((id): id is string => typeof id === "string") : [];
        return this.respond(ws, { status: "OK", seq_reply: seq, data: this.statuses(ids) });
      }
      case "user_update_active_status":
      case "posted_notify_ack":
        return this.respond(ws, { status: "OK", seq_reply: seq });
      default:
        return this.fail(ws, seq, 500, "api.web_socket_router.bad_action.app_error", "Unknown WebSocket action.");
    }
  }

  private statuses(userIds: string[]): Record<string, string> {
    const online = new Set(this.connectedUsers());
    return Object.fromEntries(userIds.map((id) => [id, online.has(id) ? "online" : "offline"]));
  }

  private shouldSend(session: WsSession, broadcast: WsBroadcast): boolean {
    const { state } = this.options;
    if (broadcast.connection_id) return session.connectionId === broadcast.connection_id;
    if (broadcast.omit_connection_id && broadcast.omit_connection_id === session.connectionId) return false;
    if (broadcast.user_id) return session.userId === broadcast.user_id;
    if (broadcast.omit_users?.[session.userId]) return false;
    if (broadcast.channel_id) return state.channels.get(broadcast.channel_id)?.members.has(session.userId) ?? false;
    if (broadcast.team_id) return state.isTeamMember(broadcast.team_id, session.userId);
    return true;
  }

  /**
   * The hub's reaper (platform/web_hub.go): a ticker every `inactiveConnReaperInterval` since the hub
   * started removes each inactive connection whose last activity is older than that interval
   * (`RemoveInactiveConnections`). For a bot connected longer than the interval, a dropped
   * connection can so be resumed for anywhere from 0 to 5 minutes, depending on where the ticker
   * stands; a reaped one gets a new connection id and `hello`, and nothing is replayed.
   */
  private reapInactive(): void {
    const interval = this.options.reaperIntervalMs;
    const now = this.options.now();
    for (const [id, session] of this.sessions) {
      if (session.inactiveSince === null) continue;
      // The first tick at which the connection is inactive and stale enough.
      const firstInactiveTick = Math.max(1, Math.ceil((session.inactiveSince - this.startedAt) / interval));
      const firstStaleTick = Math.floor((session.lastActivityAt + interval - this.startedAt) / interval) + 1;
      if (this.startedAt + Math.max(firstInactiveTick, firstStaleTick) * interval <= now) this.sessions.delete(id);
    }
  }

  /** Delivers an event to every connection it is meant for; closed ones queue it for a resume. */
  publish(body: WsEventBody): void {
    this.reapInactive();
    for (const [id, session] of this.sessions) {
      if (!this.shouldSend(session, body.broadcast)) continue;
      if (session.socket) {
        this.sendEvent(session, body);
      } else {
        session.pending.push(body);
        // A full queue makes the server drop the connection; the next reconnect starts over.
        if (session.pending.length > SEND_QUEUE_SIZE) this.sessions.delete(id);
      }
    }
  }

  /** User ids with at least one open, authenticated connection. */
  connectedUsers(): string[] {
    const users = new Set<string>();
    for (const connection of this.connections) if (connection.session) users.add(connection.session.userId);
    return [...users];
  }

  /** Open connections: id, user, and whether they authenticated. */
  openConnections(): Array<{ connectionId: string; userId: string }> {
    return [...this.connections].map((connection) => ({ connectionId: connection.session?.connectionId ?? "", userId: connection.session?.userId ?? "" }));
  }

  /**
   * Closes every open socket: without a close frame by default (what a network failure looks like),
   * or with `code`. `forgetSessions` also forgets connection ids, like a server restart, so that
   * reconnecting clients get a new `hello` and must catch up by REST.
   */
  dropConnections(options: { code?: number; forgetSessions?: boolean } = {}): number {
    const open = [...this.connections];
    for (const connection of open) {
      if (options.code !== undefined) connection.ws.close(options.code);
      else connection.ws.terminate();
    }
    if (options.forgetSessions) this.sessions.clear();
    return open.length;
  }

  /** Refuses the next `count` connection attempts, or all of them until `acceptConnections()`. */
  refuseConnections(count?: number): void {
    if (count === undefined) this.refuseAll = true;
    else this.refuseRemaining = count;
  }

  /** Accepts connections again. */
  acceptConnections(): void {
    this.refuseAll = false;
    this.refuseRemaining = 0;
  }

  /** Terminates every socket and stops the WebSocket server. */
  async close(): Promise<void> {
    for (const connection of this.connections) {
      if (connection.authTimer) clearTimeout(connection.authTimer);
      connection.ws.terminate();
    }
    this.connections.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
