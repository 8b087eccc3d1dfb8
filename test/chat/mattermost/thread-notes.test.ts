/**
 * The bug's thread writes to MantisBT on Mattermost: a staff member's reply in the thread the bot
 * keeps for a bug that starts with `note` becomes a note on the bug as that person, confirmed with a
 * ✅ reaction (POST /reactions, checked by the simulator as the server's reaction.go does); a
 * problem is answered in the thread; ordinary chat stays chat.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WirePost } from "../../../src/simulators/mattermost/server.js";
import { startMattermostHarness, type MattermostHarness } from "./mattermost-harness.js";

let h: MattermostHarness;
let root: WirePost;

beforeEach(async () => {
  h = await startMattermostHarness();
  // Grabbing bug 1 starts its thread in the management channel.
  await h.slash("alice", "grab 1");
  root = h.botPosts("support-mgmt")[0]!;
});
afterEach(async () => {
  await h.close();
});

function reply(user: string, message: string): WirePost {
  return h.mm.post({ user, channel: "support-mgmt", message, rootId: root.id });
}

async function reactionOn(post: WirePost): Promise<Record<string, unknown>> {
  return h.mm.waitFor(() => h.mm.reactions(post.id)[0], { what: "a reaction" });
}

describe("notes from a bug's thread on Mattermost", () => {
  it("writes a public note as the person who replied and reacts with ✅, without answering", async () => {
    const before = (await h.bug(1)).notes.length;
    const sent = reply("alice", "note We can reproduce it with wallet 0.14.2.\nA fix is under way.");
    expect(await reactionOn(sent)).toMatchObject({ user_id: h.mm.bot.id, post_id: sent.id, emoji_name: "white_check_mark" });

    const notes = (await h.bug(1)).notes;
    expect(notes).toHaveLength(before + 1);
    expect(notes.at(-1)).toMatchObject({ text: "We can reproduce it with wallet 0.14.2.\nA fix is under way.", private: false, reporter: { name: "alice" } });
    expect(h.mm.thread(root.id).filter((post) => post.user_id === h.mm.bot.id)).toHaveLength(1);
    expect(h.mm.requests.filter((request) => request.path === "/api/v4/reactions").map((request) => request.response.status)).toEqual([200]);
  });

  it("writes a private note when the reply starts with `note private`", async () => {
    const sent = reply("bob", "note private The customer prefers a call in the morning: +41 79 555 01 23");
    await reactionOn(sent);
    expect((await h.bug(1)).notes.at(-1)).toMatchObject({ text: "The customer prefers a call in the morning: +41 79 555 01 23", private: true, reporter: { name: "bob" } });
  });

  it("refuses a public note with a phone number or an e-mail address, suggests `note private`, and writes nothing", async () => {
    const before = (await h.bug(1)).notes.length;
    const sent = reply("alice", "note Reach the customer at jane.doe@example.com");
    const answer = await h.mm.waitFor(() => h.mm.thread(root.id).find((post) => post.user_id === h.mm.bot.id && post.create_at >= sent.create_at && post.id !== root.id), {
      what: "the bot's answer",
    });
    expect(answer.message).toContain("looks like it carries someone's e-mail address");
    expect(answer.message).toContain("`note private ...`");
    expect((await h.bug(1)).notes).toHaveLength(before);
    expect(h.mm.reactions(sent.id)).toEqual([]);
  });

  it("leaves ordinary chat in the thread alone, and replies by people who are not staff", async () => {
    const before = (await h.bug(1)).notes.length;
    reply("alice", "Note that the build failed again");
    reply("alice", "notes from yesterday are in the wiki");
    h.mm.addChannelMember("support-mgmt", "dave-unlinked");
    reply("dave-unlinked", "note I am not on the staff");
    const last = reply("alice", "note last one");
    await reactionOn(last);
    const notes = (await h.bug(1)).notes;
    expect(notes.slice(before).map((note) => note.text)).toEqual(["last one"]);
    expect(h.mm.thread(root.id).filter((post) => post.user_id === h.mm.bot.id)).toHaveLength(1);
  });

  it("writes a note replied in the thread while the bot was stopped, once, when it is back", async () => {
    const before = (await h.bug(1)).notes.length;
    await h.adapter.stop();
    const sent = reply("alice", "note Written while the bot was restarting.");
    reply("alice", "just chat while it was away");
    await h.restart();
    expect(await reactionOn(sent)).toMatchObject({ user_id: h.mm.bot.id, emoji_name: "white_check_mark" });
    // Another restart reads the same window again: the claim keeps the note single.
    await h.restart();
    const last = reply("alice", "note after the second restart");
    await reactionOn(last);
    expect((await h.bug(1)).notes.slice(before).map((note) => note.text)).toEqual(["Written while the bot was restarting.", "after the second restart"]);
  });
});
