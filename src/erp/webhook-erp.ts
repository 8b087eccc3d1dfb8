/**
 * ERP adapter for any ERP that can receive a webhook: every sales event is POSTed as JSON to
 * ERP_WEBHOOK_URL, signed with ERP_WEBHOOK_SECRET (seed: Incoming > Sales E-mail, Resolution).
 *
 * The request (what an ERP integration has to implement):
 *
 *   POST <ERP_WEBHOOK_URL>
 *   Content-Type: application/json
 *   X-Support-Bot-Timestamp: 1764151200            (Unix seconds when it was sent)
 *   X-Support-Bot-Signature: sha256=<64 hex digits>
 *
 *   {"event": "sales.contact" | "sales.resolution", "id": "<uuid>", "occurred_at": "<ISO 8601>", "data": {...}}
 *
 * The signature is the hex HMAC-SHA256, keyed with the shared secret, of the timestamp, a dot and
 * the raw body bytes: `HMAC(secret, "1764151200." + body)`. A receiver recomputes it over the
 * body exactly as received, compares in constant time, and rejects timestamps more than a few
 * minutes away from its clock, so a captured request cannot be replayed later (`id` is unique per
 * event, for de-duplicating retries within that window). {@link verifyWebhookSignature} does all
 * of this and can serve as the reference implementation.
 *
 * `data` of `sales.contact`: `{customer: {name, type, phone, email}, request, date, recorded_by,
 * call_id}`; of `sales.resolution`: `{bug_id, bug_url, sales_ref, resolved_by, start_billing}`.
 * Absent values are null. The ERP answers 2xx, optionally with JSON `{"reference": "..."}` (its id
 * for the record); anything else is an error and nothing is recorded. Redirects are not followed
 * (a POST would turn into a GET): point ERP_WEBHOOK_URL at the final address.
 *
 * The bot keeps its own copy of each delivered record (with the ERP's reference) in the store, so
 * `lead S-3` works with either adapter; the returned reference is the bot's `S-<n>`. Personal data
 * goes to the ERP, which is where the seed wants it, and never into an error message or log line.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { BotError } from "../errors.js";
import type { Store } from "../store/store.js";
import type { ErpPort, SalesContact, SalesResolution } from "./erp.js";

/** Header with `sha256=<hex HMAC>` of `<timestamp>.<body>`. */
export const SIGNATURE_HEADER = "X-Support-Bot-Signature";
/** Header with the Unix time in seconds the request was signed at. */
export const TIMESTAMP_HEADER = "X-Support-Bot-Timestamp";
/** How far a receiver should accept the signed time from its own clock (replay protection). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type ErpEventName = "sales.contact" | "sales.resolution";

/** The JSON body of every webhook request. */
export interface ErpEvent {
  event: ErpEventName;
  /** Unique per event; receivers de-duplicate retries by it. */
  id: string;
  occurred_at: string;
  data: Record<string, unknown>;
}

/** The ERP webhook failed: unreachable, too slow, refused, or answered with an error. */
export class ErpWebhookError extends BotError {
  override readonly name = "ErpWebhookError";
  /** The HTTP status, when the ERP answered at all. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown; hint?: string; logMessage?: string } = {}) {
    super("erp-unavailable", message, options);
    this.status = options.status;
  }
}

/** `sha256=<hex>`: the signature of a body sent at `timestamp` (Unix seconds). */
export function signWebhookPayload(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * Checks a received request as an ERP should: the signature over timestamp and raw body, in
 * constant time, and the timestamp within `toleranceSeconds` of `now`.
 */
export function verifyWebhookSignature(options: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  now: Date;
  toleranceSeconds?: number;
}): boolean {
  const { secret, body, timestamp, signature, now } = options;
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  const age = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (age > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(signWebhookPayload(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookErpOptions {
  url: string;
  secret: string;
  timeoutMs: number;
  /** Keeps the bot's copy of each delivered record. */
  store: Store;
  now: () => Date;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  newEventId?: () => string;
}

const answerSchema = z.object({ reference: z.union([z.string().min(1).max(200), z.number()]).transform(String) });

const SECRET_HINT = "check that ERP_WEBHOOK_SECRET is the secret the ERP expects, and that both clocks are right (the signed timestamp must be recent)";
const URL_HINT = "check ERP_WEBHOOK_URL (the ERP's webhook address)";

export class WebhookErp implements ErpPort {
  private readonly fetch: typeof fetch;
  private readonly newEventId: () => string;

  constructor(private readonly options: WebhookErpOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.newEventId = options.newEventId ?? randomUUID;
  }

  async recordSalesContact(contact: SalesContact): Promise<{ reference: string }> {
    const delivered = await this.send("sales.contact", {
      customer: { name: contact.customerName, type: contact.customerType, phone: contact.phone ?? null, email: contact.email ?? null },
      request: contact.request,
      date: contact.date,
      recorded_by: contact.recordedBy,
      call_id: contact.callId ?? null,
    });
    return this.keep("contact", { ...contact, ...delivered });
  }

  async recordResolution(resolution: SalesResolution): Promise<{ reference: string }> {
    const delivered = await this.send("sales.resolution", {
      bug_id: resolution.bugId,
      bug_url: resolution.bugUrl,
      sales_ref: resolution.salesRef ?? null,
      resolved_by: resolution.resolvedBy,
      start_billing: resolution.startBilling,
    });
    return this.keep("resolution", { ...resolution, ...delivered });
  }

  private async keep(kind: "contact" | "resolution", payload: object): Promise<{ reference: string }> {
    const { reference } = await this.options.store.sales.add({ kind, at: this.options.now(), payload });
    return { reference };
  }

  /** Sends one event; resolves to the ERP's reference (if it gave one) and the event id. */
  private async send(event: ErpEventName, data: Record<string, unknown>): Promise<{ erpReference?: string; erpEventId: string }> {
    const now = this.options.now();
    const id = this.newEventId();
    const body = JSON.stringify({ event, id, occurred_at: now.toISOString(), data } satisfies ErpEvent);
    const timestamp = Math.floor(now.getTime() / 1000);
    // Only origin and path in errors: a query string may carry a token.
    const target = safeTarget(this.options.url);
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(this.options.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "support-bot",
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhookPayload(this.options.secret, timestamp, body),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      if (name === "TimeoutError" || name === "AbortError") {
        throw new ErpWebhookError(`The ERP did not answer within ${formatSeconds(this.options.timeoutMs)}; nothing was recorded.`, {
          cause: error,
          hint: "check that the ERP is up; ERP_WEBHOOK_TIMEOUT_MS sets how long the bot waits",
          logMessage: `POST ${target} (${event}): timed out after ${this.options.timeoutMs} ms`,
        });
      }
      throw new ErpWebhookError("The ERP is unreachable; nothing was recorded.", {
        cause: error,
        hint: URL_HINT,
        logMessage: `POST ${target} (${event}): ${networkCode(error) ?? name}`,
      });
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      const reference = readReference(text);
      return reference === undefined ? { erpEventId: id } : { erpReference: reference, erpEventId: id };
    }
    // The body is not logged: an ERP may echo the request, personal data included.
    const logMessage = `POST ${target} (${event}): HTTP ${status}`;
    if (status === 401 || status === 403) {
      throw new ErpWebhookError(`The ERP refused the bot's signature (HTTP ${status}); nothing was recorded.`, { status, hint: SECRET_HINT, logMessage });
    }
    if (status >= 300 && status < 400) {
      throw new ErpWebhookError(`The ERP webhook answered with a redirect (HTTP ${status}); nothing was recorded.`, {
        status,
        hint: "set ERP_WEBHOOK_URL to the address it redirects to",
        logMessage,
      });
    }
    throw new ErpWebhookError(`The ERP webhook failed (HTTP ${status}); nothing was recorded.`, {
      status,
      ...(status === 404 || status === 405 ? { hint: URL_HINT } : {}),
      logMessage,
    });
  }
}

/** The ERP's reference from a 2xx body, when it sent one; any other body still counts as delivered. */
function readReference(text: string): string | undefined {
  if (text.trim() === "") return undefined;
  try {
    const parsed = answerSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.reference : undefined;
  } catch {
    return undefined;
  }
}

function safeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

function networkCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === "string" ? cause.code : undefined;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
