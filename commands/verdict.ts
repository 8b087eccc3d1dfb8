/**
 * `verdict 1234 pass [@carol]` / `verdict 1234 fail "reason"`: the reviewer's answer (seed: Review).
 * "If the issue is not addressed fully, it should go back into the 'Action' stage, otherwise it is
 * assigned (status: assigned) to the staff member responsible for communicating the resolution to
 * the customer. [...] if no customer is involved the bug may simply be marked as 'resolved' directly."
 */
import { z } from "zod";
import { VERDICT_OUTCOMES } from "../src/core/stages.js";
import { ProcessRuleError } from "../src/errors.js";
import { bugIdArg, staffHandleArg } from "../src/framework/arg-types.js";
import { defineCommand, type CommandContext } from "../src/framework/command.js";
import { ephemeral, type Message, type Reply } from "../src/framework/reply.js";
import { bugLink, escapeMarkdown } from "../src/process/bug-format.js";
import { notifyAfterChange } from "../src/process/notify.js";
import { developerOf, pickCommunicator, requireParticipant, staffNamed } from "../src/process/participants.js";
import { handlerMember, requireAssignableStaff } from "../src/process/require-handler.js";
import { loadBug, requireTransition, type LoadedBug } from "../src/process/situation.js";
import { applyTransition, type Transition } from "../src/process/transition.js";

const outcomeArg = z
  .string()
  .transform((text) => text.trim().toLowerCase())
  .pipe(z.enum(VERDICT_OUTCOMES, { error: "must be pass or fail" }));

/**
 * After the outcome: a pass may name who tells the customer (one `@handle`), a fail must say what is
 * still wrong. Checked here so the usage error names the right argument.
 */
const verdictArgs = z
  .object({
    bug: bugIdArg,
    // Optional so that a bare `verdict 12` gets the process table's own explanation (guard verdict-outcome).
    outcome: outcomeArg.optional(),
    details: z.array(z.string()),
  })
  .transform((args, ctx) => {
    const text = args.details.join(" ").trim();
    if (args.outcome === "fail") {
      if (text === "") {
        ctx.addIssue({ code: "custom", path: ["reason"], message: 'missing: say what is still wrong, e.g. verdict 12 fail "still crashes on upper-case URIs"' });
        return z.NEVER;
      }
      return { bug: args.bug, outcome: "fail" as const, reason: text };
    }
    if (args.details.length > 1) {
      ctx.addIssue({ code: "custom", path: ["communicator"], message: "a pass takes at most one @handle: who tells the customer" });
      return z.NEVER;
    }
    let communicator: string | undefined;
    if (args.details[0] !== undefined) {
      const parsed = staffHandleArg.safeParse(args.details[0]);
      if (!parsed.success) {
        ctx.addIssue({ code: "custom", path: ["communicator"], message: "must be a staff handle such as @carol" });
        return z.NEVER;
      }
      communicator = parsed.data;
    }
    return { bug: args.bug, outcome: args.outcome, communicator };
  });

type VerdictArgs = z.output<typeof verdictArgs>;
type Fail = Extract<VerdictArgs, { outcome: "fail" }>;
type Pass = Exclude<VerdictArgs, Fail>;

export const verdictCommand = defineCommand({
  name: "verdict",
  summary: "Give the review result: pass (to the customer's communicator, or RESOLVED) or fail (back to the developer)",
  usage: '<bug> pass|fail [@communicator | "what is still wrong"]',
  examples: ["verdict 1234 pass", "verdict 1234 pass @carol", 'verdict 1234 fail "still crashes with upper-case URIs"'],
  roles: ["staff", "management"],
  positional: ["bug", "outcome", "...details"],
  args: verdictArgs,
  async run(ctx, args) {
    const loaded = await loadBug(ctx, args.bug);
    const { bug, state, situation } = loaded;
    const transition = requireTransition("verdict", situation, args.outcome);
    const reviewer = staffNamed(ctx, state?.reviewer);
    requireParticipant(ctx, { people: [reviewer, handlerMember(ctx, bug)], who: "the reviewer", bugId: bug.id, action: "give its verdict" });
    return args.outcome === "fail" ? fail(ctx, loaded, transition, args) : pass(ctx, loaded, transition, args);
  },
});

async function fail(ctx: CommandContext, loaded: LoadedBug, transition: Transition, args: Fail): Promise<Reply> {
  const { bug, state } = loaded;
  const developer = developerOf(ctx, { handler: undefined }, state);
  if (!developer) {
    throw new ProcessRuleError(`I do not know who made the fix for #${bug.id}, so I cannot hand it back; set the developer as handler in ${ctx.tracker.name}.`);
  }
  // Handler, state and the reason in one change: all or nothing, and the tracker keeps the state sent.
  const updated = await applyTransition(ctx, bug, transition, {
    assignee: developer,
    notes: [{ text: `Review: not fixed yet. ${args.reason}`, private: false, record: { action: "verdict-fail-note", command: "verdict" } }],
    processState: { developer: developer.name },
    record: { action: "verdict-fail", details: { outcome: "fail", developer: developer.name } },
  });

  const link = bugLink(updated, ctx.tracker.ticketUrl(bug.id));
  const problem = await notifyAfterChange(ctx, `the message to @${developer.name}`, () =>
    ctx.notifier.direct(developer, {
      text: [
        `@${ctx.caller.name} reviewed your fix for ${link} ${escapeMarkdown(updated.summary)}: **not fixed yet**.`,
        `> ${escapeMarkdown(args.reason)}`,
        `The bug is back with you (${updated.state.label}). Fix it, update the draft if needed (\`draft ${bug.id} ...\`), then send it to review again (\`review ${bug.id} @${ctx.caller.name}\`).`,
      ].join("\n"),
      bugId: bug.id,
    }),
  );
  return ephemeral(
    [`${link} goes back to @${developer.name} (${updated.state.label}, in work); your reason is a note on the bug and they have been told.`, problem]
      .filter(Boolean)
      .join("\n"),
    { bugId: bug.id },
  );
}

async function pass(ctx: CommandContext, loaded: LoadedBug, transition: Transition, args: Pass): Promise<Reply> {
  const { bug, state, situation } = loaded;
  const link = bugLink(bug, ctx.tracker.ticketUrl(bug.id));
  if (!situation.customer) {
    if (args.communicator !== undefined) {
      throw new ProcessRuleError(
        `Bug #${bug.id} is not a customer's bug (no ${ctx.settings.customerTag} tag), so nobody needs to tell a customer and it goes straight to RESOLVED. ` +
          `Leave out @${args.communicator}, or tag the bug ${ctx.settings.customerTag} in ${ctx.tracker.name} first.`,
      );
    }
    await applyTransition(ctx, bug, transition, { record: { action: "verdict-pass", details: { outcome: "pass", customer: false } } });
    const developer = developerOf(ctx, { handler: undefined }, state);
    const problem = developer
      ? await notifyAfterChange(ctx, `the message to @${developer.name}`, () =>
          ctx.notifier.direct(developer, {
            text: `@${ctx.caller.name} passed your fix for ${link} ${escapeMarkdown(bug.summary)}; it is RESOLVED and will be closed with the next release.`,
            bugId: bug.id,
          }),
        )
      : undefined;
    return ephemeral(
      [`${link} passed review and is RESOLVED (no customer to tell); management closes it with the next release.`, problem].filter(Boolean).join("\n"),
      { bugId: bug.id },
    );
  }

  const requested = args.communicator === undefined ? undefined : await requireAssignableStaff(ctx, args.communicator);
  const communicator = pickCommunicator(ctx, state, requested);
  if (!communicator) {
    throw new ProcessRuleError(`Nobody is set to tell the customer about #${bug.id}: name someone, e.g. \`verdict ${bug.id} pass @carol\`.`);
  }
  const updated = await applyTransition(ctx, bug, transition, {
    assignee: communicator,
    processState: { communicator: communicator.name },
    record: { action: "verdict-pass", details: { outcome: "pass", customer: true, communicator: communicator.name } },
  });
  const problem = await notifyAfterChange(ctx, `the message to @${communicator.name}`, () =>
    ctx.notifier.direct(communicator, resolutionRequest(ctx, { bugId: bug.id, link, summary: updated.summary, draft: state?.draftText })),
  );
  const who = communicator.name === ctx.caller.name ? "you" : `@${communicator.name}`;
  return ephemeral(
    [`${link} passed review. It is now with ${who} to tell the customer (${updated.state.label}, resolution), with the developer's draft.`, problem]
      .filter(Boolean)
      .join("\n"),
    { bugId: bug.id },
  );
}

/** The communicator's direct message: the draft, when to send it, and how to record that it was sent. */
function resolutionRequest(ctx: Pick<CommandContext, "caller">, facts: { bugId: number; link: string; summary: string; draft?: string }): Message {
  const lines = [`${facts.link} ${escapeMarkdown(facts.summary)} passed review (@${ctx.caller.name}). Please tell the customer that we fixed it.`];
  if (facts.draft) lines.push("The developer's draft:", ...facts.draft.split("\n").map((line) => `> ${escapeMarkdown(line)}`));
  lines.push(
    "Send it when the fix is useful to the customer (in Git, on staging or in production, as fits them); earlier is better. " +
      "Share as much technical detail as the customer would want.",
    `Run \`notify ${facts.bugId}\` when you send it: it gives you the final text and marks the bug RESOLVED.`,
  );
  return { text: lines.join("\n"), bugId: facts.bugId, buttons: [{ label: "Notify the customer", command: `notify ${facts.bugId}` }] };
}
