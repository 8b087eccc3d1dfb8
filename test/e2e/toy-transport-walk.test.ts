/**
 * Proof that a chat platform needs only a transport: a toy one (test/chat/kernel/recording-
 * transport.ts: messages of 280 characters at most, no buttons, no ephemeral messages, no threads,
 * no dialogs) runs the whole support process through the chat kernel, as people on it would type
 * it: the call as a form asked line by line in the caller's DM, triage, feedback, confirm, start,
 * eta, the draft as a form, review, a failed verdict and a second review, verdict pass, notify,
 * release. Long messages arrive split within the limit, buttons as commands to type (which work
 * when typed), and customers' personal data only ever in a DM of the person who asked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../src/framework/reply.js";
import type { StaffMember } from "../../src/identity.js";
import { dm, startToyPlatform, type Sent, type ToyPlatform } from "../chat/kernel/recording-transport.js";
import { expectBugState, journalSteps, publicFieldsText } from "../support/bug-checks.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot-under-test.js";

const CUSTOMER = { name: "Hedwig Sommer", phone: "+41 79 555 01 23", email: "hedwig.sommer@example.org" };
const PERSONAL_DATA = [CUSTOMER.name, "Hedwig", "Sommer", CUSTOMER.phone, "555 01 23", CUSTOMER.email];
const DRAFT = "We fixed the merchant backoffice so that the refund button also appears for orders paid with coins from two exchanges. Thank you for reporting it.";
const ROOM = "#support";
const LIMIT = 280;

let bot: BotUnderTest;
let toy: ToyPlatform;
let bugId: number;

beforeAll(async () => {
  // The core sends its DMs and channel posts through the toy's kernel, which exists after the core.
  bot = await startBotUnderTest({
    notifier: {
      direct: (recipient: StaffMember, message: Message) => toy.kernel.notifier.direct(recipient, message),
      channel: (channel, message) => toy.kernel.notifier.channel(channel, message),
    },
  });
  toy = startToyPlatform({ core: bot.core, staff: bot.staff, store: bot.store, log: bot.log, clock: () => bot.clock.now.getTime() });
});
afterAll(async () => {
  await toy.kernel.stop();
  await bot.close();
});

const texts = (sent: readonly Sent[]): string => sent.map((message) => message.text).join("\n");
const expectTracker = (expected: { status: string; handler?: string }): Promise<void> => expectBugState({ bug: (id) => bot.tracker.getBug(id) }, bugId, expected);

/** How the dispatcher logged the last command it ran. */
function lastOutcome(): unknown {
  return bot.log
    .records()
    .filter((record) => ["command done", "command refused", "command failed", "unknown command"].includes(String(record["msg"])))
    .at(-1)?.["msg"];
}

/** A command (in the shared room unless said); fails with the bot's answer when it did not succeed. */
async function step(user: string, line: string, place = ROOM): Promise<Sent[]> {
  const answer = await toy.say(user, place, `!toy ${line}`);
  expect(lastOutcome(), `${user}: ${line}\n${texts(answer)}`).toBe("command done");
  return answer;
}

/** The commands a degraded button line names: `Next: `!toy start 3` · ...`. */
function typedCommands(sent: readonly Sent[]): string[] {
  return [...texts(sent).matchAll(/`!toy ([^`]+)`/g)].map((match) => match[1]!);
}

describe("a customer call on a toy platform, through the kernel", () => {
  it("call: the form moves to alice's DM, asks field by field and files the bug", async () => {
    const started = await toy.say("alice", ROOM, "!toy call");
    // No threads and no ephemeral messages: the answer in the room names whom it is for.
    expect(started.filter((message) => message.place === ROOM)).toEqual([
      expect.objectContaining({ kind: "reply", text: expect.stringMatching(/^<@alice> I sent you a direct message/) }),
    ]);
    expect(texts(started.filter((message) => message.place === dm("alice")))).toMatch(/\*\*Log a customer call\*\*[\s\S]*What is the customer's \*\*name\*\*\?/);

    const answers = [CUSTOMER.name, "merchant", CUSTOMER.phone, CUSTOMER.email, `Refund button missing for orders paid with coins from two exchanges. Call back on ${CUSTOMER.phone}.`, "today"];
    for (const answer of answers) expect(await toy.say("alice", dm("alice"), answer)).toHaveLength(1);
    const filed = await toy.say("alice", dm("alice"), "bug");
    expect(texts(filed)).toMatch(/^Filed \[#\d+\]/);
    expect(filed.every((message) => message.place === dm("alice"))).toBe(true);

    const [call] = await bot.store.calls.list();
    expect(call).toMatchObject({ customerName: CUSTOMER.name, phone: CUSTOMER.phone, email: CUSTOMER.email, route: "bug", recordedBy: "alice" });
    bugId = call!.bugId!;
    await expectTracker({ status: "new", handler: undefined });
    expect((await bot.tracker.getBug(bugId)).tags).toContain("Customer");
  });

  it("refuses to send the bug to review before it is triaged, telling only the one who asked", async () => {
    const answer = await toy.say("bob", ROOM, `!toy review ${bugId} @alice`);
    expect(texts(answer)).toMatch(new RegExp(`^<@bob> Bug #${bugId} is NEW and waits for triage`));
    await expectTracker({ status: "new", handler: undefined });
  });

  it("triage and feedback; the Confirm button reaches management as the command to type", async () => {
    await step("manager", `triage ${bugId} @bob priority=high`);
    await expectTracker({ status: "feedback", handler: "bob" });
    await step("bob", `feedback ${bugId} 4h 4.12.2026 "Clear: the backoffice checks only the first exchange of an order; fix in the merchant SPA"`);
    await expectTracker({ status: "new", handler: "bob" });
    expect(typedCommands(toy.transport.in("#management"))).toContain(`confirm ${bugId}`);
  });

  it("confirm; bob starts with the command of his Start button, then updates the estimate", async () => {
    await step("manager", `confirm ${bugId} communicator=@carol`);
    await expectTracker({ status: "confirmed", handler: "bob" });
    const start = typedCommands(toy.transport.in(dm("bob"))).find((command) => command.startsWith("start "));
    expect(start).toBe(`start ${bugId}`);
    await step("bob", start!, dm("bob"));
    await expectTracker({ status: "assigned", handler: "bob" });
    await step("bob", `eta ${bugId} 2h 4.12.2026`);
    expect((await bot.tracker.getBug(bugId)).summary).toMatch(/^\[2h, 4\.12\.2026\] /);
  });

  it("draft: `draft <bug>` opens the draft form in bob's DM, with the bug filled in", async () => {
    const started = await toy.say("bob", ROOM, `!toy draft ${bugId}`);
    expect(texts(started.filter((message) => message.place === ROOM))).toMatch(/^<@bob> I sent you a direct message/);
    expect(texts(started.filter((message) => message.place === dm("bob")))).toContain("The **response** to the customer");
    expect(await toy.say("bob", dm("bob"), DRAFT)).toEqual([expect.objectContaining({ text: expect.stringContaining("Keep it as written") })]);
    expect(texts(await toy.say("bob", dm("bob"), "no"))).toMatch(/^Saved the draft for \[#\d+\]/);
    expect((await bot.store.bugProcess.get(bugId))?.draftText).toBe(DRAFT);
  });

  it("review, a failed verdict, review again, and a pass typed from the Pass button", async () => {
    await step("bob", `review ${bugId} @alice`);
    await expectTracker({ status: "feedback", handler: "alice" });
    expect(texts(toy.transport.in(dm("alice")))).toContain(DRAFT);
    await step("alice", `verdict ${bugId} fail "the button is still missing for orders with three exchanges"`);
    await expectTracker({ status: "assigned", handler: "bob" });
    await step("bob", `review ${bugId} @alice "now also for three and more exchanges"`);
    const pass = typedCommands(toy.transport.in(dm("alice"))).findLast((command) => command.startsWith("verdict "));
    expect(pass).toBe(`verdict ${bugId} pass`);
    await step("alice", pass!, dm("alice"));
    await expectTracker({ status: "assigned", handler: "carol" });
  });

  it("notify, typed from carol's Notify button, and release", async () => {
    const notify = typedCommands(toy.transport.in(dm("carol"))).findLast((command) => command.startsWith("notify "));
    expect(notify).toBe(`notify ${bugId}`);
    expect(texts(await step("carol", notify!, dm("carol")))).toContain(DRAFT);
    await expectTracker({ status: "resolved", handler: "carol" });
    await step("manager", "release 1.1.0");
    await expectTracker({ status: "closed", handler: "carol" });
    expect(await journalSteps(bot.store, bugId)).toEqual([
      ["alice", "call"],
      ["manager", "triage"],
      ["bob", "feedback"],
      ["manager", "confirm"],
      ["bob", "start"],
      ["bob", "eta"],
      ["bob", "draft"],
      ["bob", "review"],
      ["alice", "verdict"],
      ["bob", "review"],
      ["alice", "verdict"],
      ["carol", "notify"],
      ["manager", "release"],
    ]);
  });

  it("split every long message within the toy's 280 characters, and sent no buttons", async () => {
    const help = await toy.say("alice", ROOM, "!toy help");
    expect(help.length).toBeGreaterThan(3);
    const whole = await bot.core.run("sandbox", "alice", "help", { trigger: "!toy" });
    expect(help.map((part) => part.text).join("\n")).toBe(`<@alice> ${whole.reply.text}`);
    expect(toy.transport.sent.filter((message) => message.text.length > LIMIT)).toEqual([]);
    expect(toy.transport.sent.filter((message) => message.buttons !== undefined)).toEqual([]);
  });

  it("shows a sales lead's personal data only in the DM of the person who asked", async () => {
    await step("alice", `call name="${CUSTOMER.name}" type=merchant phone="${CUSTOMER.phone}" issue="Wants to accept Taler" route=sales`, dm("alice"));
    const reference = (await bot.store.calls.list()).at(-1)!.salesRef!;
    const answer = await toy.say("alice", ROOM, `!toy lead ${reference}`);
    expect(answer.filter((message) => message.place === ROOM)).toEqual([
      expect.objectContaining({ text: "<@alice> I answered you in a direct message: the answer holds customers' personal data." }),
    ]);
    expect(texts(answer.filter((message) => message.place === dm("alice")))).toContain(CUSTOMER.name);
  });

  it("kept the customer's personal data out of every shared place, public field and the log", async () => {
    const bug = await bot.tracker.getBug(bugId);
    for (const secret of PERSONAL_DATA) {
      expect(texts(toy.transport.shared()), "rooms and channels").not.toContain(secret);
      expect(publicFieldsText(bug), "public fields").not.toContain(secret);
      expect(bot.log.text(), "log").not.toContain(secret);
    }
    // Only the DMs of the people who asked for it hold it.
    const holders = new Set(toy.transport.sent.filter((message) => PERSONAL_DATA.some((secret) => message.text.includes(secret))).map((message) => message.place));
    expect([...holders]).toEqual([dm("alice")]);
  });

  it("answers a message delivered twice only once", async () => {
    const first = await toy.say("alice", ROOM, "!toy show 1", { id: "twice" });
    const again = await toy.say("alice", ROOM, "!toy show 1", { id: "twice" });
    expect(first.length).toBeGreaterThan(0);
    expect(again).toEqual([]);
  });
});
