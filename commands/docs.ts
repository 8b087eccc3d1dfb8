/**
 * `docs "How do I withdraw?" https://docs.taler.net/...`: a support question was answered by
 * pointing to the documentation (seed: Support E-mail). Records it, gives the polite answer to
 * send, and when the same question keeps coming back (DOCS_REPEAT_THRESHOLD times within
 * DOCS_REPEAT_WINDOW_DAYS) files one documentation bug for it; the customer is not pointed there.
 */
import { z } from "zod";
import { BotError, UsageError } from "../src/errors.js";
import { defineCommand } from "../src/framework/command.js";
import { ephemeral } from "../src/framework/reply.js";
import { bugLink } from "../src/process/bug-format.js";
import { docsBugDescription, docsBugSummary, docsReplyText, normalizeQuestion } from "../src/process/docs-questions.js";
import { boundedTextArg, docsUrlArg, fileBugPreferringCategory } from "../src/process/incoming.js";
import { describeRedaction, redactPersonalData } from "../src/process/personal-data.js";


/** Category for documentation bugs when the project has it; otherwise the default category is used. */
export const DOCS_CATEGORY = "documentation";

const DAY_MS = 86_400_000;

export const docsCommand = defineCommand({
  name: "docs",
  summary: "Record a question answered with the documentation and get a polite reply; repeated questions file a docs bug",
  usage: '"<question>" <link>',
  examples: ['docs "How do I withdraw money into my wallet?" https://docs.taler.net/taler-wallet.html#withdrawing'],
  roles: ["staff", "management"],
  positional: ["question", "url"],
  args: z.object({
    question: boundedTextArg({
      example: '"How do I withdraw money into my wallet?"',
      max: 500,
      missing: 'missing: the customer\'s question, in quotes, for example "How do I withdraw money into my wallet?"',
    }),
    url: docsUrlArg,
  }),
  async run(ctx, args) {
    // Staff type the question, but it may end up in a public bug: no addresses or phone numbers.
    const redacted = redactPersonalData(args.question);
    const questionKey = normalizeQuestion(redacted.text);
    if (questionKey === "") throw new UsageError("question: must contain words, for example \"How do I withdraw money into my wallet?\"");
    const now = ctx.now();
    await ctx.store.docs.addQuestion({ questionKey, question: redacted.text, url: args.url, askedAt: now, recordedBy: ctx.caller.name });
    const windowDays = ctx.settings.docsRepeatWindowDays;
    const recent = await ctx.store.docs.listQuestions(questionKey, new Date(now.getTime() - windowDays * DAY_MS));
    const count = recent.length;

    const lines = [
      `Recorded. This question was answered with the documentation ${count === 1 ? "once" : `${count} times`} in the last ${windowDays} days.`,
      "A reply you can send:",
      ...docsReplyText(args.url)
        .split("\n")
        .map((line) => `> ${line}`),
    ];
    if (redacted.replaced.length > 0) {
      lines.push(`(I replaced personal data (${describeRedaction(redacted.replaced)}) in the question by placeholders before recording it.)`);
    }
    const existing = await ctx.store.docs.getBug(questionKey);
    if (existing?.bugId !== undefined) {
      lines.push(`A documentation bug for this question is already filed: ${bugLink({ id: existing.bugId, private: false }, ctx.tracker.ticketUrl(existing.bugId))}.`);
    } else if (count >= ctx.settings.docsRepeatThreshold && (await ctx.store.docs.claimBug(questionKey, now))) {
      lines.push(await fileDocsBug());
    }
    return ephemeral(lines.join("\n"));

    async function fileDocsBug(): Promise<string> {
      try {
        const urls = [...new Set(recent.map((entry) => entry.url))];
        const bug = await fileBugPreferringCategory(
          ctx,
          {
            summary: docsBugSummary(redacted.text, ctx.tracker.limits.summaryLength),
            description: docsBugDescription({ question: redacted.text, count, windowDays, urls }),
            stage: "triage",
          },
          DOCS_CATEGORY,
          { action: "file", command: "docs", details: { origin: "docs", count } },
          { processState: { origin: "docs" } },
        );
        await ctx.store.docs.setBug(questionKey, bug.id);
        return `People keep asking this (${count} times in ${windowDays} days), so I filed ${bugLink(bug, ctx.tracker.ticketUrl(bug.id))} to make the answer easier to find. The customer need not be pointed to that bug.`;
      } catch (err) {
        await ctx.store.docs.releaseClaim(questionKey);
        ctx.log.warn({ err }, "filing the documentation bug failed");
        const why = err instanceof BotError ? ` (${err.userMessage})` : "";
        return `People keep asking this (${count} times in ${windowDays} days), but I could not file the documentation bug${why}. I will try again the next time this question is recorded.`;
      }
    }
  },
});
