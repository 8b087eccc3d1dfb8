/**
 * `note 1234 "text" [private]`: a staff member writes a note on a bug, as themselves (the tracker
 * acts as them, or names them). Typed in a bug's thread as `note ...` (or the configured word), the
 * chat kernel runs it for that bug (src/chat/kernel/thread-notes.ts).
 *
 * Decisions:
 * - Public unless `private`: the team's conversation with the reporter happens in public notes.
 * - Personal data (CONTRIBUTING): a public note that looks like it carries a phone number or an
 *   e-mail address is refused, with the suggestion to make it private; nothing is written.
 * - A note the tracker refuses (a closed, read-only bug) is a refusal, not a failure on our side:
 *   nothing was written and the person can act on the tracker's words.
 */
import { z } from "zod";
import { ForbiddenError, ProcessRuleError } from "../src/errors.js";
import { bugIdArg, flagArg, textArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { addTicketNote } from "../src/process/bug-actions.js";
import { bugLink } from "../src/process/bug-format.js";
import { describeRedaction, findContactData } from "../src/process/personal-data.js";
import { TrackerRejectedError } from "../src/process/tracker-port.js";

export const noteCommand = defineCommand({
  name: "note",
  summary: "Write a note on a bug as yourself (public unless private); in a bug's thread, start a reply with `note`",
  usage: '<bug> "text" [private]',
  examples: ['note 1234 "We can reproduce it with wallet 0.14.2."', 'note 1234 "Customer prefers a call in the morning." private'],
  roles: ["staff", "management"],
  positional: ["bug", "...text"],
  flags: ["private"],
  args: z.object({ bug: bugIdArg, text: textArg, private: flagArg }),
  async run(ctx, args) {
    if (!args.private) {
      const found = findContactData(args.text);
      if (found.length > 0) {
        throw new ProcessRuleError(
          `Not written: the note looks like it carries someone's ${describeRedaction(found)}, and public notes are read by the reporter and anyone who can see the bug. ` +
            `Make it private (\`note private ...\` in the bug's thread, or \`private\` at the end), or leave the contact data out.`,
        );
      }
    }
    // One request: the tracker refuses a bug that does not exist, so the bug is not read first.
    const note = await addTicketNote(ctx, args.bug, { text: args.text, private: args.private }, { action: "note", command: "note" }).catch((error: unknown) => {
      // The tracker's refusal of this note (a closed bug is read-only) is the person's to act on; the
      // bot's own set-up problems (impersonation, token) carry a fix-it hint and stay failures.
      const refusedNote = error instanceof TrackerRejectedError || (error instanceof ForbiddenError && error.hint === undefined);
      if (refusedNote) throw new ProcessRuleError(`Not written: ${error.userMessage}`);
      throw error;
    });
    const link = bugLink({ id: args.bug, private: false }, ctx.tracker.ticketUrl(args.bug));
    return ephemeral(`Wrote ${args.private ? "private" : "public"} note ${note.id} on ${link} in ${ctx.tracker.name}.`, { bugId: args.bug });
  },
});
