/**
 * Messages with a picture (the report's chart) on every transport: Mattermost uploads it
 * (`POST /files`, multipart) and posts it with its file id, Matrix uploads it to the media repository
 * and sends an `m.image`, the terminal saves it and prints where; each exchange checked against the
 * platform's spec. Transports without pictures get the text only (test/chat/kernel/outbound.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TerminalTransport } from "../../src/chat/terminal/terminal-transport.js";
import type { MessageImage } from "../../src/framework/reply.js";
import { createMatrixSpecValidator } from "../../src/simulators/matrix/spec-validator.js";
import { problemsOf } from "../support/mattermost-openapi.js";
import { startMattermostHarness, type MattermostHarness } from "./mattermost/mattermost-harness.js";
import { relatesTo, startMatrixHarness, type MatrixHarness } from "./matrix/matrix-harness.js";

const image: MessageImage = {
  png: new Uint8Array(PNG.sync.write(Object.assign(new PNG({ width: 6, height: 4 }), { data: Buffer.alloc(6 * 4 * 4, 200) }))),
  width: 6,
  height: 4,
  name: "support-report-2034-03-06.png",
  alt: "Open bugs by stage per day, and the time to first answer per week",
};

describe("Mattermost", () => {
  let h: MattermostHarness;
  beforeAll(async () => {
    h = await startMattermostHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("uploads the picture into the channel and posts the text with its file id", async () => {
    await h.adapter.notifier.channel("management", { text: "#### Support report", image });
    const post = h.botPosts("support-mgmt").at(-1)!;
    expect(post.message).toBe("#### Support report");
    expect(post.file_ids).toHaveLength(1);
    const file = h.mm.files().find((candidate) => candidate.info["id"] === post.file_ids![0])!;
    expect(file.info).toMatchObject({ name: image.name, mime_type: "image/png", width: 6, height: 4, post_id: post.id, channel_id: h.mm.channelId("support-mgmt") });
    expect(new Uint8Array(file.bytes)).toEqual(image.png);
  });

  it("answers a slash command's picture as the bot's own post in the channel (a command's answer carries no files)", async () => {
    const posted = h.botPosts("support").length;
    // `help` answers without a picture: the check is on the path a picture takes, with a reply faked below.
    const core = h.core;
    const run = core.run.bind(core);
    core.run = async (...args) => {
      const result = await run(...args);
      return result.kind === "ok" ? { ...result, reply: { ...result.reply, visibility: "channel", image } } : result;
    };
    try {
      const answer = await h.slash("manager", "help");
      expect(answer.response?.text ?? "").toBe("");
    } finally {
      core.run = run;
    }
    const post = h.botPosts("support").at(-1)!;
    expect(h.botPosts("support").length).toBe(posted + 1);
    expect(post.file_ids).toHaveLength(1);
  });

  it("sends an upload and posts the OpenAPI bundle documents", () => {
    const exchanges = h.mm.requests.filter((request) => request.user === "support-bot" && (request.path === "/api/v4/files" || request.path === "/api/v4/posts"));
    expect(exchanges.some((request) => request.path === "/api/v4/files")).toBe(true);
    expect(exchanges.flatMap(problemsOf)).toEqual([]);
  });
});

describe("Matrix", () => {
  let h: MatrixHarness;
  beforeAll(async () => {
    h = await startMatrixHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("uploads the picture to the media repository and sends it as an m.image after the text, in the bug's thread", async () => {
    await h.adapter.notifier.channel("management", { text: "About bug 7", bugId: 7 });
    await h.adapter.notifier.channel("management", { text: "#### Chart of bug 7", image, bugId: 7 });
    const [image0] = h.matrix.timeline(h.managementRoom, { sender: h.matrix.bot.userId, msgtype: "m.image" });
    expect(image0).toBeDefined();
    const content = image0!.content as { body: string; filename: string; url: string; info: Record<string, unknown> };
    expect(content).toMatchObject({ body: image.alt, filename: image.name, info: { mimetype: "image/png", size: image.png.length, w: 6, h: 4 } });
    const stored = h.matrix.media(content.url)!;
    expect(stored).toMatchObject({ contentType: "image/png", uploadName: image.name, uploader: h.matrix.bot.userId });
    expect(new Uint8Array(stored.bytes)).toEqual(image.png);
    // In the thread of the bug's first post, right after the text.
    const [root, text] = h.notices(h.managementRoom).slice(-2);
    expect(relatesTo(image0!)).toEqual({ threadRoot: root!.event_id, inReplyTo: text!.event_id, isFallingBack: true });
  });

  it("sends what the spec describes: the upload's answer and an m.image event", () => {
    const spec = createMatrixSpecValidator();
    const upload = h.matrix.requests.find((request) => request.path === "/_matrix/media/v3/upload")!;
    expect(upload.headers["content-type"]).toBe("image/png");
    expect(upload.query["filename"]).toBe(image.name);
    expect(spec.responseErrors("content-repo.yaml", "/media/v3/upload", "POST", upload.status!, upload.response)).toEqual([]);
    const event = h.matrix.timeline(h.managementRoom, { msgtype: "m.image" })[0]!;
    expect(spec.schemaErrors("event-schemas/schema/m.room.message$m.image.yaml", event)).toEqual([]);
  });
});

describe("the terminal", () => {
  it("saves the picture in its folder and prints where", async () => {
    const dir = mkdtempSync(join(tmpdir(), "support-bot-images-"));
    try {
      const output = new PassThrough();
      let printed = "";
      output.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
      const transport = new TerminalTransport(output, { imageDir: dir });
      expect(transport.capabilities.images).toBe(true);
      await transport.post("management", [{ text: "#### Support report", image: { ...image, name: "../outside.png" } }]);
      const path = join(dir, "outside.png");
      expect(printed).toContain(`[picture: ${image.alt} (6×4), saved to ${path}]`);
      expect(new Uint8Array(readFileSync(path))).toEqual(image.png);
      expect(new TerminalTransport(output).capabilities.images).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
