import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

// Seed: bug 16 ASSIGNED to alice; bug 19 CLOSED (MantisBT keeps closed bugs read-only).
describe("note", () => {
  it("writes a public note as the caller and journals it", async () => {
    const result = await h.run("alice", 'note 16 "We can reproduce it with wallet 0.14.2."');
    expect(result.kind).toBe("ok");
    const note = (await h.bug(16)).notes.at(-1)!;
    expect(note).toMatchObject({ private: false, text: "We can reproduce it with wallet 0.14.2." });
    expect(note.reporter.name).toBe("alice");
    expect(await h.store.journal.list(16)).toEqual([expect.objectContaining({ actor: "alice", action: "note", command: "note" })]);
  });

  it("refuses a note on a closed bug with the tracker's words instead of failing, and writes nothing", async () => {
    const before = (await h.bug(19)).notes.length;
    const result = await h.run("alice", "note 19 x");
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toBe("Not written: MantisBT refused this: Issue '19' is read-only.");
    expect((await h.bug(19)).notes).toHaveLength(before);
    expect(await h.store.journal.list(19)).toEqual([]);
  });
});
