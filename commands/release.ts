/**
 * `release 1.1.0`: management closes every RESOLVED bug "with the next release cycle" (seed:
 * Resolution). Bugs without a fixed-in version get the release's version, or the production version
 * the developer's feedback named (`fixed-in="production 1.0.0"`); one already set in MantisBT is kept. MantisBT answers 400 for a version the project does not have (OBSERVED.md), so
 * the version is checked first and an unknown one is refused with the list of known versions.
 */
import { z } from "zod";
import { checkTransition } from "../src/core/stages.js";
import { BotError, UsageError } from "../src/errors.js";
import { versionArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { changeBug } from "../src/process/bug-actions.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { parseFixedIn } from "../src/process/fixed-in.js";
import { readQueue } from "../src/process/queue.js";
import { describeBug } from "../src/process/situation.js";
import type { Bug } from "../src/tracker/tracker.js";

export const releaseCommand = defineCommand({
  name: "release",
  summary: "Close every RESOLVED bug with a release (fixed-in version set where empty)",
  usage: "<version>",
  examples: ["release 1.1.0"],
  roles: ["management"],
  positional: ["version"],
  args: z.object({ version: versionArg }),
  async run(ctx, args) {
    const versions = await ctx.tracker.listVersions();
    const version = versions.find((known) => known === args.version) ?? versions.find((known) => known.toLowerCase() === args.version.toLowerCase());
    if (version === undefined) {
      const known = versions.length > 0 ? versions.map((name) => `\`${name}\``).join(", ") : "none yet";
      throw new UsageError(`version: \`${args.version}\` is not a version of the project in MantisBT (known: ${known}). Add it in MantisBT first if it is new.`);
    }

    const { bugs, truncated } = await readQueue(ctx.tracker, (bug) => bug.status === "resolved");
    const closed: string[] = [];
    const failed: string[] = [];
    for (const bug of [...bugs].sort((a, b) => a.id - b.id)) {
      const state = ctx.store.getBugProcess(bug.id);
      const check = checkTransition("release", describeBug(bug, state, ctx.settings));
      if (!check.ok) continue;
      const link = bugLink(bug, ctx.tracker.bugUrl(bug.id));
      // A fix the developer reported as already in production names its version (feedback fixed-in=).
      const fixedIn = bug.fixedInVersion ? undefined : (productionVersion(state?.fixedIn, versions) ?? version);
      try {
        await closeBug(ctx, bug, fixedIn);
        ctx.store.updateBugProcess(bug.id, { stage: check.to.stage }, ctx.now());
        const kept = bug.fixedInVersion && bug.fixedInVersion !== version ? ` (fixed in ${escapeMarkdown(bug.fixedInVersion)}, kept)` : "";
        const earlier = fixedIn && fixedIn !== version ? ` (fixed in ${escapeMarkdown(fixedIn)}, as reported in the feedback)` : "";
        closed.push(`- ${link} ${escapeMarkdown(bug.summary)}${kept}${earlier}`);
      } catch (err) {
        // One bug MantisBT refuses must not stop the others from closing.
        ctx.log.warn({ err, bugId: bug.id }, "closing a bug for a release failed");
        failed.push(`- ${link}: ${err instanceof BotError ? err.userMessage : "the tracker did not accept the change"}`);
      }
    }

    const lines: string[] = [];
    if (closed.length === 0 && failed.length === 0) lines.push(`No RESOLVED bugs to close for ${escapeMarkdown(version)}.`);
    if (closed.length > 0) lines.push(`**Closed with ${escapeMarkdown(version)} (${closed.length}):**`, ...closed);
    if (failed.length > 0) lines.push(`**Could not close (${failed.length}), still RESOLVED:**`, ...failed);
    if (truncated) lines.push("_(The tracker has more bugs than I read in one go: run the command again for the rest.)_");
    return ephemeral(lines.join("\n"));
  },
});

/** Closes the bug, setting its fixed-in version when one is given. */
async function closeBug(ctx: Parameters<typeof changeBug>[0], bug: Bug, fixedIn: string | undefined): Promise<Bug> {
  return changeBug(
    ctx,
    bug,
    { status: "closed", ...(fixedIn ? { fixedInVersion: fixedIn } : {}) },
    { action: "release", command: "release", details: { fixedIn: fixedIn ?? bug.fixedInVersion ?? null } },
  );
}

/** The project version in a stored `production 1.0.0`, if it is one MantisBT knows. */
function productionVersion(stored: string | undefined, versions: readonly string[]): string | undefined {
  if (!stored) return undefined;
  const parsed = parseFixedIn(stored);
  if (!parsed.ok || parsed.value.place !== "production") return undefined;
  return versions.find((known) => known === parsed.value.detail);
}
