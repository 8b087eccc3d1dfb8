/**
 * Tone check for customer responses. The seed (Action): "The general tone of the response should
 * always be 'we fixed', not 'I fixed', never put any blame on the user, and acknowledge mistakes
 * appropriately." The check finds phrases that break this and says why and what to write instead;
 * it never blocks anything, people decide.
 *
 * Decisions:
 * - Matching is case-insensitive on whole words (Unicode-aware: "I" inside "Iris" or "naïve" is
 *   not a match); any run of whitespace matches a space, and ’ matches '.
 * - First person singular is flagged only about the work ("I fixed", "I have deployed",
 *   "I'm looking into", "I'll", "my fix"), not everywhere: "I understand how annoying this was"
 *   is fine and human.
 * - Quoted text is skipped: double-quoted spans ("...", “...”, „...“, «...») on one line, Markdown
 *   block quotes (`> ...`), inline code and fenced code blocks. Drafts often quote the customer
 *   ("you wrote: "I fixed it by restarting"") and the customer's words are not our tone. An
 *   unbalanced straight quote can hide a phrase up to the next quote on that line; missing a
 *   finding is better than nagging about quoted text.
 * - When findings overlap, the one starting first (then the longest) is kept.
 * - All phrase lists live in TONE_VOCABULARY and BLAME_RULES below, nowhere else.
 */

export type ToneCategory = "first-person" | "blame" | "deflection";

/** One problem in a draft: what, where, why, and what to write instead. */
export interface ToneFinding {
  /** Stable id of the rule that matched, e.g. `first-person-done` or `user-error`. */
  rule: string;
  category: ToneCategory;
  /** The offending text exactly as it stands in the draft. */
  phrase: string;
  /** Offset of the phrase in the draft (UTF-16 units, as `String.prototype.slice` counts). */
  index: number;
  /** 1-based line and column of the phrase, for people. */
  line: number;
  column: number;
  why: string;
  suggestion: string;
  /** A drop-in replacement when one exists (`I fixed` -> `we fixed`); absent when rewording needs a person. */
  replacement?: string;
}

/** Word lists for first person singular about the work. Multi-word entries match any whitespace. */
export const TONE_VOCABULARY = {
  /** Words that may stand between "I" and the verb: "I have just fixed". */
  fillers: ["have", "had", "just", "already", "now", "finally", "also", "successfully", "then", "quickly", "personally", "meanwhile"],
  /** What "I" must not claim alone: the team did it. */
  doneVerbs: [
    "fixed", "solved", "resolved", "found", "deployed", "patched", "changed", "updated", "implemented", "added", "removed",
    "released", "pushed", "merged", "tested", "investigated", "repaired", "corrected", "debugged", "identified", "reverted",
    "rolled back", "restarted", "reconfigured", "configured", "reproduced", "looked into", "checked", "built", "rebuilt",
    "wrote", "rewrote", "installed", "upgraded", "migrated", "addressed", "analysed", "analyzed", "traced", "discovered",
    "made", "improved", "shipped", "tracked down", "worked on", "been working on", "was able to", "managed to", "committed",
  ],
  /** "I am ..." / "I'm ..." about ongoing work. */
  ongoingVerbs: [
    "working on", "looking into", "fixing", "investigating", "deploying", "testing", "preparing", "checking", "debugging",
    "rolling out", "patching", "analysing", "analyzing", "handling", "on it",
  ],
  /** "my ..." about the work; "my colleague" or "my apologies" are fine. */
  workNouns: [
    "fix", "fixes", "patch", "patches", "change", "changes", "commit", "commits", "code", "update", "updates", "release",
    "deployment", "mistake", "mistakes", "error", "bug", "solution", "work", "investigation", "analysis", "test", "tests",
    "workaround", "pull request", "merge request", "branch", "team",
  ],
  /** Words allowed between "my" and the noun: "my latest fix". */
  workNounAdjectives: ["own", "quick", "latest", "last", "new", "first", "recent", "previous", "proposed"],
} as const;

/** A blame or deflection rule: phrases, why they hurt, and what to do instead. */
export interface PhraseRule {
  id: string;
  category: Exclude<ToneCategory, "first-person">;
  phrases: readonly string[];
  why: string;
  suggestion: string;
}

/** Phrases that put blame on the user or deflect instead of acknowledging a mistake. */
export const BLAME_RULES: readonly PhraseRule[] = [
  {
    id: "should-have",
    category: "blame",
    phrases: ["you should have", "you shouldn't have", "you should not have", "you ought to have", "you should've", "you need to read", "if you had read", "had you read", "you were supposed to", "you have to understand"],
    why: "tells the customer they did it wrong; the seed says never to put any blame on the user",
    suggestion: 'Say what helps from now on, as a fact about the product, e.g. "enabling X avoids this; here is how".',
  },
  {
    id: "your-fault",
    category: "blame",
    phrases: ["your fault", "your own fault", "your mistake", "your wrong usage", "your misuse", "you caused", "you broke", "you messed up", "caused by you"],
    why: "puts the blame on the customer",
    suggestion: 'Describe the cause neutrally and what we changed, e.g. "the wallet did not handle this case; we fixed that".',
  },
  {
    id: "failed-to",
    category: "blame",
    phrases: ["you failed to", "you forgot", "you neglected to", "you did not read", "you didn't read", "you did not follow", "you didn't follow", "you misunderstood", "you misused", "you used it wrong", "you used it incorrectly", "you did it wrong"],
    why: "blames the customer for a missing step",
    suggestion: 'Name the step as part of the process, e.g. "the setup also needs X; the steps are here: <link>".',
  },
  {
    id: "read-the-docs",
    category: "blame",
    phrases: ["as stated in the documentation", "as stated in the docs", "as stated in the manual", "as clearly documented", "as the documentation says", "read the documentation", "read the docs", "read the manual", "RTFM", "it's in the docs", "it is in the documentation", "it's in the manual"],
    why: "points at the documentation as a reproach; the seed says to point to it politely and ask whether it answers the question",
    suggestion: 'Link the page and ask, e.g. "this is described here: <link>. Does that answer your question?"',
  },
  {
    id: "condescending",
    category: "blame",
    phrases: ["obviously", "as anyone knows", "everyone knows", "as I already said", "as I said before", "like I said", "as already explained", "as I already explained", "as you should know", "needless to say"],
    why: "sounds condescending: it implies the customer should have known",
    suggestion: "Leave the word out and just give the information.",
  },
  {
    id: "user-error",
    category: "blame",
    phrases: ["user error", "user mistake", "operator error", "wrong usage by you", "misuse by the user", "PEBKAC", "PEBCAK", "ID10T", "ID-10-T", "layer 8 problem", "layer 8 issue"],
    why: "labels the customer as the problem",
    suggestion: 'Describe what happened and how to avoid it, e.g. "the payment was sent to an outdated address; here is how to check it".',
  },
  {
    id: "deflection",
    category: "deflection",
    phrases: ["not our fault", "not our problem", "not our responsibility", "works for me", "works on my machine", "nothing we can do", "not on our side"],
    why: "deflects instead of acknowledging the problem; the seed asks to acknowledge mistakes appropriately",
    suggestion: 'Acknowledge what went wrong and say what happens next, e.g. "we could not reproduce this yet; could you tell us ...".',
  },
];

const WHY_FIRST_PERSON = 'speaks as one person about the team\'s work; the seed asks for "we fixed", not "I fixed"';

/** A word boundary that knows letters beyond ASCII (JavaScript's \b does not). */
const START = "(?<![\\p{L}\\p{N}_])";
const END = "(?![\\p{L}\\p{N}_])";

/** Escapes a phrase for a regex; a space matches any whitespace, ' also matches ’, - is optional. */
function phrasePattern(phrase: string): string {
  return phrase
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/'/g, "['’]").replace(/-/g, "[-\\s]?"))
    .join("\\s+");
}

const alternatives = (phrases: readonly string[]): string =>
  [...phrases].sort((a, b) => b.length - a.length).map(phrasePattern).join("|");

interface CompiledRule {
  id: string;
  category: ToneCategory;
  regex: RegExp;
  why: string;
  suggest: (phrase: string, replacement: string | undefined) => string;
  replace?: (phrase: string, atSentenceStart: boolean) => string;
}

const compile = (pattern: string): RegExp => new RegExp(`${START}(?:${pattern})${END}`, "giu");

const capitalise = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

/** "I fixed" -> "we fixed", "I'm" -> "we're", "I am" -> "we are", "I was able" -> "we were able". */
function toWe(phrase: string, atSentenceStart: boolean): string {
  const head = /^I(?:(['’])(ve|d|ll|m))?/i.exec(phrase)!;
  const [, apostrophe, contraction] = head;
  let tail = phrase.slice(head[0].length);
  let we = "we";
  if (apostrophe && contraction) we += apostrophe + (contraction.toLowerCase() === "m" ? "re" : contraction);
  else tail = tail.replace(/^(\s+)am(?=\s)/i, "$1are").replace(/^(\s+)was(?=\s)/i, "$1were");
  return (atSentenceStart ? capitalise(we) : we) + tail;
}

/** "my fix" -> "our fix", keeping the capital of "My". */
function toOur(phrase: string): string {
  return (phrase.startsWith("M") ? "Our" : "our") + phrase.slice(2);
}

const suggestWe = (_phrase: string, replacement: string | undefined): string =>
  `Write "${replacement}": the customer hears from the team, not from one person.`;

const FILLERS = `(?:\\s+(?:${alternatives(TONE_VOCABULARY.fillers)})){0,3}`;

const FIRST_PERSON_RULES: readonly CompiledRule[] = [
  {
    id: "first-person-done",
    category: "first-person",
    regex: compile(`I(?:['’](?:ve|d))?${FILLERS}\\s+(?:${alternatives(TONE_VOCABULARY.doneVerbs)})`),
    why: WHY_FIRST_PERSON,
    suggest: suggestWe,
    replace: toWe,
  },
  {
    id: "first-person-ongoing",
    category: "first-person",
    regex: compile(`I(?:\\s+am|['’]m)${FILLERS}\\s+(?:${alternatives(TONE_VOCABULARY.ongoingVerbs)})`),
    why: WHY_FIRST_PERSON,
    suggest: suggestWe,
    replace: toWe,
  },
  {
    id: "first-person-future",
    category: "first-person",
    regex: compile(`I(?:['’]ll|\\s+will|\\s+shall|\\s+am\\s+going\\s+to|['’]m\\s+going\\s+to)`),
    why: "promises as one person; the team stands behind what happens next",
    suggest: suggestWe,
    replace: toWe,
  },
  {
    id: "first-person-possessive",
    category: "first-person",
    regex: compile(`my(?:\\s+(?:${alternatives(TONE_VOCABULARY.workNounAdjectives)})){0,2}\\s+(?:${alternatives(TONE_VOCABULARY.workNouns)})`),
    why: WHY_FIRST_PERSON,
    suggest: suggestWe,
    replace: (phrase) => toOur(phrase),
  },
];

const PHRASE_RULES: readonly CompiledRule[] = BLAME_RULES.map((rule) => ({
  id: rule.id,
  category: rule.category,
  regex: compile(alternatives(rule.phrases)),
  why: rule.why,
  suggest: () => rule.suggestion,
}));

const ALL_RULES: readonly CompiledRule[] = [...FIRST_PERSON_RULES, ...PHRASE_RULES];

/** Spans that quote someone else or show code; findings starting inside them are dropped. */
const QUOTED_SPANS: readonly RegExp[] = [
  /```[\s\S]*?(?:```|$)/g,
  /`[^`\n]*`/g,
  /^[ \t]*>.*$/gm,
  /"[^"\n]*"/g,
  /“[^”\n]*”/g,
  /„[^“”\n]*[“”]/g,
  /«[^»\n]*»/g,
];

/** One flag per UTF-16 unit: 1 where the text is quoted. Linear, however many quotes and matches. */
function quotedMask(text: string): Uint8Array {
  const mask = new Uint8Array(text.length);
  for (const pattern of QUOTED_SPANS) {
    for (const match of text.matchAll(pattern)) mask.fill(1, match.index, match.index + match[0].length);
  }
  return mask;
}

/** Whether a phrase at `index` begins a sentence, a line or a list item (so "We" gets a capital). */
function atSentenceStart(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 80), index);
  return /(?:^|\n)[ \t]*(?:[-*+]|\d+[.)])?[ \t]*$/.test(before) || /[.!?]["'”’)\]]*\s+$/.test(before);
}

/** Offsets where each line starts, to turn an offset into line and column by binary search. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) starts.push(index + 1);
  return starts;
}

function lineAndColumn(starts: readonly number[], index: number): { line: number; column: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= index) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: index - starts[low]! + 1 };
}

/** Checks a draft customer response; findings come in text order, at most one per stretch of text. */
export function checkTone(text: string): ToneFinding[] {
  const quoted = quotedMask(text);
  const starts = lineStarts(text);
  const found: ToneFinding[] = [];
  for (const rule of ALL_RULES) {
    for (const match of text.matchAll(rule.regex)) {
      if (quoted[match.index] === 1) continue;
      const phrase = match[0];
      const replacement = rule.replace?.(phrase, atSentenceStart(text, match.index));
      const finding: ToneFinding = {
        rule: rule.id,
        category: rule.category,
        phrase,
        index: match.index,
        ...lineAndColumn(starts, match.index),
        why: rule.why,
        suggestion: rule.suggest(phrase, replacement),
      };
      if (replacement !== undefined) finding.replacement = replacement;
      found.push(finding);
    }
  }
  found.sort((a, b) => a.index - b.index || b.phrase.length - a.phrase.length);
  const kept: ToneFinding[] = [];
  let coveredUntil = -1;
  for (const finding of found) {
    if (finding.index < coveredUntil) continue;
    kept.push(finding);
    coveredUntil = finding.index + finding.phrase.length;
  }
  return kept;
}

/** Applies the drop-in replacements of the given findings (from `checkTone` on the same text). */
export function applyToneReplacements(text: string, findings: readonly ToneFinding[]): string {
  let result = text;
  const replaceable = findings.filter((finding) => finding.replacement !== undefined).sort((a, b) => b.index - a.index);
  for (const finding of replaceable) {
    if (result.slice(finding.index, finding.index + finding.phrase.length) !== finding.phrase) continue;
    result = result.slice(0, finding.index) + finding.replacement + result.slice(finding.index + finding.phrase.length);
  }
  return result;
}

/** One line per finding for a chat reply: `line 2: "I fixed" -> write "we fixed" (why)`. */
export function formatToneFindings(findings: readonly ToneFinding[]): string {
  return findings
    .map((finding) => `- line ${finding.line}: "${finding.phrase.replace(/\s+/g, " ")}" ${finding.why}. ${finding.suggestion}`)
    .join("\n");
}
