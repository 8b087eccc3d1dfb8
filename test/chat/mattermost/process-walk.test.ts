/**
 * One customer call walked through the whole support process in Mattermost, the way the people
 * involved would do it there: the call dialog, slash commands, DMs to the bot, and the buttons in
 * the bot's notifications. After each step MantisBT's state is checked; along the way the bug's
 * thread in the management channel; at the end the journal, and that the customer's personal data
 * reached no public field, no post, no DM and no log line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WirePost } from "../../../src/simulators/mattermost/server.js";
import { expectBugState, journalSteps, publicFieldsText } from "../../support/bug-checks.js";
import { startMattermostHarness, type MattermostHarness } from "./mattermost-harness.js";

const CUSTOMER = { name: "Hedwig Sommer", phone: "+41 79 555 01 23", email: "hedwig.sommer@example.org" };
const PERSONAL_DATA = [CUSTOMER.name, "Hedwig", "Sommer", CUSTOMER.phone, "555 01 23", CUSTOMER.email];
const DRAFT = "We fixed the merchant backoffice so that the refund button also appears for orders paid with coins from two exchanges. Thank you for reporting it.";

let h: MattermostHarness;
let bugId: number;

beforeAll(async () => {
  h = await startMattermostHarness();
});
afterAll(async () => {
  await h.close();
});

const expectTracker = (expected: { status: string; handler?: string }): Promise<void> => expectBugState(h, bugId, expected);

/**
 * The newest post of the bot in a channel that has a button with this label, once it is there: a
 * command's notifications are delivered in the background, right after its answer.
 */
function postWithButton(channelId: string, label: string): Promise<WirePost> {
  const find = (): WirePost | undefined =>
    h
      .botPosts(channelId)
      .reverse()
      .find((candidate) => JSON.stringify(candidate.props["attachments"] ?? []).includes(`"name":"${label}"`));
  return h.mm.waitFor(find, { what: `a post with a "${label}" button` });
}

async function click(user: string, channelId: string, label: string): Promise<string> {
  const result = await h.mm.clickButton({ post: await postWithButton(channelId, label), action: label, user });
  expect(result.status, JSON.stringify(result.error)).toBe(200);
  return result.response?.ephemeral_text ?? "";
}

async function slash(user: string, text: string, channel = "support"): Promise<string> {
  const result = await h.slash(user, text, channel);
  expect(result.status, JSON.stringify(result.error)).toBe(200);
  return result.response?.text ?? "";
}

describe("a customer call, from the phone to the release, in Mattermost", () => {
  it("call: alice logs it in the dialog; a NEW, unassigned Customer bug", async () => {
    await slash("alice", "call");
    const submitted = await h.mm.submitDialog({
      submission: {
        name: CUSTOMER.name,
        type: "merchant",
        phone: CUSTOMER.phone,
        email: CUSTOMER.email,
        issue: `Refund button missing for orders paid with coins from two exchanges. Call back on ${CUSTOMER.phone}.`,
        route: "bug",
      },
    });
    expect(submitted.closed).toBe(true);
    const confirmation = await h.mm.waitFor(() => h.mm.ephemeralFor("alice").find((record) => record.post.message.startsWith("Filed [#")));
    bugId = Number(/^Filed \[#(\d+)\]/.exec(confirmation.post.message)?.[1]);
    await expectTracker({ status: "new", handler: undefined });
    expect((await h.bug(bugId)).tags).toContain("Customer");
  });

  it("triage: management gives it to bob, who is told by DM", async () => {
    await slash("manager", `triage ${bugId} @bob priority=high`, "support-mgmt");
    await expectTracker({ status: "feedback", handler: "bob" });
    expect(h.botPosts(h.dmChannel("bob")).at(-1)?.message).toContain(`feedback ${bugId}`);
  });

  it("feedback: bob answers in his DM to the bot; management gets it in the bug's thread with a Confirm button", async () => {
    const asked = h.dm("bob", `feedback ${bugId} 4h 4.12.2026 "Clear: the backoffice checks only the first exchange of an order; fix in the merchant SPA"`);
    await h.nextBotPost(h.dmChannel("bob"), asked);
    await expectTracker({ status: "new", handler: "bob" });
    const withButton = await postWithButton(h.mm.channelId("support-mgmt"), "Confirm");
    expect(withButton.message).toContain(`#${bugId}`);
  });

  it("confirm: the manager clicks Confirm; bob gets a Start button", async () => {
    const answer = await click("manager", h.mm.channelId("support-mgmt"), "Confirm");
    expect(answer).toContain("is CONFIRMED");
    await expectTracker({ status: "confirmed", handler: "bob" });
    expect((await h.bug(bugId)).summary).toMatch(/^\[4h, 4\.12\.2026\] /);
  });

  it("start and eta: bob clicks Start, then updates the work left", async () => {
    await click("bob", h.dmChannel("bob"), "Start");
    await expectTracker({ status: "assigned", handler: "bob" });
    await slash("bob", `eta ${bugId} 2h 4.12.2026`);
    expect((await h.bug(bugId)).summary).toMatch(/^\[2h, 4\.12\.2026\] /);
  });

  it("draft: bob writes the response in the draft dialog", async () => {
    await slash("bob", `draft ${bugId}`);
    const submitted = await h.mm.submitDialog({ submission: { bug: String(bugId), text: DRAFT, force: false } });
    expect(submitted.closed).toBe(true);
    expect((await h.bug(bugId)).notes.at(-1)?.text).toContain(DRAFT);
  });

  it("review: bob asks alice, who gets the draft and a Pass button by DM", async () => {
    await slash("bob", `review ${bugId} @alice`);
    await expectTracker({ status: "feedback", handler: "alice" });
    expect((await postWithButton(h.dmChannel("alice"), "Pass")).message).toContain(DRAFT);
  });

  it("verdict: alice clicks Pass; the manager, who confirmed, is to notify the customer", async () => {
    await click("alice", h.dmChannel("alice"), "Pass");
    await expectTracker({ status: "assigned", handler: "manager" });
    await postWithButton(h.dmChannel("manager"), "Notify the customer");
  });

  it("notify: the manager clicks Notify the customer and gets the text; RESOLVED", async () => {
    const answer = await click("manager", h.dmChannel("manager"), "Notify the customer");
    expect(answer).toContain(DRAFT);
    await expectTracker({ status: "resolved", handler: "manager" });
  });

  it("release: management closes it with 1.1.0", async () => {
    const answer = await slash("manager", "release 1.1.0", "support-mgmt");
    expect(answer).toContain(`[#${bugId}](`);
    await expectTracker({ status: "closed", handler: "manager" });
  });

  it("kept the bug's management posts in one thread", () => {
    const about = h.botPosts("support-mgmt").filter((post) => post.message.includes(`#${bugId}`));
    expect(about.length).toBeGreaterThan(0);
    const root = about[0]!;
    expect(root.root_id).toBe("");
    for (const post of about.slice(1)) expect(post.root_id).toBe(root.id);
  });

  it("journalled every step by the person who did it, buttons included", async () => {
    expect(await journalSteps(h.store, bugId)).toEqual([
      ["alice", "call"],
      ["manager", "triage"],
      ["bob", "feedback"],
      ["manager", "confirm"],
      ["bob", "start"],
      ["bob", "eta"],
      ["bob", "draft"],
      ["bob", "review"],
      ["alice", "verdict"],
      ["manager", "notify"],
      ["manager", "release"],
    ]);
  });

  it("kept the customer's personal data out of public fields, every post and DM, and the log", async () => {
    const bug = await h.bug(bugId);
    const publicText = publicFieldsText(bug);
    const posted = h.mm
      .posts()
      .map((post) => `${post.message}\n${JSON.stringify(post.props)}`)
      .join("\n");
    const ephemeral = h.mm.ephemeral.map((record) => record.post.message).join("\n");
    for (const secret of PERSONAL_DATA) {
      expect(publicText, "public fields").not.toContain(secret);
      expect(posted, "posts and DMs").not.toContain(secret);
      expect(ephemeral, "ephemeral answers").not.toContain(secret);
      expect(h.log.text(), "log").not.toContain(secret);
    }
    expect(bug.notes.some((note) => note.private && note.text.includes(CUSTOMER.name))).toBe(true);
  });
});
