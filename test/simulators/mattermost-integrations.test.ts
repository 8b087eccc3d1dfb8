import mattermostClient from "@mattermost/client";
import { type IncomingMessage, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MattermostSimulator, startMattermostSimulator } from "../../src/simulators/mattermost/server.js";

const { Client4 } = mattermostClient;
type ClientInstance = InstanceType<typeof Client4>;

/** Client4 has no call for dialogs/open; a subclass reaches its protected doFetch. */
class BotClient extends Client4 {
  openInteractiveDialog(request: { trigger_id: string; url: string; dialog: Record<string, unknown> }): Promise<{ status: string }> {
    return this.doFetch(`${this.getBaseRoute()}/actions/dialogs/open`, { method: "post", body: JSON.stringify(request) });
  }
}

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

interface Answer {
  status?: number;
  contentType?: string;
  body?: string;
}

/** Stands in for the bot's HTTP endpoints (command URL, action URL, dialog URL). */
interface FakeIntegration {
  url: string;
  received: Received[];
  answer: (request: Received) => Answer | Promise<Answer>;
}

let sim: MattermostSimulator;
let integration: FakeIntegration;
let integrationServer: Server;
let clock: number;

function json(value: unknown, status = 200): Answer {
  return { status, contentType: "application/json", body: JSON.stringify(value) };
}

function botClient(): BotClient {
  const client = new BotClient();
  client.setUrl(sim.url);
  client.setToken(sim.tokens["support-bot"] ?? "");
  return client;
}

async function registerCommand(trigger = "support"): Promise<{ id: string; token: string }> {
  return botClient().addCommand({ team_id: sim.team.id, trigger, url: `${integration.url}/commands`, method: "P" } as Parameters<ClientInstance["addCommand"]>[0]);
}

/** The bot opening a dialog with the trigger id Mattermost gave it. */
async function openDialog(triggerId: string, dialog: Record<string, unknown>): Promise<void> {
  await botClient().openInteractiveDialog({ trigger_id: triggerId, url: `${integration.url}/dialogs`, dialog });
}

const SUMMARY_DIALOG = {
  callback_id: "summary-1234",
  title: "Summary for #1234",
  state: "bug=1234",
  submit_label: "Save",
  elements: [{ display_name: "Summary", name: "summary", type: "textarea", min_length: 0, max_length: 2000 }],
};

async function rejection(promise: Promise<unknown>): Promise<{ status_code?: number; server_error_id?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { status_code?: number; server_error_id?: string };
  }
  throw new Error("expected the call to fail");
}

beforeEach(async () => {
  clock = 1_800_000_000_000;
  sim = await startMattermostSimulator({ now: () => clock, integrationTimeoutMs: 2_000 });
  integration = { url: "", received: [], answer: () => ({ status: 200 }) };
  integrationServer = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const received: Received = { method: request.method ?? "", path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8") };
      integration.received.push(received);
      Promise.resolve(integration.answer(received)).then(
        (answer) => {
          response.writeHead(answer.status ?? 200, answer.contentType ? { "Content-Type": answer.contentType } : {});
          response.end(answer.body ?? "");
        },
        (error: unknown) => {
          response.writeHead(500);
          response.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => integrationServer.listen(0, "127.0.0.1", () => resolve()));
  integration.url = `http://127.0.0.1:${(integrationServer.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await sim.close();
  integrationServer.closeAllConnections();
  await new Promise<void>((resolve) => integrationServer.close(() => resolve()));
});

describe("slash commands", () => {
  it("posts every form field with the command token to the registered URL", async () => {
    const command = await registerCommand();
    integration.answer = () => json({ response_type: "ephemeral", text: "ok" });
    await sim.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/Support grab 1234 @bob ~sales" });
    const [request] = integration.received;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/commands");
    expect(request?.headers["authorization"]).toBe(`Token ${command.token}`);
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request?.headers["accept"]).toBe("application/json");
    const form = new URLSearchParams(request?.body);
    expect(Object.fromEntries(form)).toMatchObject({
      token: command.token,
      team_id: sim.team.id,
      team_domain: "taler",
      channel_id: sim.channelId("support-mgmt"),
      channel_name: "support-mgmt",
      user_id: sim.users["alice"]?.id,
      user_name: "alice",
      command: "/support",
      text: "grab 1234 @bob ~sales",
      user_mentions: "bob",
      user_mentions_ids: sim.users["bob"]?.id,
      channel_mentions: "sales",
      channel_mentions_ids: sim.channelId("sales"),
    });
    expect(form.get("response_url")).toMatch(new RegExp(`^${sim.url}/hooks/commands/[a-z0-9]{26}$`));
    expect(Buffer.from(form.get("trigger_id") ?? "", "base64").toString()).toContain(`:${sim.users["alice"]?.id}:`);
    // Go's url.Values.Encode sorts the keys.
    const keys = [...form.keys()];
    expect(keys).toEqual([...keys].sort());
  });

  it("shows an ephemeral answer only to the user who ran the command", async () => {
    await registerCommand();
    integration.answer = () => json({ response_type: "ephemeral", text: "Only **you** see this" });
    const result = await sim.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support help" });
    expect(result.status).toBe(200);
    expect(result.ephemeral.map((record) => record.post.message)).toEqual(["Only **you** see this"]);
    expect(sim.ephemeralFor("alice")).toHaveLength(1);
    expect(sim.ephemeralFor("bob")).toHaveLength(0);
    expect(sim.posts("support-mgmt")).toEqual([]);
  });

  it("posts an in_channel answer as the invoking user, marked from_webhook, with buttons", async () => {
    await registerCommand();
    integration.answer = () =>
      json({
        response_type: "in_channel",
        text: "Bug <https://bugs.example/1234|#1234> is yours",
        attachments: [{ text: "Next step", actions: [{ id: "close1234", type: "button", name: "Close", integration: { url: `${integration.url}/actions`, context: { bug: 1234 } } }] }],
      });
    const result = await sim.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support grab 1234" });
    const [post] = sim.posts("support-mgmt");
    expect(result.posts.map((created) => created.id)).toEqual([post?.id]);
    expect(post).toMatchObject({ user_id: sim.users["alice"]?.id, type: "slack_attachment", message: "Bug [#1234](https://bugs.example/1234) is yours", props: { from_webhook: "true" } });
    expect(JSON.stringify(result.posts[0])).not.toContain("integration");
  });

  it("takes a text/plain answer as ephemeral text", async () => {
    await registerCommand();
    integration.answer = () => ({ status: 200, contentType: "text/plain", body: "plain words" });
    const result = await sim.runSlashCommand({ user: "bob", channel: "support", text: "/support" });
    expect(result.ephemeral.map((record) => record.post.message)).toEqual(["plain words"]);
  });

  it("shows nothing for an empty JSON object and fails on an empty JSON body", async () => {
    await registerCommand();
    integration.answer = () => json({});
    const empty = await sim.runSlashCommand({ user: "bob", channel: "support", text: "/support" });
    expect(empty).toMatchObject({ status: 200, posts: [], ephemeral: [] });
    integration.answer = () => ({ status: 200, contentType: "application/json", body: "" });
    const broken = await sim.runSlashCommand({ user: "bob", channel: "support", text: "/support" });
    expect(broken.error?.id).toBe("api.command.execute_command.failed.app_error");
  });

  it("fails the command when the answer is not 200", async () => {
    await registerCommand();
    integration.answer = () => ({ status: 500, body: "boom" });
    const result = await sim.runSlashCommand({ user: "alice", channel: "support", text: "/support grab 1" });
    expect(result).toMatchObject({ status: 500, error: { id: "api.command.execute_command.failed_resp.app_error", detailed_error: "boom" } });
  });

  it("reads the PascalCase keys of the OpenAPI schema only where Go's case-insensitive match finds them", async () => {
    await registerCommand();
    // "Text" matches the `text` field case-insensitively; "ResponseType" never matches `response_type`.
    integration.answer = () => json({ ResponseType: "in_channel", Text: "meant for everyone" });
    const result = await sim.runSlashCommand({ user: "alice", channel: "support", text: "/support" });
    expect(result.posts).toEqual([]);
    expect(result.ephemeral.map((record) => record.post.message)).toEqual(["meant for everyone"]);
  });

  it("answers an unknown trigger with not found and calls nobody", async () => {
    await registerCommand();
    const result = await sim.runSlashCommand({ user: "alice", channel: "support", text: "/nothing here" });
    expect(result).toMatchObject({ status: 404, error: { id: "api.command.execute_command.not_found.app_error" } });
    expect(integration.received).toEqual([]);
  });

  it("sends root_id and threads the answer when the command runs in a thread", async () => {
    await registerCommand();
    const root = sim.post({ user: "alice", channel: "support", message: "bug talk" });
    integration.answer = () => json({ response_type: "in_channel", text: "in thread" });
    await sim.runSlashCommand({ user: "alice", channel: "support", text: "/support status", rootId: root.id });
    expect(new URLSearchParams(integration.received[0]?.body).get("root_id")).toBe(root.id);
    expect(sim.thread(root.id).map((post) => post.message)).toEqual(["bug talk", "in thread"]);
    await sim.runSlashCommand({ user: "alice", channel: "support", text: "/support status" });
    // master sends the field in every request, empty outside threads.
    expect(new URLSearchParams(integration.received[1]?.body).get("root_id")).toBe("");
  });

  it("sends no root_id on a 10.x server, yet threads its own answers and response_url posts", async () => {
    await sim.close();
    sim = await startMattermostSimulator({ serverVersion: "10.11.3" });
    await registerCommand();
    const root = sim.post({ user: "alice", channel: "support", message: "bug talk" });
    integration.answer = () => json({ response_type: "in_channel", text: "in thread" });
    const result = await sim.runSlashCommand({ user: "alice", channel: "support", text: "/support status", rootId: root.id });
    const form = new URLSearchParams(integration.received[0]?.body);
    expect(form.has("root_id")).toBe(false);
    expect(result.posts[0]?.root_id).toBe(root.id);
    await fetch(form.get("response_url") ?? "", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ response_type: "in_channel", text: "later" }) });
    expect(sim.thread(root.id).map((post) => post.message)).toEqual(["bug talk", "in thread", "later"]);
    const ping = await fetch(`${sim.url}/api/v4/system/ping`);
    expect(ping.headers.get("x-version-id")).toMatch(/^10\.11\.3\./);
  });

  it("refuses a command typed in a channel the user is not a member of, public or not", async () => {
    await registerCommand();
    const result = await sim.runSlashCommand({ user: "bob", channel: "sales", text: "/support grab 1" });
    expect(result).toMatchObject({ status: 403, error: { id: "api.context.permissions.app_error" } });
    expect(integration.received).toEqual([]);
  });

  it("answers 501 to every command while custom slash commands are disabled", async () => {
    await sim.close();
    sim = await startMattermostSimulator({ enableCommands: false });
    const result = await sim.runSlashCommand({ user: "alice", channel: "support", text: "/support help" });
    expect(result).toMatchObject({ status: 501, error: { id: "api.command.disabled.app_error" } });
  });

  it("sends the token of an outgoing OAuth connection instead of the command token when one matches the URL", async () => {
    await sim.close();
    sim = await startMattermostSimulator({ outgoingOAuthConnections: [{ audiences: [integration.url], accessToken: "oauth-access-token" }] });
    const command = await registerCommand();
    integration.answer = () => json({ text: "ok" });
    await sim.runSlashCommand({ user: "alice", channel: "support", text: "/support help" });
    expect(integration.received[0]?.headers["authorization"]).toBe("Bearer oauth-access-token");
    expect(new URLSearchParams(integration.received[0]?.body).get("token")).toBe(command.token);
  });
});

describe("response_url", () => {
  async function runAndGetResponseUrl(): Promise<string> {
    await registerCommand();
    integration.answer = () => json({});
    await sim.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support report" });
    return new URLSearchParams(integration.received[0]?.body).get("response_url") ?? "";
  }

  it("posts a delayed JSON answer in the original channel and answers ok", async () => {
    const responseUrl = await runAndGetResponseUrl();
    const response = await fetch(responseUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ response_type: "in_channel", text: "Report ready" }) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok");
    expect(sim.posts("support-mgmt")).toEqual([expect.objectContaining({ message: "Report ready", user_id: sim.users["alice"]?.id, props: { from_webhook: "true" } })]);
  });

  it("takes plain text as an ephemeral answer", async () => {
    const responseUrl = await runAndGetResponseUrl();
    await fetch(responseUrl, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "still working" });
    expect(sim.ephemeralFor("alice").map((record) => record.post.message)).toEqual(["still working"]);
  });

  it("allows five uses and refuses the sixth", async () => {
    const responseUrl = await runAndGetResponseUrl();
    const statuses: number[] = [];
    for (let use = 0; use < 6; use++) {
      const response = await fetch(responseUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: `update ${use}` }) });
      statuses.push(response.status);
      if (response.status !== 200) expect(await response.json()).toMatchObject({ id: "app.command_webhook.try_use.invalid" });
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 400]);
  });

  it("expires thirty minutes after the command", async () => {
    const responseUrl = await runAndGetResponseUrl();
    clock += 30 * 60 * 1000;
    const response = await fetch(responseUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: "too late" }) });
    expect(response.status).toBe(404);
  });
});

describe("interactive dialogs", () => {
  async function commandThatOpens(dialog: Record<string, unknown>): Promise<void> {
    await registerCommand();
    integration.answer = async (request) => {
      if (request.path === "/commands") await openDialog(new URLSearchParams(request.body).get("trigger_id") ?? "", dialog);
      return json({});
    };
  }

  it("opens a dialog for the user whose command issued the trigger id", async () => {
    await commandThatOpens(SUMMARY_DIALOG);
    const result = await sim.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support summary 1234" });
    expect(result.status).toBe(200);
    expect(sim.dialogs).toHaveLength(1);
    expect(sim.dialogs[0]).toMatchObject({ userId: sim.users["alice"]?.id, channelId: sim.channelId("support-mgmt"), url: `${integration.url}/dialogs`, problems: [] });
    expect(sim.dialogs[0]?.dialog.title).toBe("Summary for #1234");
  });

  it("refuses a trigger id used twice, one that expired, and a forged one", async () => {
    await registerCommand();
    integration.answer = () => json({});
    await sim.runSlashCommand({ user: "alice", channel: "support", text: "/support x" });
    const triggerId = new URLSearchParams(integration.received[0]?.body).get("trigger_id") ?? "";
    await openDialog(triggerId, SUMMARY_DIALOG);
    expect(await rejection(openDialog(triggerId, SUMMARY_DIALOG))).toMatchObject({ status_code: 400, server_error_id: "simulator.strict.trigger_id_reused" });
    await sim.runSlashCommand({ user: "alice", channel: "support", text: "/support y" });
    const later = new URLSearchParams(integration.received[1]?.body).get("trigger_id") ?? "";
    clock += 30_001;
    expect(await rejection(openDialog(later, SUMMARY_DIALOG))).toMatchObject({ status_code: 400, server_error_id: "interactive_message.decode_trigger_id.expired" });
    const forged = Buffer.from(`abc:${sim.users["alice"]?.id}:${clock}:c2lnbmF0dXJl`).toString("base64");
    expect(await rejection(openDialog(forged, SUMMARY_DIALOG))).toMatchObject({ status_code: 400, server_error_id: "interactive_message.decode_trigger_id.verify_signature_failed" });
  });

  it("refuses a dialog whose title or labels are longer than 24 characters", async () => {
    await registerCommand();
    integration.answer = () => json({});
    await sim.runSlashCommand({ user: "alice", channel: "support", text: "/support x" });
    const triggerId = new URLSearchParams(integration.received[0]?.body).get("trigger_id") ?? "";
    const dialog = { ...SUMMARY_DIALOG, title: "A title that is far too long", elements: [{ display_name: "A label that is also too long", name: "x", type: "text" }] };
    expect(await rejection(openDialog(triggerId, dialog))).toMatchObject({ status_code: 400, server_error_id: "simulator.strict.invalid_input" });
    expect(sim.warnings.join("\n")).toMatch(/invalid dialog title[\s\S]*DisplayName cannot be longer than 24/);
    // The refused dialog did not use up the trigger id: a corrected one still opens.
    await openDialog(triggerId, SUMMARY_DIALOG);
    expect(sim.dialogs).toHaveLength(1);
  });

  it("refuses a dialog element whose default is not a string, as Go's decoder does", async () => {
    await registerCommand();
    integration.answer = () => json({});
    await sim.runSlashCommand({ user: "alice", channel: "support", text: "/support x" });
    const triggerId = new URLSearchParams(integration.received[0]?.body).get("trigger_id") ?? "";
    const dialog = { ...SUMMARY_DIALOG, elements: [{ display_name: "Urgent", name: "urgent", type: "bool", default: true }] };
    expect(await rejection(openDialog(triggerId, dialog))).toMatchObject({ status_code: 400, server_error_id: "api.context.invalid_body_param.app_error" });
  });

  it("submits the dialog as Mattermost does and passes on field errors", async () => {
    await commandThatOpens(SUMMARY_DIALOG);
    await sim.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support summary 1234" });
    integration.answer = () => json({ errors: { summary: "Please write at least one sentence." } });
    const result = await sim.submitDialog({ submission: { summary: "" } });
    expect(result).toMatchObject({ sent: true, status: 200, closed: false, response: { errors: { summary: "Please write at least one sentence." } } });
    const submitted = integration.received.at(-1);
    expect(submitted?.path).toBe("/dialogs");
    expect(submitted?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(submitted?.body ?? "")).toEqual({
      type: "dialog_submission",
      callback_id: "summary-1234",
      state: "bug=1234",
      user_id: sim.users["alice"]?.id,
      channel_id: sim.channelId("support-mgmt"),
      team_id: sim.team.id,
      submission: { summary: "" },
      cancelled: false,
    });
  });

  it("submits an untouched default as its value, as the web app does", async () => {
    const dialog = {
      ...SUMMARY_DIALOG,
      elements: [
        { display_name: "Summary", name: "summary", type: "textarea", max_length: 3000 },
        { display_name: "Route", name: "route", type: "radio", default: "bug", options: [{ text: "Bug", value: "bug" }, { text: "Sales", value: "sales" }] },
      ],
    };
    await commandThatOpens(dialog);
    await sim.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support summary 1234" });
    await sim.submitDialog({ submission: { summary: "Done." } });
    expect(JSON.parse(integration.received.at(-1)?.body ?? "")).toMatchObject({ submission: { summary: "Done.", route: "bug" } });
    expect(sim.warnings).toEqual([]);
  });

  it("warns about text fields longer than the web app's form takes (150 and 3000 characters)", async () => {
    const dialog = {
      ...SUMMARY_DIALOG,
      elements: [
        { display_name: "Name", name: "name", type: "text", max_length: 200 },
        { display_name: "Issue", name: "issue", type: "textarea", max_length: 5000 },
      ],
    };
    await commandThatOpens(dialog);
    await sim.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support summary 1234" });
    expect(sim.dialogs).toHaveLength(1);
    expect(sim.warnings).toEqual([
      'dialog: "name" field: max_length 200 is over the web app\'s 150 for a text element',
      'dialog: "issue" field: max_length 5000 is over the web app\'s 3000 for a textarea element',
    ]);
  });

  it("closes on an empty answer and shows the next step of a multi-step dialog", async () => {
    await commandThatOpens(SUMMARY_DIALOG);
    await sim.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support summary 1234" });
    integration.answer = () => json({ type: "form", form: { ...SUMMARY_DIALOG, title: "Confirm", callback_id: "confirm" } });
    const step = await sim.submitDialog({ submission: { summary: "Done." } });
    expect(step.closed).toBe(false);
    expect(step.nextDialog?.dialog.title).toBe("Confirm");
    integration.answer = () => ({ status: 200 });
    const done = await sim.submitDialog({ submission: {} });
    expect(done).toMatchObject({ closed: true, response: {} });
    expect(JSON.parse(integration.received.at(-1)?.body ?? "")).toMatchObject({ callback_id: "confirm" });
  });

  it("tells the integration about a cancel only when notify_on_cancel is set", async () => {
    await commandThatOpens(SUMMARY_DIALOG);
    await sim.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support summary 1234" });
    const silent = await sim.submitDialog({ cancelled: true });
    expect(silent).toMatchObject({ sent: false, closed: true });
    const before = integration.received.length;
    await sim.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support summary 1234" });
    const notifying = sim.dialogs.at(-1);
    if (!notifying) throw new Error("no dialog");
    const told = await sim.submitDialog({ dialog: { ...notifying, dialog: { ...notifying.dialog, notify_on_cancel: true } }, cancelled: true });
    expect(told.sent).toBe(true);
    expect(JSON.parse(integration.received.at(-1)?.body ?? "")).toMatchObject({ cancelled: true, submission: {} });
    expect(integration.received.length).toBe(before + 2);
  });

  it("reports an integration failure to the user", async () => {
    await commandThatOpens(SUMMARY_DIALOG);
    await sim.runSlashCommand({ user: "alice", channel: "support-mgmt", text: "/support summary 1234" });
    integration.answer = () => ({ status: 200, contentType: "application/json", body: "not json" });
    const result = await sim.submitDialog({ submission: { summary: "x" } });
    expect(result).toMatchObject({ status: 500, closed: false, error: { id: "app.submit_interactive_dialog.decode_json_error" } });
  });
});

describe("message buttons", () => {
  async function postWithButton(actionId: string, name = "Grab"): Promise<string> {
    const post = await botClient().createPost({
      channel_id: sim.channelId("support-mgmt"),
      message: "New bug #1234",
      props: { attachments: [{ text: "Who takes it?", actions: [{ id: actionId, type: "button", name, style: "primary", integration: { url: `${integration.url}/actions`, context: { command: "grab 1234" } } }] }] },
    } as Parameters<ClientInstance["createPost"]>[0]);
    return post.id;
  }

  it("posts the action payload with the hidden context and a trigger id", async () => {
    const postId = await postWithButton("grab1234");
    integration.answer = () => json({});
    const result = await sim.clickButton({ post: postId, action: "Grab", user: "bob" });
    expect(result.status).toBe(200);
    expect(result.triggerId).toMatch(/^[a-z0-9]{26}$/);
    const [request] = integration.received;
    expect(request?.headers["content-type"]).toBe("application/json");
    const payload = JSON.parse(request?.body ?? "") as Record<string, unknown>;
    expect(Object.keys(payload)).toEqual(["user_id", "user_name", "channel_id", "channel_name", "team_id", "team_domain", "post_id", "trigger_id", "type", "data_source", "context"]);
    expect(payload).toMatchObject({
      user_id: sim.users["bob"]?.id,
      user_name: "bob",
      channel_id: sim.channelId("support-mgmt"),
      channel_name: "support-mgmt",
      team_id: sim.team.id,
      team_domain: "taler",
      post_id: postId,
      type: "button",
      data_source: "",
      context: { command: "grab 1234" },
    });
  });

  it("applies the update and shows ephemeral_text to the clicker in the post's thread", async () => {
    const postId = await postWithButton("grab1234");
    integration.answer = () => json({ update: { message: "New bug #1234 (taken by @bob)", props: {} }, ephemeral_text: "You took #1234." });
    const result = await sim.clickButton({ post: postId, action: "grab1234", user: "bob" });
    expect(result.updatedPost?.message).toBe("New bug #1234 (taken by @bob)");
    expect(sim.posts("support-mgmt")[0]?.message).toBe("New bug #1234 (taken by @bob)");
    expect(sim.posts("support-mgmt")[0]?.props["attachments"]).toBeUndefined();
    expect(sim.ephemeralFor("bob").map((record) => [record.post.message, record.post.root_id])).toEqual([["You took #1234.", postId]]);
  });

  it("reads only the fields of PostActionIntegrationResponse (there is no goto_location)", async () => {
    const postId = await postWithButton("grab1234");
    integration.answer = () => json({ ephemeral_text: "Taken.", goto_location: "https://example.org/elsewhere" });
    const result = await sim.clickButton({ post: postId, action: "grab1234", user: "bob" });
    expect(result.response).toEqual({ update: null, ephemeral_text: "Taken.", skip_slack_parsing: false });
  });

  it("lets the bot open a dialog with the trigger id of a click", async () => {
    const postId = await postWithButton("summary1234", "Summary");
    integration.answer = async (request) => {
      if (request.path === "/actions") await openDialog(String((JSON.parse(request.body) as Record<string, unknown>)["trigger_id"]), SUMMARY_DIALOG);
      return json({});
    };
    await sim.clickButton({ post: postId, action: "Summary", user: "carol" });
    expect(sim.dialogs[0]).toMatchObject({ userId: sim.users["carol"]?.id, channelId: sim.channelId("support-mgmt") });
  });

  it("cannot click an action whose id has characters the route does not match", async () => {
    const postId = await postWithButton("grab-1234");
    const result = await sim.clickButton({ post: postId, action: "Grab", user: "bob" });
    expect(result).toMatchObject({ status: 404, error: { id: "api.context.404.app_error" } });
    expect(integration.received).toEqual([]);
  });

  it("reports an action URL that does not answer 200 as an action error", async () => {
    const postId = await postWithButton("grab1234");
    integration.answer = () => ({ status: 404 });
    const result = await sim.clickButton({ post: postId, action: "Grab", user: "bob" });
    expect(result).toMatchObject({ status: 400, error: { id: "api.post.do_action.action_integration.app_error", detailed_error: "status=404" } });
  });

  it("takes clicks over REST from a person's client as well", async () => {
    const postId = await postWithButton("grab1234");
    integration.answer = () => json({ ephemeral_text: "done" });
    const alice = new Client4();
    alice.setUrl(sim.url);
    alice.setToken(sim.tokens["alice"] ?? "");
    const response = await alice.doPostAction(postId, "grab1234");
    expect(response.status).toBe("OK");
    expect(sim.ephemeralFor("alice").map((record) => record.post.message)).toEqual(["done"]);
  });
});
