/**
 * Calls and e-mails are never lost (issue 13, part 3): a customer's bug that the tracker cannot take
 * for a transient reason (down, 5xx, timeout, connection refused) is kept in the store as pending,
 * and filed when the tracker answers again, exactly once; then the staff member who logged it is
 * told the bug number by direct message. The rules (marker, back-off, when to look before filing)
 * are in src/core/pending-filing.ts.
 *
 * Every customer filing goes through here, the first attempt too: the filing is stored before the
 * tracker is asked, so its marker is in the description of every attempt, and a bot stopped in the
 * middle of an attempt finds the filing again at start.
 */
import { z } from "zod";
import { filingMarker, isRetryDue, mustLookBeforeFiling } from "../core/pending-filing.js";
import type { Ticket } from "../core/ticket.js";
import { BotError, UpstreamUnavailableError } from "../errors.js";
import type { ProcessContext } from "./context.js";
import type { StaffDirectory, StaffMember } from "../identity.js";
import type { Notifier } from "../chat/notifier.js";
import type { PendingFiling } from "../store/pending-filings-repo.js";
import type { Store } from "../store/store.js";
import { fileTicket, recordFiledTicket, type ActionContext, type WriteOptions } from "./bug-actions.js";
import type { NewTicket, TrackerPort } from "./tracker-port.js";

/** What a customer's filing files, as the store keeps it until the tracker took it (JSON). */
export const customerTicketSchema = z.object({
  summary: z.string(),
  description: z.string(),
  private: z.boolean(),
  tags: z.array(z.string()),
  origin: z.enum(["call", "email"]),
  command: z.string(),
  /** The customer's name and contact, filed as a private note with the bug. */
  privateNote: z.string().optional(),
});

/** What a customer's filing files. */
export type CustomerTicket = z.infer<typeof customerTicketSchema>;

/** The outcome of asking for a filing: filed now, or kept until the tracker answers. */
export type FilingOutcome = { kind: "filed"; bug: Ticket; filingId: number } | { kind: "pending"; filingId: number; reason: string };

/** Whether a failure is one that passes (the tracker down, slow or failing inside): worth keeping the filing for. */
export function isTransientFailure(error: unknown): error is UpstreamUnavailableError {
  return error instanceof UpstreamUnavailableError;
}

/**
 * Files the customer's ticket, or keeps it as pending when the tracker cannot take it now. Any
 * other refusal (a rejected summary, a forbidden token) keeps nothing and is thrown: the command
 * then changed nothing.
 */
export async function fileOrKeepPending(ctx: ProcessContext, ticket: CustomerTicket, options: { callId?: number } = {}): Promise<FilingOutcome> {
  const filing = await ctx.store.pendingFilings.add({
    origin: ticket.origin,
    command: ticket.command,
    requestedBy: ctx.caller.name,
    requestedAt: ctx.now(),
    ...(options.callId !== undefined ? { callId: options.callId } : {}),
    ticket,
  });
  await ctx.store.pendingFilings.claim(filing.id, ctx.now());
  try {
    const bug = await attempt(ctx, filing, ticket, { lookFirst: false });
    return { kind: "filed", bug, filingId: filing.id };
  } catch (error) {
    if (!isTransientFailure(error)) {
      await ctx.store.pendingFilings.delete(filing.id);
      throw error;
    }
    await ctx.store.pendingFilings.recordFailure(filing.id, ctx.now(), error.userMessage);
    ctx.log.warn({ err: error, filingId: filing.id }, "the tracker could not take a customer's bug; kept as pending");
    return { kind: "pending", filingId: filing.id, reason: error.userMessage };
  }
}

/** What the retry of pending filings runs with: the bot's tracker, the store, who is who, and the notifier for the DMs. */
export interface FilingRetryContext {
  tracker: TrackerPort;
  store: Store;
  staff: StaffDirectory;
  notifier: Notifier;
  now: () => Date;
  log: ProcessContext["log"];
}

/** What one round of retries did. */
export interface FilingRetryRound {
  filed: number[];
  failed: number[];
  /** Pending filings left for a later round. */
  waiting: number;
}

/**
 * Tries each pending filing that is due (oldest first), looking first for a ticket an earlier
 * attempt may have created; tells the person who logged it the bug number. Stops at the first
 * transient failure: the tracker is still down, and the others wait for the next round.
 */
export async function retryPendingFilings(ctx: FilingRetryContext): Promise<FilingRetryRound> {
  const round: FilingRetryRound = { filed: [], failed: [], waiting: 0 };
  const pending = await ctx.store.pendingFilings.listPending();
  for (const [index, filing] of pending.entries()) {
    if (!isRetryDue(filing, ctx.now())) {
      round.waiting += 1;
      continue;
    }
    const parsed = customerTicketSchema.safeParse(filing.ticket);
    const member = ctx.staff.find(filing.requestedBy);
    if (!parsed.success || !member) {
      const reason = member ? "the stored filing could not be read" : `@${filing.requestedBy}, who logged it, is no longer in the staff file`;
      await ctx.store.pendingFilings.markFailed(filing.id, ctx.now(), reason);
      ctx.log.error({ filingId: filing.id }, "a pending filing cannot be filed; it is kept for someone to file by hand");
      round.failed.push(filing.id);
      continue;
    }
    const lookFirst = mustLookBeforeFiling(filing);
    await ctx.store.pendingFilings.claim(filing.id, ctx.now());
    const actx: ActionContext = { tracker: trackerFor(ctx.tracker, member), store: ctx.store, caller: member, now: ctx.now };
    try {
      const bug = await attempt(actx, filing, parsed.data, { lookFirst });
      round.filed.push(filing.id);
      ctx.log.info({ filingId: filing.id, bugId: bug.id, attempts: filing.attempts + 1 }, "filed a pending customer's bug");
      await tellFiled(ctx, member, bug, parsed.data);
    } catch (error) {
      if (isTransientFailure(error)) {
        await ctx.store.pendingFilings.recordFailure(filing.id, ctx.now(), error.userMessage);
        ctx.log.info({ filingId: filing.id, failure: error.message }, "the tracker still cannot take pending filings");
        round.waiting += pending.length - index;
        return round;
      }
      const reason = error instanceof BotError ? error.userMessage : "an error on the bot's side";
      await ctx.store.pendingFilings.markFailed(filing.id, ctx.now(), reason);
      ctx.log.error({ err: error, filingId: filing.id }, "the tracker refused a pending customer's bug");
      round.failed.push(filing.id);
      await tellRefused(ctx, member, filing, parsed.data, reason);
    }
  }
  return round;
}

/** The ticket a filing files: its description ends with the filing's marker. */
function newTicketOf(filing: PendingFiling, ticket: CustomerTicket): Omit<NewTicket, "notes"> {
  return {
    summary: ticket.summary,
    description: `${ticket.description}\n\n${filingMarker(filing.id)}`,
    stage: "triage",
    tags: ticket.tags,
    private: ticket.private,
  };
}

/**
 * One attempt: looks for a ticket an earlier attempt created when asked to, else files it; either
 * way the journal, the process state, the filing and the call record are written together.
 */
async function attempt(ctx: ActionContext, filing: PendingFiling, ticket: CustomerTicket, how: { lookFirst: boolean }): Promise<Ticket> {
  const newTicket = newTicketOf(filing, ticket);
  const record = { action: "file", command: ticket.command, details: { origin: ticket.origin, filing: filing.id } };
  const options: WriteOptions = {
    processState: { origin: ticket.origin },
    ...(ticket.privateNote === undefined
      ? {}
      : { notes: [{ text: ticket.privateNote, private: true, record: { action: "customer-contact", command: ticket.command } }] }),
    alsoRecord: async (created) => {
      await ctx.store.pendingFilings.markFiled(filing.id, created.id, ctx.now());
      if (filing.callId !== undefined) await ctx.store.calls.setBug(filing.callId, created.id);
    },
  };
  if (how.lookFirst) {
    const found = await ctx.tracker.findFiledByMarker(filingMarker(filing.id));
    if (found) {
      await recordFiledTicket(ctx, found, newTicket, record, options);
      return found;
    }
  }
  return fileTicket(ctx, newTicket, record, options);
}

/** The tracker acting for the person who logged the filing, or as the bot when it has no account for them. */
function trackerFor(tracker: TrackerPort, member: StaffMember): TrackerPort {
  try {
    return tracker.actingAs(member);
  } catch {
    return tracker;
  }
}

/** What a DM calls the filing: never personal data (the summary is the bug's public one). */
function describeFiling(ticket: CustomerTicket): string {
  return `the ${ticket.origin === "call" ? "phone call" : "e-mail"} you logged with \`${ticket.command}\` ("${ticket.summary}")`;
}

async function tellFiled(ctx: FilingRetryContext, member: StaffMember, bug: Ticket, ticket: CustomerTicket): Promise<void> {
  const tracker = ctx.tracker.name;
  const lines = [`${tracker} answers again: I filed [#${bug.id}](${ctx.tracker.ticketUrl(bug.id)}) for ${describeFiling(ticket)} while it was down. NEW, unassigned; management triages it next.`];
  const problem = contactNoteProblem(tracker, bug, ticket.privateNote);
  if (problem) lines.push(problem);
  await sendQuietly(ctx, member, { text: lines.join("\n"), bugId: bug.id });
}

async function tellRefused(ctx: FilingRetryContext, member: StaffMember, filing: PendingFiling, ticket: CustomerTicket, reason: string): Promise<void> {
  const text = `${ctx.tracker.name} refused ${describeFiling(ticket)} (support filing ${filing.id}): ${reason}. The record is kept in the bot's store; please file it by hand.`;
  await sendQuietly(ctx, member, { text });
}

async function sendQuietly(ctx: FilingRetryContext, member: StaffMember, message: { text: string; bugId?: number }): Promise<void> {
  try {
    await ctx.notifier.direct(member, message);
  } catch (err) {
    // The bug is filed either way; the person sees it in `summary` and `mine` too.
    ctx.log.warn({ err, recipient: member.name }, "could not tell a staff member about a pending filing");
  }
}

/**
 * A sentence for the staff member when the private note with the customer's contact is missing
 * from the filed bug or public; undefined when it is there and private (or there was none).
 */
export function contactNoteProblem(tracker: string, bug: Ticket, contact: string | undefined): string | undefined {
  if (contact === undefined) return undefined;
  const note = bug.notes.find((candidate) => candidate.text.trim().endsWith(contact.trim()));
  if (note?.private) return undefined;
  return note
    ? `${tracker} stored the note with the customer's name and contact on #${bug.id} as PUBLIC: make note ${note.id} private in ${tracker} now.`
    : `I could not add the private note with the customer's name and contact to #${bug.id}: please add it in ${tracker} yourself, as a PRIVATE note.`;
}

/**
 * Lines for `summary` about customers' filings not in the tracker yet (pending, or given up and to
 * be filed by hand); none when there are none. Who logged it and when, never the customer's data.
 */
export async function describeWaitingFilings(store: Store, tracker: string): Promise<string[]> {
  const waiting = await store.pendingFilings.listWaiting();
  if (waiting.length === 0) return [];
  const line = (filing: (typeof waiting)[number]): string => {
    const what = `support filing ${filing.id}: a ${filing.origin === "call" ? "phone call" : "e-mail"} logged by @${filing.requestedBy} on ${filing.requestedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
    return filing.status === "pending"
      ? `- ${what}, waiting for ${tracker} (${filing.attempts} failed ${filing.attempts === 1 ? "attempt" : "attempts"}${filing.lastError ? `, last: ${filing.lastError}` : ""})`
      : `- ${what}, refused by ${tracker} (${filing.lastError ?? "no reason given"}): to file by hand`;
  };
  return [`**Not in ${tracker} yet** (${waiting.length}):`, ...waiting.map(line)];
}

/** The retry timer of pending filings: owned by whoever runs the bot (src/live.ts, src/sandbox.ts), with the engine on or off. */
export interface FilingRetries {
  /** One round now (also at start); resolves when it is done. A round asked for while one runs waits for it instead. */
  runNow(): Promise<void>;
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>;
}

/** How often pending filings are looked at; each filing's own back-off decides whether it is tried (src/core/pending-filing.ts). */
export const FILING_RETRY_INTERVAL_MS = 15_000;

/** Starts retrying pending filings: one round at once, then every `everyMs`; rounds never overlap. */
export function startFilingRetries(ctx: FilingRetryContext, options: { everyMs?: number } = {}): FilingRetries {
  let running: Promise<void> | undefined;
  let stopped = false;
  const runNow = (): Promise<void> => {
    if (running) return running;
    running = retryPendingFilings(ctx)
      .then(() => undefined)
      .catch((err: unknown) => ctx.log.error({ err }, "retrying pending filings failed"))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void runNow();
  }, options.everyMs ?? FILING_RETRY_INTERVAL_MS);
  timer.unref();
  void runNow();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
