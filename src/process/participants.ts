/**
 * Who takes part in a bug's review and resolution: the developer who fixed it, the reviewer and
 * the staff member who tells the customer (seed: Review, Resolution). Roles are checked by the
 * dispatcher; these checks are about the person: a verdict belongs to the bug's reviewer, a
 * notification to its communicator, with management allowed to step in for anyone.
 */
import { PermissionError } from "../errors.js";
import type { ProcessContext } from "./context.js";
import type { StaffMember } from "../identity.js";
import type { BugProcessState } from "../store/store.js";
import type { Ticket } from "../core/ticket.js";
import { handlerMember } from "./require-handler.js";

type PeopleContext = Pick<ProcessContext, "staff" | "caller">;

/** A staff member by handle as stored in the process state (handles, or tracker names set by hand). */
export function staffNamed(ctx: Pick<ProcessContext, "staff">, name: string | undefined): StaffMember | undefined {
  return name === undefined ? undefined : ctx.staff.find(name);
}

/** The developer whose fix this is: as recorded when work started or review began, else the handler. */
export function developerOf(ctx: Pick<ProcessContext, "staff">, bug: Pick<Ticket, "handler">, state: BugProcessState | undefined): StaffMember | undefined {
  return staffNamed(ctx, state?.developer) ?? handlerMember(ctx, bug);
}

/**
 * Lets the command go on when the caller is one of `people` or management; else a refusal naming who
 * may, e.g. "Only the reviewer of #12 (@bob) or management can give its verdict."
 */
export function requireParticipant(
  ctx: PeopleContext,
  options: { people: readonly (StaffMember | undefined)[]; who: string; bugId: number; action: string },
): void {
  if (ctx.caller.role === "management") return;
  const known = options.people.filter((member): member is StaffMember => member !== undefined);
  if (known.some((member) => member.name === ctx.caller.name)) return;
  const names = [...new Set(known.map((member) => `@${member.name}`))];
  const named = names.length > 0 ? ` (${names.join(", ")})` : "";
  throw new PermissionError(`Only ${options.who} of #${options.bugId}${named} or management can ${options.action}.`);
}

/**
 * Who tells the customer: the one named, else (seed: Resolution) "the same staff member (if
 * possible) who responded to the customer during the analysis phase" (the communicator `confirm`
 * recorded), else the manager who confirmed the bug, else management (the caller when they are
 * management, otherwise the first manager in the staff list).
 */
export function pickCommunicator(ctx: PeopleContext, state: BugProcessState | undefined, requested: StaffMember | undefined): StaffMember | undefined {
  if (requested) return requested;
  const responder = staffNamed(ctx, state?.communicator);
  if (responder) return responder;
  const confirmer = staffNamed(ctx, state?.confirmedBy);
  if (confirmer) return confirmer;
  if (ctx.caller.role === "management") return ctx.caller;
  return ctx.staff.withRole("management")[0];
}
