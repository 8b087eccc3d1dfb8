/**
 * `release 1.1.0`: management releases a version and closes every RESOLVED bug "with the next
 * release cycle" (seed: Resolution).
 *
 * Decisions:
 * - A version the project does not have yet is created (unreleased) first, because a fixed-in version
 *   must name an existing version. Once every RESOLVED bug is closed, the version is
 *   marked released with today's date. A version already released changes nothing: bugs resolved
 *   after it go with the next release.
 * - Bugs without a fixed-in version get the release's version, or the production version the
 *   developer's feedback named (`fixed-in="production 1.0.0"`); one already set in the tracker is kept.
 * - Sub-bugs are closed before their parents. A bug whose sub-bugs are not all resolved stays
 *   RESOLVED (the process table's `sub-bugs-resolved`) and is listed with what each sub-bug needs;
 *   it goes with a later release and does not hold this one up.
 * - A bug the tracker refuses to close does not stop the others (its parents are not tried: the
 *   tracker would refuse them too), but the version is then left unreleased, so that running the
 *   command again closes the rest and releases it. One change per bug (trackers have no bulk update
 *   the port offers). When reading the bugs or marking the version released fails, the reply says what
 *   was done and what was not, and the same command again finishes the rest.
 */
import { z } from "zod";
import { formatDate, todayIn } from "../src/core/dates.js";
import { checkTransition, closingOrder, describeSubBug, openSubBugs } from "../src/core/stages.js";
import type { Ticket } from "../src/core/ticket.js";
import { BotError, UsageError } from "../src/errors.js";
import { versionArg } from "../src/framework/arg-types.js";
import { defineCommand, type CommandContext } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { parseFixedIn } from "../src/process/fixed-in.js";
import { readQueue } from "../src/process/queue.js";
import { describeBug, loadSubBugs, subBugIds } from "../src/process/situation.js";
import { callerTimeZone, callerToday } from "../src/process/timeline-input.js";
import type { ProjectVersion } from "../src/process/tracker-port.js";
import { applyTransition, type Transition } from "../src/process/transition.js";
import { PartialChangeError } from "../src/process/write-steps.js";
import type { BugProcessState } from "../src/core/bug-process.js";

export const releaseCommand = defineCommand({
  name: "release",
  summary: "Release a version: create it in the tracker if needed, close every RESOLVED bug (fixed-in version set where empty), mark it released",
  usage: "<version>",
  examples: ["release 1.1.0"],
  roles: ["management"],
  positional: ["version"],
  args: z.object({ version: versionArg }),
  async run(ctx, args) {
    const { name: tracker, limits } = ctx.tracker;
    if (Buffer.byteLength(args.version) > limits.versionNameBytes) {
      throw new UsageError(`version: is too long: ${tracker} takes at most ${limits.versionNameBytes} bytes for a version name`);
    }
    const versions = await ctx.tracker.listVersions();
    const known = versions.find((candidate) => candidate.name === args.version) ?? versions.find((candidate) => candidate.name.toLowerCase() === args.version.toLowerCase());
    if (known?.released) {
      const on = known.date ? ` on ${formatDate(todayIn(await callerTimeZone(ctx), known.date))}` : "";
      return ephemeral(`${escapeMarkdown(known.name)} was already released${on}; nothing changed. Bugs resolved since then go with the next release.`);
    }
    const version = known ?? await ctx.tracker.createVersion(args.version);
    if (!known) ctx.log.info({ version: version.name }, "created a version for a release");
    const name = escapeMarkdown(version.name);

    const created = `created version ${version.name} in ${tracker}`;
    const markReleased = `mark ${version.name} released`;
    let resolved: ResolvedBugs;
    try {
      resolved = await readResolved(ctx);
    } catch (error) {
      if (known) throw error;
      throw new PartialChangeError([created], [`close the RESOLVED bugs with ${version.name}`, markReleased], {
        cause: error,
        retry: "the version is there now, so it closes the RESOLVED bugs and releases it",
      });
    }
    const { closable, waiting, truncated } = resolved;

    const closed: string[] = [];
    const failed: string[] = [];
    const done: string[] = known ? [] : [created];
    const notClosed = new Set<number>();
    for (const id of closingOrder(new Map([...closable].map(([bugId, { bug }]) => [bugId, subBugIds(bug)])))) {
      const { bug, state, transition } = closable.get(id)!;
      const stuck = subBugIds(bug).filter((subId) => notClosed.has(subId));
      if (stuck.length > 0) {
        // A tracker refuses to close a parent of an unresolved bug; no need to ask it.
        notClosed.add(bug.id);
        failed.push(`- ${link(ctx, bug)}: not tried, its sub-bug ${stuck.map((subId) => `#${subId}`).join(", ")} could not be closed`);
        continue;
      }
      // A fix the developer reported as already in production names its version (feedback fixed-in=).
      const fixedIn = bug.fixedInVersion ? undefined : (productionVersion(state?.fixedIn, versions) ?? version.name);
      try {
        await applyTransition(ctx, bug, transition, {
          ...(fixedIn ? { fields: { fixedInVersion: fixedIn } } : {}),
          record: { action: "release", details: { version: version.name, fixedIn: fixedIn ?? bug.fixedInVersion ?? null } },
        });
        const kept = bug.fixedInVersion && bug.fixedInVersion !== version.name ? ` (fixed in ${escapeMarkdown(bug.fixedInVersion)}, kept)` : "";
        const earlier = fixedIn && fixedIn !== version.name ? ` (fixed in ${escapeMarkdown(fixedIn)}, as reported in the feedback)` : "";
        closed.push(`- ${link(ctx, bug)} ${escapeMarkdown(bug.summary)}${kept}${earlier}`);
        done.push(`closed #${bug.id}`);
      } catch (err) {
        // One bug the tracker refuses must not stop the others from closing.
        ctx.log.warn({ err, bugId: bug.id }, "closing a bug for a release failed");
        notClosed.add(bug.id);
        failed.push(`- ${link(ctx, bug)}: ${err instanceof BotError ? err.userMessage : "the tracker did not accept the change"}`);
      }
    }

    const lines: string[] = [];
    if (!known) lines.push(`Created version ${name} in ${tracker}.`);
    if (closed.length === 0 && failed.length === 0 && waiting.length === 0) lines.push(`No RESOLVED bugs to close for ${name}.`);
    if (closed.length > 0) lines.push(`**Closed with ${name} (${closed.length}):**`, ...closed);
    if (waiting.length > 0) lines.push(`**Not closed, their sub-bugs are open (${waiting.length}); they go with a later release:**`, ...waiting);
    if (failed.length > 0) lines.push(`**Could not close (${failed.length}), still RESOLVED:**`, ...failed);
    if (failed.length > 0 || truncated) {
      if (truncated) lines.push("_(The tracker has more bugs than I read in one go.)_");
      lines.push(`${name} is not marked released yet: run \`release ${version.name}\` again to close the rest and release it.`);
    } else {
      try {
        await ctx.tracker.markVersionReleased(version.id, ctx.now());
      } catch (error) {
        if (done.length === 0) throw error;
        throw new PartialChangeError(done, [markReleased], { cause: error, retry: "the closed bugs stay closed and the version is marked released" });
      }
      lines.push(`${name} is marked released in ${tracker}, dated ${formatDate(await callerToday(ctx))}.`);
    }
    return ephemeral(lines.join("\n"));
  },
});

/** The project's RESOLVED bugs as the release sees them. */
interface ResolvedBugs {
  /** Those it closes, by id. */
  closable: Map<number, { bug: Ticket; state: BugProcessState | undefined; transition: Transition }>;
  /** A line for each that waits for its sub-bugs, saying what they need. */
  waiting: string[];
  /** The tracker had more bugs than one reading takes. */
  truncated: boolean;
}

/** Reads the project's bugs and sorts out the RESOLVED ones. */
async function readResolved(ctx: CommandContext): Promise<ResolvedBugs> {
  const { bugs, truncated } = await readQueue(ctx.tracker, () => true);
  const byId = new Map(bugs.map((bug) => [bug.id, bug]));
  const closable: ResolvedBugs["closable"] = new Map();
  const waiting: string[] = [];
  for (const bug of bugs.filter((candidate) => candidate.state.stages.includes("resolved"))) {
    const state = await ctx.store.bugProcess.get(bug.id);
    const subBugs = await loadSubBugs(ctx, bug, byId);
    const situation = { ...describeBug(bug, state, ctx.settings), subBugs: subBugs.map((sub) => sub.situation) };
    const check = checkTransition("release", situation);
    if (check.ok) closable.set(bug.id, { bug, state, transition: check });
    else if (check.reason === "sub-bugs-resolved") waiting.push(`- ${link(ctx, bug)}: ${openSubBugs(situation).map(describeSubBug).join("; ")}`);
  }
  return { closable, waiting, truncated };
}

function link(ctx: Pick<CommandContext, "tracker">, bug: Ticket): string {
  return bugLink(bug, ctx.tracker.ticketUrl(bug.id));
}

/** The project version in a stored `production 1.0.0`, if it is one the tracker knows. */
function productionVersion(stored: string | undefined, versions: readonly ProjectVersion[]): string | undefined {
  if (!stored) return undefined;
  const parsed = parseFixedIn(stored);
  if (!parsed.ok || parsed.value.place !== "production") return undefined;
  return versions.find((known) => known.name === parsed.value.detail)?.name;
}
