/**
 * The MantisBT requests each command makes, as one walk through the support process from a tracker
 * with no bugs: a customer's call (bug A) with a sub-bug (S) from `ask`, and an e-mail (bug B). The
 * simulator test (test/commands/requests-per-command.test.ts) and the real-server test
 * (test/real/requests-per-command.test.ts) run the same walk and hold it to this table, so the
 * simulator and a real MantisBT 2.28.4 agree; docs/requests.md explains the numbers.
 *
 * Requests are written `METHOD path` below `api/rest/`, without the query; bug ids are `{A}`, `{B}`,
 * `{S}`, the project `{project}`, a version `{version}`.
 */

/** The bugs the walk files, by the name the table uses. */
export type WalkBug = "A" | "B" | "S";

export interface WalkStep {
  /** The row of docs/requests.md this step is counted in. */
  row: string;
  person: "manager" | "alice" | "bob";
  /** Typed where only the bot reads it (a DM), because it carries a customer's personal data. */
  private?: boolean;
  /** The command line; `{A}` `{B}` `{S}` are bug ids, `{deadline}` `{later}` dates, `{release}` the version. */
  line: string;
  /** Every request, in order. */
  requests: readonly string[];
  /** Requests among them made only once in the bot's lifetime: look-ups it keeps. */
  once?: readonly string[];
  /** Requests among them made once per sub-bug of the bug: reading each, for the process rules. */
  perSubBug?: readonly string[];
  /** The bug this step files: its id is the first `#N` of the reply. */
  files?: WalkBug;
}

/** The version the walk releases: one MantisBT does not have yet. */
export const WALK_RELEASE = "9.2.0";

export const WALK: readonly WalkStep[] = [
  {
    row: "call",
    person: "alice",
    private: true,
    line: 'call name="Jane Doe" type=merchant phone="+41 79 555 01 23" issue="Refund button missing for orders paid with coins from two exchanges"',
    requests: ["GET users/me", "POST issues"],
    once: ["GET users/me"],
    files: "A",
  },
  {
    row: "file",
    person: "bob",
    private: true,
    line: 'file "Wallet shows a withdrawal as pending" customer="Jane Doe" contact=jane@example.com',
    requests: ["POST issues"],
    files: "B",
  },
  {
    row: "triage",
    person: "manager",
    line: "triage {A} @bob priority=high",
    requests: ["GET issues/{A}", "GET projects/{project}/handlers", "PATCH issues/{A}"],
    once: ["GET projects/{project}/handlers"],
  },
  {
    row: "ask",
    person: "bob",
    line: 'ask {A} @alice "Does the exchange need a schema change for this?"',
    requests: ["GET issues/{A}", "POST issues", "PATCH issues/{S}", "POST issues/{A}/relationships"],
    files: "S",
  },
  {
    row: "feedback on a sub-bug",
    person: "alice",
    line: 'feedback {S} 0h {deadline} "No schema change needed"',
    requests: ["GET issues/{S}", "PATCH issues/{S}", "GET issues/{A}"],
  },
  {
    row: "feedback",
    person: "bob",
    line: 'feedback {A} 4h {deadline} "Clear: the backoffice checks only the first exchange of an order"',
    requests: ["GET issues/{A}", "GET issues/{S}", "PATCH issues/{A}"],
    perSubBug: ["GET issues/{S}"],
  },
  {
    row: "confirm with-sub-bugs (one sub-bug)",
    person: "manager",
    line: "confirm {A} with-sub-bugs",
    requests: ["GET issues/{A}", "GET issues/{S}", "PATCH issues/{S}", "GET issues/{A}", "PATCH issues/{A}"],
  },
  { row: "start", person: "alice", line: "start {S}", requests: ["GET issues/{S}", "PATCH issues/{S}"] },
  { row: "review", person: "alice", line: "review {S} @bob", requests: ["GET issues/{S}", "PATCH issues/{S}"] },
  { row: "verdict pass", person: "bob", line: "verdict {S} pass", requests: ["GET issues/{S}", "PATCH issues/{S}"] },
  { row: "start", person: "bob", line: "start {A}", requests: ["GET issues/{A}", "GET issues/{S}", "PATCH issues/{A}"], perSubBug: ["GET issues/{S}"] },
  { row: "eta", person: "bob", line: "eta {A} 2h {deadline}", requests: ["GET issues/{A}", "GET issues/{S}", "PATCH issues/{A}"], perSubBug: ["GET issues/{S}"] },
  {
    row: "eta, deadline later",
    person: "bob",
    line: 'eta {A} 2h {later} "the exchange\'s test system is down this week"',
    requests: ["GET issues/{A}", "GET issues/{S}", "PATCH issues/{A}"],
    perSubBug: ["GET issues/{S}"],
  },
  {
    row: "draft",
    person: "bob",
    line: 'draft {A} "We fixed the refund button for orders paid with coins from several exchanges. Thank you for reporting it."',
    requests: ["GET issues/{A}", "GET issues/{S}", "POST issues/{A}/notes"],
    perSubBug: ["GET issues/{S}"],
  },
  { row: "review", person: "bob", line: "review {A} @alice", requests: ["GET issues/{A}", "GET issues/{S}", "PATCH issues/{A}"], perSubBug: ["GET issues/{S}"] },
  {
    row: "verdict fail",
    person: "alice",
    line: 'verdict {A} fail "still missing for orders paid from three exchanges"',
    requests: ["GET issues/{A}", "GET issues/{S}", "PATCH issues/{A}"],
    perSubBug: ["GET issues/{S}"],
  },
  { row: "review", person: "bob", line: "review {A} @alice", requests: ["GET issues/{A}", "GET issues/{S}", "PATCH issues/{A}"], perSubBug: ["GET issues/{S}"] },
  { row: "verdict pass", person: "alice", line: "verdict {A} pass", requests: ["GET issues/{A}", "GET issues/{S}", "PATCH issues/{A}"], perSubBug: ["GET issues/{S}"] },
  { row: "notify", person: "manager", line: "notify {A}", requests: ["GET issues/{A}", "GET issues/{S}", "PATCH issues/{A}"], perSubBug: ["GET issues/{S}"] },
  { row: "grab", person: "manager", line: "grab {B}", requests: ["GET issues/{B}", "PATCH issues/{B}"] },
  { row: "show", person: "bob", line: "show {A}", requests: ["GET issues/{A}", "GET issues/{S}"], perSubBug: ["GET issues/{S}"] },
  {
    row: "release",
    person: "manager",
    line: "release {release}",
    requests: [
      "GET projects/{project}",
      "POST projects/{project}/versions",
      "GET issues",
      "PATCH issues/{S}",
      "PATCH issues/{A}",
      "PATCH projects/{project}/versions/{version}",
    ],
  },
];

/** What the walk knows while it runs: the ids of the bugs filed so far and its dates. */
export interface WalkState {
  bugs: Partial<Record<WalkBug, number>>;
  /** D.M.YYYY four weeks after the walk's today, and five weeks after. */
  deadline: string;
  later: string;
}

/** A new walk state for a walk that starts on `today`. */
export function startWalk(today: Date): WalkState {
  const inDays = (days: number) => {
    const date = new Date(today.getTime() + days * 86_400_000);
    return `${date.getUTCDate()}.${date.getUTCMonth() + 1}.${date.getUTCFullYear()}`;
  };
  return { bugs: {}, deadline: inDays(28), later: inDays(35) };
}

/** The step's command line with the walk's ids and dates filled in. */
export function walkLine(step: WalkStep, state: WalkState): string {
  return step.line
    .replace(/\{([ABS])\}/g, (_match, name: WalkBug) => String(idOf(state, name)))
    .replace("{deadline}", state.deadline)
    .replace("{later}", state.later)
    .replace("{release}", WALK_RELEASE);
}

/** Notes the bug a filing step filed, from its reply. */
export function recordFiled(step: WalkStep, state: WalkState, reply: string): void {
  if (!step.files) return;
  const match = /#(\d+)/.exec(reply);
  if (!match) throw new Error(`"${step.line}" filed no bug that its reply names:\n${reply}`);
  state.bugs[step.files] = Number(match[1]);
}

/** A request as the table writes it: `METHOD path` below `api/rest/`, ids replaced by their names. */
export function tableRequest(method: string, path: string, state: WalkState): string {
  const below = path.replace(/^.*?api\/rest\//, "").replace(/\?.*$/, "");
  const names = new Map(Object.entries(state.bugs).map(([name, id]) => [String(id), name]));
  const named = below
    .replace(/^projects\/\d+\/versions\/\d+$/, "projects/{project}/versions/{version}")
    .replace(/^projects\/\d+/, "projects/{project}")
    .replace(/^issues\/(\d+)/, (whole, id: string) => (names.has(id) ? `issues/{${names.get(id)}}` : whole));
  return `${method.toUpperCase()} ${named}`;
}

/** Whether a table request changes MantisBT. */
export function isWrite(request: string): boolean {
  return !request.startsWith("GET ");
}

/** Reads and writes of a step on a bug without sub-bugs, in steady state (the look-ups the bot keeps left out). */
export function steadyCounts(step: WalkStep): { reads: number; writes: number } {
  const leftOut = [...(step.once ?? []), ...(step.perSubBug ?? [])];
  const steady = step.requests.filter((request) => {
    const index = leftOut.indexOf(request);
    if (index === -1) return true;
    leftOut.splice(index, 1);
    return false;
  });
  return { reads: steady.filter((request) => !isWrite(request)).length, writes: steady.filter(isWrite).length };
}

function idOf(state: WalkState, name: WalkBug): number {
  const id = state.bugs[name];
  if (id === undefined) throw new Error(`the walk has not filed bug ${name} yet`);
  return id;
}
