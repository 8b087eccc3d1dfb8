/**
 * MantisBT failing half-way through a command: for every command of the walk in
 * test/support/requests-per-command.ts that makes more than one request, the k-th request fails
 * (503, as a MantisBT that went down), for every k. Then:
 * - the reply says MantisBT failed; when writes were made before the failure, it names each write as
 *   done and each missing one as not done; when none was, MantisBT and the bot's store are unchanged;
 * - the same command again (when anything is left) succeeds, and MantisBT and the store end as after a
 *   run without the failure: no second bug, no second note, no second sub-bug.
 */
import { describe, expect, it } from "vitest";
import type { DispatchResult } from "../../src/framework/dispatcher.js";
import { startHarness, type Harness } from "../support/harness.js";
import { isWrite, recordFiled, startWalk, tableRequest, walkLine, WALK, WALK_RELEASE, type WalkState, type WalkStep } from "../support/requests-per-command.js";

/** How to tell from a reply that one write was made, and that it was not. */
interface WritePhrases {
  done(reply: string): boolean;
  notDone(reply: string): boolean;
}

/** The `- ` lines right after the line matching `heading`. */
function listAfter(reply: string, heading: RegExp): string[] {
  const lines = reply.split("\n");
  const start = lines.findIndex((line) => heading.test(line));
  if (start === -1) return [];
  const list: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith("- ")) break;
    list.push(line);
  }
  return list;
}

const doneList = (reply: string) => listAfter(reply, /^Done:$/);
const notDoneList = (reply: string) => listAfter(reply, /^Not done:$/);
const listed = (list: string[], text: string) => list.some((line) => line.includes(text));

/** For the commands that make several writes: how each write of the table shows in the reply, by its table request. */
function writePhrases(step: WalkStep, bugs: WalkState["bugs"]): Record<string, WritePhrases> {
  const { A, S } = bugs;
  switch (step.row) {
    case "ask":
      return {
        "POST issues": { done: (reply) => listed(doneList(reply), `opened sub-bug #${S} for @alice`), notDone: (reply) => listed(notDoneList(reply), "open a sub-bug") },
        "PATCH issues/{S}": {
          done: (reply) => listed(doneList(reply), `moved #${S} to FEEDBACK`),
          notDone: (reply) => listed(notDoneList(reply), `set #${S} to FEEDBACK`) || listed(notDoneList(reply), "set it to FEEDBACK"),
        },
        "POST issues/{A}/relationships": {
          done: (reply) => listed(doneList(reply), `linked #${S} as a sub-bug of #${A}`),
          notDone: (reply) => listed(notDoneList(reply), `link #${S} as a sub-bug of #${A}`) || listed(notDoneList(reply), `link it as a sub-bug of #${A}`),
        },
      };
    case "confirm with-sub-bugs (one sub-bug)":
      return {
        "PATCH issues/{S}": { done: (reply) => listed(doneList(reply), `confirmed sub-bug #${S}`), notDone: (reply) => listed(notDoneList(reply), `confirm sub-bug #${S}`) },
        "PATCH issues/{A}": { done: (reply) => listed(doneList(reply), `confirmed #${A}`), notDone: (reply) => listed(notDoneList(reply), `confirm #${A}`) },
      };
    case "release": {
      const closed = (id: number | undefined) => (reply: string) =>
        listed(listAfter(reply, /^\*\*Closed with /), `[#${id}](`) || listed(doneList(reply), `closed #${id}`);
      const notClosed = (id: number | undefined) => (reply: string) =>
        listed(listAfter(reply, /^\*\*Could not close /), `[#${id}](`) || listed(notDoneList(reply), "close the RESOLVED bugs");
      return {
        "POST projects/{project}/versions": {
          done: (reply) => reply.includes(`Created version ${WALK_RELEASE} in MantisBT.`) || listed(doneList(reply), `created version ${WALK_RELEASE}`),
          notDone: () => false,
        },
        "PATCH issues/{S}": { done: closed(S), notDone: notClosed(S) },
        "PATCH issues/{A}": { done: closed(A), notDone: notClosed(A) },
        "PATCH projects/{project}/versions/{version}": {
          done: (reply) => reply.includes(`${WALK_RELEASE} is marked released in MantisBT`),
          notDone: (reply) => reply.includes(`${WALK_RELEASE} is not marked released yet`) || listed(notDoneList(reply), `mark ${WALK_RELEASE} released`),
        },
      };
    }
    default:
      return {};
  }
}

/** What MantisBT and the bot's store hold, without what differs by nature (times, etags). */
async function snapshot(h: Harness): Promise<unknown> {
  const bugs = (await h.tracker.listBugs({ page: 1, pageSize: 100 })).sort((a, b) => a.id - b.id);
  const versions = await h.tracker.listProjectVersions();
  const stages = new Map<number, string | undefined>();
  for (const bug of bugs) stages.set(bug.id, (await h.store.bugProcess.get(bug.id))?.stage);
  return {
    bugs: bugs.map((bug) => ({
      id: bug.id,
      status: bug.status,
      handler: bug.handler?.name,
      priority: bug.priority,
      summary: bug.summary,
      tags: [...bug.tags].sort(),
      relationships: bug.relationships.map((relationship) => `${relationship.type} ${relationship.otherBugId}`).sort(),
      fixedIn: bug.fixedInVersion,
      // A call the bot could not file is not kept, so the retry's call record has the next number.
      notes: bug.notes.map((note) => ({ by: note.reporter.name, private: note.private, text: note.text.replace(/support call \d+/, "support call N") })),
      stage: stages.get(bug.id),
    })),
    versions: versions.map((version) => `${version.name} ${version.released ? "released" : "unreleased"}`).sort(),
    subBugs: await h.store.subFeedback.links(),
    calls: (await h.store.calls.list()).map((call) => call.bugId),
  };
}

/** A harness with no bugs, brought through the walk's steps before `index`. */
async function walkTo(index: number): Promise<{ h: Harness; state: WalkState }> {
  const h = await startHarness({ simulator: { seed: false } });
  const state = startWalk(h.clock.now);
  for (const step of WALK.slice(0, index)) {
    const result = await h.run(step.person, walkLine(step, state));
    expect(result.kind, `${step.line}\n${result.reply.text}`).toBe("ok");
    recordFiled(step, state, result.reply.text);
  }
  return { h, state };
}

/** The step run without a failure: where MantisBT and the store end, and the ids the walk then knows. */
const references = new Map<number, Promise<{ after: unknown; bugs: WalkState["bugs"] }>>();
function reference(index: number): Promise<{ after: unknown; bugs: WalkState["bugs"] }> {
  let found = references.get(index);
  if (!found) {
    found = (async () => {
      const { h, state } = await walkTo(index);
      try {
        const step = WALK[index]!;
        const result = await h.run(step.person, walkLine(step, state));
        expect(result.kind).toBe("ok");
        recordFiled(step, state, result.reply.text);
        return { after: await snapshot(h), bugs: { ...state.bugs } };
      } finally {
        await h.close();
      }
    })();
    references.set(index, found);
  }
  return found;
}

/**
 * Customers' filings the tracker fails are kept as pending and filed later, not refused: their
 * failures are tested in test/process/pending-filings.test.ts.
 */
const KEPT_AS_PENDING = new Set(["call", "file"]);

const cases = WALK.flatMap((step, index) =>
  step.requests.length > 1 && !KEPT_AS_PENDING.has(step.row.split(" ")[0]!) ? step.requests.map((request, k) => [`step ${index + 1}, ${step.row}: request ${k + 1} of ${step.requests.length} (${request}) fails`, index, k] as const) : [],
);

describe("a command MantisBT fails half-way through", () => {
  it.each(cases)("%s", async (_name, index, k) => {
    const step = WALK[index]!;
    const expected = await reference(index);
    const { h, state } = await walkTo(index);
    try {
      const line = walkLine(step, state);
      const known: WalkState = { ...state, bugs: expected.bugs };
      const before = await snapshot(h);
      const from = h.sim.requests.length;
      h.sim.failNext(503, "", { after: k });
      const first = await h.run(step.person, line);
      const sent = h.sim.requests.slice(from).map((request) => tableRequest(request.method, request.path, known));
      expect(sent.slice(0, k + 1), "the requests up to the failed one").toEqual(step.requests.slice(0, k + 1));

      // Every write sent but the failed one was made.
      const made = new Set(sent.filter((request, position) => position !== k && isWrite(request)));
      const reply = first.reply.text;
      if (first.kind !== "ok") expect(reply).toContain("MantisBT failed (HTTP 503)");
      if (made.size === 0) {
        expect(first.kind, reply).toBe("failed");
        expect(await snapshot(h), "nothing changed").toEqual(before);
      } else {
        const phrases = writePhrases(step, expected.bugs);
        for (const write of step.requests.filter(isWrite)) {
          const phrase = phrases[write];
          if (!phrase) continue;
          expect(phrase.done(reply), `${write} named as done:\n${reply}`).toBe(made.has(write));
          expect(phrase.notDone(reply), `${write} named as not done:\n${reply}`).toBe(!made.has(write));
        }
      }

      let result: DispatchResult = first;
      if (first.kind !== "ok" || JSON.stringify(await snapshot(h)) !== JSON.stringify(expected.after)) {
        result = await h.run(step.person, line);
        expect(result.kind, `the same command again:\n${result.reply.text}`).toBe("ok");
      }
      recordFiled(step, state, result.reply.text);
      expect(state.bugs).toEqual(expected.bugs);
      expect(await snapshot(h), "as after a run without the failure").toEqual(expected.after);
    } finally {
      await h.close();
    }
  });
});
