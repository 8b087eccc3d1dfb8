/**
 * The Mattermost adapter's pure parts: rendering (buttons, long texts, slash-command answers),
 * signatures of buttons and dialogs, dialog forms and the command lines they become, settings.
 */
import { describe, expect, it } from "vitest";
import { buildCommandRegistry } from "../../../commands/index.js";
import { checkSubmission, commandLine, formForLine, problemsByField, submissionTokens } from "../../../src/chat/kernel/forms.js";
import { splitText } from "../../../src/chat/kernel/outbound.js";
import { buildDialog } from "../../../src/chat/mattermost/dialogs.js";
import { MATTERMOST_MESSAGE_LIMIT, renderCommandResponse, renderPlainReply, renderPosts, type ButtonTarget } from "../../../src/chat/mattermost/render.js";
import { deriveActionSecret, parseChannelMap, parseTokenList } from "../../../src/chat/mattermost/settings.js";
import { ACTION_MAX_AGE_MS, sameSecret, Signer } from "../../../src/chat/mattermost/signing.js";
import { ephemeral, inChannel } from "../../../src/framework/reply.js";
import { tokenize } from "../../../src/framework/tokenizer.js";

const CHANNEL = "c".repeat(26);
const registry = buildCommandRegistry();

function target(now = 1_000): ButtonTarget {
  return { actionUrl: "http://bot:8080/mattermost/action", signer: new Signer("secret-secret-secret", () => now), channelId: CHANNEL };
}

describe("rendering", () => {
  it("turns buttons into signed attachment actions with alphanumeric ids", () => {
    const [post] = renderPosts({ text: "Take it?", buttons: [{ label: "Grab #12", command: "grab 12", style: "primary" }, { label: "Show", command: "show 12" }] }, target());
    expect(post?.message).toBe("Take it?");
    const actions = post?.props?.attachments[0]?.actions ?? [];
    expect(actions.map((action) => [action.id, action.name, action.style, action.type])).toEqual([
      ["b0", "Grab #12", "primary", "button"],
      ["b1", "Show", "default", "button"],
    ]);
    expect(actions[0]?.integration).toMatchObject({ url: "http://bot:8080/mattermost/action", context: { command: "grab 12", channel_id: CHANNEL, issued_at: 1_000 } });
  });

  it("writes buttons as commands to type when the bot has no public URL", () => {
    const [post] = renderPosts({ text: "Take it?", buttons: [{ label: "Grab", command: "grab 12" }] }, { ...target(), actionUrl: undefined });
    expect(post).toEqual({ message: "Take it?\n\nNext: `/support grab 12`" });
    expect(renderPlainReply({ text: "Done.", buttons: [{ label: "Start", command: "start 3" }, { label: "Show", command: "show 3" }] })).toBe("Done.\n\nNext: `/support start 3` · `/support show 3`");
  });

  it("answers slash commands ephemeral by default and in_channel for channel replies, without Slack parsing", () => {
    expect(renderCommandResponse(ephemeral("only you"), target())).toEqual({ response_type: "ephemeral", text: "only you", skip_slack_parsing: true });
    expect(renderCommandResponse(inChannel("everyone"), target())).toEqual({ response_type: "in_channel", text: "everyone", skip_slack_parsing: true });
  });

  it("splits long texts at line breaks below the post limit, and puts the rest into extra responses", () => {
    const line = "x".repeat(99);
    const text = Array.from({ length: 400 }, () => line).join("\n");
    const parts = splitText(text, MATTERMOST_MESSAGE_LIMIT);
    expect(parts.length).toBe(3);
    expect(parts.every((part) => part.length <= 16_000)).toBe(true);
    expect(parts.join("\n")).toBe(text);
    const response = renderCommandResponse(ephemeral(text, { buttons: [{ label: "Go", command: "show 1" }] }), target());
    expect(response.extra_responses).toHaveLength(2);
    expect(response.attachments).toBeUndefined();
    expect(response.extra_responses?.at(-1)?.attachments?.[0]?.actions[0]?.name).toBe("Go");
  });

  it("closes and reopens a code block cut in two", () => {
    const text = ["```text", ...Array.from({ length: 30 }, (_, index) => `line ${index}`), "```"].join("\n");
    const parts = splitText(text, { length: 120, measure: "code-points" });
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect((part.match(/```/g) ?? []).length % 2).toBe(0);
    expect(parts.every((part) => part.length <= 120)).toBe(true);
  });

  it("cuts a single line longer than a post", () => {
    const parts = splitText("y".repeat(40_000), MATTERMOST_MESSAGE_LIMIT);
    expect(parts.join("")).toBe("y".repeat(40_000));
    expect(parts.every((part) => part.length <= 16_000)).toBe(true);
  });
});

describe("signatures", () => {
  it("accepts a button's own context in its own channel", () => {
    const signer = new Signer("secret-secret-secret", () => 5_000);
    const context = signer.signAction("grab 12", CHANNEL);
    expect(signer.verifyAction(context, CHANNEL)).toEqual({ ok: true, value: context });
  });

  it("refuses a changed command, a foreign channel, another key and garbage", () => {
    const signer = new Signer("secret-secret-secret", () => 5_000);
    const context = signer.signAction("grab 12", CHANNEL);
    expect(signer.verifyAction({ ...context, command: "triage 12 @bob" }, CHANNEL)).toEqual({ ok: false, reason: "forged" });
    expect(signer.verifyAction(context, "d".repeat(26))).toEqual({ ok: false, reason: "wrong-place" });
    expect(new Signer("another-secret-entirely", () => 5_000).verifyAction(context, CHANNEL)).toEqual({ ok: false, reason: "forged" });
    expect(signer.verifyAction({ command: "grab 12" }, CHANNEL)).toEqual({ ok: false, reason: "malformed" });
    expect(signer.verifyAction(undefined, CHANNEL)).toEqual({ ok: false, reason: "malformed" });
  });

  it("lets old buttons expire but still says which command they were for", () => {
    let now = 5_000;
    const signer = new Signer("secret-secret-secret", () => now);
    const context = signer.signAction("grab 12", CHANNEL);
    now += ACTION_MAX_AGE_MS + 1;
    expect(signer.verifyAction(context, CHANNEL)).toMatchObject({ ok: false, reason: "expired", value: { command: "grab 12" } });
  });

  it("binds a dialog's state to the user and channel it was opened for", () => {
    const signer = new Signer("secret-secret-secret", () => 5_000);
    const state = signer.signDialogState({ form: "call", userId: "u".repeat(26), channelId: CHANNEL, rootId: "" });
    expect(signer.verifyDialogState(state, { userId: "u".repeat(26), channelId: CHANNEL })).toMatchObject({ ok: true, value: { form: "call" } });
    expect(signer.verifyDialogState(state, { userId: "v".repeat(26), channelId: CHANNEL })).toEqual({ ok: false, reason: "wrong-place" });
    const [payload] = state.split(".");
    const forged = Buffer.from(JSON.stringify({ form: "call", userId: "v".repeat(26), channelId: CHANNEL, rootId: "", issuedAt: 5_000 })).toString("base64url");
    expect(signer.verifyDialogState(`${forged}.${state.split(".")[1]}`, { userId: "v".repeat(26), channelId: CHANNEL })).toEqual({ ok: false, reason: "forged" });
    expect(signer.verifyDialogState(`${payload}`, { userId: "u".repeat(26), channelId: CHANNEL })).toEqual({ ok: false, reason: "malformed" });
  });

  it("compares secrets of any length without throwing", () => {
    expect(sameSecret("abc", "abc")).toBe(true);
    expect(sameSecret("abc", "abd")).toBe(false);
    expect(sameSecret("abc", "abcd")).toBe(false);
    expect(sameSecret("abc", "")).toBe(false);
  });
});

describe("dialog forms", () => {
  it("are asked for by `call` alone and `draft` with at most a bug, not by full command lines", () => {
    expect(formForLine("call", registry)?.command.name).toBe("call");
    expect(formForLine("draft", registry)).toMatchObject({ command: { name: "draft" }, prefill: {} });
    expect(formForLine("draft #13", registry)).toMatchObject({ command: { name: "draft" }, prefill: { bug: "13" } });
    expect(formForLine('call name="Jane"', registry)).toBeUndefined();
    expect(formForLine('draft 13 "We fixed it."', registry)).toBeUndefined();
    expect(formForLine("show 1", registry)).toBeUndefined();
    expect(formForLine('call "unclosed', registry)).toBeUndefined();
  });

  it("become command lines the tokenizer reads back exactly, whatever the text holds", () => {
    const form = formForLine("call", registry)!.form;
    const submission = {
      name: 'Jane "JD" Doe\\',
      type: "merchant",
      phone: "+41 79 555 01 23",
      email: "",
      issue: "Two lines\nwith “quotes”, key=value, @alice and #12 \\ back\\slash",
      date: null,
      route: "sales",
    };
    const tokens = submissionTokens(form, submission);
    const line = commandLine("call", tokens);
    expect(tokenize(line).slice(1)).toEqual(tokens);
    expect(tokens.map((token) => (token.kind === "option" ? token.key : token.text))).toEqual(["name", "type", "phone", "issue", "route"]);
  });

  it("are checked by the command's own rules, field by field", () => {
    const form = formForLine("call", registry)!.form;
    const command = registry.find("call")!;
    const problems = checkSubmission(command, form, submissionTokens(form, { name: "Jane", type: "alien", phone: "12", issue: "x" }));
    expect(Object.keys(problems?.errors ?? {}).sort()).toEqual(["phone", "type"]);
    expect(checkSubmission(command, form, submissionTokens(form, { name: "Jane", type: "user", phone: "+41 79 555 01 23", issue: "x" }))).toBeUndefined();
  });

  it("sort a refusal's lines into fields and the rest, without the usage line", () => {
    const form = formForLine("draft", registry)!.form;
    expect(problemsByField("bug: must be a bug number such as #1234\ntext (item 1): must not be empty\nUsage: `/support draft <bug>`\nSomething else.", form)).toEqual({
      errors: { bug: "must be a bug number such as #1234", text: "must not be empty" },
      general: ["Something else."],
    });
  });

  it("are valid Mattermost dialogs: labels and titles within 24 bytes, string defaults", () => {
    for (const line of ["call", "draft 13"]) {
      const wanted = formForLine(line, registry)!;
      const dialog = buildDialog(wanted, "state") as { title: string; elements: Array<{ display_name: string; default?: unknown }> };
      expect(Buffer.byteLength(dialog.title)).toBeLessThanOrEqual(24);
      for (const element of dialog.elements) {
        expect(Buffer.byteLength(element.display_name)).toBeLessThanOrEqual(24);
        if (element.default !== undefined) expect(typeof element.default).toBe("string");
      }
    }
  });
});

describe("settings", () => {
  it("reads channel maps with or without ~ and refuses display names", () => {
    expect(parseChannelMap("management=support-mgmt, sales=~Sales")).toEqual({ ok: true, value: { management: "support-mgmt", sales: "sales" } });
    expect(parseChannelMap("management")).toMatchObject({ ok: false });
    expect(parseChannelMap("management=a,management=b")).toEqual({ ok: false, error: "management is given twice" });
  });

  it("takes channel names as Mattermost does: lower-case letters, digits, '-' and '_'", () => {
    expect(parseChannelMap("management=support_mgmt-2")).toEqual({ ok: true, value: { management: "support_mgmt-2" } });
    expect(parseChannelMap("management=support.mgmt")).toMatchObject({ ok: false, error: expect.stringContaining('"support.mgmt" is no channel name') });
    expect(parseChannelMap("management=-mgmt")).toMatchObject({ ok: false });
  });

  it("reads token lists and drops repeats", () => {
    expect(parseTokenList("a, b a")).toEqual({ ok: true, value: ["a", "b"] });
    expect(parseTokenList(" , ")).toMatchObject({ ok: false });
  });

  it("derives a signing key that is not the token and changes with it", () => {
    expect(deriveActionSecret("token-1")).not.toBe(deriveActionSecret("token-2"));
    expect(deriveActionSecret("token-1")).not.toContain("token-1");
  });
});
