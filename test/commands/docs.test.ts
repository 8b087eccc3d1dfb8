import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { normalizeQuestion } from "../../src/process/docs-questions.js";
import { startHarness, type Harness } from "../support/harness.js";
import { bugIds, newBugIds } from "./incoming-helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const URL = "https://docs.taler.net/taler-wallet.html#withdrawing";

describe("docs", () => {
  it("records the answer and gives a polite reply with the link", async () => {
    const before = bugIds(h);
    const result = await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    expect(result).toEqual({
      kind: "ok",
      reply: {
        visibility: "ephemeral",
        text: [
          "Recorded. This question was answered with the documentation once in the last 90 days.",
          "A reply you can send:",
          "> Thank you for getting in touch!",
          `> Our documentation covers this here: ${URL}`,
          "> Does this answer your question? If anything is still unclear or does not work as described, just reply to this message and we will gladly help further.",
        ].join("\n"),
      },
    });
    expect(await h.store.docs.countQuestions()).toBe(1);
    expect(newBugIds(h, before)).toEqual([]);
  });

  it("counts differently written forms of the same question together", async () => {
    await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    const result = await h.run("bob", `docs "  how can i   WITHDRAW " ${URL}`);
    expect(result.reply.text).toContain("answered with the documentation 2 times in the last 90 days");
    const other = await h.run("bob", `docs "How do I deposit?" ${URL}`);
    expect(other.reply.text).toContain("once in the last 90 days");
  });

  it("files one documentation bug on the third time, and not again on the fourth", async () => {
    const before = bugIds(h);
    await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    const second = await h.run("bob", `docs "how do i withdraw" ${URL}`);
    expect(second.reply.text).not.toMatch(/filed/i);
    expect(newBugIds(h, before)).toEqual([]);

    const third = await h.run("carol", `docs "How do I withdraw" https://docs.taler.net/faq.html`);
    expect(third.kind).toBe("ok");
    const filed = newBugIds(h, before);
    expect(filed).toHaveLength(1);
    const bug = await h.bug(filed[0]!);
    expect(bug).toMatchObject({
      status: "new",
      summary: "Docs: make the answer to 'How do I withdraw' easier to find",
      category: "documentation",
      tags: [],
      private: false,
    });
    expect(bug.handler).toBeUndefined();
    expect(bug.description).toContain("Support answered this question 3 times within 90 days");
    expect(bug.description).toContain(URL);
    expect(bug.description).toContain("https://docs.taler.net/faq.html");
    expect(third.reply.text).toContain(`so I filed [#${bug.id}](${h.sim.url}view.php?id=${bug.id}) to make the answer easier to find`);
    expect(third.reply.text).toContain("The customer need not be pointed to that bug.");
    expect(await h.store.bugProcess.get(bug.id)).toMatchObject({ origin: "docs", stage: "triage" });
    expect(await h.store.journal.list(bug.id)).toEqual([expect.objectContaining({ actor: "carol", action: "file", command: "docs" })]);
    expect((await h.store.docs.getBug(normalizeQuestion("How do I withdraw")))?.bugId).toBe(bug.id);

    const fourth = await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    expect(fourth.kind).toBe("ok");
    expect(newBugIds(h, before)).toEqual([bug.id]);
    expect(fourth.reply.text).toContain(`A documentation bug for this question is already filed: [#${bug.id}]`);
  });

  it("counts only answers within the window", async () => {
    const before = bugIds(h);
    await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    h.clock.now = new Date(h.clock.now.getTime() + 91 * 86_400_000);
    const later = await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    expect(later.reply.text).toContain("once in the last 90 days");
    expect(newBugIds(h, before)).toEqual([]);
  });

  it("follows DOCS_REPEAT_THRESHOLD and DOCS_REPEAT_WINDOW_DAYS", async () => {
    await h.close();
    h = await startHarness({ env: { DOCS_REPEAT_THRESHOLD: "2", DOCS_REPEAT_WINDOW_DAYS: "7" } });
    const before = bugIds(h);
    await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    const second = await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    expect(second.reply.text).toContain("2 times in the last 7 days");
    expect(newBugIds(h, before)).toHaveLength(1);
  });

  it("uses the default category when the project has no documentation category", async () => {
    h.sim.database.sql.prepare("UPDATE categories SET name = 'manuals' WHERE name = 'documentation'").run();
    const before = bugIds(h);
    for (let i = 0; i < 3; i++) await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    const filed = newBugIds(h, before);
    expect(filed).toHaveLength(1);
    expect((await h.bug(filed[0]!)).category).toBe("General");
  });

  it("still gives the reply when the docs bug cannot be filed, and files it the next time", async () => {
    const before = bugIds(h);
    await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    h.sim.failNext(503);
    const third = await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    expect(third.kind).toBe("ok");
    expect(third.reply.text).toContain("Does this answer your question?");
    expect(third.reply.text).toContain("but I could not file the documentation bug");
    expect(newBugIds(h, before)).toEqual([]);
    const fourth = await h.run("alice", `docs "How do I withdraw?" ${URL}`);
    expect(fourth.reply.text).toContain("so I filed");
    expect(newBugIds(h, before)).toHaveLength(1);
  });

  it("keeps e-mail addresses and phone numbers out of the recorded question", async () => {
    const result = await h.run("alice", `docs "jane.doe@example.com asks: how do I call +41 78 632 48 17?" ${URL}`);
    expect(result.reply.text).toContain("I replaced personal data (phone number and e-mail address) in the question");
    const stored = await h.store.docs.listQuestions(normalizeQuestion("[e-mail] asks: how do I call [phone]?"), new Date(0));
    expect(stored.map((question) => question.question)).toEqual(["[e-mail] asks: how do I call [phone]?"]);
  });
});

describe("docs, refused", () => {
  it.each([
    ["no question", "docs", /^question: missing: the customer's question/m],
    ["no link", 'docs "How do I withdraw?"', /^url: missing: the link to the documentation/m],
    ["a link without http", 'docs "How do I withdraw?" docs.taler.net/wallet', /^url: must be a link such as https:\/\/docs.taler.net/m],
    ["an ftp link", 'docs "How do I withdraw?" ftp://docs.taler.net/wallet', /^url: must be a link/m],
    ["a question without words", `docs "?!" ${URL}`, /^question: must contain words/m],
    ["an unquoted question", `docs How do I withdraw ${URL}`, /Too many arguments/],
  ])("refuses %s, names the field, and records nothing", async (_case, command, message) => {
    const before = bugIds(h);
    const result = await h.run("alice", command);
    expect(result.kind).toBe("refused");
    expect(result.reply.text).toMatch(message);
    expect(await h.store.docs.countQuestions()).toBe(0);
    expect(bugIds(h)).toEqual(before);
  });
});
