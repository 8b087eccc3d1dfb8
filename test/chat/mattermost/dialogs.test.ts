/**
 * `/support call` and `/support draft` without their text open interactive dialogs; submissions are
 * checked with the commands' own argument rules, wrong fields come back one by one, and forms the
 * bot did not open (or opened for someone else) are refused.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { JsonValue } from "../../../src/simulators/mattermost/server.js";
import { publicFieldsText } from "../../support/bug-checks.js";
import { startMattermostHarness, type MattermostHarness } from "./mattermost-harness.js";

let h: MattermostHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CUSTOMER = { name: "Hedwig Sommer", phone: "+41 79 555 01 23", email: "hedwig.sommer@example.org" };
const PERSONAL_DATA = [CUSTOMER.name, "Hedwig", "Sommer", CUSTOMER.phone, "555 01 23", CUSTOMER.email];

function validCall(overrides: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  return {
    name: CUSTOMER.name,
    type: "merchant",
    phone: CUSTOMER.phone,
    email: CUSTOMER.email,
    issue: 'The refund button is missing for orders paid from two exchanges; the "refund" page stays empty.\nSecond line.',
    date: null,
    route: "bug",
    ...overrides,
  };
}

/** How many bugs MantisBT has (to see that nothing was filed). */
async function newestBug(harness: MattermostHarness): Promise<number> {
  return harness.mantis.database.countBugs();
}

describe("the call dialog", () => {
  it("opens for `/support call` with the call's fields, and shows nothing else", async () => {
    h = await startMattermostHarness();
    const result = await h.slash("alice", "call", "support-mgmt");
    expect(result.status).toBe(200);
    expect(result.ephemeral).toEqual([]);
    const [opened] = h.mm.dialogs;
    expect(opened).toMatchObject({ userId: h.mm.users["alice"]!.id, channelId: h.mm.channelId("support-mgmt"), url: `${h.botUrl}/mattermost/dialog`, problems: [] });
    expect(opened!.dialog.elements?.map((element) => [element.name, element.type])).toEqual([
      ["name", "text"],
      ["type", "select"],
      ["phone", "text"],
      ["email", "text"],
      ["issue", "textarea"],
      ["date", "text"],
      ["route", "radio"],
    ]);
    expect(opened!.dialog.elements?.find((element) => element.name === "type")?.options?.map((option) => option.value)).toEqual(["user", "merchant", "bank", "other"]);
  });

  it("names each wrong field, and keeps the dialog open", async () => {
    h = await startMattermostHarness();
    await h.slash("alice", "call");
    const before = await newestBug(h);
    const submitted = await h.mm.submitDialog({ submission: validCall({ phone: "call me", email: "nobody", issue: "" }) });
    expect(submitted.closed).toBe(false);
    expect(submitted.response?.errors).toEqual({
      phone: expect.stringMatching(/^must be a phone number such as/),
      email: "must be an e-mail address such as jane@example.com",
      issue: expect.stringMatching(/^missing: what the call was about/),
    });
    expect(await newestBug(h)).toBe(before);
  });

  it("shows a refusal of the command itself at the field it is about", async () => {
    h = await startMattermostHarness();
    await h.slash("alice", "call");
    const submitted = await h.mm.submitDialog({ submission: validCall({ date: "1.1.2099" }) });
    expect(submitted.closed).toBe(false);
    expect(submitted.response?.errors?.["date"]).toMatch(/is in the future/);
  });

  it("opens forms whose fields the web app takes whole (text 150 characters, text areas 3000)", async () => {
    h = await startMattermostHarness();
    await h.slash("alice", "call");
    await h.slash("alice", "draft 13");
    expect(h.mm.dialogs).toHaveLength(2);
    expect(h.mm.warnings).toEqual([]);
  });

  it("files a bug when the route was left as it was (the web app submits the default)", async () => {
    h = await startMattermostHarness();
    await h.slash("alice", "call");
    const { route: _untouched, ...rest } = validCall();
    await h.mm.submitDialog({ submission: rest });
    const confirmation = await h.mm.waitFor(() => h!.mm.ephemeralFor("alice").find((record) => record.post.message.startsWith("Filed [#")));
    expect(confirmation.post.message).toMatch(/^Filed \[#\d+\]/);
    expect(h.mm.outgoing.at(-1)?.body).toContain('"route":"bug"');
  });

  it("files the bug on a valid submission and tells only the caller, without personal data anywhere public", async () => {
    h = await startMattermostHarness();
    await h.slash("alice", "call", "support-mgmt");
    const submitted = await h.mm.submitDialog({ submission: validCall() });
    expect(submitted.closed).toBe(true);
    const confirmation = await h.mm.waitFor(() => h!.mm.ephemeralFor("alice").find((record) => record.post.message.startsWith("Filed [#")));
    expect(confirmation.channelId).toBe(h.mm.channelId("support-mgmt"));

    const bug = await h.bug(Number(/^Filed \[#(\d+)\]/.exec(confirmation.post.message)?.[1]));
    expect(bug.status).toBe("new");
    expect(bug.tags).toContain("Customer");
    expect(bug.description).toContain("Second line.");
    const publicText = publicFieldsText(bug);
    const posted = h.mm.posts().map((post) => post.message).join("\n");
    for (const data of PERSONAL_DATA) {
      expect(publicText).not.toContain(data);
      expect(posted).not.toContain(data);
      expect(h.log.text()).not.toContain(data);
    }
    expect(bug.notes.find((note) => note.private)?.text).toContain(CUSTOMER.phone);
  });

  it("refuses a submission whose state the bot did not sign, and files nothing", async () => {
    h = await startMattermostHarness();
    await h.slash("alice", "call");
    const opened = h.mm.dialogs[0]!;
    const before = await newestBug(h);
    const [payload = ""] = opened.dialog.state.split(".");
    const response = await fetch(`${h.botUrl}/mattermost/dialog`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        type: "dialog_submission",
        callback_id: "call",
        state: `${payload}.${"0".repeat(64)}`,
        user_id: h.mm.users["alice"]!.id,
        channel_id: h.mm.channelId("support"),
        team_id: h.mm.team.id,
        submission: validCall(),
        cancelled: false,
      }),
    });
    expect(response.status).toBe(403);
    expect(await newestBug(h)).toBe(before);
  });

  it("refuses a dialog opened for someone else", async () => {
    h = await startMattermostHarness();
    await h.slash("alice", "call");
    const before = await newestBug(h);
    const submitted = await h.mm.submitDialog({ user: "bob", submission: validCall() });
    expect(submitted.status).toBe(400);
    expect(submitted.error?.id).toBe("api.post.do_action.action_integration.app_error");
    expect(await newestBug(h)).toBe(before);
  });

  it("opens no dialog for someone who may not log calls, and says why", async () => {
    h = await startMattermostHarness();
    const result = await h.slash("dave-unlinked", "call");
    expect(h.mm.dialogs).toEqual([]);
    expect(result.response?.text).toContain("not linked to a staff account");
  });

  it("runs `call` with arguments as typed, without a dialog", async () => {
    h = await startMattermostHarness();
    const result = await h.slash("alice", `call name="${CUSTOMER.name}" type=user phone="${CUSTOMER.phone}" issue="Withdrawal pending for two days"`);
    expect(h.mm.dialogs).toEqual([]);
    expect(result.response?.text).toMatch(/^Filed \[#\d+\]/);
  });
});

describe("the draft dialog", () => {
  const GOOD = "We fixed the coin selection in wallet-core 0.14.3; thank you for your patience.";

  it("opens for `/support draft 13` with the bug filled in, and saves the draft", async () => {
    h = await startMattermostHarness();
    await h.slash("alice", "draft 13");
    const opened = h.mm.dialogs[0]!;
    expect(opened.problems).toEqual([]);
    expect(opened.dialog.elements?.map((element) => [element.name, element.type, element.default])).toEqual([
      ["bug", "text", "13"],
      ["text", "textarea", ""],
      ["force", "bool", "false"],
    ]);
    const submitted = await h.mm.submitDialog({ submission: { bug: "13", text: GOOD, force: false } });
    expect(submitted.closed).toBe(true);
    expect((await h.bug(13)).notes.at(-1)?.text).toBe(`Draft response to the customer:\n\n${GOOD}`);
  });

  it("shows the tone check's findings in the dialog and saves nothing", async () => {
    h = await startMattermostHarness();
    await h.slash("alice", "draft");
    const submitted = await h.mm.submitDialog({ submission: { bug: "16", text: "I fixed the coin selection. You should have set the phone clock correctly.", force: false } });
    expect(submitted.closed).toBe(false);
    expect(submitted.response?.error).toContain("The draft for #16 needs another look");
    expect((await h.bug(16)).notes.some((note) => note.text.startsWith("Draft response"))).toBe(false);
  });

  it("names a bug field that is no bug number", async () => {
    h = await startMattermostHarness();
    await h.slash("alice", "draft");
    const submitted = await h.mm.submitDialog({ submission: { bug: "soon", text: GOOD, force: false } });
    expect(submitted.response?.errors).toEqual({ bug: "must be a bug number such as #1234" });
  });

  it("keeps the text as written with the force box ticked", async () => {
    h = await startMattermostHarness();
    await h.slash("alice", "draft 16");
    const submitted = await h.mm.submitDialog({ submission: { bug: "16", text: "I fixed it.", force: true } });
    expect(submitted.closed).toBe(true);
    expect((await h.bug(16)).notes.at(-1)?.text).toBe("Draft response to the customer:\n\nI fixed it.");
  });
});

describe("forms from a DM", () => {
  it("points to the slash command, which can open the form a DM cannot", async () => {
    h = await startMattermostHarness();
    const asked = h.dm("alice", "call");
    const answer = await h.nextBotPost(h.dmChannel("alice"), asked);
    expect(answer.message).toContain("name: missing");
    expect(answer.message).toContain("Or type `/support call` with the slash: it opens a form.");
  });
});
