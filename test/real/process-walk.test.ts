/**
 * A customer's call walked through the whole support process on the real servers, typed in Matrix
 * by the people involved, from `call` to `release` of a version MantisBT does not have yet. After each
 * step the real MantisBT's state is checked; at the end that the customer's personal data never
 * reached the management room, a public field of the bug or the bot's log, and that the watcher still
 * announces a NEW bug after the release (a real MantisBT then answers version ids as strings).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectBugState, publicFieldsText } from "../support/bug-checks.js";
import { bodyOf } from "./support/matrix-user.js";
import { dateInDays, isBotNotice, startRealWorld, type RealWorld } from "./support/real-world.js";

const CUSTOMER = { name: "Hedwig Sommer", phone: "+41 79 555 01 23", email: "hedwig.sommer@example.org" };
const PERSONAL_DATA = [CUSTOMER.name, "Hedwig", "Sommer", CUSTOMER.phone, "555 01 23", CUSTOMER.email];
const DRAFT = "We fixed the merchant backoffice so that the refund button also appears for orders paid with coins from two exchanges. Thank you for reporting it.";
const RELEASE = "9.1.0";

const inFourWeeks = dateInDays(28);

let w: RealWorld;
let dm: string;
let bugId: number;

beforeAll(async () => {
  w = await startRealWorld();
});
afterAll(async () => {
  await w?.close();
});

const bug = (id: number) => w.tracker.getBug(id);
const expectTracker = (expected: { status: string; handler?: string }) => expectBugState({ bug }, bugId, expected);

const step = (person: keyof RealWorld["people"], line: string) => w.step(person, line);

describe("a customer call on the real servers, from the phone to the release", () => {
  it("call: alice logs it in a DM; a NEW, unassigned Customer bug with the contact in a private note; her message is deleted", async () => {
    dm = await w.people.alice.createDirectRoom(w.people.bot.userId);
    await w.people.alice.waitForEvent(dm, (event) => event.type === "m.room.member" && event.state_key === w.people.bot.userId && event.content["membership"] === "join", { what: "the bot joining the DM" });
    const line = `call name="${CUSTOMER.name}" type=merchant phone="${CUSTOMER.phone}" email=${CUSTOMER.email} issue="Refund button missing for orders paid with coins from two exchanges. Call back on ${CUSTOMER.phone}." route=bug`;
    const sent = await w.people.alice.say(dm, `!support ${line}`);
    const answer = await w.people.alice.waitForEvent(dm, (event) => isBotNotice(event, w.people.bot) && /#\d+/.test(bodyOf(event)), { after: sent, what: "the call's answer" });
    bugId = Number(/#(\d+)/.exec(bodyOf(answer))![1]);
    await expectTracker({ status: "new", handler: undefined });
    const filed = await bug(bugId);
    expect(filed.tags).toContain("Customer");
    expect(filed.notes.filter((note) => note.private).some((note) => note.text.includes(CUSTOMER.phone))).toBe(true);
    // The bot has the power to redact in a DM it was invited to: the customer's data leaves the room.
    await w.people.alice.waitForEvent(dm, (event) => event.type === "m.room.redaction" && event.redacts === sent, { what: "the redaction of the call" });
    expect((await w.people.alice.event(dm, sent)).content).toEqual({});
  });

  it("announces the NEW bug to management in its thread", async () => {
    const ping = await w.people.manager.waitForEvent(w.managementRoom, (event) => isBotNotice(event, w.people.bot) && bodyOf(event).includes(`#${bugId}`), { what: `the NEW-bug ping for #${bugId}` });
    expect(bodyOf(ping)).toMatch(/NEW/);
  });

  it("refuses someone who is not staff and changes nothing", async () => {
    const result = await w.command(w.people.outsider, w.managementRoom, `triage ${bugId} @alice`);
    expect(result.outcome).toBe("refused");
    expect(result.text).toMatch(/not (linked|in the users file|staff)|don't know you|do not know you/i);
    await expectTracker({ status: "new", handler: undefined });
  });

  it("triage: management gives it to bob, who owes feedback", async () => {
    await step("manager", `triage ${bugId} @bob priority=high`);
    await expectTracker({ status: "feedback", handler: "bob" });
    expect((await bug(bugId)).priority).toBe("high");
  });

  it("feedback: bob gives the path and a conservative timeline; back to NEW", async () => {
    await step("bob", `feedback ${bugId} 4h ${inFourWeeks} "Clear: the backoffice checks only the first exchange of an order; fix in the merchant SPA"`);
    await expectTracker({ status: "new", handler: "bob" });
  });

  it("confirm: management sets the timeline; the subject carries it", async () => {
    await step("manager", `confirm ${bugId} communicator=@alice`);
    await expectTracker({ status: "confirmed", handler: "bob" });
    expect((await bug(bugId)).summary).toMatch(new RegExp(`^\\[4h, ${inFourWeeks.replace(/\./g, "\\.")}\\] `));
  });

  it("start, eta and draft: bob works on it", async () => {
    await step("bob", `start ${bugId}`);
    await expectTracker({ status: "assigned", handler: "bob" });
    await step("bob", `eta ${bugId} 2h ${inFourWeeks}`);
    expect((await bug(bugId)).summary).toMatch(/^\[2h, /);
    await step("bob", `draft ${bugId} "${DRAFT}"`);
    await expectTracker({ status: "assigned", handler: "bob" });
  });

  it("review and verdict: alice reviews, passes it and tells the customer", async () => {
    await step("bob", `review ${bugId} @alice`);
    await expectTracker({ status: "feedback", handler: "alice" });
    await step("alice", `verdict ${bugId} pass`);
    await expectTracker({ status: "assigned", handler: "alice" });
    const notified = await step("alice", `notify ${bugId}`);
    expect(notified).toContain("We fixed the merchant backoffice");
    await expectTracker({ status: "resolved", handler: "alice" });
  });

  it(`release ${RELEASE}: creates the version, closes the bug with it and marks the version released`, async () => {
    const before = await w.rest("administrator", "GET", `projects/${w.servers.mantis.project.id}`);
    expect(JSON.stringify(before.json)).not.toContain(RELEASE);
    const answer = await step("manager", `release ${RELEASE}`);
    expect(answer).toContain(`#${bugId}`);
    await expectTracker({ status: "closed", handler: "alice" });
    expect((await bug(bugId)).fixedInVersion).toBe(RELEASE);
    const versions = await w.rest("administrator", "GET", `projects/${w.servers.mantis.project.id}/versions`);
    const created = (versions.json as { versions: { name: string; released: boolean }[] }).versions.find((version) => version.name === RELEASE);
    expect(created).toMatchObject({ name: RELEASE, released: true });
  });

  it("still announces a NEW bug after the release (the watcher reads string version ids)", async () => {
    const newId = await w.fileAsReporter("Wallet: exchange list empty after the 9.1 upgrade", "After upgrading, the wallet shows no exchanges.");
    await w.people.manager.waitForEvent(w.managementRoom, (event) => isBotNotice(event, w.people.bot) && bodyOf(event).includes(`#${newId}`), { what: `the NEW-bug ping for #${newId}` });
    expect(w.bot.records().filter((record) => record["level"] === 50 && /watch/i.test(JSON.stringify(record)))).toEqual([]);
  });

  it("kept the customer's personal data out of the management room, public fields and the log", async () => {
    const room = (await w.people.manager.timeline(w.managementRoom, 500)).map((event) => JSON.stringify(event.content)).join("\n");
    const publicText = publicFieldsText(await bug(bugId));
    const log = w.bot.output();
    for (const secret of PERSONAL_DATA) {
      expect(room, "management room").not.toContain(secret);
      expect(publicText, "public fields").not.toContain(secret);
      expect(log, "bot log").not.toContain(secret);
    }
    // ... while the private note still has it for the staff who call back.
    expect((await bug(bugId)).notes.some((note) => note.private && note.text.includes(CUSTOMER.name))).toBe(true);
  });
});
