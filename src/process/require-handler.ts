/**
 * Who may act on a bug beyond their role: handler commands (`feedback`, `ask`, `start`, `eta`,
 * `draft`) belong to the bug's handler, and management may run them too; and who may be given a bug
 * (`triage`, `ask`): a known staff member whom the tracker lets handle bugs.
 */
import { mentionOf, type PersonRef } from "../core/person.js";
import type { Ticket } from "../core/ticket.js";
import { PermissionError, UsageError } from "../errors.js";
import type { ProcessContext } from "./context.js";
import type { StaffMember } from "../identity.js";

/** The staff member a ticket names (handler, reporter, author), when the tracker's account is linked to one. */
export function staffOf(ctx: Pick<ProcessContext, "staff">, person: PersonRef | undefined): StaffMember | undefined {
  const handle = person?.handle;
  return handle === undefined ? undefined : ctx.staff.all().find((member) => member.name === handle);
}

/** `@alice` for the bug's handler (by staff handle when known, else the tracker's name), or undefined. */
export function handlerMention(bug: Pick<Ticket, "handler">): string | undefined {
  return bug.handler ? mentionOf(bug.handler) : undefined;
}

/** The staff member who handles the bug, when the handler is linked to one. */
export function handlerMember(ctx: Pick<ProcessContext, "staff">, bug: Pick<Ticket, "handler">): StaffMember | undefined {
  return staffOf(ctx, bug.handler);
}

/** Whether `member` (the caller, by default) handles the bug. */
export function isHandler(ctx: Pick<ProcessContext, "caller">, bug: Pick<Ticket, "handler">): boolean {
  return bug.handler?.handle !== undefined && bug.handler.handle === ctx.caller.name;
}

/**
 * Refuses a handler command by someone who neither handles the bug nor is management. A bug
 * nobody handles is open to any staff member (the command may make them the handler).
 */
export function requireHandlerOrManagement(ctx: Pick<ProcessContext, "caller">, bug: Pick<Ticket, "id" | "handler">, command: string): void {
  if (ctx.caller.role === "management" || !bug.handler || isHandler(ctx, bug)) return;
  const handler = handlerMention(bug)!;
  throw new PermissionError(
    `Bug #${bug.id} is handled by ${handler}: only ${handler} or management can run \`${command}\` on it. Ask ${handler}, or management to reassign it.`,
  );
}

/**
 * The staff member behind `@handle` who may be given a bug: known to the bot and allowed by the
 * tracker to handle bugs in the project. Refusals list who can be chosen instead.
 */
export async function requireAssignableStaff(ctx: Pick<ProcessContext, "staff" | "tracker">, handle: string): Promise<StaffMember> {
  const member = ctx.staff.find(handle);
  if (!member) {
    const known = ctx.staff.all().map((candidate) => `@${candidate.name}`).join(", ");
    throw new UsageError(`I know no staff member "@${handle.replace(/^@/, "")}". Known staff: ${known}.`);
  }
  // The tracker's answer may be kept for the process's lifetime; someone given the right since is found by asking anew.
  if ((await ctx.tracker.mayHandle([member])).length > 0 || (await ctx.tracker.mayHandle([member], { fresh: true })).length > 0) return member;
  const assignable = await ctx.tracker.mayHandle(ctx.staff.all());
  const choices = assignable.length > 0 ? assignable.map((candidate) => `@${candidate.name}`).join(", ") : "nobody";
  throw new UsageError(
    `@${member.name} cannot handle bugs in ${ctx.tracker.name} (their account there is not among the project's handlers). Who can: ${choices}.`,
  );
}
