/**
 * Who takes part in a bug's review and resolution: the developer who fixed it, the reviewer and
 * the staff member who tells the customer (seed: Review, Resolution). Roles are checked by the
 * dispatcher; these checks are about the person: a verdict belongs to the bug's reviewer, a
 * notification to its communicator, with management allowed to step in for anyone.
 */
import { PermissionError, UsageError } from "../errors.js";
import type { CommandContext } from "../framework/command.js";
import type { StaffMember } from "../identity.js";
import type { BugProcessState } from "../store/store.js";
import type { Bug } from "../tracker/tracker.js";

type PeopleContext = Pick<CommandContext, "staff" | "caller">;

/** The staff member behind the bug's MantisBT handler, if the handler is staff. */
export function handlerOf(ctx: Pick<CommandContext, "staff">, bug: Pick<Bug, "handler">): StaffMember | undefined {
  return bug.handler ? ctx.staff.byTrackerUser(bug.handler.name) : undefined;
}

/** A staff member by handle as stored in the process state (handles, or MantisBT names set by hand). */
export function staffNamed(ctx: Pick<CommandContext, "staff">, name: string | undefined): StaffMember | undefined {
  return name === undefined ? undefined : ctx.staff.find(name);
}

/** The staff member named in a command argument; a usage error lists who is known otherwise. */
export function requireStaffArgument(ctx: Pick<CommandContext, "staff">, argument: string, handle: string): StaffMember {
  const member = ctx.staff.find(handle);
  if (member) return member;
  const known = ctx.staff
    .all()
    .map((candidate) => `@${candidate.name}`)
    .join(", ");
  throw new UsageError(`${argument}: @${handle.replace(/^@/, "")} is not a staff member I know (staff: ${known}).`);
}

/** The developer whose fix this is: as recorded when work started or review began, else the handler. */
export function developerOf(ctx: Pick<CommandContext, "staff">, bug: Pick<Bug, "handler">, state: BugProcessState | undefined): StaffMember | undefined {
  return staffNamed(ctx, state?.developer) ?? handlerOf(ctx, bug);
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
 * Who tells the customer: the one named, else the person who confirmed the bug and so (seed:
 * Resolution) "responded to the customer during the analysis phase", else management (the caller
 * when they are management, otherwise the first manager in the staff list).
 */
export function pickCommunicator(ctx: PeopleContext, state: BugProcessState | undefined, requested: StaffMember | undefined): StaffMember | undefined {
  if (requested) return requested;
  const confirmer = staffNamed(ctx, state?.confirmedBy);
  if (confirmer) return confirmer;
  if (ctx.caller.role === "management") return ctx.caller;
  return ctx.staff.withRole("management")[0];
}
