import { describe, expect, it } from "vitest";
import { checkTone } from "../../src/core/tone.js";
import { docsBugDescription, docsBugSummary, docsReplyText, normalizeQuestion } from "../../src/process/docs-questions.js";
import { codePointLength } from "../../src/core/text.js";

describe("normalizeQuestion", () => {
  it.each([
    ["How do I withdraw?", "how withdraw"],
    ["how do i withdraw", "how withdraw"],
    ["  HOW CAN I   withdraw!!! ", "how withdraw"],
    ["How do I withdraw\u00A0money?", "how withdraw money"],
    ["Ｈｏｗ do I withdraw?", "how withdraw"],
    ["Can I?", "can i"],
    ["?!", ""],
  ])("reads %j as %j", (question, key) => {
    expect(normalizeQuestion(question)).toBe(key);
  });

  it("keeps questions with other words apart", () => {
    expect(normalizeQuestion("How do I withdraw?")).not.toBe(normalizeQuestion("Why can't I withdraw?"));
    expect(normalizeQuestion("How do I withdraw?")).not.toBe(normalizeQuestion("How do I deposit?"));
  });
});

describe("docsReplyText", () => {
  const reply = docsReplyText("https://docs.taler.net/taler-wallet.html");

  it("gives the link and asks politely whether it answers the question", () => {
    expect(reply).toContain("https://docs.taler.net/taler-wallet.html");
    expect(reply).toContain("Does this answer your question?");
  });

  it("passes the tone check: no blame, no first person about the work", () => {
    expect(checkTone(reply)).toEqual([]);
  });
});

describe("docs bug text", () => {
  it("builds the summary around the question and keeps it within 128 characters", () => {
    expect(docsBugSummary("How do I withdraw?", 128)).toBe("Docs: make the answer to 'How do I withdraw?' easier to find");
    const long = docsBugSummary(`How do I ${"really ".repeat(30)}withdraw?`, 128);
    expect(codePointLength(long)).toBeLessThanOrEqual(128);
    expect(long).toMatch(/^Docs: make the answer to 'How do I really .*…' easier to find$/);
  });

  it("says how often, within which window, and where the answer is", () => {
    const text = docsBugDescription({ question: "How do I withdraw?", count: 3, windowDays: 90, urls: ["https://a.example/x", "https://b.example/y"] });
    expect(text).toContain("Support answered this question 3 times within 90 days");
    expect(text).toContain("https://a.example/x , https://b.example/y");
    expect(text).toContain("need not be pointed to this bug");
  });
});
