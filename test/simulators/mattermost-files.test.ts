/**
 * File uploads in the Mattermost simulator, as `api4/file.go` takes them: a multipart form from the
 * official client, the server's refusals in its order, attaching files to a post (only the
 * uploader's own, unattached ones), and every exchange checked against the OpenAPI bundle.
 */
import mattermostClient from "@mattermost/client";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMattermostSimulator, type MattermostSimulator } from "../../src/simulators/mattermost/server.js";
import { problemsOf } from "../support/mattermost-openapi.js";

const { Client4 } = mattermostClient;
type Client = InstanceType<typeof Client4>;

let sim: MattermostSimulator;
let channelId = "";
const png = new Uint8Array(PNG.sync.write(Object.assign(new PNG({ width: 3, height: 2 }), { data: Buffer.alloc(3 * 2 * 4, 255) })));

function clientFor(username: string): Client {
  const client = new Client4();
  client.setUrl(sim.url);
  client.setToken(sim.tokens[username] ?? "");
  return client;
}

function form(fields: Array<[string, string | { name: string; bytes: Uint8Array }]>): FormData {
  const data = new FormData();
  for (const [name, value] of fields) {
    if (typeof value === "string") data.append(name, value);
    else data.append(name, new Blob([value.bytes], { type: "image/png" }), value.name);
  }
  return data;
}

async function raw(path: string, init: { body?: FormData | Uint8Array | string; headers?: Record<string, string>; as?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${sim.tokens[init.as ?? "support-bot"]}`, ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  sim = await startMattermostSimulator();
  channelId = sim.channelId("support-mgmt");
});

afterAll(async () => {
  await sim.close();
});

describe("POST /files and posts with file_ids", () => {
  it("takes a multipart upload from Client4 and attaches the file to the uploader's post", async () => {
    const bot = clientFor("support-bot");
    const uploaded = await bot.uploadFile(form([["channel_id", channelId], ["files", { name: "chart.png", bytes: png }]]));
    expect(uploaded.client_ids).toEqual([]);
    expect(uploaded.file_infos).toHaveLength(1);
    const info = uploaded.file_infos[0]!;
    expect(info).toMatchObject({ name: "chart.png", extension: "png", mime_type: "image/png", size: png.length, width: 3, height: 2, has_preview_image: true, channel_id: channelId });
    expect(info.post_id).toBeUndefined();

    const post = await bot.createPost({ channel_id: channelId, message: "The weekly report", file_ids: [info.id] } as Parameters<Client["createPost"]>[0]);
    expect(post.file_ids).toEqual([info.id]);
    expect(post.metadata.files?.map((file) => [file.id, file.name])).toEqual([[info.id, "chart.png"]]);
    const stored = sim.files().find((file) => file.info["id"] === info.id)!;
    expect(stored.info["post_id"]).toBe(post.id);
    expect(new Uint8Array(stored.bytes)).toEqual(png);
  });

  it("drops files a post may not attach (someone else's, already attached, unknown) and only logs it", async () => {
    const alice = clientFor("alice");
    const bot = clientFor("support-bot");
    const hers = (await alice.uploadFile(form([["channel_id", channelId], ["files", { name: "a.png", bytes: png }]]))).file_infos[0]!;
    const mine = (await bot.uploadFile(form([["channel_id", channelId], ["files", { name: "b.png", bytes: png }]]))).file_infos[0]!;
    const first = await bot.createPost({ channel_id: channelId, message: "one", file_ids: [mine.id] } as Parameters<Client["createPost"]>[0]);
    expect(first.file_ids).toEqual([mine.id]);
    const warnings = sim.warnings.length;
    const second = await bot.createPost({ channel_id: channelId, message: "two", file_ids: [hers.id, mine.id, "a".repeat(26)] } as Parameters<Client["createPost"]>[0]);
    expect(second.file_ids).toBeUndefined();
    expect(sim.warnings.length - warnings).toBe(3);
  });

  it.each([
    ["an empty body", { headers: { "Content-Type": "application/octet-stream" } }, 400, "api.file.upload_file.read_request.app_error"],
    ["a simple upload without a channel", { body: png, headers: { "Content-Type": "image/png" } }, 400, "api.context.invalid_url_param.app_error"],
    ["a multipart form without a boundary", { body: "x", headers: { "Content-Type": "multipart/form-data" } }, 400, "api.file.upload_file.read_request.app_error"],
  ] as const)("refuses %s", async (_name, init, status, id) => {
    const answer = await raw("/api/v4/files", init);
    expect([answer.status, answer.body["id"]]).toEqual([status, id]);
  });

  it("refuses form fields it does not know, a missing channel, a channel one is not in, and client ids that do not match the files", async () => {
    const refusal = async (data: FormData, as = "support-bot"): Promise<unknown[]> => {
      const answer = await raw("/api/v4/files", { body: data, as });
      return [answer.status, answer.body["id"], answer.body["message"]];
    };
    expect(await refusal(form([["channel_id", channelId], ["comment", "hi"], ["files", { name: "c.png", bytes: png }]]))).toEqual([
      400,
      "api.context.invalid_body_param.app_error",
      "Invalid or missing comment in request body.",
    ]);
    expect(await refusal(form([["files", { name: "c.png", bytes: png }]]))).toEqual([400, "api.context.invalid_body_param.app_error", "Invalid or missing channel_id in request body."]);
    expect((await refusal(form([["channel_id", sim.channelId("sales")], ["files", { name: "c.png", bytes: png }]]), "alice"))[0]).toBe(403);
    expect((await refusal(form([["channel_id", channelId], ["client_ids", "x"], ["client_ids", "y"], ["files", { name: "c.png", bytes: png }]])))[1]).toBe(
      "api.file.upload_file.incorrect_number_of_client_ids.app_error",
    );
  });

  it("takes the legacy order too (files before channel_id) and a simple upload with the query, null client_ids and all", async () => {
    const legacy = await raw("/api/v4/files", { body: form([["files", { name: "d.png", bytes: png }], ["channel_id", channelId]]) });
    expect([legacy.status, (legacy.body["file_infos"] as unknown[]).length]).toEqual([201, 1]);
    const simple = await raw(`/api/v4/files?channel_id=${channelId}&filename=e.png`, { body: png, headers: { "Content-Type": "image/png" } });
    expect(simple.status).toBe(201);
    expect(simple.body["client_ids"]).toBeNull();
  });

  it("answers what the OpenAPI bundle documents, and Client4's multipart form is what it describes", () => {
    const exchanges = sim.requests.filter((request) => request.path === "/api/v4/files" || (request.path === "/api/v4/posts" && request.method === "POST"));
    const multipart = exchanges.filter((request) => (request.headers["content-type"] ?? "").startsWith("multipart/form-data"));
    expect(multipart.length).toBeGreaterThan(3);
    // The simple upload's `client_ids: null` is what the Go struct sends, and what the bundle's array type does not allow.
    const problems = exchanges.flatMap(problemsOf).filter((problem) => !/POST \/api\/v4\/files -> 201 \(UploadFile\) response: data\/client_ids must be array/.test(problem));
    expect(problems).toEqual([
      'POST /api/v4/files -> 400 (UploadFile) request: no multipart boundary in "multipart/form-data"',
      'POST /api/v4/files -> 400 (UploadFile) request: form field "comment" is not documented',
    ]);
  });
});
