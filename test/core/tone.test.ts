import { describe, expect, it } from "vitest";
import { BLAME_RULES, TONE_VOCABULARY, applyToneReplacements, checkTone, formatToneFindings } from "../../src/core/tone.js";

const phrases = (text: string): string[] => checkTone(text).map((finding) => finding.phrase);

describe("checkTone: first person singular about the work", () => {
  it.each([
    ["I fixed the crash.", "I fixed", "We fixed"],
    ["Thanks! I fixed the crash.", "I fixed", "We fixed"],
    ["Good news, I fixed the crash.", "I fixed", "we fixed"],
    ["Good news, i fixed the crash.", "i fixed", "we fixed"],
    ["Good news, I have fixed it.", "I have fixed", "we have fixed"],
    ["Good news, I have now finally deployed it.", "I have now finally deployed", "we have now finally deployed"],
    ["Good news, I've just deployed it.", "I've just deployed", "we've just deployed"],
    ["Good news, I’ve deployed it.", "I’ve deployed", "we’ve deployed"],
    ["Good news, I found the cause.", "I found", "we found"],
    ["Good news, I rolled back the change.", "I rolled back", "we rolled back"],
    ["Good news, I was able to reproduce it.", "I was able to", "we were able to"],
    ["Good news, I have been working on it.", "I have been working on", "we have been working on"],
    ["Good news, I\nfixed it.", "I\nfixed", "we\nfixed"],
    ["Sorry, I am looking into it.", "I am looking into", "we are looking into"],
    ["Sorry, I'm investigating.", "I'm investigating", "we're investigating"],
    ["Sorry, I'm on it.", "I'm on it", "we're on it"],
    ["Thanks. I'll keep you posted.", "I'll", "We'll"],
    ["Thanks, I will keep you posted.", "I will", "we will"],
    ["Thanks, I'm going to deploy it.", "I'm going to", "we're going to"],
    ["Thanks, I am going to deploy it.", "I am going to", "we are going to"],
    ["The problem was in my code.", "my code", "our code"],
    ["My fix is deployed.", "My fix", "Our fix"],
    ["It was my mistake.", "my mistake", "our mistake"],
    ["See my latest fix.", "my latest fix", "our latest fix"],
    ["See my pull request.", "my pull request", "our pull request"],
    ["- I fixed the layout", "I fixed", "We fixed"],
    ["1. I fixed the layout", "I fixed", "We fixed"],
    ["Done! I fixed it", "I fixed", "We fixed"],
  ])("flags %j at %j and offers %j", (text, phrase, replacement) => {
    const [finding, ...others] = checkTone(text);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ category: "first-person", phrase, replacement, index: text.indexOf(phrase) });
    expect(finding?.suggestion).toContain(`Write "${replacement}"`);
  });

  it.each([
    "We fixed the crash.",
    "We have deployed the fix.",
    "I understand how annoying this was.",
    "I am sorry for the trouble.",
    "I think the new version helps.",
    "I hope this helps.",
    "Iris fixed the crash.",
    "The wallet (version II) fixed this.",
    "In the new release it is fixed.",
    "It fixed itself after the update.",
    "Wi-Fi fixed the sync.",
    "naïve fixed point",
    "Let me know if it works.",
    "My colleague will call you.",
    "My apologies for the delay.",
    "i.e. fixed in 1.2",
    "",
    "   ",
    "mystery fix",
    "Amy fixed it.",
  ])("does not flag %j", (text) => {
    expect(checkTone(text)).toEqual([]);
  });
});

describe("checkTone: blame and deflection", () => {
  it.each([
    ["You should have enabled backups.", "You should have", "should-have"],
    ["You shouldn’t have done that.", "You shouldn’t have", "should-have"],
    ["This is your fault.", "your fault", "your-fault"],
    ["You failed to confirm the payment.", "You failed to", "failed-to"],
    ["You forgot the PIN.", "You forgot", "failed-to"],
    ["It was user error.", "user error", "user-error"],
    ["Sounds like user   error.", "user   error", "user-error"],
    ["You did not read the instructions.", "You did not read", "failed-to"],
    ["You didn't read the instructions.", "You didn't read", "failed-to"],
    ["As stated in the documentation, restart it.", "As stated in the documentation", "read-the-docs"],
    ["Obviously the key was wrong.", "Obviously", "condescending"],
    ["You were supposed to restart it.", "You were supposed to", "should-have"],
    ["Classic PEBKAC.", "PEBKAC", "user-error"],
    ["Classic pebkac.", "pebkac", "user-error"],
    ["That is wrong usage by you.", "wrong usage by you", "user-error"],
    ["An ID-10-T error.", "ID-10-T", "user-error"],
    ["An ID10T error.", "ID10T", "user-error"],
    ["Please RTFM.", "RTFM", "read-the-docs"],
    ["It works for me.", "works for me", "deflection"],
    ["That is not our fault.", "not our fault", "deflection"],
  ])("flags %j at %j (%s) without a drop-in replacement", (text, phrase, rule) => {
    const [finding, ...others] = checkTone(text);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ phrase, rule, index: text.indexOf(phrase) });
    expect(finding?.replacement).toBeUndefined();
    expect(finding?.suggestion.length).toBeGreaterThan(20);
    expect(finding?.why.length).toBeGreaterThan(10);
  });

  it.each([
    "We should have caught this in testing.",
    "We forgot to update the documentation.",
    "This was our fault, and we are sorry.",
    "Thanks for your patience.",
    "You can find the steps here.",
    "We had a picnic.",
    "Your error report helped a lot.",
    "This now works as documented.",
    "Youforgot",
    "The wallet userserror log",
  ])("does not flag %j", (text) => {
    expect(checkTone(text)).toEqual([]);
  });
});

describe("checkTone: quoted text", () => {
  it.each([
    'You wrote: "I fixed it by restarting". We fixed the cause.',
    "You wrote: “I fixed it by restarting”. We fixed the cause.",
    "Sie schrieben: „I fixed it by restarting“.",
    "You wrote: «you should have known». We are sorry.",
    "> I fixed it by restarting\n\nWe fixed the cause.",
    "  > You forgot the PIN, said the app.\nWe changed that message.",
    "The log said `user error` which was wrong of us.",
    "```\nI fixed it\nuser error\n```\nWe fixed it.",
    "```\nI fixed it (unclosed fence)",
  ])("skips quoted or code text in %j", (text) => {
    expect(checkTone(text)).toEqual([]);
  });

  it("still flags text after the quote ends", () => {
    expect(phrases('You wrote "I fixed it". I fixed the cause.')).toEqual(["I fixed"]);
    expect(phrases("> quoted\nI fixed it")).toEqual(["I fixed"]);
  });
});

describe("checkTone: positions and order", () => {
  it("reports line and column, in text order", () => {
    const text = "Hello,\n\nyou forgot the PIN.\nBut I fixed it.";
    const findings = checkTone(text);
    expect(findings.map(({ phrase, line, column, index }) => ({ phrase, line, column, index }))).toEqual([
      { phrase: "you forgot", line: 3, column: 1, index: 8 },
      { phrase: "I fixed", line: 4, column: 5, index: text.indexOf("I fixed") },
    ]);
  });

  it("keeps one finding where rules overlap, the earliest and longest", () => {
    expect(phrases("I'll fix it.")).toEqual(["I'll"]);
    expect(phrases("You forgot to restart.")).toEqual(["You forgot"]);
    expect(phrases("Your own fault.")).toEqual(["Your own fault"]);
  });

  it("counts positions in UTF-16 units like String.slice", () => {
    const text = "💥 Good news, I fixed it.";
    const [finding] = checkTone(text);
    expect(text.slice(finding!.index, finding!.index + finding!.phrase.length)).toBe("I fixed");
  });

  it("handles a long hostile draft", () => {
    const text = `${'"'.repeat(5000)} ${"I ".repeat(20_000)}fixed ${"> ".repeat(1000)}\n`.repeat(5);
    const findings = checkTone(text);
    expect(Array.isArray(findings)).toBe(true);
  });
});

describe("applyToneReplacements", () => {
  it("applies every drop-in replacement and leaves blame for a person to reword", () => {
    const text = "Hello,\nI fixed it and I'll deploy my fix today. You forgot the PIN.";
    expect(applyToneReplacements(text, checkTone(text))).toBe(
      "Hello,\nWe fixed it and we'll deploy our fix today. You forgot the PIN.",
    );
  });

  it("skips findings that do not match the text any more", () => {
    const findings = checkTone("I fixed it.");
    expect(applyToneReplacements("Something else.", findings)).toBe("Something else.");
  });

  it("leaves a text without findings unchanged", () => {
    expect(applyToneReplacements("We fixed it.", [])).toBe("We fixed it.");
  });
});

describe("formatToneFindings", () => {
  it("gives one line per finding with where, why and what to write", () => {
    const text = "Hi,\nI fixed it.";
    expect(formatToneFindings(checkTone(text))).toBe(
      '- line 2: "I fixed" speaks as one person about the team\'s work; the seed asks for "we fixed", not "I fixed". ' +
        'Write "We fixed": the customer hears from the team, not from one person.',
    );
  });

  it("gives nothing for no findings", () => {
    expect(formatToneFindings([])).toBe("");
  });
});

describe("phrase data", () => {
  it("has unique rule ids and no phrase listed twice", () => {
    const ids = BLAME_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    const all = BLAME_RULES.flatMap((rule) => rule.phrases.map((phrase) => phrase.toLowerCase()));
    expect(new Set(all).size).toBe(all.length);
  });

  it.each(BLAME_RULES.flatMap((rule) => rule.phrases.map((phrase) => [rule.id, phrase] as const)))(
    "rule %s finds its own phrase %j in a sentence",
    (id, phrase) => {
      const finding = checkTone(`Well, ${phrase} here.`)[0];
      expect(finding?.rule).toBe(id);
      expect(finding?.phrase.toLowerCase()).toBe(phrase.toLowerCase());
    },
  );

  it.each(TONE_VOCABULARY.doneVerbs.map((verb) => [verb]))("flags \"I %s\"", (verb) => {
    expect(checkTone(`So, I ${verb} it.`)[0]?.replacement).toBe(`we ${verb.replace(/^was /, "were ")}`);
  });
});
