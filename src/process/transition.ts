/**
 * One transition: the tracker change a process command makes, derived from the rule's target stage
 * (src/core/stages.ts), written together with the journal and the stage the bot stores. Commands
 * never set a stage by hand; they say who handles the ticket afterwards, which notes go with the
 * change and what else the bot records.
 *
 * All or nothing: the tracker change is one request (ticket, handler, notes and fields together,
 * guarded by the ticket's revision); only once it is taken are the journal and the process state
 * written, in one store transaction. A refused change leaves both untouched.
 */
import type { Person } from "../core/person.js";
import type { Stage, TransitionCheck } from "../core/stages.js";
import type { Ticket } from "../core/ticket.js";
import { addTicketNote, appendEntry, changeTicket, inOneTransaction, type ActionContext, type JournalRecord, type NoteWithRecord, type ProcessStateChange } from "./bug-actions.js";
import type { TicketChange } from "./tracker-port.js";

/** A transition the rules allow (what `requireTransition` returns). */
export type Transition = Extract<TransitionCheck, { ok: true }>;

/** What a command adds to the move its rule makes. */
export interface TransitionOptions {
  /** Who handles the ticket afterwards: a person, null for nobody; left out, the handler stays. */
  assignee?: Person | null;
  /** Notes written with the change, in the same request. */
  notes?: readonly NoteWithRecord[];
  /** Ticket fields changed with it (the subject tag, the fixed-in version, the priority). */
  fields?: Pick<TicketChange, "summary" | "fixedInVersion" | "priority">;
  /** What the bot records next to the ticket besides its stage. */
  processState?: Omit<ProcessStateChange, "stage">;
  /** Further store writes about the moved ticket (an estimate's history), in the journal's transaction. */
  alsoRecord?: (ticket: Ticket) => Promise<unknown>;
  /** The journal entry: action and details; the command is the transition's. */
  record: Omit<JournalRecord, "command">;
}

/**
 * Moves the ticket where the rule says (`transition.to`), with the command's assignee, notes and
 * fields, journals it and stores the stage; returns the ticket as the tracker has it now. A rule that
 * leaves the stage as it is (`eta`) changes only what is given; with nothing to change in the
 * tracker it only journals and stores.
 */
export async function applyTransition(ctx: ActionContext, ticket: Ticket, transition: Transition, options: TransitionOptions): Promise<Ticket> {
  const record: JournalRecord = {
    ...options.record,
    command: transition.command,
    details: { ...options.record.details, ...(transition.changes ? { fromStage: transition.from.stage } : {}) },
  };
  return moveTicket(ctx, ticket, transition.changes ? transition.to.stage : undefined, { ...options, record }, transition.to.stage);
}

/**
 * The same write for a move that no command rule of the ticket's own makes (a sub-ticket `ask`
 * sends to feedback): to `stage`, journalled under `record`.
 */
export async function moveTicketTo(
  ctx: ActionContext,
  ticket: Ticket,
  stage: Stage,
  options: Omit<TransitionOptions, "record"> & { record: JournalRecord },
): Promise<Ticket> {
  return moveTicket(ctx, ticket, stage, options, stage);
}

async function moveTicket(
  ctx: ActionContext,
  ticket: Ticket,
  move: Stage | undefined,
  options: Omit<TransitionOptions, "record"> & { record: JournalRecord },
  stored: Stage,
): Promise<Ticket> {
  const change: Omit<TicketChange, "notes"> = {
    ...(move !== undefined ? { stage: move } : {}),
    ...(options.assignee !== undefined ? { assignee: options.assignee } : {}),
    ...options.fields,
  };
  const notes = options.notes ?? [];
  const processState: ProcessStateChange = { stage: stored, ...options.processState };
  const alsoRecord = options.alsoRecord;
  if (Object.keys(change).length > 0) return changeTicket(ctx, ticket, change, options.record, { notes, processState, ...(alsoRecord ? { alsoRecord } : {}) });

  // Nothing for the tracker to change: the journal still says the command ran (saying "still right" is an update).
  await inOneTransaction(ctx.store, async () => {
    await appendEntry(ctx, ticket.id, options.record, { unchanged: true });
    await ctx.store.bugProcess.update(ticket.id, processState, ctx.now());
    await alsoRecord?.(ticket);
  });
  for (const note of notes) await addTicketNote(ctx, ticket.id, note, note.record);
  return ticket;
}
