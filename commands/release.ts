/**
 * `release 1.1.0`: management closes every RESOLVED bug "with the next release cycle" (seed:
 * Resolution). Bugs without a fixed-in version get the release's version; one a developer already
 * recorded is kept. MantisBT answers 400 for a version the project does not have (OBSERVED.md), so
 * the version is checked first and an unknown one is refused with the list of known versions.
 */
import { z } from "zod";
import { checkTransition } from "../src/core/stages.js";
import { UsageError } from "../src/errors.js";
import { BotError } from "../src/errors.js";
import { versionArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { changeBug } from "../src/process/bug-actions.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
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
      try {
        await closeBug(ctx, bug, version);
        ctx.store.updateBugProcess(bug.id, { stage: check.to.stage }, ctx.now());
        const kept = bug.fixedInVersion && bug.fixedInVersion !== version ? ` (fixed in ${escapeMarkdown(bug.fixedInVersion)}, kept)` : "";
        closed.push(`- ${link} ${escapeMarkdown(bug.summary)}${kept}`);
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

async function closeBug(ctx: Parameters<typeof changeBug>[0], bug: Bug, version: string): Promise<Bug> {
  return changeBug(
    ctx,
    bug,
    { status: "closed", ...(bug.fixedInVersion ? {} : { fixedInVersion: version }) },
    { action: "release", command: "release", details: { version } },
  );
}
