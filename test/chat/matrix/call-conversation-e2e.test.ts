/**
 * The guided `call` form on Matrix, end to end: asked in a DM field by field, checked with the call
 * command's own rules, run through the dispatcher, and the answers deleted from the room afterwards.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ScheduledTimer } from "../../../src/chat/kernel/guided-forms.js";
import type { ClientEvent } from "../../../src/simulators/matrix/server.js";
import { startMatrixHarness, type MatrixHarness } from "./matrix-harness.js";

let h: MatrixHarness | undefined;
afterEach(async () => {
  await h?.close();
  expect(h?.matrix.serverErrors ?? []).toEqual([]);
  h = undefined;
});

const NAME = "Jane Doe-Personal";
const PHONE = "+41 44 123 45 67";
const ISSUE = "The refund button is missing for Jane's shop";

const body = (event: ClientEvent) => String(event.content["body"]);

/** Sends an answer in the DM and returns the bot's next notice there. */
async function answer(harness: MatrixHarness, dm: string, text: string): Promise<ClientEvent> {
  const id = harness.say("alice", dm, text);
  return harness.nextNotice(dm, id);
}

async function redacted(harness: MatrixHarness, roomId: string, eventId: string): Promise<void> {
  await harness.matrix.waitForEvent((event) => event.room_id === roomId && event.type === "m.room.redaction" && (event.redacts ?? event.content["redacts"]) === eventId);
}

/** Opens a DM alice started with the bot, already joined by the bot. */
async function openDm(harness: MatrixHarness): Promise<string> {
  const dm = harness.matrix.createDirectRoom("alice", harness.matrix.bot);
  await harness.matrix.waitForEvent((event) => event.room_id === dm && event.state_key === harness.matrix.bot.userId && event.content["membership"] === "join");
  return dm;
}

describe("guided call", () => {
  it("moves from the room to a DM, asks field by field, logs the call and deletes the answers", async () => {
    h = await startMatrixHarness();
    const start = h.say("alice", h.managementRoom, "!support call");
    const pointer = await h.replyTo(start, h.managementRoom);
    expect(body(pointer)).toContain("direct message");
    const greeting = await h.matrix.waitForEvent((event) => event.sender === h!.matrix.bot.userId && event.room_id !== h!.managementRoom && event.content["msgtype"] === "m.notice");
    const dm = greeting.room_id!;
    expect(h.matrix.accountData(h.matrix.bot, "m.direct")).toEqual({ "@alice:localhost": [dm] });
    h.matrix.join("alice", dm);
    expect(body(greeting)).toMatch(/name/);

    const answers: string[] = [];
    const step = async (text: string) => {
      const id = h!.say("alice", dm, text);
      answers.push(id);
      return body(await h!.nextNotice(dm, id));
    };
    expect(await step(NAME)).toMatch(/type/);
    expect(await step("alien")).toMatch(/must be one of user, merchant, bank, other/);
    expect(await step("merchant")).toMatch(/phone number/);
    expect(await step("12")).toMatch(/phone number such as/);
    expect(await step(PHONE)).toMatch(/e-mail/);
    expect(await step("skip")).toMatch(/issue/);
    expect(await step(ISSUE)).toMatch(/date/);
    expect(await step("today")).toMatch(/bug.*sales/);
    await step("bug");

    const [call] = await h.store.calls.list();
    expect(call).toMatchObject({ customerName: NAME, customerType: "merchant", phone: PHONE, issue: ISSUE, route: "bug", recordedBy: "alice" });
    expect(call!.email).toBeUndefined();
    expect(call!.bugId).toBeGreaterThan(0);
    await redacted(h, dm, answers.at(-1)!);
    for (const id of answers) expect(h.matrix.event(dm, id)!.unsigned?.redacted_because).toBeDefined();

    for (const secret of [NAME, PHONE, ISSUE]) {
      expect(h.log.text()).not.toContain(secret);
      for (const event of h.notices(dm).concat(h.notices(h.managementRoom))) expect(JSON.stringify(event.content)).not.toContain(secret);
    }
  });

  it("asks again for the field the call command refused, keeping the other answers", async () => {
    h = await startMatrixHarness();
    const dm = await openDm(h);
    const start = h.say("alice", dm, "!support call");
    await h.nextNotice(dm, start);
    for (const text of [NAME, "user", PHONE, "jane@example.com", ISSUE]) await answer(h, dm, text);
    expect(body(await answer(h, dm, "1.1.2099"))).toMatch(/route|bug/);
    const refusal = await answer(h, dm, "sales");
    // The command's refusal names the field; the form asks for just that one again.
    expect(body(refusal)).toMatch(/^date:[^\n]*\n\n.*When did the call take place/s);
    await answer(h, dm, "today");
    await answer(h, dm, "sales");
    expect(await h.store.calls.list()).toMatchObject([{ customerName: NAME, email: "jane@example.com", route: "sales" }]);
  });

  it("stops on cancel without logging anything and deletes the answers", async () => {
    h = await startMatrixHarness();
    const dm = await openDm(h);
    const start = h.say("alice", dm, "!support call");
    await h.nextNotice(dm, start);
    const nameId = h.say("alice", dm, NAME);
    await h.nextNotice(dm, nameId);
    expect(body(await answer(h, dm, "cancel"))).toMatch(/Cancelled; nothing was logged/);
    await redacted(h, dm, nameId);
    expect(await h.store.calls.list()).toEqual([]);
  });

  it("times out with a message, deletes the answers and ignores later plain messages", async () => {
    const timers: Array<{ callback: () => void; cancelled: boolean }> = [];
    h = await startMatrixHarness({
      adapter: {
        schedule: (callback): ScheduledTimer => {
          const timer = { callback, cancelled: false };
          timers.push(timer);
          return { cancel: () => void (timer.cancelled = true) };
        },
      },
    });
    const dm = await openDm(h);
    const start = h.say("alice", dm, "!support call");
    await h.nextNotice(dm, start);
    const nameId = h.say("alice", dm, NAME);
    const question = await h.nextNotice(dm, nameId);
    const pending = timers.filter((timer) => !timer.cancelled);
    expect(pending).toHaveLength(1);
    pending[0]!.callback();
    const timeout = await h.nextNotice(dm, question.event_id);
    expect(body(timeout)).toMatch(/No answer .* stopped the call form; nothing was logged/);
    await redacted(h, dm, nameId);

    const late = h.say("alice", dm, "merchant");
    const help = h.say("alice", dm, "!support help");
    const helpReply = await h.replyTo(help, dm);
    const timeline = h.matrix.timeline(dm).map((event) => event.event_id);
    const noticesAfterLate = h.notices(dm).filter((event) => timeline.indexOf(event.event_id) > timeline.indexOf(late));
    expect(noticesAfterLate.map((event) => event.event_id)).toEqual([helpReply.event_id]);
    expect(await h.store.calls.list()).toEqual([]);
  });
});

describe("one-line call", () => {
  const line = `!support call name="${NAME}" type=user phone="${PHONE}" issue="${ISSUE}"`;

  it("deletes the command from a DM after logging the call", async () => {
    h = await startMatrixHarness();
    const dm = await openDm(h);
    const id = h.say("alice", dm, line);
    const reply = await h.replyTo(id, dm);
    expect(body(reply)).not.toContain("Please delete your message");
    await redacted(h, dm, id);
    expect(await h.store.calls.list()).toHaveLength(1);
  });

  it("asks the caller to delete it where the bot may not delete others' messages", async () => {
    h = await startMatrixHarness();
    const id = h.say("alice", h.managementRoom, line);
    const reply = await h.replyTo(id, h.managementRoom);
    expect(body(reply)).toContain("Please delete your message");
    expect(h.matrix.event(h.managementRoom, id)!.unsigned?.redacted_because).toBeUndefined();
    expect(h.log.text()).not.toContain(PHONE);
  });
});

describe("replies with personal data", () => {
  it("answers lead in a DM, with only a pointer in the room", async () => {
    h = await startMatrixHarness();
    const dm = await openDm(h);
    const call = h.say("alice", dm, `!support call name="${NAME}" type=merchant phone="${PHONE}" issue="Wants to accept Taler" route=sales`);
    const callReply = await h.replyTo(call, dm);
    const salesRef = (await h.store.calls.list())[0]!.salesRef!;
    expect(salesRef).toMatch(/^S-\d+$/);
    const lead = h.say("alice", h.managementRoom, `!support lead ${salesRef}`);
    const pointer = await h.replyTo(lead, h.managementRoom);
    expect(body(pointer)).toContain("direct message");
    const inDm = await h.nextNotice(dm, callReply.event_id);
    expect(body(inDm)).toContain(NAME);
    expect(body(inDm)).toContain(PHONE);
    for (const event of h.notices(h.managementRoom)) expect(JSON.stringify(event.content)).not.toContain(NAME);
  });
});
