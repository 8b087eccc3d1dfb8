/**
 * The support process (seed: Analysis, Action, Review, Resolution) as a state machine over the
 * bot's stages. A tracker's state alone can be ambiguous (one status for "developer owes analysis"
 * and "fix is in review", another for "waits for triage" and "has feedback, waits for a
 * timeline"): a ticket says which stages its state can mean, and the stage the bot stores next to
 * each bug picks among them. Which tracker states a stage has is the tracker adapter's business.
 *
 * Everything here is data plus pure functions over it, so the help text, the docs and the
 * dispatcher's refusals all read from the same tables.
 *
 * Decisions:
 * - A stored stage that does not fit the bug's state (someone changed the bug in the tracker) is
 *   ignored and the stage is the first the state can mean; a bug whose state can mean `timeline`
 *   and that is known to have had feedback is in `timeline`.
 * - `triage` does not require the bug to be unhandled: management's decision overrides a handler
 *   set in the tracker by hand. `grab` does: a developer never takes over someone else's bug, and
 *   never a bug that touches customer accounts or data ("always requires prior assignment of the
 *   issue to the staff member by management").
 * - `feedback` waits until every sub-bug asked with `ask` has answered ("after the feedback has
 *   been collected").
 * - `review` of a customer's bug needs the drafted response first; without a customer no
 *   response is owed.
 * - `ask` works in analysis and in review (review "may again require sub-tasks").
 * - `eta` works while the bug is confirmed or in work; once reviewed, no work is left to estimate.
 * - `verdict pass`, `notify` and `release` wait until every sub-bug is resolved or closed: a tracker
 *   may refuse to resolve a parent before its children, and the customer hears "we fixed it" only
 *   once all of it is fixed. A failed review goes back to work, which open sub-bugs do not hold up.
 */
import type { TicketState, UnknownState } from "./ticket.js";

/** The seed's chapters a bug moves through once it is in the tracker. */
export const PHASES = ["analysis", "action", "review", "resolution", "done"] as const;
export type Phase = (typeof PHASES)[number];

/** The bot's stages, in process order. */
export const STAGES = ["triage", "feedback", "timeline", "confirmed", "in-work", "review", "resolution", "resolved", "closed"] as const;
export type Stage = (typeof STAGES)[number];

/** The commands that move a bug through the process. */
export const PROCESS_COMMANDS = ["triage", "grab", "feedback", "ask", "confirm", "start", "eta", "draft", "review", "verdict", "notify", "release"] as const;
export type ProcessCommand = (typeof PROCESS_COMMANDS)[number];

export const VERDICT_OUTCOMES = ["pass", "fail"] as const;
export type VerdictOutcome = (typeof VERDICT_OUTCOMES)[number];

export interface StageInfo {
  phase: Phase;
  /** Completes "Bug #12 is NEW and ...". */
  waitsFor: string;
  /** What the bug needs next; `{bug}` is the bug id, `{handler}` the handler's @handle or "the handler". */
  next: string;
}

/** Every stage: its phase and what it waits for. */
export const STAGE_INFO: Readonly<Record<Stage, StageInfo>> = {
  triage: {
    phase: "analysis",
    waitsFor: "waits for triage",
    next: "management triages it first (`triage {bug} @developer`), or a developer grabs it (`grab {bug}`)",
  },
  feedback: {
    phase: "analysis",
    waitsFor: "waits for developer feedback",
    next: "{handler} urgently gives feedback: is the problem clear, what is the path to a fix, and a realistic, conservative timeline (`feedback {bug} ...`); other developers can be asked with `ask {bug} @developer`",
  },
  timeline: {
    phase: "analysis",
    waitsFor: "waits for a timeline (the developer's feedback is in)",
    next: "management sets the timeline, tells the reporter we are investigating, and confirms it (`confirm {bug} ...`)",
  },
  confirmed: {
    phase: "action",
    waitsFor: "waits for work to start",
    next: "a developer starts work on it (`start {bug}`)",
  },
  "in-work": {
    phase: "action",
    waitsFor: "is being worked on",
    next: "{handler} fixes it, drafts the customer response (`draft {bug} ...`) and sends it to review (`review {bug} @reviewer`)",
  },
  review: {
    phase: "review",
    waitsFor: "is in review",
    next: "{handler} tries to reproduce the original issue and gives a verdict (`verdict {bug} pass` or `verdict {bug} fail`)",
  },
  resolution: {
    phase: "resolution",
    waitsFor: "is fixed and waits for the customer to be told",
    next: "{handler} notifies the customer, based on the developer's draft (`notify {bug}`)",
  },
  resolved: {
    phase: "done",
    waitsFor: "waits to be closed with the next release",
    next: "management closes it with the next release (`release <version>`)",
  },
  closed: {
    phase: "done",
    waitsFor: "is done",
    next: "nothing is left to do; if the problem is back, reopen it in the tracker",
  },
};

/** Which tracker states a bug in each stage has, as replies name them; the first is the one a move sets. */
export type StageLabels = Readonly<Record<Stage, readonly [string, ...string[]]>>;

/** What the rules know about a bug besides its tracker state. Unknown facts count as false / empty. */
export interface BugSituation {
  id: number;
  /** The ticket's state: its label, the stages it can mean, whether it is open, whether the process knows it. */
  state: Pick<TicketState, "label" | "stages" | "open"> & { unknown?: UnknownState };
  /** The stage as stored by the bot; absent or unfitting values are derived from the state. */
  stage?: string;
  /** Staff handle (or the tracker's name) of the current handler. */
  handler?: string;
  /** Reported by or for a customer (tagged Customer): a response is owed. */
  customer?: boolean;
  /** Touches customer accounts or data: only management may assign it. */
  customerData?: boolean;
  /** The developer's feedback was recorded (the bug went back to NEW after analysis). */
  feedbackGiven?: boolean;
  /** A customer response draft exists. */
  draftWritten?: boolean;
  /** Sub-bugs opened with `ask` that still wait for feedback. */
  pendingSubFeedback?: readonly number[];
  /** The bug's sub-bugs in the tracker, each with its own facts. */
  subBugs?: readonly BugSituation[];
}

/** Checks on facts beyond the stage, each with the text the docs show. */
export const GUARDS = {
  unhandled: "nobody handles the bug yet",
  "no-customer-data": "the bug does not touch customer accounts or data",
  "sub-feedback-collected": "every sub-bug asked for feedback has answered",
  "draft-for-customer": "a customer's bug has a drafted response",
  "verdict-outcome": "the verdict says pass or fail",
  "sub-bugs-resolved": "every sub-bug is RESOLVED or CLOSED",
} as const;
export type Guard = keyof typeof GUARDS;

/** Where a command moves a bug; `when` picks among several (the verdict). */
export interface Target {
  stage: Stage;
  when?: { outcome?: VerdictOutcome; customer?: boolean };
}

export interface CommandRule {
  /** Who runs it, in the seed's words. */
  actor: string;
  /** One line: what it does in the process. */
  effect: string;
  /** Completes "`start` needs ...". */
  needs: string;
  /** Stages it may run in. */
  from: readonly Stage[];
  /** Where the bug goes: the first target whose `when` fits; none means the bug stays where it is. */
  to: readonly Target[];
  guards: readonly Guard[];
}

/** Every process command: who, from where, to where, and which facts it checks. */
export const COMMAND_RULES: Readonly<Record<ProcessCommand, CommandRule>> = {
  triage: {
    actor: "management",
    effect: "sets priority and a developer, who then owes feedback",
    needs: "a NEW bug that has not been analysed yet",
    from: ["triage"],
    to: [{ stage: "feedback" }],
    guards: [],
  },
  grab: {
    actor: "a developer",
    effect: "self-assigns a clearly urgent bug in the developer's domain, who then owes feedback",
    needs: "a NEW bug that nobody handles yet and that does not touch customer data",
    from: ["triage"],
    to: [{ stage: "feedback" }],
    guards: ["unhandled", "no-customer-data"],
  },
  feedback: {
    actor: "the handling developer",
    effect: "records whether the path to a fix is clear and a conservative timeline, and hands the bug back to management (NEW)",
    needs: "a bug in FEEDBACK waiting for the developer's analysis",
    from: ["feedback"],
    to: [{ stage: "timeline" }],
    guards: ["sub-feedback-collected"],
  },
  ask: {
    actor: "the handling developer or reviewer",
    effect: "opens a sub-bug in FEEDBACK for another developer",
    needs: "a bug in FEEDBACK (analysis or review)",
    from: ["feedback", "review"],
    to: [],
    guards: [],
  },
  confirm: {
    actor: "management",
    effect: "sets the timeline, the reporter is told we are investigating, and the bug goes to action (CONFIRMED)",
    needs: "a NEW bug that has had developer feedback",
    from: ["timeline"],
    to: [{ stage: "confirmed" }],
    guards: [],
  },
  start: {
    actor: "a developer",
    effect: "starts work (ASSIGNED)",
    needs: "a CONFIRMED bug",
    from: ["confirmed"],
    to: [{ stage: "in-work" }],
    guards: [],
  },
  eta: {
    actor: "the handling developer",
    effect: "updates the work left and the deadline in the subject tag",
    needs: "a CONFIRMED bug or one being worked on",
    from: ["confirmed", "in-work"],
    to: [],
    guards: [],
  },
  draft: {
    actor: "the handling developer",
    effect: 'drafts the customer response as a bug note ("we fixed", no blame)',
    needs: "a bug being worked on (ASSIGNED)",
    from: ["in-work"],
    to: [],
    guards: [],
  },
  review: {
    actor: "the handling developer",
    effect: "asks another staff member to review the fix (FEEDBACK)",
    needs: "a bug being worked on (ASSIGNED)",
    from: ["in-work"],
    to: [{ stage: "review" }],
    guards: ["draft-for-customer"],
  },
  verdict: {
    actor: "the reviewer",
    effect: "passes the fix (to the communicator, or RESOLVED when no customer is involved) or fails it (back to action)",
    needs: "a bug in review (FEEDBACK)",
    from: ["review"],
    to: [
      { stage: "in-work", when: { outcome: "fail" } },
      { stage: "resolution", when: { outcome: "pass", customer: true } },
      { stage: "resolved", when: { outcome: "pass", customer: false } },
    ],
    guards: ["verdict-outcome", "sub-bugs-resolved"],
  },
  notify: {
    actor: "the communicator",
    effect: "records that the customer was told about the fix (RESOLVED)",
    needs: "a reviewed bug waiting for the customer to be told (ASSIGNED)",
    from: ["resolution"],
    to: [{ stage: "resolved" }],
    guards: ["sub-bugs-resolved"],
  },
  release: {
    actor: "management",
    effect: "closes the bug with the release cycle (CLOSED)",
    needs: "a RESOLVED bug",
    from: ["resolved"],
    to: [{ stage: "closed" }],
    guards: ["sub-bugs-resolved"],
  },
};

/** Whether a stored value is one of the stages. */
export function isStage(value: unknown): value is Stage {
  return typeof value === "string" && (STAGES as readonly string[]).includes(value);
}

/** The bug's stage: the stored one when its state can mean it, else the first stage the state can mean. */
export function resolveStage(bug: Pick<BugSituation, "state" | "stage" | "feedbackGiven">): Stage {
  const { stages } = bug.state;
  if (bug.feedbackGiven && stages.includes("timeline")) return "timeline";
  if (isStage(bug.stage) && stages.includes(bug.stage)) return bug.stage;
  return stages[0];
}

const mention = (handle: string): string => `@${handle.replace(/^@/, "")}`;

function fillTemplate(template: string, bug: BugSituation): string {
  return template.replaceAll("{bug}", String(bug.id)).replaceAll("{handler}", bug.handler ? mention(bug.handler) : "the handler");
}

/** What the bug needs next, e.g. "management triages it first (`triage 12 @developer`), or ...". */
export function describeNextStep(bug: BugSituation): string {
  return fillTemplate(STAGE_INFO[resolveStage(bug)].next, bug);
}

/** Whether the bug is still open (not resolved or closed) in the tracker's sense. */
export function isUnresolved(bug: { state: Pick<TicketState, "open"> }): boolean {
  return bug.state.open;
}

/** The bug's sub-bugs that are not resolved yet, in id order. */
export function openSubBugs(bug: BugSituation): BugSituation[] {
  return (bug.subBugs ?? []).filter(isUnresolved).sort((a, b) => a.id - b.id);
}

/** A sub-bug and what it needs next: "#12 (@alice) waits for a timeline (...): management sets ... (`confirm 12 ...`)". */
export function describeSubBug(bug: BugSituation): string {
  const who = bug.handler ? ` (${mention(bug.handler)})` : "";
  return `#${bug.id}${who} ${STAGE_INFO[resolveStage(bug)].waitsFor}: ${describeNextStep(bug)}`;
}

/**
 * Bug ids in the order a release closes them: every sub-bug before its parent (a tracker may not
 * resolve a parent before its children), otherwise by id. `subBugs` maps each bug to close to its
 * sub-bug ids; sub-bugs not among the keys are left out, and a cycle (made by hand) cannot loop.
 */
export function closingOrder(subBugs: ReadonlyMap<number, readonly number[]>): number[] {
  const placed = new Set<number>();
  const order: number[] = [];
  const place = (id: number): void => {
    if (placed.has(id)) return;
    placed.add(id);
    for (const child of [...(subBugs.get(id) ?? [])].sort((a, b) => a - b)) if (subBugs.has(child)) place(child);
    order.push(id);
  };
  for (const id of [...subBugs.keys()].sort((a, b) => a - b)) place(id);
  return order;
}

/** Where the bug stands and what it needs next: "Bug #12 is NEW and waits for triage: management ...". */
export function describeSituation(bug: BugSituation): string {
  const stage = resolveStage(bug);
  return `Bug #${bug.id} is ${bug.state.label} and ${STAGE_INFO[stage].waitsFor}: ${describeNextStep(bug)}.`;
}

/** Where a bug stands in the process, or where a command moves it. */
export interface Position {
  stage: Stage;
}

export type RefusalReason = "stage" | "custom-status" | Guard;

/** The answer of checkTransition: where the bug goes, or why not and what it needs instead. */
export type TransitionCheck =
  | { ok: true; command: ProcessCommand; from: Position; to: Position; changes: boolean }
  | { ok: false; command: ProcessCommand; reason: RefusalReason; stage: Stage; message: string };

const joinIds = (ids: readonly number[]): string => {
  const tags = ids.map((id) => `#${id}`);
  return tags.length <= 1 ? tags.join("") : `${tags.slice(0, -1).join(", ")} and ${tags.at(-1)}`;
};

/** Each guard's check: undefined when it holds, else the refusal text. */
const GUARD_CHECKS: Readonly<Record<Guard, (bug: BugSituation, outcome: VerdictOutcome | undefined) => string | undefined>> = {
  unhandled: (bug) =>
    bug.handler
      ? `Bug #${bug.id} is already handled by ${mention(bug.handler)}; ask them or management before taking it over.`
      : undefined,
  "no-customer-data": (bug) =>
    bug.customerData
      ? `Bug #${bug.id} touches customer accounts or data, so management must assign it (\`triage ${bug.id} @developer\`); it cannot be grabbed.`
      : undefined,
  "sub-feedback-collected": (bug) => {
    const pending = bug.pendingSubFeedback ?? [];
    return pending.length > 0
      ? `Bug #${bug.id} still waits for feedback on ${joinIds(pending)}; collect that feedback first, then give yours.`
      : undefined;
  },
  "draft-for-customer": (bug) =>
    bug.customer && !bug.draftWritten
      ? `Bug #${bug.id} came from a customer and has no drafted response yet: draft one first (\`draft ${bug.id} ...\`), then send it to review.`
      : undefined,
  "verdict-outcome": (bug, outcome) =>
    outcome === undefined ? `Say how the review of bug #${bug.id} went: \`verdict ${bug.id} pass\` or \`verdict ${bug.id} fail\`.` : undefined,
  // A failed review sends the bug back to work, which open sub-bugs do not hold up; a pass leads to RESOLVED.
  "sub-bugs-resolved": (bug, outcome) => {
    const open = outcome === "fail" ? [] : openSubBugs(bug);
    if (open.length === 0) return undefined;
    return [
      `Bug #${bug.id} waits for its ${open.length === 1 ? "sub-bug" : "sub-bugs"} ${joinIds(open.map((sub) => sub.id))} to be resolved first ` +
        `(the tracker resolves a bug only after its sub-bugs); nothing was changed.`,
      ...open.map((sub) => `- ${describeSubBug(sub)}`),
    ].join("\n");
  },
};

function pickTarget(rule: CommandRule, bug: BugSituation, outcome: VerdictOutcome | undefined): Target | undefined {
  return rule.to.find(
    (target) =>
      (target.when?.outcome === undefined || target.when.outcome === outcome) &&
      (target.when?.customer === undefined || target.when.customer === Boolean(bug.customer)),
  );
}

/**
 * Whether `command` may run on the bug now, and where it moves the bug. A refusal's message says
 * where the bug stands and what it needs next, e.g. "Bug #12 is NEW and waits for triage:
 * management triages it first (`triage 12 @developer`), or a developer grabs it (`grab 12`).
 * `start` needs a CONFIRMED bug." `outcome` is only read by `verdict`.
 */
export function checkTransition(command: ProcessCommand, bug: BugSituation, outcome?: VerdictOutcome): TransitionCheck {
  const rule = COMMAND_RULES[command];
  const stage = resolveStage(bug);
  // Moving a bug out of a state the process does not know would overwrite someone's deliberate choice.
  const unknown = bug.state.unknown;
  if (unknown !== undefined) {
    const message =
      `Bug #${bug.id} has the ${unknown.tracker} status '${bug.state.label}', which the support process does not know: ` +
      `give it one of ${unknown.known.join(", ")} in ${unknown.tracker} first.`;
    return { ok: false, command, reason: "custom-status", stage, message };
  }
  if (!rule.from.includes(stage)) {
    return { ok: false, command, reason: "stage", stage, message: `${describeSituation(bug)} \`${command}\` needs ${rule.needs}.` };
  }
  for (const guard of rule.guards) {
    const refusal = GUARD_CHECKS[guard](bug, outcome);
    if (refusal) return { ok: false, command, reason: guard, stage, message: refusal };
  }
  const from: Position = { stage };
  const target = pickTarget(rule, bug, outcome);
  const to: Position = target ? { stage: target.stage } : from;
  return { ok: true, command, from, to, changes: to.stage !== from.stage };
}

/** The commands that may run on the bug now, in process order (for buttons and hints). */
export function availableCommands(bug: BugSituation): ProcessCommand[] {
  return PROCESS_COMMANDS.filter((command) =>
    command === "verdict"
      ? VERDICT_OUTCOMES.some((outcome) => checkTransition(command, bug, outcome).ok)
      : checkTransition(command, bug).ok,
  );
}

function describeTargets(rule: CommandRule, labels: StageLabels): string {
  if (rule.to.length === 0) return "unchanged";
  return rule.to
    .map((target) => {
      const conditions = [
        target.when?.outcome,
        target.when?.customer === undefined ? undefined : target.when.customer ? "customer" : "no customer",
      ].filter(Boolean);
      const place = `${labels[target.stage][0]} (${target.stage})`;
      return conditions.length > 0 ? `${conditions.join(", ")}: ${place}` : place;
    })
    .join("; ");
}

/** The process as a Markdown table (command, who, from, to, checks) for help and docs, in a tracker's state labels. */
export function formatProcessTable(labels: StageLabels): string {
  const rows = PROCESS_COMMANDS.map((command) => {
    const rule = COMMAND_RULES[command];
    const from = rule.from.map((stage) => `${labels[stage].join("/")} (${stage})`).join(", ");
    const checks = rule.guards.map((guard) => GUARDS[guard]).join("; ") || "-";
    return `| \`${command}\` | ${rule.actor} | ${from} | ${describeTargets(rule, labels)} | ${checks} |`;
  });
  return ["| command | who | from | to | also checks |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}
