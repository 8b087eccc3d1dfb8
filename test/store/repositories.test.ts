/**
 * Every repository on every backend (test/support/store-backends.ts): what each method stores and
 * gives back, with the SQL that differs between SQLite and PostgreSQL in mind (ids of new rows,
 * inserts that ignore a duplicate, counts as numbers, JSON inside a column, ordering of rows made in
 * the same millisecond, booleans kept as integers).
 */
import { describe, expect, it } from "vitest";
import { buildNotificationKey } from "../../src/core/reminder-policy.js";
import type { MirrorRow } from "../../src/store/mirror-repo.js";
import type { OutboxItem } from "../../src/store/outbox-repo.js";
import { STORE_BACKENDS, useTestStore } from "../support/store-backends.js";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 10, minute));

const mirrorRow = (id: number, status: string, extra: Partial<MirrorRow> = {}): MirrorRow => ({
  id,
  status,
  priority: "normal",
  summary: `Bug ${id}`,
  tags: [],
  private: false,
  createdAt: at(0),
  updatedAt: at(1),
  statusSince: at(1),
  tagChangedAt: at(0),
  seenAt: at(2),
  announced: false,
  ...extra,
});

const outboxItem = (kind: string, recipient: string, period: string, extra: Partial<OutboxItem> = {}): OutboxItem => ({
  key: buildNotificationKey({ kind, bugId: 7, recipient, period }),
  target: "direct",
  payload: { text: `${kind} for ${recipient}` },
  dueAt: at(0),
  combinable: true,
  ...extra,
});

describe.each(STORE_BACKENDS)("repositories on %s", (backend) => {
  const store = useTestStore(backend);

  it("gives new calls their ids, keeps personal data until erased, and finds a bug's sales reference", async () => {
    const first = await store().calls.add({ recordedAt: at(0), recordedBy: "alice", customerName: "Jane Doe", customerType: "merchant", phone: "+41 79 555 01 23", issue: "Payments time out", callDate: "2026-11-26", route: "bug" });
    const second = await store().calls.add({ recordedAt: at(1), recordedBy: "bob", customerName: "Max Muster", customerType: "user", email: "max@example.org", issue: "Wallet", callDate: "2026-11-26", route: "sales" });
    expect(second.id).toBeGreaterThan(first.id);
    await store().calls.setBug(first.id, 31);
    await store().calls.setBug(second.id, 31);
    await store().calls.setSalesRef(second.id, "S-4");
    expect(await store().calls.get(first.id)).toEqual({ ...first, bugId: 31, email: undefined, salesRef: undefined, erasedAt: undefined });
    expect((await store().calls.listOfBug(31)).map((call) => call.id)).toEqual([first.id, second.id]);
    expect(await store().calls.salesRefOfBug(31)).toBe("S-4");
    expect((await store().calls.listOfSalesRef("S-4")).map((call) => call.id)).toEqual([second.id]);
    expect((await store().calls.listKeptWithBugBefore(at(1))).map((call) => call.id)).toEqual([first.id]);
    await store().calls.erasePersonalData(first.id, "(erased)", at(5));
    expect(await store().calls.get(first.id)).toMatchObject({ customerName: "[erased]", phone: undefined, issue: "(erased)", erasedAt: at(5) });
    expect(await store().calls.listKeptWithBugBefore(at(9))).toHaveLength(1);
    await store().calls.delete(second.id);
    expect((await store().calls.list()).map((call) => call.id)).toEqual([first.id]);
  });

  it("merges a bug's process state field by field and lists its facts", async () => {
    await store().bugProcess.update(12, { stage: "analysis", estimateMinutes: 240 }, at(0));
    const merged = await store().bugProcess.update(12, { developer: "bob", deadline: "2026-12-01" }, at(1));
    expect(merged).toEqual({
      bugId: 12, origin: "tracker", stage: "analysis", estimateMinutes: 240, deadline: "2026-12-01", developer: "bob",
      fixedIn: undefined, reviewer: undefined, communicator: undefined, confirmedBy: undefined, draftNoteId: undefined, draftText: undefined, updatedAt: at(1),
    });
    await store().bugProcess.update(3, { origin: "sales" }, at(2));
    expect((await store().bugProcess.list()).map((state) => state.bugId)).toEqual([3, 12]);
    expect((await store().bugProcess.facts()).get(12)).toEqual({ stage: "analysis", estimateMinutes: 240, deadline: "2026-12-01", developer: "bob" });
    expect(await store().bugProcess.get(99)).toBeUndefined();
  });

  it("journals entries with ids and details, per bug and since a moment", async () => {
    const entry = await store().journal.append({ bugId: 5, at: at(0), actor: "alice", action: "grab", command: "grab 5", details: { from: "new" } });
    await store().journal.append({ bugId: 6, at: at(3), actor: "bob", action: "note", details: {} });
    expect(await store().journal.list(5)).toEqual([entry]);
    expect((await store().journal.since(at(1))).map((one) => one.bugId)).toEqual([6]);
  });

  it("sets, replaces and deletes key-value pairs", async () => {
    await store().kv.set("cursor", "1");
    await store().kv.set("cursor", "2");
    expect(await store().kv.get("cursor")).toBe("2");
    await store().kv.delete("cursor");
    expect(await store().kv.get("cursor")).toBeUndefined();
  });

  it("references sales records by id and ties bugs to sales through calls, contacts naming the bug, or the origin", async () => {
    const contact = await store().sales.add({ kind: "contact", at: at(0), payload: { bugId: 40, customer: "Jane" } });
    await store().sales.add({ kind: "resolution", at: at(1), payload: { bugId: 41 } });
    expect(contact.reference).toBe(`S-${contact.id}`);
    expect(await store().sales.get(contact.reference)).toEqual({ ...contact, payload: { bugId: 40, customer: "Jane" } });
    expect(await store().sales.replacePayloadFields(contact.reference, { customer: "[erased]" })).toBe(true);
    expect((await store().sales.get(contact.reference))?.payload).toEqual({ bugId: 40, customer: "[erased]" });
    expect(await store().sales.replacePayloadFields("S-999", {})).toBe(false);
    // A contact naming the bug in its payload (JSON inside the column).
    expect(await store().sales.linkOf(40)).toEqual({ salesRef: contact.reference });
    // A resolution does not tie the bug.
    expect(await store().sales.linkOf(41)).toBeUndefined();
    await store().bugProcess.update(42, { origin: "sales" }, at(2));
    expect(await store().sales.linkOf(42)).toEqual({});
  });

  it("counts documentation answers and lets one claim a question's docs bug", async () => {
    const question = await store().docs.addQuestion({ questionKey: "refund", question: "How to refund?", url: "https://docs/refund", askedAt: at(0), recordedBy: "alice" });
    await store().docs.addQuestion({ questionKey: "refund", question: "Refund?", url: "https://docs/refund", askedAt: at(5), recordedBy: "bob" });
    expect((await store().docs.listQuestions("refund", at(0)))[0]).toEqual(question);
    expect(await store().docs.listQuestions("refund", at(1))).toHaveLength(1);
    expect(await store().docs.countQuestions()).toBe(2);
    expect(await store().docs.claimBug("refund", at(6))).toBe(true);
    expect(await store().docs.claimBug("refund", at(7))).toBe(false);
    await store().docs.releaseClaim("refund");
    expect(await store().docs.claimBug("refund", at(8))).toBe(true);
    await store().docs.setBug("refund", 77);
    await store().docs.releaseClaim("refund");
    expect(await store().docs.getBug("refund")).toEqual({ questionKey: "refund", bugId: 77, filedAt: at(8) });
  });

  it("keeps sub-feedback until answered and the history of estimates", async () => {
    await store().subFeedback.add({ childBugId: 21, parentBugId: 20, askedBy: "alice", askedOf: "bob", askedAt: at(0) });
    await store().subFeedback.add({ childBugId: 22, parentBugId: 20, askedBy: "alice", askedOf: "carol", askedAt: at(1) });
    await store().subFeedback.markAnswered(21, { at: at(2), by: "bob", how: "feedback" });
    expect(await store().subFeedback.pending(20)).toEqual([22]);
    expect(await store().subFeedback.get(21)).toMatchObject({ answeredAt: at(2), answeredBy: "bob", answeredHow: "feedback" });
    expect(await store().subFeedback.list(20)).toHaveLength(2);

    const first = await store().estimates.record({ bugId: 20, at: at(0), actor: "bob", source: "feedback", estimateMinutes: 60, deadline: undefined });
    const second = await store().estimates.record({ bugId: 20, at: at(1), actor: "bob", source: "eta", estimateMinutes: undefined, deadline: "2026-12-01" });
    expect(second.id).toBeGreaterThan(first.id);
    expect(await store().estimates.latest(20)).toEqual(second);
    expect(await store().estimates.list(20)).toEqual([first, second]);
  });

  it("says when each bug's estimate was last renewed: its tag's change, an estimate recorded, or an eta in the journal, whichever is newest", async () => {
    await store().mirror.save(mirrorRow(1, "assigned", { tagChangedAt: at(5) }));
    await store().mirror.save(mirrorRow(2, "assigned", { tagChangedAt: at(1) }));
    await store().mirror.save(mirrorRow(3, "confirmed", { tagChangedAt: at(1) }));
    await store().estimates.record({ bugId: 2, at: at(7), actor: "bob", source: "feedback", estimateMinutes: 240 });
    await store().estimates.record({ bugId: 3, at: at(2), actor: "bob", source: "confirm", estimateMinutes: 60 });
    await store().journal.append({ bugId: 3, at: at(9), actor: "bob", action: "eta", command: "eta 3 2h", details: {} });
    await store().journal.append({ bugId: 1, at: at(20), actor: "bob", action: "note", details: {} });
    expect(await store().mirror.lastEstimateUpdates([1, 2, 3, 99])).toEqual(new Map([[1, at(5)], [2, at(7)], [3, at(9)]]));
    expect((await store().mirror.actionWork()).map((row) => [row.id, row.lastEstimateUpdate])).toEqual([[1, at(5)], [2, at(7)], [3, at(9)]]);
  });

  it("mirrors bugs with booleans, lists and counts them, and keeps the watcher's changes and markers", async () => {
    await store().mirror.save(mirrorRow(4, "new", { private: true, tags: ["urgent"], handlerNoteAt: at(3) }));
    await store().mirror.save(mirrorRow(2, "feedback", { handler: "alice", announced: true }));
    await store().mirror.save(mirrorRow(9, "closed"));
    await store().mirror.save(mirrorRow(4, "new", { private: true, tags: ["urgent", "docs"], handlerNoteAt: at(3) }));
    expect(await store().mirror.get(4)).toMatchObject({ private: true, announced: false, tags: ["urgent", "docs"], handlerNoteAt: at(3) });
    expect(await store().mirror.get(2)).toMatchObject({ private: false, announced: true, handler: "alice" });
    expect(await store().mirror.count()).toBe(3);
    expect((await store().mirror.list({ openOnly: true })).map((row) => row.id)).toEqual([2, 4]);
    expect(await store().mirror.ids({ statuses: ["new", "feedback"], unassigned: true })).toEqual([4]);
    expect(await store().mirror.ids({ statuses: [] })).toEqual([]);
    await store().mirror.touch([2, 4], at(10));
    expect(await store().mirror.notSeenSince(at(10))).toEqual([9]);
    await store().mirror.delete(9);
    expect(await store().mirror.count()).toBe(2);

    await store().mirror.addChange({ bugId: 4, at: at(5), change: "NEW → FEEDBACK" });
    await store().mirror.addChange({ bugId: 2, at: at(5), change: "FEEDBACK → NEW" });
    expect((await store().mirror.changesSince(at(5))).map((change) => change.change)).toEqual(["NEW → FEEDBACK", "FEEDBACK → NEW"]);
    await store().mirror.setCursor(at(7));
    expect(await store().mirror.cursor()).toEqual(at(7));
  });

  it("queues a notification once per key with a route per platform, in the order queued", async () => {
    const items = [outboxItem("reminder", "bob", "1"), outboxItem("reminder", "alice", "1"), outboxItem("digest", "alice", "2026-11-26")];
    for (const item of items) expect(await store().outbox.enqueue(item, ["mattermost", "matrix"], at(0))).toBe(true);
    expect(await store().outbox.enqueue(items[0]!, ["mattermost"], at(1))).toBe(false);
    // Created in the same millisecond: listed and sent in the order they were queued.
    expect((await store().outbox.list()).map((row) => row.key)).toEqual(items.map((item) => item.key.key));
    expect((await store().outbox.dueRoutes(at(1), 3)).map((route) => `${route.notification.recipient}/${route.platform}`)).toEqual([
      "bob/matrix", "bob/mattermost", "alice/matrix", "alice/mattermost", "alice/matrix", "alice/mattermost",
    ]);
    expect((await store().outbox.list({ periodPrefix: "2026-11" })).map((row) => row.kind)).toEqual(["digest"]);
    expect(await store().outbox.waiting(3)).toBe(6);
    const nobody = outboxItem("reminder", "carol", "1");
    expect(await store().outbox.enqueue(nobody, [], at(0), "nobody to reach")).toBe(true);
    expect(await store().outbox.get(nobody.key.key)).toMatchObject({ state: "sent", lastError: "nobody to reach", combinable: true, payload: nobody.payload });
  });

  it("follows each route's attempts, failures and deliveries and sums them up per notification", async () => {
    const item = outboxItem("reminder", "bob", "1");
    await store().outbox.enqueue(item, ["mattermost", "matrix"], at(0));
    const key = item.key.key;
    const both = [{ key, platform: "mattermost" }, { key, platform: "matrix" }];
    await store().outbox.markAttempt(both, at(1));
    await store().outbox.markSent([both[0]!], at(2));
    await store().outbox.markFailed([both[1]!], "Matrix: 502");
    expect(await store().outbox.get(key)).toMatchObject({ state: "failed", attempts: 1, sentAt: at(2), lastError: "Matrix: 502" });
    expect((await store().outbox.dueRoutes(at(3), 3)).map((route) => route.platform)).toEqual(["matrix"]);
    await store().outbox.giveUp([both[1]!], 3, "recipient left");
    expect(await store().outbox.dueRoutes(at(3), 3)).toEqual([]);
    expect((await store().outbox.routes(key)).map((route) => [route.platform, route.state, route.attempts])).toEqual([
      ["matrix", "failed", 3],
      ["mattermost", "sent", 1],
    ]);
  });

  it("settles sends interrupted by a stop, cancels pending reminders and absorbs DMs into a digest", async () => {
    const interrupted = outboxItem("reminder", "bob", "1");
    const pending = outboxItem("reminder", "bob", "2");
    const other = outboxItem("nudge", "alice", "1", { combinable: false });
    for (const item of [interrupted, pending, other]) await store().outbox.enqueue(item, ["mattermost"], at(0));
    await store().outbox.markAttempt([{ key: interrupted.key.key, platform: "mattermost" }], at(1));
    expect(await store().outbox.settleInterrupted(at(2))).toEqual([interrupted.key.key]);
    expect(await store().outbox.cancelPending({ kinds: ["reminder", "other"], bugId: 7 }, at(3))).toBe(1);
    expect((await store().outbox.get(pending.key.key))?.cancelledAt).toEqual(at(3));
    const digestable = outboxItem("reminder", "alice", "3");
    await store().outbox.enqueue(digestable, ["mattermost"], at(0));
    expect(await store().outbox.absorbIntoDigest("alice", at(5), at(6))).toEqual([digestable.key.key]);
    expect(await store().outbox.get(digestable.key.key)).toMatchObject({ state: "sent", lastError: "delivered inside the daily digest" });
  });

  it("keeps pending filings until filed and erases what they file", async () => {
    const filing = await store().pendingFilings.add({ origin: "call", command: "call", requestedBy: "alice", requestedAt: at(0), callId: 3, ticket: { summary: "Payments" } });
    expect(await store().pendingFilings.get(filing.id)).toEqual(filing);
    await store().pendingFilings.recordFailure(filing.id, at(1), "tracker down");
    expect(await store().pendingFilings.listWaiting()).toEqual([expect.objectContaining({ id: filing.id, attempts: 1, lastError: "tracker down" })]);
    await store().pendingFilings.markFiled(filing.id, 88, at(2));
    const filed = await store().pendingFilings.findByBug(88);
    expect(filed).toMatchObject({ id: filing.id, status: "filed", doneAt: at(2) });
    expect(filed?.ticket).toBeUndefined();
    expect(await store().pendingFilings.listPending()).toEqual([]);
    expect(await store().pendingFilings.eraseTicket(filing.id)).toBe(false);
    expect((await store().pendingFilings.listOfCall(3)).map((one) => one.id)).toEqual([filing.id]);
  });

  it("keeps preferences, snoozes and risk reports per person", async () => {
    await store().preferences.set("alice", { tz: "Europe/Zurich", holidays: ["2026-12-24"] }, at(0));
    expect(await store().preferences.get("alice")).toEqual({ tz: "Europe/Zurich", holidays: ["2026-12-24"] });
    expect(await store().preferences.get("bob")).toEqual({});

    await store().snoozes.set(7, "bob", at(30), at(0));
    expect(await store().snoozes.get(7, "bob", at(10))).toEqual(at(30));
    expect(await store().snoozes.get(7, "bob", at(31))).toBeUndefined();
    expect(await store().snoozes.clear(7, "bob")).toBe(true);
    expect(await store().snoozes.clear(7, "bob")).toBe(false);

    await store().risk.set(7, "bob", { state: "at-risk", reportedOn: "2026-11-26", reportedAt: at(0) });
    await store().risk.set(7, "bob", { state: "late", reportedOn: "2026-11-27", reportedAt: at(1) });
    await store().risk.set(8, "alice", { state: "at-risk", reportedOn: "2026-11-26", reportedAt: at(0) });
    expect(await store().risk.get(7, "bob")).toEqual({ state: "late", reportedOn: "2026-11-27", reportedAt: at(1) });
    expect(await store().risk.reportedBugs()).toEqual([7, 8]);
    await store().risk.clear(7);
    expect(await store().risk.reportedBugs()).toEqual([8]);
  });

  it("claims chat events and notices once, and moves a DM channel's newest post time only forward", async () => {
    expect(await store().chat.claimEvent("matrix", "$e1", "!room", at(0))).toBe(true);
    expect(await store().chat.claimEvent("matrix", "$e1", "!room", at(1))).toBe(false);
    expect(await store().chat.pruneEvents("matrix", at(1))).toBe(1);
    expect(await store().chat.claimNotice("matrix", "unlinked", "@x", at(0))).toBe(true);
    expect(await store().chat.claimNotice("matrix", "unlinked", "@x", at(0))).toBe(false);
    await store().chat.releaseNotice("matrix", "unlinked", "@x");
    expect(await store().chat.claimNotice("matrix", "unlinked", "@x", at(0))).toBe(true);

    await store().chat.rememberMattermostDm({ channelId: "c1", userId: "u1" }, at(0));
    await store().chat.advanceMattermostDm("c1", 5000, at(1));
    await store().chat.advanceMattermostDm("c1", 4000, at(2));
    await store().chat.rememberMattermostDm({ channelId: "c1", userId: "u1" }, at(3));
    expect(await store().chat.mattermostDmWith("u1")).toEqual({ channelId: "c1", userId: "u1", lastPostAt: 5000 });

    await store().chat.saveThread({ platform: "mattermost", place: "town", bugId: 7, rootId: "p1", lastId: "p1" }, at(0));
    await store().chat.saveThread({ platform: "mattermost", place: "town", bugId: 7, rootId: "p2", lastId: "p3" }, at(1));
    expect(await store().chat.thread("mattermost", "town", 7)).toEqual({ platform: "mattermost", place: "town", bugId: 7, rootId: "p2", lastId: "p3" });
    expect(await store().chat.bugOfThread("mattermost", "town", "p2")).toBe(7);
  });
});
