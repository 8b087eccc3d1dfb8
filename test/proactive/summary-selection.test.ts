/**
 * The daily summary reads only what it shows: the store counts each section and picks its first
 * items (MirrorRepository.summarySelection), "In work" is ranked from every bug in action
 * (actionWork). These tests compose the same summary the slow, obvious way, from every open mirror
 * row with the bug's process facts, estimates and journal read one by one, and require the same text,
 * on SQLite and on PostgreSQL, over a random queue with every case the ordering distinguishes: ties,
 * priorities, customers by tag in any case, stages in any case, deadlines passed, near and far,
 * stored estimates, estimates renewed by commands, sub-bugs open and closed.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { composeSummary, type SummaryBug } from "../../src/core/summary.js";
import { StaffDirectory } from "../../src/identity.js";
import { createEngineContext, type EngineContext } from "../../src/proactive/context.js";
import { buildDailySummary, summaryBugOf } from "../../src/proactive/jobs/channel-summary.js";
import { createOutbox, MAX_MESSAGE_BYTES } from "../../src/proactive/outbox.js";
import { assessTeamRisk, workFacts } from "../../src/proactive/team-risk.js";
import { SANDBOX_STAFF } from "../../src/staff-file.js";
import type { MirrorRow } from "../../src/store/mirror-repo.js";
import type { Store } from "../../src/store/store.js";
import { createMantisClient } from "../../src/tracker/mantis/mantis-client.js";
import { createMantisTracker } from "../../src/tracker/mantis/mantis-tracker.js";
import { STORE_BACKENDS, useTestStore } from "../support/store-backends.js";

const NOW = new Date("2034-03-14T09:00:00Z");
const HOUR = 3_600_000;
const CHANNEL = { channel: "management", time: "09:00", timeZone: "Europe/Zurich" };
const silent = pino({ level: "silent" });

/** A small deterministic random source, so a failure can be repeated. */
function random(seed: number): { int(below: number): number; pick<T>(values: readonly T[]): T } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  return { int: (below) => Math.floor(next() * below), pick: (values) => values[Math.floor(next() * values.length)]! };
}

/** The engine's context over a store; MantisBT is never called (the summary reads the store only). */
function contextOver(store: Store, env: Record<string, string> = {}): EngineContext {
  const config = loadConfig(env);
  const staff = new StaffDirectory([...SANDBOX_STAFF]);
  const client = createMantisClient({ url: "http://127.0.0.1:9/mantis/", token: "unused", project: 1, impersonate: false, timeoutMs: 1_000, category: "General", log: silent });
  const tracker = createMantisTracker({ client, staff });
  const { outbox } = createOutbox({ store, staff, platforms: ["sandbox"], settings: config.process, proactive: config.proactive, log: silent, quietHours: true });
  return createEngineContext({ tracker, store, staff, outbox, settings: config.process, proactive: config.proactive, logger: silent, now: () => NOW });
}

/** A random queue: mirror rows, process states, estimates, journal entries, sub-bugs and changes. */
async function fillQueue(store: Store, seed: number, bugs: number): Promise<void> {
  const pick = random(seed);
  const statuses = ["new", "new", "feedback", "feedback", "acknowledged", "confirmed", "assigned", "assigned", "confirmed", "resolved", "closed"];
  const tagSets = [[], [], ["Customer"], ["customer"], ["CUSTOMER", "Wallet"], ["Customers"], ["my customer"], ["Wallet"]];
  // Few distinct instants, so many bugs tie and the bug id decides.
  const instant = (): Date => new Date(NOW.getTime() - (1 + pick.int(12)) * 6 * HOUR);
  const deadline = (): string => new Date(NOW.getTime() + (pick.int(30) - 8) * 24 * HOUR).toISOString().slice(0, 10);
  const dotted = (iso: string): string => iso.split("-").reverse().map(Number).join(".");
  for (let id = 1; id <= bugs; id++) {
    const status = pick.pick(statuses);
    const tag = pick.pick(["", "", `[${1 + pick.int(40)}h, ${dotted(deadline())}] `, `[${1 + pick.int(6)}d] `, `[${dotted(deadline())}] `, "[2FA] "]);
    const row: MirrorRow = {
      id,
      status,
      handler: pick.pick([undefined, "alice", "bob", "carol", "dave"]),
      priority: pick.pick(["none", "low", "normal", "normal", "high", "urgent", "immediate"] as const),
      summary: `${tag}Bug ${id}: the wallet ${pick.pick(["crashes", "hangs", "shows *bold* text", "pings @all"])}`,
      tags: pick.pick(tagSets),
      private: pick.int(5) === 0,
      createdAt: instant(),
      updatedAt: instant(),
      statusSince: instant(),
      ...(status === "feedback" && pick.int(2) === 0 ? { feedbackSince: instant() } : {}),
      tagChangedAt: instant(),
      seenAt: NOW,
      announced: true,
    };
    await store.mirror.save(row);
    const stage = pick.pick([undefined, undefined, undefined, undefined, "analysis", "review", "Review", "resolution", "RESOLUTION", "action"]);
    if (stage !== undefined || pick.int(3) === 0) {
      await store.bugProcess.update(id, { ...(stage ? { stage } : {}), ...(pick.int(2) === 0 ? { estimateMinutes: 60 * (1 + pick.int(30)), deadline: deadline() } : {}) }, NOW);
    }
    if (pick.int(6) === 0) await store.estimates.record({ bugId: id, at: new Date(NOW.getTime() - pick.int(20) * 24 * HOUR), actor: "alice", source: "eta", estimateMinutes: 120 });
    if (pick.int(6) === 0) await store.journal.append({ bugId: id, at: new Date(NOW.getTime() - pick.int(20) * 24 * HOUR), actor: "bob", action: "eta", command: "eta", details: {} });
    if (id > 10 && pick.int(8) === 0) await store.subFeedback.add({ childBugId: id, parentBugId: 1 + pick.int(id - 1), askedBy: "manager", askedOf: "alice", askedAt: NOW });
    if (pick.int(10) === 0) await store.mirror.addChange({ bugId: id, at: new Date(NOW.getTime() - pick.int(20) * HOUR), change: "NEW → FEEDBACK" });
  }
}

/** The summary composed the obvious way: every open row, its facts read one by one, every bug handed to composeSummary. */
async function composeFromEveryRow(ctx: EngineContext, itemsPerSection: number): Promise<string> {
  const rows = await ctx.store.mirror.list({ openOnly: true });
  const risks = await assessTeamRisk(ctx, rows, NOW);
  const open = new Set(rows.map((row) => row.id));
  const bugs: SummaryBug[] = [];
  for (const row of rows) {
    const facts = await workFacts(ctx, row);
    const subBugs = (await ctx.store.subFeedback.list(row.id)).map((link) => link.childBugId).filter((id) => open.has(id));
    bugs.push(
      summaryBugOf(ctx, row, {
        ...facts,
        risk: risks.get(row.id)?.risk.state,
        stage: (await ctx.processFacts(row.id))?.stage,
        ...(subBugs.length > 0 ? { openSubBugs: subBugs } : {}),
      }),
    );
  }
  const changes = (await ctx.store.mirror.changesSince(new Date(NOW.getTime() - 24 * HOUR))).map((change) => ({ ...change }));
  return composeSummary({
    bugs,
    changes,
    now: NOW,
    timeZone: CHANNEL.timeZone,
    bugUrl: ctx.bugUrl,
    itemsPerSection,
    limit: { length: MAX_MESSAGE_BYTES, measure: "utf8-bytes" },
  });
}

describe.each(STORE_BACKENDS)("the daily summary's selection on %s", (backend) => {
  const store = useTestStore(backend);

  it("gives the summary composed from every open bug, over a random queue, with 0, 3 and 10 items per section", async () => {
    await fillQueue(store(), 7, 240);
    for (const items of [10, 3, 0]) {
      const ctx = contextOver(store(), { SUMMARY_ITEMS_PER_SECTION: String(items) });
      const text = await buildDailySummary(ctx, CHANNEL, NOW, NOW);
      expect(text).toBe(await composeFromEveryRow(ctx, items));
    }
    // The queue has what the comparison is meant to cover.
    const text = await buildDailySummary(contextOver(store()), CHANNEL, NOW, NOW);
    for (const section of ["NEW, awaiting triage", "Feedback owed", "Confirmed, not started", "In work", "In review", "Resolved, customer not yet notified", "Changed since yesterday"]) {
      expect(text).toMatch(new RegExp(`\\*\\*${section} \\(\\d+\\)\\*\\*`));
    }
    expect(text).toMatch(/\*\*OVERDUE\*\*/);
    expect(text).toMatch(/\*\*at risk\*\*/);
    expect(text).toMatch(/ · customer · /);
    expect(text).toMatch(/waits for sub-bugs? \[#/);
    expect(text).toMatch(/and \d+ more: `summary new`/);
  });

  it("counts each section as the stage and status say, and shows no item when none are asked for", async () => {
    const row = (id: number, status: string): MirrorRow => ({
      id, status, priority: "normal", summary: `Bug ${id}`, tags: [], private: false, createdAt: NOW, updatedAt: NOW, statusSince: NOW, tagChangedAt: NOW, seenAt: NOW, announced: true,
    });
    for (const [id, status] of [[1, "new"], [2, "new"], [3, "feedback"], [4, "assigned"], [5, "assigned"], [6, "confirmed"], [7, "resolved"], [8, "acknowledged"]] as const) await store().mirror.save(row(id, status));
    await store().bugProcess.update(2, { stage: "Review" }, NOW);
    await store().bugProcess.update(5, { stage: "resolution" }, NOW);
    await store().bugProcess.update(7, { stage: "resolution" }, NOW);
    await store().bugProcess.update(4, { stage: "action" }, NOW);
    const selection = await store().mirror.summarySelection({ customerTag: "Customer", itemsPerSection: 0 });
    expect(selection.counts).toEqual({ new: 1, feedback: 1, confirmed: 2, work: 1, review: 1, notify: 1 });
    expect(selection.rows).toEqual([]);
    const shown = await store().mirror.summarySelection({ customerTag: "Customer", itemsPerSection: 1, alsoIds: [4] });
    expect(shown.rows.map((one) => [one.id, one.stage])).toEqual([
      [1, undefined],
      [3, undefined],
      [6, undefined],
      [2, "Review"],
      [5, "resolution"],
      [4, "action"],
    ]);
  });
});
