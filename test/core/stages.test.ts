import { describe, expect, it } from "vitest";
import {
  COMMAND_RULES,
  PROCESS_COMMANDS,
  STAGES,
  STAGE_INFO,
  availableCommands,
  checkTransition,
  closingOrder,
  describeNextStep,
  describeSubBug,
  describeSituation,
  formatProcessTable,
  isStage,
  resolveStage,
  type BugSituation,
  type ProcessCommand,
  type Stage,
  type StageLabels,
} from "../../src/core/stages.js";

/**
 * The rules over a tracker whose states are ambiguous as the seed's statuses are (as MantisBT's):
 * which stages each state can mean, the first assumed when nothing else is known.
 */
const STATES = {
  new: ["triage", "timeline"],
  acknowledged: ["triage"],
  feedback: ["feedback", "review"],
  confirmed: ["confirmed"],
  assigned: ["in-work", "resolution"],
  resolved: ["resolved"],
  closed: ["closed"],
} as const satisfies Record<string, readonly [Stage, ...Stage[]]>;
type Status = keyof typeof STATES;

/** The state a move to each stage sets in that tracker. */
const STATE_OF_STAGE: Readonly<Record<Stage, Status>> = {
  triage: "new",
  feedback: "feedback",
  timeline: "new",
  confirmed: "confirmed",
  "in-work": "assigned",
  review: "feedback",
  resolution: "assigned",
  resolved: "resolved",
  closed: "closed",
};

/** A case written with the tracker's status instead of a state. */
type Case = Omit<BugSituation, "state" | "subBugs"> & { status: Status; subBugs?: readonly Case[] };

/** The situation the rules see for a case. */
function situation(bug: Case): BugSituation {
  const { status, subBugs, ...facts } = bug;
  return {
    ...facts,
    state: { label: status.toUpperCase(), stages: STATES[status], open: status !== "resolved" && status !== "closed" },
    ...(subBugs ? { subBugs: subBugs.map(situation) } : {}),
  };
}

/** A bug sitting in `stage` with the state that stage implies and facts that pass every guard. */
function bugIn(stage: Stage, facts: Partial<Case> = {}): BugSituation {
  return situation({ id: 12, status: STATE_OF_STAGE[stage], stage, ...facts });
}

describe("the happy path through the process", () => {
  it.each<[ProcessCommand, Stage, Status, Stage, Partial<Case>?, ("pass" | "fail")?]>([
    ["triage", "triage", "feedback", "feedback"],
    ["grab", "triage", "feedback", "feedback"],
    ["feedback", "feedback", "new", "timeline"],
    ["ask", "feedback", "feedback", "feedback"],
    ["ask", "review", "feedback", "review"],
    ["confirm", "timeline", "confirmed", "confirmed"],
    ["start", "confirmed", "assigned", "in-work"],
    ["eta", "confirmed", "confirmed", "confirmed"],
    ["eta", "in-work", "assigned", "in-work"],
    ["draft", "in-work", "assigned", "in-work"],
    ["review", "in-work", "feedback", "review", { customer: true, draftWritten: true }],
    ["review", "in-work", "feedback", "review", { customer: false }],
    ["verdict", "review", "assigned", "resolution", { customer: true }, "pass"],
    ["verdict", "review", "resolved", "resolved", { customer: false }, "pass"],
    ["verdict", "review", "resolved", "resolved", {}, "pass"],
    ["verdict", "review", "assigned", "in-work", { customer: true }, "fail"],
    ["verdict", "review", "assigned", "in-work", { customer: false }, "fail"],
    ["notify", "resolution", "resolved", "resolved"],
    ["release", "resolved", "closed", "closed"],
  ])("allows %s in stage %s and moves the bug to %s (%s)", (command, stage, status, nextStage, facts = {}, outcome = undefined) => {
    const bug = bugIn(stage, facts);
    const result = checkTransition(command, bug, outcome);
    expect(result).toEqual({ ok: true, command, from: { stage }, to: { stage: nextStage }, changes: nextStage !== stage });
    expect(STATE_OF_STAGE[nextStage]).toBe(status);
  });

  it("allows triage and grab on a bug whose state can only mean triage", () => {
    expect(checkTransition("triage", situation({ id: 1, status: "acknowledged" })).ok).toBe(true);
    expect(checkTransition("grab", situation({ id: 1, status: "acknowledged" })).ok).toBe(true);
  });
});

/** Which stages each command may run in; everything else must be refused. */
const ALLOWED: Readonly<Record<ProcessCommand, readonly Stage[]>> = {
  triage: ["triage"],
  grab: ["triage"],
  feedback: ["feedback"],
  ask: ["feedback", "review"],
  confirm: ["timeline"],
  start: ["confirmed"],
  eta: ["confirmed", "in-work"],
  draft: ["in-work"],
  review: ["in-work"],
  verdict: ["review"],
  notify: ["resolution"],
  release: ["resolved"],
};

describe("every command in every stage", () => {
  const cases = PROCESS_COMMANDS.flatMap((command) => STAGES.map((stage) => [command, stage, ALLOWED[command].includes(stage)] as const));

  it.each(cases)("%s in stage %s is allowed: %s", (command, stage, allowed) => {
    const result = checkTransition(command, bugIn(stage), "pass");
    expect(result.ok).toBe(allowed);
    if (!result.ok) {
      expect(result.reason).toBe("stage");
      expect(result.stage).toBe(stage);
      expect(result.message).toContain(`\`${command}\` needs ${COMMAND_RULES[command].needs}.`);
      expect(result.message).toContain(`Bug #12 is ${STATE_OF_STAGE[stage].toUpperCase()} and ${STAGE_INFO[stage].waitsFor}: `);
    }
  });
});

describe("refusals say where the bug stands and what it needs next", () => {
  it.each<[ProcessCommand, Case, string]>([
    [
      "start",
      { id: 12, status: "new" },
      "Bug #12 is NEW and waits for triage: management triages it first (`triage 12 @developer`), or a developer grabs it (`grab 12`). `start` needs a CONFIRMED bug.",
    ],
    [
      "confirm",
      { id: 12, status: "new" },
      "Bug #12 is NEW and waits for triage: management triages it first (`triage 12 @developer`), or a developer grabs it (`grab 12`). `confirm` needs a NEW bug that has had developer feedback.",
    ],
    [
      "confirm",
      { id: 7, status: "feedback", handler: "alice" },
      "Bug #7 is FEEDBACK and waits for developer feedback: @alice urgently gives feedback: is the problem clear, what is the path to a fix, and a realistic, conservative timeline (`feedback 7 ...`); other developers can be asked with `ask 7 @developer`. `confirm` needs a NEW bug that has had developer feedback.",
    ],
    [
      "triage",
      { id: 12, status: "new", feedbackGiven: true },
      "Bug #12 is NEW and waits for a timeline (the developer's feedback is in): management sets the timeline, tells the reporter we are investigating, and confirms it (`confirm 12 ...`). `triage` needs a NEW bug that has not been analysed yet.",
    ],
    [
      "draft",
      { id: 12, status: "confirmed" },
      "Bug #12 is CONFIRMED and waits for work to start: a developer starts work on it (`start 12`). `draft` needs a bug being worked on (ASSIGNED).",
    ],
    [
      "notify",
      { id: 12, status: "feedback", stage: "review", handler: "@bob" },
      "Bug #12 is FEEDBACK and is in review: @bob tries to reproduce the original issue and gives a verdict (`verdict 12 pass` or `verdict 12 fail`). `notify` needs a reviewed bug waiting for the customer to be told (ASSIGNED).",
    ],
    [
      "eta",
      { id: 12, status: "assigned", stage: "resolution" },
      "Bug #12 is ASSIGNED and is fixed and waits for the customer to be told: the handler notifies the customer, based on the developer's draft (`notify 12`). `eta` needs a CONFIRMED bug or one being worked on.",
    ],
    [
      "start",
      { id: 12, status: "resolved" },
      "Bug #12 is RESOLVED and waits to be closed with the next release: management closes it with the next release (`release <version>`). `start` needs a CONFIRMED bug.",
    ],
    [
      "release",
      { id: 12, status: "closed" },
      "Bug #12 is CLOSED and is done: nothing is left to do; if the problem is back, reopen it in the tracker. `release` needs a RESOLVED bug.",
    ],
  ])("refuses %s on %j", (command, bug, message) => {
    expect(checkTransition(command, situation(bug))).toEqual({ ok: false, command, reason: "stage", stage: resolveStage(situation(bug)), message });
  });
});

describe("guards on facts beyond the stage", () => {
  it.each<[ProcessCommand, Case, string, string]>([
    ["grab", { id: 12, status: "new", handler: "alice" }, "unhandled", "Bug #12 is already handled by @alice; ask them or management before taking it over."],
    [
      "grab",
      { id: 12, status: "new", customerData: true },
      "no-customer-data",
      "Bug #12 touches customer accounts or data, so management must assign it (`triage 12 @developer`); it cannot be grabbed.",
    ],
    [
      "feedback",
      { id: 12, status: "feedback", pendingSubFeedback: [13] },
      "sub-feedback-collected",
      "Bug #12 still waits for feedback on #13; collect that feedback first, then give yours.",
    ],
    [
      "feedback",
      { id: 12, status: "feedback", pendingSubFeedback: [13, 14, 15] },
      "sub-feedback-collected",
      "Bug #12 still waits for feedback on #13, #14 and #15; collect that feedback first, then give yours.",
    ],
    [
      "review",
      { id: 12, status: "assigned", customer: true },
      "draft-for-customer",
      "Bug #12 came from a customer and has no drafted response yet: draft one first (`draft 12 ...`), then send it to review.",
    ],
    [
      "verdict",
      { id: 12, status: "feedback", stage: "review" },
      "verdict-outcome",
      "Say how the review of bug #12 went: `verdict 12 pass` or `verdict 12 fail`.",
    ],
  ])("refuses %s on %j (%s)", (command, bug, reason, message) => {
    expect(checkTransition(command, situation(bug))).toMatchObject({ ok: false, reason, message });
  });

  it("lets management triage a NEW bug that has a handler set by hand in the tracker", () => {
    expect(checkTransition("triage", situation({ id: 12, status: "new", handler: "alice" })).ok).toBe(true);
  });

  it("lets management triage a bug that touches customer data", () => {
    expect(checkTransition("triage", situation({ id: 12, status: "new", customerData: true })).ok).toBe(true);
  });

  it("allows feedback once every sub-bug has answered", () => {
    expect(checkTransition("feedback", situation({ id: 12, status: "feedback", pendingSubFeedback: [] })).ok).toBe(true);
  });

  it("refuses every command on a bug in a state the process does not know, naming the ones it does", () => {
    const custom: BugSituation = {
      id: 12,
      state: { label: "testing", stages: ["in-work", "resolution"], open: true, unknown: { tracker: "TheTracker", known: ["NEW", "FEEDBACK"] } },
    };
    for (const command of PROCESS_COMMANDS) {
      expect(checkTransition(command, custom, "pass")).toMatchObject({
        ok: false,
        reason: "custom-status",
        message: "Bug #12 has the TheTracker status 'testing', which the support process does not know: give it one of NEW, FEEDBACK in TheTracker first.",
      });
    }
  });
});

describe("sub-bugs", () => {
  const waitingForTimeline: Case = { id: 13, status: "new", stage: "timeline", handler: "alice" };
  const inWork: Case = { id: 14, status: "assigned", stage: "in-work", handler: "bob" };
  const resolved: Case = { id: 15, status: "resolved" };

  it.each<[ProcessCommand, Case, ("pass" | "fail")?]>([
    ["verdict", { id: 12, status: "feedback", stage: "review", subBugs: [inWork, resolved, waitingForTimeline] }, "pass"],
    ["notify", { id: 12, status: "assigned", stage: "resolution", subBugs: [waitingForTimeline, inWork] }],
    ["release", { id: 12, status: "resolved", subBugs: [inWork, waitingForTimeline] }],
  ])("refuses %s while sub-bugs are open, saying what each needs next", (command, bug, outcome) => {
    expect(checkTransition(command, situation(bug), outcome)).toMatchObject({
      ok: false,
      reason: "sub-bugs-resolved",
      message: [
        "Bug #12 waits for its sub-bugs #13 and #14 to be resolved first (the tracker resolves a bug only after its sub-bugs); nothing was changed.",
        "- #13 (@alice) waits for a timeline (the developer's feedback is in): management sets the timeline, tells the reporter we are investigating, and confirms it (`confirm 13 ...`)",
        "- #14 (@bob) is being worked on: @bob fixes it, drafts the customer response (`draft 14 ...`) and sends it to review (`review 14 @reviewer`)",
      ].join("\n"),
    });
  });

  it("lets a review fail while sub-bugs are open, and every command pass once they are resolved or closed", () => {
    const review: Case = { id: 12, status: "feedback", stage: "review", subBugs: [inWork] };
    expect(checkTransition("verdict", situation(review), "fail").ok).toBe(true);
    const done = [resolved, { id: 16, status: "closed" } satisfies Case];
    expect(checkTransition("verdict", situation({ ...review, subBugs: done }), "pass").ok).toBe(true);
    expect(checkTransition("notify", situation({ id: 12, status: "assigned", stage: "resolution", subBugs: done })).ok).toBe(true);
    expect(checkTransition("release", situation({ id: 12, status: "resolved", subBugs: done })).ok).toBe(true);
  });

  it("describes a sub-bug with its handler, where it stands and what it needs next", () => {
    expect(describeSubBug(situation({ id: 13, status: "new" }))).toBe(
      "#13 waits for triage: management triages it first (`triage 13 @developer`), or a developer grabs it (`grab 13`)",
    );
  });

  it.each<[string, [number, number[]][], number[]]>([
    ["by id without relationships", [[21, []], [19, []], [20, []]], [19, 20, 21]],
    ["children before their parents", [[19, [21]], [20, []], [21, []]], [21, 19, 20]],
    ["grandchildren first", [[1, [2]], [2, [3]], [3, []]], [3, 2, 1]],
    ["children not being closed left out", [[5, [99, 6]], [6, []]], [6, 5]],
    ["a cycle made by hand without looping", [[7, [8]], [8, [7]]], [8, 7]],
  ])("orders a release's closes: %s", (_case, subBugs, order) => {
    expect(closingOrder(new Map(subBugs))).toEqual(order);
  });
});

describe("resolveStage", () => {
  it.each<[Case, Stage]>([
    [{ id: 1, status: "new" }, "triage"],
    [{ id: 1, status: "new", feedbackGiven: true }, "timeline"],
    [{ id: 1, status: "new", stage: "timeline" }, "timeline"],
    [{ id: 1, status: "new", stage: "triage", feedbackGiven: true }, "timeline"],
    [{ id: 1, status: "acknowledged" }, "triage"],
    [{ id: 1, status: "feedback" }, "feedback"],
    [{ id: 1, status: "feedback", stage: "review" }, "review"],
    [{ id: 1, status: "confirmed" }, "confirmed"],
    [{ id: 1, status: "assigned" }, "in-work"],
    [{ id: 1, status: "assigned", stage: "resolution" }, "resolution"],
    [{ id: 1, status: "resolved" }, "resolved"],
    [{ id: 1, status: "closed" }, "closed"],
    // Stored stages that no longer fit the state (changed in the tracker) give way to the state.
    [{ id: 1, status: "assigned", stage: "review" }, "in-work"],
    [{ id: 1, status: "feedback", stage: "resolution" }, "feedback"],
    [{ id: 1, status: "confirmed", stage: "timeline" }, "confirmed"],
    [{ id: 1, status: "new", stage: "closed" }, "triage"],
    // Unknown or hostile stored values are ignored.
    [{ id: 1, status: "feedback", stage: "nonsense" }, "feedback"],
    [{ id: 1, status: "feedback", stage: "" }, "feedback"],
    [{ id: 1, status: "feedback", stage: "__proto__" }, "feedback"],
    [{ id: 1, status: "assigned", stage: "REVIEW" }, "in-work"],
  ])("puts %j in stage %s", (bug, stage) => {
    expect(resolveStage(situation(bug))).toBe(stage);
  });

  it("reads a tracker whose states tell every stage apart", () => {
    const one = (stage: Stage): BugSituation => ({ id: 1, state: { label: stage, stages: [stage], open: true } });
    for (const stage of STAGES) {
      expect(resolveStage(one(stage))).toBe(stage);
      expect(resolveStage({ ...one(stage), stage: "review", feedbackGiven: true })).toBe(stage);
    }
  });
});

describe("availableCommands", () => {
  it.each<[Case, ProcessCommand[]]>([
    [{ id: 1, status: "new" }, ["triage", "grab"]],
    [{ id: 1, status: "new", handler: "alice" }, ["triage"]],
    [{ id: 1, status: "new", feedbackGiven: true }, ["confirm"]],
    [{ id: 1, status: "feedback" }, ["feedback", "ask"]],
    [{ id: 1, status: "feedback", pendingSubFeedback: [2] }, ["ask"]],
    [{ id: 1, status: "confirmed" }, ["start", "eta"]],
    [{ id: 1, status: "assigned" }, ["eta", "draft", "review"]],
    [{ id: 1, status: "assigned", customer: true }, ["eta", "draft"]],
    [{ id: 1, status: "feedback", stage: "review" }, ["ask", "verdict"]],
    [{ id: 1, status: "assigned", stage: "resolution" }, ["notify"]],
    [{ id: 1, status: "resolved" }, ["release"]],
    [{ id: 1, status: "closed" }, []],
  ])("offers for %j: %j", (bug, commands) => {
    expect(availableCommands(situation(bug))).toEqual(commands);
  });
});

describe("describeNextStep and describeSituation", () => {
  it("names the handler when known and says 'the handler' otherwise", () => {
    expect(describeNextStep(situation({ id: 5, status: "assigned", stage: "resolution", handler: "carol" }))).toBe(
      "@carol notifies the customer, based on the developer's draft (`notify 5`)",
    );
    expect(describeNextStep(situation({ id: 5, status: "assigned", stage: "resolution" }))).toBe(
      "the handler notifies the customer, based on the developer's draft (`notify 5`)",
    );
  });

  it("says where the bug stands in one sentence", () => {
    expect(describeSituation(situation({ id: 5, status: "confirmed" }))).toBe(
      "Bug #5 is CONFIRMED and waits for work to start: a developer starts work on it (`start 5`).",
    );
  });
});

describe("the process data", () => {
  it("lets every stage but closed be left by some command", () => {
    const left = new Set(PROCESS_COMMANDS.flatMap((command) => (COMMAND_RULES[command].to.length > 0 ? COMMAND_RULES[command].from : [])));
    expect(STAGES.filter((stage) => !left.has(stage))).toEqual(["closed"]);
  });

  it("names next-step commands that exist", () => {
    for (const stage of STAGES) {
      for (const [, name] of STAGE_INFO[stage].next.matchAll(/`([a-z]+) /g)) expect(PROCESS_COMMANDS).toContain(name);
    }
  });

  it("recognises stored stages", () => {
    expect(isStage("review")).toBe(true);
    expect(isStage("Review")).toBe(false);
    expect(isStage(undefined)).toBe(false);
    expect(isStage(3)).toBe(false);
  });

  it("renders a table row for every command, in the tracker's state labels", () => {
    const labels = Object.fromEntries(STAGES.map((stage) => [stage, [STATE_OF_STAGE[stage].toUpperCase()]])) as unknown as StageLabels;
    const table = formatProcessTable(labels);
    expect(table.split("\n")).toHaveLength(PROCESS_COMMANDS.length + 2);
    for (const command of PROCESS_COMMANDS) expect(table).toContain(`| \`${command}\` |`);
    expect(table).toContain("| `verdict` | the reviewer | FEEDBACK (review) | fail: ASSIGNED (in-work); pass, customer: ASSIGNED (resolution); pass, no customer: RESOLVED (resolved) |");
  });
});
