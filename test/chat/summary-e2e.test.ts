/**
 * `summary` and `summary <section>` typed on each platform, through the real adapters against the
 * simulators: the capped summary is one post in the channel, a long section reaches the caller alone
 * (Mattermost's private answers, a thread under the command on Matrix), split within the platform's size.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MATRIX_MESSAGE_LIMIT } from "../../src/chat/matrix/matrix-transport.js";
import { MATTERMOST_MESSAGE_LIMIT } from "../../src/chat/mattermost/render.js";
import { relatesTo, startMatrixHarness, type MatrixHarness } from "./matrix/matrix-harness.js";
import { startMattermostHarness, type MattermostHarness } from "./mattermost/mattermost-harness.js";

let mm: MattermostHarness | undefined;
let mx: MatrixHarness | undefined;
afterEach(async () => {
  await mm?.close();
  await mx?.close();
  mm = undefined;
  mx = undefined;
});

/** Bug lines of a section's messages, every part together. */
function bugLines(texts: readonly string[]): string[] {
  return texts.flatMap((text) => text.split("\n")).filter((line) => line.startsWith("- [#"));
}

const CONFIRMED_COUNT = /\*\*Confirmed, not started \((\d+)\)\*\*/;

describe("summary on Mattermost", () => {
  it("posts the capped summary as one post, and a long section privately in several", async () => {
    // A generous answer time: reading 600 bugs must not turn the answer into a late one on a busy machine.
    mm = await startMattermostHarness({ timing: { ackAfterMs: 15_000 } });
    mm.mantis.addBulkBugs(600);
    const summary = await mm.slash("alice", "summary");
    expect(summary.posts).toHaveLength(1);
    const text = summary.posts[0]!.message;
    const total = Number(CONFIRMED_COUNT.exec(text)![1]);
    expect(total).toBeGreaterThan(100);
    expect(text).toContain(`- and ${total - 10} more: \`/support summary confirmed\``);

    const section = await mm.slash("alice", "summary confirmed");
    expect(section.posts).toEqual([]);
    const parts = section.ephemeral.map((record) => record.post.message);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect([...part].length).toBeLessThanOrEqual(MATTERMOST_MESSAGE_LIMIT.length);
    expect(bugLines(parts)).toHaveLength(total);
  }, 60_000);
});

describe("summary on Matrix", () => {
  it("answers the capped summary in the room as one event, and a long section in a thread under the command", async () => {
    mx = await startMatrixHarness();
    mx.mantis.addBulkBugs(600);
    const asked = mx.say("alice", mx.managementRoom, "!support summary");
    const reply = await mx.replyTo(asked, mx.managementRoom);
    const body = String(reply.content["body"]);
    const total = Number(/Confirmed, not started \((\d+)\)/.exec(body)![1]);
    expect(body).toContain(`and ${total - 10} more: !support summary confirmed`);
    expect(mx.notices(mx.managementRoom).filter((event) => relatesTo(event).inReplyTo === asked)).toHaveLength(1);

    const command = mx.say("alice", mx.managementRoom, "!support summary confirmed");
    await mx.replyTo(command, mx.managementRoom);
    // The kernel sends the parts one after the other: wait for every bug to arrive.
    const inThread = (): string[] => mx!.notices(mx!.managementRoom).filter((event) => relatesTo(event).threadRoot === command).map((event) => String(event.content["body"]));
    const deadline = Date.now() + 20_000;
    let parts = inThread();
    while (parts.flatMap((part) => part.split("\n")).filter((line) => line.startsWith("- #")).length < total && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      parts = inThread();
    }
    expect(parts.length).toBeGreaterThan(1);
    const events = mx.notices(mx.managementRoom).filter((event) => relatesTo(event).threadRoot === command);
    for (const event of events) expect(Buffer.byteLength(JSON.stringify(event.content), "utf8")).toBeLessThan(65_536);
    for (const part of parts) expect(Buffer.byteLength(part, "utf8")).toBeLessThanOrEqual(MATRIX_MESSAGE_LIMIT.length);
    expect(parts.flatMap((part) => part.split("\n")).filter((line) => line.startsWith("- #"))).toHaveLength(total);
  }, 60_000);
});
