import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBotCore } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { ErpWebhookError, signWebhookPayload, verifyWebhookSignature, WebhookErp } from "../../src/erp/webhook-erp.js";
import type { SalesContact } from "../../src/erp/erp.js";
import { Store } from "../../src/store/store.js";
import { JANE } from "../commands/incoming-helpers.js";
import { startHarness } from "../support/harness.js";

const SECRET = "a-long-shared-secret-for-tests-0123456789";
const NOW = new Date("2026-11-26T10:00:00Z");

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Checked here, independently of the adapter's own code. */
  signatureValid: boolean;
}

/** A loopback ERP that checks every request's signature and answers as told. */
class FakeErp {
  readonly received: Received[] = [];
  answer: (response: ServerResponse, request: Received) => void = (response) => {
    response.writeHead(201, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ reference: "ERP-77" }));
  };
  private server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const timestamp = String(request.headers["x-support-bot-timestamp"] ?? "");
        const signature = String(request.headers["x-support-bot-signature"] ?? "");
        const expected = Buffer.from(`sha256=${createHmac("sha256", SECRET).update(`${timestamp}.${body}`).digest("hex")}`);
        const given = Buffer.from(signature);
        const fresh = Math.abs(NOW.getTime() / 1000 - Number(timestamp)) <= 300;
        const signatureValid = fresh && given.length === expected.length && timingSafeEqual(given, expected);
        const received = { method: request.method ?? "", path: request.url ?? "", headers: request.headers, body, signatureValid };
        this.received.push(received);
        if (!signatureValid) {
          response.writeHead(401).end();
          return;
        }
        this.answer(response, received);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/support?token=t0p`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

const CONTACT: SalesContact = {
  callId: 4,
  customerName: JANE.name,
  customerType: "merchant",
  phone: JANE.phone,
  email: JANE.email,
  request: "Wants to accept Taler in 40 shops",
  date: "2026-11-26",
  recordedBy: "alice",
};

let erp: FakeErp;
let store: Store;
beforeEach(async () => {
  erp = new FakeErp();
  await erp.start();
  store = await Store.open({ path: ":memory:" });
});
afterEach(async () => {
  await erp.close();
  await store.close();
});

function adapter(options: { secret?: string; timeoutMs?: number; url?: string } = {}): WebhookErp {
  return new WebhookErp({
    url: options.url ?? erp.url,
    secret: options.secret ?? SECRET,
    timeoutMs: options.timeoutMs ?? 5_000,
    store,
    now: () => NOW,
    newEventId: () => "0b7e3f5c-1d2a-4c8e-9f00-123456789abc",
  });
}

describe("WebhookErp", () => {
  it("posts a signed sales.contact event and keeps the bot's copy with the ERP's reference", async () => {
    const result = await adapter().recordSalesContact(CONTACT);
    expect(result).toEqual({ reference: "S-1" });
    expect(erp.received).toHaveLength(1);
    const request = erp.received[0]!;
    expect(request).toMatchObject({ method: "POST", path: "/hooks/support?token=t0p", signatureValid: true });
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-support-bot-timestamp"]).toBe(String(NOW.getTime() / 1000));
    expect(JSON.parse(request.body)).toEqual({
      event: "sales.contact",
      id: "0b7e3f5c-1d2a-4c8e-9f00-123456789abc",
      occurred_at: "2026-11-26T10:00:00.000Z",
      data: {
        customer: { name: JANE.name, type: "merchant", phone: JANE.phone, email: JANE.email },
        request: "Wants to accept Taler in 40 shops",
        date: "2026-11-26",
        recorded_by: "alice",
        call_id: 4,
      },
    });
    expect((await store.sales.get("S-1"))?.payload).toMatchObject({ ...CONTACT, erpReference: "ERP-77", erpEventId: "0b7e3f5c-1d2a-4c8e-9f00-123456789abc" });
  });

  it("sends absent values as null", async () => {
    await adapter().recordSalesContact({ ...CONTACT, email: undefined, callId: undefined });
    expect(JSON.parse(erp.received[0]!.body).data).toMatchObject({ customer: { email: null }, call_id: null });
  });

  it("posts a signed sales.resolution event", async () => {
    const result = await adapter().recordResolution({ bugId: 12, bugUrl: "https://bugs.example/view.php?id=12", salesRef: "S-3", resolvedBy: "carol", startBilling: true });
    expect(result).toEqual({ reference: "S-1" });
    const request = erp.received[0]!;
    expect(request.signatureValid).toBe(true);
    expect(JSON.parse(request.body)).toMatchObject({
      event: "sales.resolution",
      data: { bug_id: 12, bug_url: "https://bugs.example/view.php?id=12", sales_ref: "S-3", resolved_by: "carol", start_billing: true },
    });
    expect(await store.sales.get("S-1")).toMatchObject({ kind: "resolution", payload: { bugId: 12, erpReference: "ERP-77" } });
  });

  it.each([
    ["an empty 204", 204, ""],
    ["a body that is not JSON", 200, "ok"],
    ["JSON without a reference", 200, '{"status":"stored"}'],
  ])("counts %s as delivered, without an ERP reference", async (_case, status, body) => {
    erp.answer = (response) => response.writeHead(status).end(body);
    const result = await adapter().recordSalesContact(CONTACT);
    expect(result).toEqual({ reference: "S-1" });
    expect((await store.sales.get("S-1"))?.payload["erpReference"]).toBeUndefined();
  });

  it("takes a numeric ERP reference as text", async () => {
    erp.answer = (response) => response.writeHead(200, { "Content-Type": "application/json" }).end('{"reference": 4711}');
    await adapter().recordSalesContact(CONTACT);
    expect((await store.sales.get("S-1"))?.payload["erpReference"]).toBe("4711");
  });

  it("fails with a hint about the secret when the ERP refuses the signature, and records nothing", async () => {
    const error = await adapter({ secret: "not-the-secret-the-erp-has" }).recordSalesContact(CONTACT).catch((caught: unknown) => caught);
    expect(erp.received[0]!.signatureValid).toBe(false);
    expect(error).toBeInstanceOf(ErpWebhookError);
    expect(error).toMatchObject({ code: "erp-unavailable", status: 401, userMessage: "The ERP refused the bot's signature (HTTP 401); nothing was recorded." });
    expect((error as ErpWebhookError).hint).toMatch(/ERP_WEBHOOK_SECRET/);
    expect(await store.sales.get("S-1")).toBeUndefined();
  });

  it("fails on a server error without repeating the ERP's answer or the query string", async () => {
    erp.answer = (response, request) => response.writeHead(500).end(`could not store ${request.body}`);
    const error = (await adapter().recordSalesContact(CONTACT).catch((caught: unknown) => caught)) as ErpWebhookError;
    expect(error).toMatchObject({ status: 500, userMessage: "The ERP webhook failed (HTTP 500); nothing was recorded." });
    expect(error.message).toBe(`POST ${erp.url.replace(/\?.*$/, "")} (sales.contact): HTTP 500`);
    expect(error.message).not.toContain(JANE.name);
    expect(await store.sales.get("S-1")).toBeUndefined();
  });

  it("does not follow a redirect (the POST would become a GET)", async () => {
    erp.answer = (response) => response.writeHead(302, { Location: "/elsewhere" }).end();
    const error = (await adapter().recordSalesContact(CONTACT).catch((caught: unknown) => caught)) as ErpWebhookError;
    expect(error).toMatchObject({ status: 302 });
    expect(error.hint).toMatch(/ERP_WEBHOOK_URL/);
    expect(erp.received).toHaveLength(1);
  });

  it("gives up when the ERP does not answer in time", async () => {
    erp.answer = () => {
      // Never answers; the adapter's timeout ends the request.
    };
    const error = (await adapter({ timeoutMs: 200 }).recordSalesContact(CONTACT).catch((caught: unknown) => caught)) as ErpWebhookError;
    expect(error).toBeInstanceOf(ErpWebhookError);
    expect(error.userMessage).toBe("The ERP did not answer within 0.2 s; nothing was recorded.");
    expect(error.hint).toMatch(/ERP_WEBHOOK_TIMEOUT_MS/);
    expect(await store.sales.get("S-1")).toBeUndefined();
  });

  it("says the ERP is unreachable when nothing listens", async () => {
    const url = erp.url;
    await erp.close();
    const error = (await adapter({ url }).recordSalesContact(CONTACT).catch((caught: unknown) => caught)) as ErpWebhookError;
    expect(error.userMessage).toBe("The ERP is unreachable; nothing was recorded.");
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});

describe("verifyWebhookSignature", () => {
  const body = '{"event":"sales.contact"}';
  const timestamp = NOW.getTime() / 1000;
  const signature = signWebhookPayload(SECRET, timestamp, body);

  it("accepts a fresh, correctly signed body", () => {
    expect(verifyWebhookSignature({ secret: SECRET, body, timestamp: String(timestamp), signature, now: NOW })).toBe(true);
  });

  it.each([
    ["a changed body", { body: '{"event":"sales.resolution"}' }],
    ["another secret", { secret: "another-secret-of-some-length" }],
    ["a replay 10 minutes later", { now: new Date(NOW.getTime() + 600_000) }],
    ["a changed timestamp", { timestamp: String(timestamp + 1) }],
    ["no signature", { signature: undefined }],
    ["no timestamp", { timestamp: undefined }],
    ["a signature of another length", { signature: "sha256=abc" }],
  ])("rejects %s", (_case, change) => {
    expect(verifyWebhookSignature({ secret: SECRET, body, timestamp: String(timestamp), signature, now: NOW, ...change })).toBe(false);
  });
});

describe("call route=sales through the webhook ERP", () => {
  it("delivers the contact to the ERP and never logs the customer's data, even when the ERP fails", async () => {
    const h = await startHarness();
    try {
      const webhook = new WebhookErp({ url: erp.url, secret: SECRET, timeoutMs: 5_000, store: h.store, now: () => NOW });
      const core = createBotCore({ config: loadConfig({}), logger: h.log.log, store: h.store, staff: h.staff, tracker: h.port, notifier: h.notifier, erp: webhook, now: () => NOW });
      const line = `call name="${JANE.name}" type=bank phone="${JANE.phone}" email=${JANE.email} issue="Wants to offer Taler" route=sales`;

      const ok = await core.run("sandbox", "alice", line);
      expect(ok.kind).toBe("ok");
      expect(ok.reply.text).toContain("for sales as **S-1** (ERP reference ERP-77)");
      expect(erp.received[0]!.signatureValid).toBe(true);
      expect((await h.store.calls.list())[0]).toMatchObject({ route: "sales", salesRef: "S-1" });

      erp.answer = (response) => response.writeHead(503).end();
      const failed = await core.run("sandbox", "alice", line);
      expect(failed.kind).toBe("failed");
      expect(failed.reply.text).toContain("The ERP webhook failed (HTTP 503); nothing was recorded.");
      expect(await h.store.calls.list()).toHaveLength(1);

      for (const value of Object.values(JANE)) {
        expect(h.log.text()).not.toContain(value);
        expect(h.notifier.text()).not.toContain(value);
      }
    } finally {
      await h.close();
    }
  });
});
