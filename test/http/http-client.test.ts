import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../src/http/http-client.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A loopback server; each request is answered by `handler`. Resolves with its base URL and what it saw. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server = createServer(handler);
  server.on("connection", () => (connections += 1));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

describe("the bot's HTTP client", () => {
  it("sends method, headers and body, and answers status, reason, headers and text as fetch does", async () => {
    const seen: { method?: string; auth?: string; body?: string } = {};
    const { url } = await serve((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        Object.assign(seen, { method: request.method, auth: request.headers.authorization, body });
        response.writeHead(201, "Issue Created with id 7", { "Content-Type": "application/json", "Set-Cookie": ["a=1", "b=2"] });
        response.end('{"id":7}');
      });
    });
    const answer = await createHttpClient()(`${url}/api/rest/issues`, { method: "POST", headers: { Authorization: "token" }, body: '{"summary":"ü"}' });
    expect(seen).toEqual({ method: "POST", auth: "token", body: '{"summary":"ü"}' });
    expect([answer.ok, answer.status, answer.statusText]).toEqual([true, 201, "Issue Created with id 7"]);
    expect(answer.headers.get("Content-Type")).toBe("application/json");
    expect(answer.headers.get("set-cookie")).toBe("a=1, b=2");
    expect(answer.headers.get("etag")).toBeNull();
    expect(await answer.text()).toBe('{"id":7}');
  });

  it("keeps its connections for the next requests", async () => {
    const { url, connections } = await serve((_request, response) => response.end("ok"));
    const client = createHttpClient();
    for (let index = 0; index < 20; index += 1) expect(await (await client(`${url}/`)).text()).toBe("ok");
    // undici's pool may open a second connection for a request sent in the turn the first one is
    // freed; every request after that finds a kept one.
    expect(connections()).toBeLessThanOrEqual(2);
  });

  it("sends a GET again on a new connection when the server closed the kept one, never a POST", async () => {
    // The second request on each connection finds it closed, as when a server's keep-alive time ends just then.
    const { url, connections } = await serve((request, response) => {
      const socket = request.socket as typeof request.socket & { served?: number };
      socket.served = (socket.served ?? 0) + 1;
      if (socket.served > 1) socket.destroy();
      else response.end(request.method);
    });
    const client = createHttpClient();
    expect(await (await client(`${url}/`)).text()).toBe("GET");
    expect(await (await client(`${url}/`)).text()).toBe("GET");
    expect(connections()).toBe(2);
    await expect(client(`${url}/`, { method: "POST", body: "{}" })).rejects.toThrow("fetch failed");
  });

  it("decompresses a gzip answer", async () => {
    const { url } = await serve((_request, response) => {
      response.writeHead(200, { "Content-Encoding": "gzip", "Content-Type": "application/json" });
      response.end(gzipSync('{"issues":[]}'));
    });
    expect(await (await createHttpClient()(`${url}/`)).text()).toBe('{"issues":[]}');
  });

  it("rejects with the signal's reason when it is aborted, e.g. at a time limit", async () => {
    const { url } = await serve(() => undefined);
    const controller = new AbortController();
    const pending = createHttpClient()(`${url}/`, { signal: controller.signal });
    setTimeout(() => controller.abort(new DOMException("no answer within 50 ms", "TimeoutError")), 50);
    await expect(pending).rejects.toMatchObject({ name: "TimeoutError" });
  });

  it("rejects like fetch when nothing listens, with the socket's error as cause", async () => {
    const { url } = await serve(() => undefined);
    server!.close();
    const error = await createHttpClient()(`${url}/`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as TypeError).cause as { code?: string }).code).toBe("ECONNREFUSED");
  });
});
