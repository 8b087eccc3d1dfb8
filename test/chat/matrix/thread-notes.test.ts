/**
 * The bug's thread writes to MantisBT on Matrix: a staff member's reply in the thread the bot keeps
 * for a bug (an `m.thread` relation to its root) that starts with `note` becomes a note on the bug as
 * that person, confirmed with an `m.reaction` (an `m.annotation` relation, checked by the simulator
 * as Synapse checks it); a problem is answered in the thread; ordinary chat stays chat.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ClientEvent } from "../../../src/simulators/matrix/server.js";
import { relatesTo, startMatrixHarness, type MatrixHarness } from "./matrix-harness.js";

let h: MatrixHarness;
let root: string;

beforeEach(async () => {
  h = await startMatrixHarness();
  await h.adapter.notifier.channel("management", { text: "#1 is NEW", bugId: 1 });
  root = h.notices(h.managementRoom)[0]!.event_id;
});
afterEach(async () => {
  await h.close();
  expect(h.matrix.serverErrors).toEqual([]);
});

function reply(user: string, body: string): string {
  return h.matrix.sendMessage(user, h.managementRoom, {
    msgtype: "m.text",
    body,
    "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } },
  });
}

function reactionTo(eventId: string): Promise<ClientEvent> {
  return h.matrix.waitForEvent((event) => event.type === "m.reaction" && (event.content["m.relates_to"] as { event_id?: string } | undefined)?.event_id === eventId);
}

describe("notes from a bug's thread on Matrix", () => {
  it("writes a public note as the person who replied and reacts with an m.reaction ✅, without answering", async () => {
    const before = (await h.tracker.getBug(1)).notes.length;
    const sent = reply("alice", "note We can reproduce it with wallet 0.14.2.");
    const reaction = await reactionTo(sent);
    expect(reaction).toMatchObject({ sender: h.matrix.bot.userId, content: { "m.relates_to": { rel_type: "m.annotation", event_id: sent, key: "✅" } } });

    const notes = (await h.tracker.getBug(1)).notes;
    expect(notes).toHaveLength(before + 1);
    expect(notes.at(-1)).toMatchObject({ text: "We can reproduce it with wallet 0.14.2.", private: false, reporter: { name: "alice" } });
    expect(h.notices(h.managementRoom)).toHaveLength(1);
  });

  it("writes a private note when the reply starts with `note private`", async () => {
    const sent = reply("bob", "note private Customer's number: 079 555 01 23");
    await reactionTo(sent);
    expect((await h.tracker.getBug(1)).notes.at(-1)).toMatchObject({ text: "Customer's number: 079 555 01 23", private: true, reporter: { name: "bob" } });
  });

  it("refuses a public note with a phone number, suggests `note private`, answers in the thread and writes nothing", async () => {
    const before = (await h.tracker.getBug(1)).notes.length;
    const sent = reply("alice", "note Call the customer back on 079 555 01 23");
    const answer = await h.replyTo(sent, h.managementRoom);
    expect(String(answer.content["body"])).toContain("looks like it carries someone's phone number");
    expect(String(answer.content["body"])).toContain("note private ...");
    expect(relatesTo(answer)).toMatchObject({ threadRoot: root });
    expect((await h.tracker.getBug(1)).notes).toHaveLength(before);
    expect(h.matrix.timeline(h.managementRoom).filter((event) => event.type === "m.reaction")).toEqual([]);
  });

  it("leaves ordinary chat in the thread alone", async () => {
    const before = (await h.tracker.getBug(1)).notes.length;
    reply("alice", "Note that the build failed again");
    reply("alice", "notes from yesterday are in the wiki");
    const last = reply("alice", "note last one");
    await reactionTo(last);
    expect((await h.tracker.getBug(1)).notes.slice(before).map((note) => note.text)).toEqual(["last one"]);
    expect(h.notices(h.managementRoom)).toHaveLength(1);
  });

  it("refuses a second identical reaction as Synapse does (M_DUPLICATE_ANNOTATION)", () => {
    const target = reply("alice", "just chat");
    const annotation = { "m.relates_to": { rel_type: "m.annotation", event_id: target, key: "👍" } };
    h.matrix.sendEvent("bob", h.managementRoom, "m.reaction", annotation);
    expect(() => h.matrix.sendEvent("bob", h.managementRoom, "m.reaction", annotation)).toThrow(/same reaction twice/);
    expect(() => h.matrix.sendEvent("bob", h.managementRoom, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: target } })).toThrow(/needs a key/);
  });
});
