import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpServer } from "../../src/http/http-server.js";
import { captureLog, type CapturedLog } from "../support/capture-log.js";

let server: HttpServer;
let log: CapturedLog;
let url: string;

beforeEach(async () => {
  log = captureLog("debug");
  server = new HttpServer({ logger: log.log, maxBodyBytes: 1_024 });
  server.route("POST", "/echo", async (request) => ({ status: 200, json: { length: request.body.length, query: request.query.get("q") } }));
  server.route("POST", "/crash", async () => {
    throw new Error("boom");
  });
  await server.start(0, "127.0.0.1");
  url = `http://127.0.0.1:${server.port}`;
});
afterEach(async () => {
  await server.close();
});

describe("the HTTP server", () => {
  it("routes by method and path and hands over the body and query", async () => {
    const response = await fetch(`${url}/echo?q=1`, { method: "POST", body: "hello" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ length: 5, query: "1" });
  });

  it("answers 404 for unknown paths and 405 for known paths with another method", async () => {
    expect((await fetch(`${url}/nothing`)).status).toBe(404);
    expect((await fetch(`${url}/echo`)).status).toBe(405);
  });

  it("refuses bodies over the limit with 413, declared or streamed", async () => {
    expect((await fetch(`${url}/echo`, { method: "POST", body: "x".repeat(2_000) })).status).toBe(413);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i += 1) controller.enqueue(new Uint8Array(600));
        controller.close();
      },
    });
    const response = await fetch(`${url}/echo`, { method: "POST", body: streamed, duplex: "half" } as RequestInit);
    expect(response.status).toBe(413);
  });

  it("answers 500 when a handler throws, and logs the error", async () => {
    expect((await fetch(`${url}/crash`, { method: "POST" })).status).toBe(500);
    expect(log.text()).toContain("HTTP handler crashed");
  });

  it("reports health checks, 503 when one fails", async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok", checks: {} });
    let ok = true;
    server.addHealthCheck("mattermost", () => ({ ok, detail: ok ? "connected" : "down" }));
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    ok = false;
    const failing = await fetch(`${url}/healthz`);
    expect(failing.status).toBe(503);
    expect(await failing.json()).toEqual({ status: "failing", checks: { mattermost: "down" } });
  });

  it("reports readiness apart from health: a stale poll makes /readyz 503 and leaves /healthz 200", async () => {
    let fresh = true;
    server.addHealthCheck("matrix", () => ({ ok: true, detail: "syncing" }));
    server.addReadinessCheck("store", () => ({ ok: true, detail: "open" }));
    server.addReadinessCheck("poll", () => ({ ok: fresh, detail: fresh ? "last poll now" : "last poll an hour ago" }));
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: "ok", checks: { store: "open", poll: "last poll now" } });
    fresh = false;
    const stale = await fetch(`${url}/readyz`);
    expect([stale.status, await stale.json()]).toEqual([503, { status: "failing", checks: { store: "open", poll: "last poll an hour ago" } }]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it("refuses a second handler for the same route", () => {
    expect(() => server.route("POST", "/echo", async () => ({ status: 200 }))).toThrow(/registered twice/);
  });
});
