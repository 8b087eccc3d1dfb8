/**
 * Incoming work on the real servers: an e-mail about a security problem filed as a private bug that a
 * reporter cannot read; the documentation counter filing a docs bug on the third identical question;
 * and the guided call form in a DM, whose answers the bot deletes from the room once the call is filed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyOf, type RoomEvent } from "./support/matrix-user.js";
import { isBotNotice, startRealWorld, type RealWorld } from "./support/real-world.js";

const CUSTOMER = { name: "Jana Novak-Private", phone: "+41 44 123 45 67", email: "jana.novak@example.org" };

let w: RealWorld;
beforeAll(async () => {
  w = await startRealWorld();
});
afterAll(async () => {
  await w?.close();
});

const bugIdIn = (text: string) => Number(/#(\d+)/.exec(text)![1]);

describe("incoming work on the real servers", () => {
  it("files a security problem from an e-mail as a private bug, the contact in a private note", async () => {
    const result = await w.command(
      w.people.alice,
      w.managementRoom,
      `file "Exchange accepts coins after their expiry" details="Found by a customer while testing refunds" customer="${CUSTOMER.name}" contact=${CUSTOMER.email} private`,
    );
    expect(result.outcome, result.text).toBe("done");
    const id = bugIdIn(result.text);
    const bug = await w.tracker.getBug(id);
    expect(bug).toMatchObject({ status: "new", private: true });
    expect(bug.handler).toBeUndefined();
    expect(bug.notes.filter((note) => note.private).map((note) => note.text).join("\n")).toContain(CUSTOMER.email);
    expect([bug.summary, bug.description].join("\n")).not.toContain(CUSTOMER.name);
    // A real MantisBT answers a reporter asking for someone else's private bug with 403.
    expect((await w.rest("reporter", "GET", `issues/${id}`)).status).toBe(403);
  });

  it("files one documentation bug when the same question was answered with the docs three times", async () => {
    const question = '"How do I withdraw money into my wallet?" https://docs.taler.net/taler-wallet.html#withdrawing';
    for (const person of [w.people.alice, w.people.bob]) {
      const result = await w.command(person, w.managementRoom, `docs ${question}`);
      expect(result.outcome).toBe("done");
      expect(result.text).not.toMatch(/filed/);
    }
    const third = await w.command(w.people.manager, w.managementRoom, `docs ${question}`);
    expect(third.outcome).toBe("done");
    expect(third.text).toMatch(/People keep asking this \(3 times/);
    const docsBug = await w.tracker.getBug(bugIdIn(third.text.slice(third.text.indexOf("I filed"))));
    expect(docsBug.status).toBe("new");
    expect(docsBug.summary).toMatch(/withdraw money into my wallet/i);
    const fourth = await w.command(w.people.alice, w.managementRoom, `docs ${question}`);
    expect(fourth.text).toMatch(/already filed/);
    expect(await w.tracker.listBugs({ page: 1, pageSize: 50 })).toHaveLength(2);
  });

  it("takes a call through the guided form in a DM and deletes the answers afterwards", async () => {
    const alice = w.people.alice;
    const dm = await alice.createDirectRoom(w.people.bot.userId);
    await alice.waitForEvent(dm, (event) => event.type === "m.room.member" && event.state_key === w.people.bot.userId && event.content["membership"] === "join", { what: "the bot joining the DM" });
    const isNotice = (event: RoomEvent) => isBotNotice(event, w.people.bot);
    const start = await alice.say(dm, "!support call");
    expect(bodyOf(await alice.waitForEvent(dm, isNotice, { after: start, what: "the first question" }))).toMatch(/name/);
    const answers: string[] = [];
    const answer = async (text: string) => {
      const id = await alice.say(dm, text);
      answers.push(id);
      return bodyOf(await alice.waitForEvent(dm, isNotice, { after: id, what: `the answer to "${text}"` }));
    };
    expect(await answer(CUSTOMER.name)).toMatch(/type/);
    expect(await answer("merchant")).toMatch(/phone number/);
    expect(await answer(CUSTOMER.phone)).toMatch(/e-mail/);
    expect(await answer(CUSTOMER.email)).toMatch(/issue/);
    expect(await answer("Refunds fail for orders older than 30 days")).toMatch(/date/);
    expect(await answer("today")).toMatch(/bug.*sales/);
    const done = await answer("bug");
    const id = bugIdIn(done);
    const bug = await w.tracker.getBug(id);
    expect(bug).toMatchObject({ status: "new", tags: expect.arrayContaining(["Customer"]) });
    expect(bug.notes.some((note) => note.private && note.text.includes(CUSTOMER.phone))).toBe(true);

    await alice.waitForEvent(dm, (event) => event.type === "m.room.redaction" && event.redacts === answers.at(-1), { what: "the redaction of the last answer" });
    for (const answerId of answers) expect((await alice.event(dm, answerId)).unsigned?.redacted_because, answerId).toBeDefined();
    const room = (await alice.timeline(dm)).map((event) => JSON.stringify(event.content)).join("\n");
    for (const secret of [CUSTOMER.name, CUSTOMER.phone, CUSTOMER.email]) {
      expect(room).not.toContain(secret);
      expect(w.bot.output()).not.toContain(secret);
    }
  });
});
