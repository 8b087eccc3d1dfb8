/**
 * Properties of the bot's HTTP server as Mattermost (or anyone who reaches its port) calls it: the
 * slash command, dialog and button endpoints and `/healthz`, with random and hostile requests -
 * any bytes (invalid UTF-8 included), any content type, huge bodies, odd methods and paths, forged
 * and genuine signatures. Never a 5xx; every refusal names what is wrong; every answer a person
 * sees is a clear message.
 */
import { request as httpRequest } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCommandRegistry } from "../../commands/index.js";
import { Signer } from "../../src/chat/mattermost/signing.js";
import { startMattermostHarness, type MattermostHarness } from "../chat/mattermost/mattermost-harness.js";
import { clearMessageProblem, commandLine, hostileText, RUNS } from "./arbitraries.js";

interface RawAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/** Sends exactly these bytes (fetch refuses some methods, paths and headers a hostile client may send). */
function send(base: string, options: { method: string; path: string; headers?: Record<string, string>; body?: Uint8Array }): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  // A declared length keeps the framing valid for every method (GET with a body included), so the
  // answer is the bot's and not Node's own 400 for a malformed request.
  const headers = options.body === undefined ? options.headers : { ...options.headers, "Content-Length": String(options.body.length) };
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: hostname, port, method: options.method, path: options.path, headers, agent: false }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, contentType: String(incoming.headers["content-type"] ?? ""), body: Buffer.concat(chunks) }));
      incoming.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(options.body === undefined ? undefined : Buffer.from(options.body));
  });
}

/** Every UTF-8 byte of the text percent-encoded (a lone surrogate becomes U+FFFD, as on the wire). */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, "utf8")].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
}

function parsed(answer: RawAnswer): unknown {
  if (!answer.contentType.startsWith("application/json") || answer.body.length === 0) return undefined;
  return JSON.parse(answer.body.toString("utf8")) as unknown;
}

/** The message in a refusal: `{"error": "..."}` or `{"error": {"message": "..."}}`. */
function refusalMessage(answer: RawAnswer): string {
  const json = parsed(answer) as { error?: string | { message?: string } } | undefined;
  const error = json?.error;
  return typeof error === "string" ? error : (error?.message ?? "");
}

/** Never a 5xx; a 4xx says what is wrong. */
function expectNoServerErrorAndClearRefusal(answer: RawAnswer): void {
  expect(answer.status, answer.body.toString("utf8")).toBeLessThan(500);
  if (answer.status >= 400) expect(refusalMessage(answer).trim()).not.toBe("");
}

const contentTypes = fc.constantFrom(
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=latin1",
  "application/json",
  "application/json; charset=utf-16",
  "text/plain",
  "multipart/form-data; boundary=xyz",
  "application/octet-stream",
  "nonsense",
  "",
);

/** Bytes that are not UTF-8: lone continuation bytes, overlong forms, surrogates encoded, 0xFF. */
const invalidUtf8 = fc.constantFrom([0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]).map((bytes) => Uint8Array.from(bytes));

/** Any body: random bytes, bytes with invalid UTF-8 inside text, JSON values, forms with random fields. */
const anyBody = fc.oneof(
  fc.uint8Array({ maxLength: 2_000 }),
  fc.tuple(hostileText(200), invalidUtf8, hostileText(200)).map(([before, bad, after]) => Buffer.concat([Buffer.from(before), bad, Buffer.from(after)])),
  fc.jsonValue({ maxDepth: 3 }).map((value) => Buffer.from(JSON.stringify(value))),
  fc.dictionary(fc.constantFrom("user_id", "user_name", "channel_id", "text", "token", "trigger_id", "response_url", "root_id", "context", "state", "submission"), hostileText(60)).map((fields) =>
    Buffer.from(new URLSearchParams(fields).toString()),
  ),
);

let h: MattermostHarness;
let signer: Signer;
const commandToken = (): string => String(h.mm.commands()[0]!["token"]);
const users = ["manager", "alice", "mallory"] as const;
/** A Mattermost user id: the simulator's for linked people, a made-up one for a stranger. */
const userId = (name: string): string => h.mm.users[name]?.id ?? "m4ll0ryxxxxxxxxxxxxxxxxxxx";

beforeAll(async () => {
  h = await startMattermostHarness();
  signer = new Signer(h.settings.actionSecret, () => Date.now());
});
afterAll(async () => {
  await h.close();
});

const commands = buildCommandRegistry().all();
const anyCommandLine = fc.oneof(fc.constantFrom(...commands).chain((command) => commandLine(command)), hostileText(120));

describe("POST /mattermost/command", () => {
  it("never answers 5xx to any body, content type or token, and says why it refuses", async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, contentTypes, fc.constantFrom("none", "valid", "wrong", "malformed"), async (body, contentType, auth) => {
        const headers: Record<string, string> = contentType ? { "Content-Type": contentType } : {};
        if (auth === "valid") headers["Authorization"] = `Token ${commandToken()}`;
        if (auth === "wrong") headers["Authorization"] = "Token not-the-token";
        if (auth === "malformed") headers["Authorization"] = "Bearer";
        const answer = await send(h.botUrl, { method: "POST", path: "/mattermost/command", headers, body });
        expectNoServerErrorAndClearRefusal(answer);
        if (answer.status === 200) {
          const text = (parsed(answer) as { text?: string }).text ?? "";
          expect(clearMessageProblem(text, body.toString())).toBeUndefined();
        }
      }),
      { numRuns: RUNS.http },
    );
  });

  it("answers whatever a linked person or a stranger types with 200 and a clear message", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...users), anyCommandLine, fc.boolean(), async (user, text, rawBytes) => {
        const fields = new URLSearchParams({ channel_id: h.mm.channelId("support"), user_id: userId(user), user_name: user, command: "/support", token: commandToken() });
        // Half the time the text is sent with an invalid UTF-8 byte in the middle, percent-encoded.
        const body = rawBytes ? `${fields.toString()}&text=${percentEncoded(text.slice(0, 20))}%C3%28${percentEncoded(text.slice(20))}` : `${fields.toString()}&${new URLSearchParams({ text }).toString()}`;
        const answer = await send(h.botUrl, { method: "POST", path: "/mattermost/command", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: Buffer.from(body) });
        expect(answer.status, answer.body.toString()).toBe(200);
        const reply = parsed(answer) as { text: string };
        expect(clearMessageProblem(reply.text, text), `${user}: ${JSON.stringify(text)}`).toBeUndefined();
      }),
      { numRuns: RUNS.http },
    );
  });
});

describe("POST /mattermost/action", () => {
  it("never answers 5xx to any body, and refuses forged buttons clearly", async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, contentTypes, async (body, contentType) => {
        const answer = await send(h.botUrl, { method: "POST", path: "/mattermost/action", headers: contentType ? { "Content-Type": contentType } : {}, body });
        expectNoServerErrorAndClearRefusal(answer);
      }),
      { numRuns: RUNS.http },
    );
  });

  it("answers a genuine button with any command line, clicked by anyone, clearly", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...users), anyCommandLine, async (user, line) => {
        const channelId = h.mm.channelId("support-mgmt");
        const context = signer.signAction(line || "help", channelId);
        const body = Buffer.from(JSON.stringify({ user_id: userId(user), user_name: user, channel_id: channelId, post_id: "", context }));
        const answer = await send(h.botUrl, { method: "POST", path: "/mattermost/action", headers: { "Content-Type": "application/json" }, body });
        expectNoServerErrorAndClearRefusal(answer);
        const reply = parsed(answer) as { ephemeral_text?: string };
        // `{}`: the answer was meant for the channel and went into the button's thread.
        if (reply.ephemeral_text !== undefined) expect(clearMessageProblem(reply.ephemeral_text, line), `${user}: ${JSON.stringify(line)}`).toBeUndefined();
      }),
      { numRuns: RUNS.http },
    );
  });
});

describe("POST /mattermost/dialog", () => {
  it("never answers 5xx to any body, and refuses forms the bot did not open clearly", async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, contentTypes, async (body, contentType) => {
        const answer = await send(h.botUrl, { method: "POST", path: "/mattermost/dialog", headers: contentType ? { "Content-Type": contentType } : {}, body });
        expectNoServerErrorAndClearRefusal(answer);
      }),
      { numRuns: RUNS.http },
    );
  });

  it("answers a genuine form with any submitted values: closed, or each problem named", async () => {
    const value = fc.oneof(hostileText(80), fc.constantFrom("Jane Doe", "merchant", "+41 79 555 01 23", "jane@example.com", "today", "bug", "sales", "3"), fc.integer(), fc.boolean(), fc.constant(null));
    const submission = fc.dictionary(fc.constantFrom("name", "type", "phone", "email", "issue", "date", "route", "bug", "text", "force", "other"), value);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("manager", "alice"), fc.constantFrom("call", "draft", "grab", "x"), submission, async (user, form, values) => {
        const channelId = h.mm.channelId("support");
        const state = signer.signDialogState({ form, userId: userId(user), channelId, rootId: "" });
        const body = Buffer.from(JSON.stringify({ type: "dialog_submission", callback_id: form, state, user_id: userId(user), channel_id: channelId, team_id: h.mm.team.id, submission: values, cancelled: false }));
        const answer = await send(h.botUrl, { method: "POST", path: "/mattermost/dialog", headers: { "Content-Type": "application/json" }, body });
        expectNoServerErrorAndClearRefusal(answer);
        const reply = parsed(answer) as { error?: string; errors?: Record<string, string> } | undefined;
        if (reply?.error !== undefined) expect(clearMessageProblem(reply.error, JSON.stringify(values))).toBeUndefined();
        for (const message of Object.values(reply?.errors ?? {})) expect(clearMessageProblem(message, JSON.stringify(values))).toBeUndefined();
      }),
      { numRuns: RUNS.http },
    );
  });
});

describe("any path and method", () => {
  const methods = fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "get");
  const pathCharacter = fc.constantFrom(..."abcz09/._~%:@!$&'()*+,;=?#[]-\\".split(""), "%00", "%ff", "%2F", "//");
  const path = fc.oneof(
    fc.constantFrom("/healthz", "/mattermost/command", "/mattermost/dialog", "/mattermost/action", "/", "*", "//", "///healthz", "//a/healthz", "/healthz?x=1", "/healthz/"),
    fc.string({ unit: pathCharacter, maxLength: 40 }).map((text) => `/${text}`),
  );

  it("answers GET /healthz with 200 whatever the query or headers, and refuses other routes with 404 or 405 and a reason", async () => {
    await fc.assert(
      fc.asyncProperty(methods, path, fc.option(fc.uint8Array({ maxLength: 200 }), { nil: undefined }), async (method, target, body) => {
        const answer = await send(h.botUrl, { method, path: target, body });
        expect(answer.status, `${method} ${target}`).toBeLessThan(500);
        if (method === "GET" && /^\/healthz(\?|$)/.test(target)) {
          expect(answer.status).toBe(200);
          expect(parsed(answer)).toMatchObject({ status: "ok" });
        } else if (answer.status >= 400 && method !== "HEAD") {
          expect(refusalMessage(answer).trim(), `${method} ${target}`).not.toBe("");
        }
      }),
      { numRuns: RUNS.http },
    );
  });

  it("refuses a request target that is no URL (GET //, found by the property above) with 400, not 500", async () => {
    for (const target of ["//", "///", "//@", "//[::1", "/\\\\"]) {
      const answer = await send(h.botUrl, { method: "GET", path: target });
      expect(answer.status, target).toBe(400);
      expect(refusalMessage(answer)).toMatch(/malformed request target/);
    }
    expect(h.log.text()).not.toContain("HTTP handler crashed");
  });

  it("refuses bodies over 64 KiB on every endpoint with 413 and the limit, and runs nothing", async () => {
    const before = h.mantis.requests.length;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("/mattermost/command", "/mattermost/dialog", "/mattermost/action"), fc.integer({ min: 64 * 1024 + 1, max: 1024 * 1024 }), fc.constantFrom("x", "\u0000", "é"), async (target, size, filler) => {
        const body = Buffer.from(`token=${commandToken()}&user_name=manager&user_id=${userId("manager")}&channel_id=${h.mm.channelId("support")}&text=show+1+${filler.repeat(size)}`);
        const answer = await send(h.botUrl, { method: "POST", path: target, headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Token ${commandToken()}` }, body });
        expect(answer.status).toBe(413);
        expect(refusalMessage(answer)).toMatch(/larger than 65536 bytes/);
      }),
      { numRuns: 6 },
    );
    expect(h.mantis.requests.length).toBe(before);
  });
});
