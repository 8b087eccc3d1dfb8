/**
 * `notify 1234`: the communicator tells the customer the bug is fixed (seed: Resolution). The bot
 * cannot talk to the customer itself: it gives the final text (the developer's draft, plus the bug
 * link unless the bug is private), marks the bug "resolved", and for bugs that came from sales
 * records the resolution in the ERP and asks for billing to start.
 */
import { z } from "zod";
import { ProcessRuleError } from "../src/errors.js";
import { bugIdArg, flagArg } from "../src/framework/arg-types.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { bugLink } from "../src/process/bug-format.js";
import { requireParticipant, staffNamed } from "../src/process/participants.js";
import { handlerMember } from "../src/process/require-handler.js";
import { loadBug, requireTransition } from "../src/process/situation.js";
import { applyTransition } from "../src/process/transition.js";


export const notifyCommand = defineCommand({
  name: "notify",
  summary: "Get the final text for the customer and mark the bug RESOLVED (ERP and billing for sales bugs)",
  usage: "<bug> [gratis]",
  examples: ["notify 1234", "notify 1234 gratis"],
  roles: ["staff", "management"],
  positional: ["bug"],
  flags: ["gratis"],
  args: z.object({ bug: bugIdArg, gratis: flagArg }),
  async run(ctx, args) {
    const { bug, state, situation } = await loadBug(ctx, args.bug);
    const transition = requireTransition("notify", situation);
    const communicator = staffNamed(ctx, state?.communicator);
    requireParticipant(ctx, { people: [communicator, handlerMember(ctx, bug)], who: "the staff member telling the customer", bugId: bug.id, action: "notify" });
    const sales = await ctx.store.sales.linkOf(bug.id);
    if (args.gratis && !sales) {
      throw new ProcessRuleError(`Bug #${bug.id} did not come from a sales process, so there is no billing to skip; run \`notify ${bug.id}\`.`);
    }

    const updated = await applyTransition(ctx, bug, transition, {
      record: { action: "notify", details: { sales: Boolean(sales), billing: Boolean(sales) && !args.gratis } },
    });

    const url = ctx.tracker.ticketUrl(bug.id);
    const lines = [`${bugLink(updated, url)} is ${updated.state.label}; management closes it with the next release.`];
    if (state?.draftText) {
      const text = updated.private ? state.draftText : `${state.draftText.trimEnd()}\n\nDetails: ${url}`;
      lines.push(`Send the customer this (based on the developer's draft; adjust the technical detail to what they want to know):`, fence(text));
    } else {
      lines.push(`No draft response was stored: write the customer a brief note that we fixed the problem${updated.private ? "" : `, with the link ${url}`}.`);
    }
    if (updated.private) lines.push("The bug is private, so its link is left out: the customer could not open it.");
    const calls = (await ctx.store.calls.list()).filter((call) => call.bugId === bug.id);
    if (calls.length > 0) {
      lines.push(`The customer's name and contact are in the private note on the bug (support call ${calls.map((call) => call.id).join(", ")}).`);
    }

    if (sales) {
      lines.push(`This bug came from sales${sales.salesRef ? ` (${sales.salesRef})` : ""}: send the response via the ERP.`);
      try {
        const { reference, notice } = await ctx.erp.recordResolution({
          bugId: bug.id,
          bugUrl: url,
          ...(sales.salesRef ? { salesRef: sales.salesRef } : {}),
          resolvedBy: ctx.caller.name,
          startBilling: !args.gratis,
        });
        lines.push(`I recorded the resolution in the ERP (${reference})${args.gratis ? " without billing (gratis)" : " and asked for invoicing / billing to start"}.`);
        if (notice) lines.push(notice);
      } catch (err) {
        ctx.log.warn({ err }, "recording the resolution in the ERP failed");
        lines.push(`(I could not record the resolution in the ERP: update the ERP record${args.gratis ? "" : " and start billing"} by hand. The bug itself is RESOLVED.)`);
      }
    }
    return ephemeral(lines.join("\n"), { bugId: bug.id });
  },
});

/** A fenced block the text cannot break out of: the fence is longer than any backtick run inside. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const marks = "`".repeat(longest + 1);
  return `${marks}\n${text}\n${marks}`;
}
