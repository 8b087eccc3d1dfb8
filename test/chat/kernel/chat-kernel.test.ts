/**
 * The chat kernel on a recording transport, over the real dispatcher with fake services: how it
 * adapts to what a platform declares (threads, ephemeral messages, dialogs, deleting), where
 * personal data goes, whom it tells about not being linked, and one thread per bug.
 */
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildCommandRegistry } from "../../../commands/index.js";
import { ChatKernel } from "../../../src/chat/kernel/chat-kernel.js";
import { dispatch } from "../../../src/framework/dispatcher.js";
import { defineCommand } from "../../../src/framework/command.js";
import { ephemeral, inChannel } from "../../../src/framework/reply.js";
import { captureLog, type CapturedLog } from "../../support/capture-log.js";
import { makeServices, type TestServices } from "../../framework/fakes.js";
import { TEST_COMMANDS } from "../../framework/test-commands.js";
import { dm, RecordingTransport, type Sent } from "./recording-transport.js";

const PHONE = "+41 79 555 01 23";

/** Shows a customer's phone; its author forgot to make the reply ephemeral. */
const contact = defineCommand({
  name: "contact",
  summary: "Show the customer's phone",
  usage: "",
  examples: [],
  roles: ["staff", "management"],
  args: z.object({}),
  privacy: { personalData: ["reply"] },
  run: async () => inChannel(`Phone: ${PHONE}`),
});

/** Takes a phone number typed on the line. */
const remember = defineCommand({
  name: "remember",
  summary: "Remember a phone number",
  usage: "<phone>",
  examples: [],
  roles: ["staff", "management"],
  positional: ["phone"],
  args: z.object({ phone: z.string().min(3) }),
  privacy: { personalData: ["arguments"] },
  form: { title: "Remember", introduction: "A phone number.", submitLabel: "Remember", fields: [{ name: "phone", label: "Phone", kind: "text", prompt: "Which **phone**?" }] },
  run: async () => ephemeral("Remembered."),
});

let services: TestServices;
let log: CapturedLog;
afterEach(() => services.store.close());

async function kernelOn(transport: RecordingTransport): Promise<ChatKernel> {
  log = captureLog();
  services = await makeServices(buildCommandRegistry([...TEST_COMMANDS, contact, remember]), log.log);
  const core = { services, run: (platform: "sandbox", platformUser: string, line: string, where = {}) => dispatch({ platform, platformUser, line, ...where }, services) };
  return new ChatKernel({ transport, core, staff: services.staff, chat: services.store.chat, logger: log.log, clock: () => Date.parse("2034-03-14T10:00:00Z") });
}

let ids = 0;
async function say(kernel: ChatKernel, user: string, place: string, text: string): Promise<void> {
  await kernel.receive({ id: `e${++ids}`, place, sender: user, isDirect: place === dm(user), text });
  await kernel.idle();
}

const texts = (sent: readonly Sent[]) => sent.map((message) => `${message.kind} ${message.place}: ${message.text}`);

describe("replies", () => {
  it("names the person a reply is for where the platform has neither threads nor ephemeral messages", async () => {
    const transport = new RecordingTransport();
    await say(await kernelOn(transport), "bob", "#room", "!toy show 12");
    expect(transport.sent[0]).toMatchObject({ kind: "reply", place: "#room", text: expect.stringMatching(/^<@bob> /) });
  });

  it("does not name them where a thread or an ephemeral message shows whom it is for", async () => {
    const transport = new RecordingTransport({ capabilities: { threads: true } });
    await say(await kernelOn(transport), "bob", "#room", "!toy show 12");
    expect(transport.sent[0]?.text).not.toMatch(/<@bob>/);
  });

  it("treats the bare trigger as help and ignores words that only start like it", async () => {
    const transport = new RecordingTransport();
    const kernel = await kernelOn(transport);
    await say(kernel, "bob", "#room", "!toyish show 12");
    expect(transport.sent).toEqual([]);
    await say(kernel, "bob", "#room", "!TOY");
    expect(transport.sent.map((message) => message.text).join("\n")).toContain("`!toy help <command>`");
  });

  it("takes a DM without the trigger as a command only where the transport says so", async () => {
    const strict = new RecordingTransport();
    await say(await kernelOn(strict), "bob", dm("bob"), "show 12");
    expect(strict.sent).toEqual([]);
    const relaxed = new RecordingTransport({ triggerOptionalInDirect: true });
    await say(await kernelOn(relaxed), "bob", dm("bob"), "show 12");
    expect(relaxed.sent[0]?.text).toContain("#12");
  });
});

describe("personal data", () => {
  it("sends a reply holding it to the caller's DM, with only a pointer in the room", async () => {
    const transport = new RecordingTransport();
    await say(await kernelOn(transport), "bob", "#room", "!toy contact");
    expect(texts(transport.sent)).toEqual([
      `direct dm:bob: Phone: ${PHONE}`,
      "reply #room: <@bob> I answered you in a direct message: the answer holds customers' personal data.",
    ]);
  });

  it("answers in place, for the caller only, where the platform can show a message to one person", async () => {
    const transport = new RecordingTransport({ capabilities: { ephemeral: true } });
    await say(await kernelOn(transport), "bob", "#room", "!toy contact");
    expect(transport.sent).toEqual([expect.objectContaining({ kind: "reply", place: "#room", visibility: "ephemeral", text: `Phone: ${PHONE}` })]);
  });

  it("deletes a command whose arguments hold it, and asks the caller to delete it where that failed", async () => {
    const transport = new RecordingTransport();
    const deleted: string[][] = [];
    transport.deleteMessages = async (_place, messageIds) => {
      deleted.push([...messageIds]);
      return false;
    };
    await say(await kernelOn(transport), "bob", dm("bob"), `!toy remember "${PHONE}"`);
    expect(deleted).toHaveLength(1);
    expect(transport.sent[0]?.text).toBe("Remembered.\nPlease delete your message with the command: it holds the customer's personal data, which belongs only in the bot's store.");
    expect(log.text()).not.toContain(PHONE);
  });
});

describe("forms", () => {
  it("asks in the DM where the platform has no dialogs, and deletes the answers afterwards", async () => {
    const transport = new RecordingTransport();
    const deleted: string[] = [];
    transport.deleteMessages = async (_place, messageIds) => {
      deleted.push(...messageIds);
      return true;
    };
    const kernel = await kernelOn(transport);
    await say(kernel, "bob", "#room", "!toy remember");
    expect(texts(transport.sent)).toEqual([
      "reply #room: <@bob> I sent you a direct message to fill in `remember` there, so the customer's personal data stays out of this room.",
      expect.stringMatching(/^post dm:bob: \*\*Remember\*\*: I ask for one detail at a time[\s\S]*I delete your answers[\s\S]*Which \*\*phone\*\*\?$/),
    ]);
    await say(kernel, "bob", dm("bob"), PHONE);
    expect(transport.sent.at(-1)).toMatchObject({ place: dm("bob"), text: "Remembered." });
    expect(deleted).toEqual([`e${ids}`]);
  });

  it("takes an answer as the answer, not a command, where DMs need no trigger", async () => {
    const transport = new RecordingTransport({ triggerOptionalInDirect: true });
    const kernel = await kernelOn(transport);
    await say(kernel, "bob", dm("bob"), "remember");
    await say(kernel, "bob", dm("bob"), "show");
    expect(transport.sent.at(-1)).toMatchObject({ place: dm("bob"), text: "Remembered." });
    await say(kernel, "bob", dm("bob"), "show 12");
    expect(transport.sent.at(-1)?.text).toContain("#12");
  });

  it("runs the line as typed where the platform opens forms as dialogs, and says how to get one", async () => {
    const transport = new RecordingTransport({ capabilities: { dialogs: true } });
    transport.dialogHint = (line) => `Type /${line} to get a form.`;
    await say(await kernelOn(transport), "bob", dm("bob"), "!toy remember");
    expect(transport.sent[0]?.text).toMatch(/^phone: missing[\s\S]*\n\nType \/remember to get a form\.$/);
  });
});

describe("people and places", () => {
  it("tells someone not linked how to get linked once in a room, and every time in their DM", async () => {
    const transport = new RecordingTransport();
    const kernel = await kernelOn(transport);
    await say(kernel, "mallory", "#room", "!toy show 12");
    await say(kernel, "mallory", "#other", "!toy show 12");
    await say(kernel, "mallory", dm("mallory"), "!toy show 12");
    await say(kernel, "mallory", dm("mallory"), "!toy show 12");
    expect(transport.sent.map((message) => message.place)).toEqual(["#room", dm("mallory"), dm("mallory")]);
    expect(transport.sent.every((message) => message.text.includes("not linked to a staff account"))).toBe(true);
  });

  it("says once per place, and to staff only, that it takes no commands there", async () => {
    const transport = new RecordingTransport();
    transport.refusesPlace = (origin) => (origin.place === "#random" ? "Not here." : undefined);
    const kernel = await kernelOn(transport);
    await say(kernel, "mallory", "#random", "!toy show 12");
    await say(kernel, "bob", "#random", "!toy show 12");
    await say(kernel, "manager", "#random", "!toy show 12");
    expect(texts(transport.sent)).toEqual(["reply #random: <@bob> Not here."]);
  });
});

describe("bug threads", () => {
  it("keeps a bug's posts in one thread per place and starts a new one when its root is gone", async () => {
    const transport = new RecordingTransport({ capabilities: { threads: true } });
    transport.isThreadGone = (error) => error instanceof Error && error.message === "thread root gone";
    const kernel = await kernelOn(transport);
    await kernel.notifier.channel("management", { text: "#12 is NEW", bugId: 12 });
    await kernel.notifier.channel("management", { text: "bob grabbed #12", bugId: 12 });
    await kernel.notifier.channel("management", { text: "Daily summary" });
    transport.failNextThreadPost = true;
    await kernel.notifier.channel("management", { text: "#12 feedback is in", bugId: 12 });
    await kernel.notifier.channel("management", { text: "#12 confirmed", bugId: 12 });
    const [root, grabbed, summary, newRoot, confirmed] = transport.sent;
    expect([root?.text, root?.thread]).toEqual(["#12 is NEW", undefined]);
    expect(grabbed?.thread).toBe(root!.id);
    expect(summary?.thread).toBeUndefined();
    expect([newRoot?.text, newRoot?.thread]).toEqual(["#12 feedback is in", undefined]);
    expect(confirmed?.thread).toBe(newRoot!.id);
    expect(log.text()).toContain("the thread root of a bug is gone; starting a new thread");
  });

  it("posts without a thread where the platform has none, and skips people without an account there", async () => {
    const transport = new RecordingTransport();
    const kernel = await kernelOn(transport);
    await kernel.notifier.channel("management", { text: "#12 is NEW", bugId: 12 });
    await kernel.notifier.direct({ name: "zoe", role: "staff", displayName: "Zoe", accounts: { mantis: "zoe" } }, { text: "hi" });
    expect(texts(transport.sent)).toEqual(["post #management: #12 is NEW", "direct dm:zoe: hi"]);
  });
});

describe("notes from a bug's thread", () => {
  /** A kernel with the test commands' `note` (the real one is tested on each platform), on a transport with threads but without reactions. */
  async function threadOf(bugId: number, options: { noteWord?: string } = {}): Promise<{ kernel: ChatKernel; transport: RecordingTransport; root: string }> {
    const transport = new RecordingTransport({ capabilities: { threads: true } });
    log = captureLog();
    services = await makeServices(buildCommandRegistry([...TEST_COMMANDS]), log.log);
    const core = { services, run: (platform: "sandbox", platformUser: string, line: string, where = {}) => dispatch({ platform, platformUser, line, ...where }, services) };
    const kernel = new ChatKernel({ transport, core, staff: services.staff, chat: services.store.chat, logger: log.log, ...options });
    await kernel.notifier.channel("management", { text: `#${bugId} is NEW`, bugId });
    return { kernel, transport, root: transport.sent[0]!.id! };
  }

  async function replyIn(kernel: ChatKernel, root: string, user: string, text: string): Promise<void> {
    await kernel.receive({ id: `e${++ids}`, place: "#management", sender: user, isDirect: false, threadId: root, text });
    await kernel.idle();
  }

  const notesAdded = () => services.tracker.calls.filter((call) => call.method === "addNote").map((call) => ({ actingAs: call.actingAs, args: call.args }));

  it("writes the note as the person, keeps the text as typed, and answers in a short text where there are no reactions", async () => {
    const { kernel, transport, root } = await threadOf(12);
    await replyIn(kernel, root, "alice", 'note private Line one with "quotes" and a \\ backslash\nline=two #13');
    expect(notesAdded()).toEqual([{ actingAs: "alice", args: [12, { text: 'Line one with "quotes" and a \\ backslash\nline=two #13', private: true }] }]);
    expect(texts(transport.sent.slice(1))).toEqual(["reply #management: ✅ Noted on #12 (private)."]);
  });

  it("uses the configured word, and leaves other replies, other threads and people not on the staff alone", async () => {
    const { kernel, transport, root } = await threadOf(12, { noteWord: "mantis" });
    await replyIn(kernel, root, "alice", "note this is chat now");
    await replyIn(kernel, "some-other-root", "alice", "mantis not a bug thread");
    await replyIn(kernel, root, "mallory", "mantis I am nobody");
    await replyIn(kernel, root, "alice", "mantis Seen on Android too.");
    expect(notesAdded()).toEqual([{ actingAs: "alice", args: [12, { text: "Seen on Android too.", private: false }] }]);
    expect(transport.sent).toHaveLength(2);
  });
});
