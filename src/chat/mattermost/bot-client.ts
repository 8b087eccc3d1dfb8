/**
 * The official Mattermost driver (`@mattermost/client`'s Client4) as the bot uses it: a time limit
 * per request, waiting out rate limits (429, Retry-After) a few times, the real HTTP status on
 * every error, and the one call Client4 lacks (opening an interactive dialog). Also the globals
 * its WebSocketClient expects and Node 20 does not have.
 */
import mattermostClient from "@mattermost/client";
import type { Options } from "@mattermost/types/client4";
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import { BotError, ForbiddenError, UpstreamUnavailableError } from "../../errors.js";
import { httpClient, type HttpResponse } from "../../http/http-client.js";

// The package is CommonJS with getter exports: named ESM imports fail under Node and tsx.
const { Client4, ClientError } = mattermostClient;

/** Client4's error, with the HTTP status (0 when there was no answer). */
export type MattermostClientError = InstanceType<typeof ClientError>;

export interface BotClientOptions {
  url: string;
  token: string;
  /** Time limit per request. Default 15 s. */
  timeoutMs?: number;
  /** How often a rate-limited request is tried in all. Default 4. */
  maxAttempts?: number;
  /** The longest wait before a retry, whatever Retry-After says. Default 10 s. */
  maxRetryWaitMs?: number;
  /** Aborts pending requests and retry waits when the adapter stops. */
  signal?: AbortSignal;
}

/** What `POST /api/v4/actions/dialogs/open` takes (integration_actions.yaml, OpenInteractiveDialog). */
export interface OpenDialogRequest {
  trigger_id: string;
  url: string;
  dialog: Record<string, unknown>;
}

/** Client4 with our transport rules; every REST call of the adapter goes through it. */
export class BotClient extends Client4 {
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxRetryWaitMs: number;
  private readonly signal: AbortSignal | undefined;

  constructor(options: BotClientOptions) {
    super();
    this.setUrl(options.url);
    this.setToken(options.token);
    this.setUserAgent("support-bot");
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 10_000;
    this.signal = options.signal;
  }

  /**
   * Replaces Client4's transport: its own one loses the status of non-JSON errors (a 429 is
   * `text/plain`) and has neither a time limit nor retries. Every Client4 method calls this.
   */
  protected override doFetch = async <T>(url: string, options: Options): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      let response: HttpResponse;
      let text: string;
      const limit = this.timeLimit();
      try {
        const init = this.getOptions(options);
        const { method, headers, body } = init;
        // Text (JSON) on the kept-alive client; an upload's form data through fetch, which encodes it.
        response =
          body === undefined || typeof body === "string"
            ? await httpClient(url, { method: method ?? "GET", headers: headers as Record<string, string>, ...(body !== undefined ? { body } : {}), signal: limit.signal })
            : await fetch(url, { ...init, signal: limit.signal });
        text = await response.text();
      } catch (error) {
        throw new ClientError(this.getUrl(), { message: `no answer from Mattermost (${error instanceof Error ? error.message : String(error)})`, status_code: 0, url }, error);
      } finally {
        limit.clear();
      }
      const contentType = response.headers.get("content-type") ?? "";
      let data: unknown = text;
      if (contentType.startsWith("application/json") && text !== "") {
        try {
          data = JSON.parse(text) as unknown;
        } catch (error) {
          throw new ClientError(this.getUrl(), { message: "Mattermost answered malformed JSON", status_code: response.status, url }, error);
        }
      }
      if (response.ok) return data as T;
      if (response.status === 429 && attempt < this.maxAttempts) {
        await sleep(this.retryWaitMs(response, attempt), undefined, { signal: this.signal });
        continue;
      }
      const body = typeof data === "object" && data !== null ? (data as Record<string, unknown>) : {};
      throw new ClientError(this.getUrl(), {
        message: typeof body["message"] === "string" ? body["message"] : `HTTP ${response.status}`,
        server_error_id: typeof body["id"] === "string" ? body["id"] : undefined,
        status_code: response.status,
        detailed_error: typeof body["detailed_error"] === "string" ? body["detailed_error"] : undefined,
        url,
      });
    }
  };

  /** Opens a dialog for the user who triggered a command or a button (the trigger id is valid 30 s). */
  openInteractiveDialog(request: OpenDialogRequest): Promise<unknown> {
    return this.doFetch(`${this.getBaseRoute()}/actions/dialogs/open`, { method: "post", body: JSON.stringify(request) });
  }

  /**
   * POSTs a CommandResponse to a slash command's `response_url` (answers `200 ok`). The URL is a
   * capability of its own: the bot's token is not sent along.
   */
  async postToResponseUrl(url: string, response: Record<string, unknown>): Promise<void> {
    let answer: HttpResponse;
    let text: string;
    const limit = this.timeLimit();
    try {
      answer = await httpClient(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "User-Agent": "support-bot" },
        body: JSON.stringify(response),
        signal: limit.signal,
      });
      text = await answer.text();
    } catch (error) {
      throw new ClientError(this.getUrl(), { message: `no answer from Mattermost (${error instanceof Error ? error.message : String(error)})`, status_code: 0, url }, error);
    } finally {
      limit.clear();
    }
    if (!answer.ok) {
      let id: string | undefined;
      try {
        id = (JSON.parse(text) as { id?: string }).id;
      } catch {
        id = undefined;
      }
      throw new ClientError(this.getUrl(), { message: `response_url answered HTTP ${answer.status}`, server_error_id: id, status_code: answer.status, url });
    }
  }

  /**
   * A signal for one request: aborted after `timeoutMs` or when the adapter stops. A timer of its
   * own rather than AbortSignal.timeout and .any, which cost far more per request (docs/benchmarks.md).
   */
  private timeLimit(): { signal: AbortSignal; clear(): void } {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${this.timeoutMs} ms`, "TimeoutError")), this.timeoutMs);
    const stop = () => controller.abort(this.signal?.reason);
    if (this.signal?.aborted) stop();
    else this.signal?.addEventListener("abort", stop, { once: true });
    return {
      signal: controller.signal,
      clear: () => {
        clearTimeout(timer);
        this.signal?.removeEventListener("abort", stop);
      },
    };
  }

  private retryWaitMs(response: HttpResponse, attempt: number): number {
    const retryAfter = Number(response.headers.get("retry-after") ?? response.headers.get("x-ratelimit-reset") ?? "");
    const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 250 * 2 ** attempt;
    return Math.min(wait, this.maxRetryWaitMs);
  }
}

/** The HTTP status of a Client4 error, or undefined for anything else. */
export function mattermostStatus(error: unknown): number | undefined {
  return error instanceof ClientError ? error.status_code : undefined;
}

/** The server's error id (`api.post.create_post.root_id.app_error`), if it sent one. */
export function mattermostErrorId(error: unknown): string | undefined {
  return error instanceof ClientError ? error.server_error_id : undefined;
}

/** A Client4 error as a BotError with a hint for whoever reads the log. */
export function toBotError(error: unknown, what: string): BotError {
  if (error instanceof BotError) return error;
  const status = mattermostStatus(error);
  if (status === 401) {
    return new ForbiddenError(`Mattermost refused the bot's token while trying to ${what}.`, {
      cause: error,
      hint: "Check MATTERMOST_BOT_TOKEN (System Console > Integrations > Bot Accounts: create a new token if it was revoked).",
    });
  }
  if (status === 403) {
    return new ForbiddenError(`Mattermost did not allow the bot to ${what}.`, {
      cause: error,
      hint: "Check that the bot account is a member of the team and the channel, and has the needed permissions (README, section Mattermost).",
    });
  }
  return new UpstreamUnavailableError(`Mattermost did not answer as expected while trying to ${what}.`, { cause: error });
}

/** A stand-in for the browser's CloseEvent, which WebSocketClient creates on ping timeouts. */
class NodeCloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;

  constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? "";
    this.wasClean = init.wasClean ?? false;
  }
}

/**
 * WebSocketClient reads the global `WebSocket` (for `WebSocket.OPEN`) and creates `CloseEvent`s;
 * Node 20 has neither, and without them the client dies with a ReferenceError on its first
 * reconnect. Only fills in what is missing, so a newer Node's own globals stay.
 */
export function installWebSocketGlobals(): void {
  const scope = globalThis as { WebSocket?: unknown; CloseEvent?: unknown };
  scope.WebSocket ??= WebSocket;
  scope.CloseEvent ??= NodeCloseEvent;
}
