import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

// Seed: bug 16 ASSIGNED to alice (no customer), bug 13 ASSIGNED to alice (Customer), bug 12 CONFIRMED.
const GOOD = "We fixed the coin selection in wallet-core 0.14.3; thank you for your patience.";

describe("draft", () => {
  it("stores a clean draft as a private note marked as a draft, and in the store for notify", async () => {
    const result = await h.run("alice", `draft 13 "${GOOD}"`);
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toMatch(/Saved the draft for \[#13\]\(.*\) as private note \d+/);
    expect(result.reply.text).toContain("The tone check found nothing to change.");
    expect(result.reply.text).toContain("Next: ask for review with `review 13 @reviewer`.");

    const note = (await h.bug(13)).notes.at(-1)!;
    expect(note.private).toBe(true);
    expect(note.reporter.name).toBe("alice");
    expect(note.text).toBe(`Draft response to the customer:\n\n${GOOD}`);
    expect(await h.store.bugProcess.get(13)).toMatchObject({ draftText: GOOD, draftNoteId: note.id });
    expect(await h.store.journal.list(13)).toEqual([
      expect.objectContaining({ actor: "alice", action: "draft", command: "draft", details: expect.objectContaining({ noteId: note.id, private: true, forced: false }) }),
    ]);
    expect((await h.bug(13)).status).toBe("assigned");
  });

  it("refuses a draft that says 'I fixed' or blames the user, with suggestions and the corrected text", async () => {
    const result = await h.run("alice", 'draft 16 "I fixed the coin selection. You should have set the phone clock correctly."');
    expect(result.kind).toBe("refused");
    const text = result.reply.text;
    expect(text).toContain("The draft for #16 needs another look before it reaches the customer; nothing was saved:");
    expect(text).toMatch(/- line 1: "I fixed" speaks as one person .* Write "We fixed"/);
    expect(text).toMatch(/- line 1: "You should have" tells the customer they did it wrong/);
    expect(text).toContain("With the replacements applied:\n```text\nWe fixed the coin selection. You should have set the phone clock correctly.\n```");
    expect(text).toContain("add `force` to keep it as written");
    expect((await h.bug(16)).notes.some((note) => note.text.startsWith("Draft response"))).toBe(false);
    expect((await h.store.bugProcess.get(16))?.draftText).toBeUndefined();
    expect(await h.store.journal.list(16)).toEqual([]);
  });

  it("shows no corrected text when no finding has a drop-in replacement", async () => {
    const result = await h.run("alice", 'draft 16 "This was a user error on your side."');
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/"user error" labels the customer as the problem/);
    expect(result.reply.text).not.toContain("With the replacements applied");
  });

  it("keeps a draft as written with force, and journals that the findings were overridden", async () => {
    const result = await h.run("alice", 'draft 16 "I fixed it." force');
    expect(result.kind).toBe("ok");
    expect(result.reply.text).toContain("Kept as written despite 1 tone finding(s) (force).");
    expect(result.reply.text).toContain("(no customer is involved, so the draft is optional)");
    expect((await h.store.bugProcess.get(16))?.draftText).toBe("I fixed it.");
    expect((await h.store.journal.list(16))[0]!.details).toMatchObject({ forced: true, toneFindings: ["first-person-done"] });
  });

  it("replaces the stored draft with a newer one", async () => {
    await h.run("alice", `draft 13 "${GOOD}"`);
    await h.run("alice", 'draft 13 "We fixed it; the new wallet is in the stores."');
    const notes = (await h.bug(13)).notes.filter((note) => note.text.startsWith("Draft response"));
    expect(notes).toHaveLength(2);
    expect(await h.store.bugProcess.get(13)).toMatchObject({ draftText: "We fixed it; the new wallet is in the stores.", draftNoteId: notes[1]!.id });
  });

  it("never logs the draft or posts it anywhere", async () => {
    await h.run("alice", 'draft 13 "We fixed it, Mrs Example; we will call you at +41 79 555 01 23."');
    expect(h.log.text()).not.toContain("555 01 23");
    expect(h.log.text()).not.toContain("Mrs Example");
    expect(h.notifier.sent).toEqual([]);
  });

  it("lets management draft for the handler", async () => {
    expect((await h.run("manager", `draft 16 "${GOOD}"`)).kind).toBe("ok");
  });

  it("refuses someone who does not handle the bug", async () => {
    const result = await h.run("bob", `draft 16 "${GOOD}"`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Bug #16 is handled by @alice: only @alice or management can run `draft` on it/);
    expect((await h.store.bugProcess.get(16))?.draftText).toBeUndefined();
  });

  it("refuses a bug that is not being worked on, with what it needs next", async () => {
    const result = await h.run("carol", `draft 12 "${GOOD}"`);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/Bug #12 is CONFIRMED and waits for work to start: .* `draft` needs a bug being worked on \(ASSIGNED\)\./);
    expect((await h.bug(12)).notes.some((note) => note.text.startsWith("Draft response"))).toBe(false);
  });

  it("refuses an empty draft with the usage line", async () => {
    const result = await h.run("alice", "draft 16");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(/text: missing/);
    expect(result.reply.text).toContain('/support draft <bug> "text" [force]');
  });

  it("says clearly when the bug does not exist", async () => {
    const result = await h.run("alice", `draft 99999 "${GOOD}"`);
    expect(result).toMatchObject({ kind: "refused", reply: { text: expect.stringMatching(/#99999 does not exist/) } });
  });
});

describe("draft without impersonation", () => {
  it("names the developer in the private draft note and keeps only the draft text in the store", async () => {
    const plain = await startHarness({ impersonate: false });
    try {
      expect((await plain.run("alice", `draft 16 "${GOOD}"`)).kind).toBe("ok");
      const note = (await plain.bug(16)).notes.at(-1)!;
      expect(note.private).toBe(true);
      expect(note.reporter.name).toBe("administrator");
      expect(note.text).toMatch(/^\[by Alice Developer via .*\]\nDraft response to the customer:\n\n/);
      expect(await plain.store.bugProcess.get(16)).toMatchObject({ draftText: GOOD, draftNoteId: note.id });
    } finally {
      await plain.close();
    }
  });
});
