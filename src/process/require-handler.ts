/**
 * Who may act on a bug beyond their role: handler commands (`feedback`, `ask`, `start`, `eta`,
 * `draft`) belong to the bug's handler, and management may run them too; and who may be given a bug
 * (`triage`, `ask`): a known staff member whom MantisBT lets handle bugs.
 */
import { PermissionError, UsageError } from "../errors.js";
import type { CommandContext } from "../framework/command.js";
import type { StaffMember } from "../identity.js";
import type { Bug } from "../tracker/tracker.js";

/** `@alice` for the bug's handler (by staff handle when known, else the MantisBT name), or undefined. */
export function handlerMention(ctx: Pick<CommandContext, "staff">, bug: Pick<Bug, "handler">): string | undefined {
  if (!bug.handler) return undefined;
  return `@${ctx.staff.byTrackerUser(bug.handler.name)?.name ?? bug.handler.name}`;
}

/** The staff member who handles the bug, when the handler is linked to one. */
export function handlerMember(ctx: Pick<CommandContext, "staff">, bug: Pick<Bug, "handler">): StaffMember | undefined {
  return bug.handler ? ctx.staff.byTrackerUser(bug.handler.name) : undefined;
}

/** Whether the caller is the bug's handler in MantisBT. */
export function isHandler(ctx: Pick<CommandContext, "caller">, bug: Pick<Bug, "handler">): boolean {
  return bug.handler !== undefined && bug.handler.name.toLowerCase() === ctx.caller.accounts.mantis.toLowerCase();
}

/**
 * Refuses a handler command by someone who neither handles the bug nor is management. A bug
 * nobody handles is open to any staff member (the command may make them the handler).
 */
export function requireHandlerOrManagement(ctx: Pick<CommandContext, "caller" | "staff">, bug: Pick<Bug, "id" | "handler">, command: string): void {
  if (ctx.caller.role === "management" || !bug.handler || isHandler(ctx, bug)) return;
  const handler = handlerMention(ctx, bug)!;
  throw new PermissionError(
    `Bug #${bug.id} is handled by ${handler}: only ${handler} or management can run \`${command}\` on it. Ask ${handler}, or management to reassign it.`,
  );
}

/**
 * The staff member behind `@handle` who may be given a bug: known to the bot and a MantisBT user
 * allowed to handle bugs in the project. Refusals list who can be chosen instead.
 */
export async function requireAssignableStaff(ctx: Pick<CommandContext, "staff" | "tracker">, handle: string): Promise<StaffMember> {
  const member = ctx.staff.find(handle);
  if (!member) {
    const known = ctx.staff.all().map((candidate) => `@${candidate.name}`).join(", ");
    throw new UsageError(`I know no staff member "@${handle.replace(/^@/, "")}". Known staff: ${known}.`);
  }
  const handlerNames = async (fresh: boolean) => new Set((await ctx.tracker.listHandlers({ fresh })).map((user) => user.name.toLowerCase()));
  // The handlers are kept for the process's lifetime; someone given the right since is found by reading them again.
  let trackerNames = await handlerNames(false);
  if (!trackerNames.has(member.accounts.mantis.toLowerCase())) trackerNames = await handlerNames(true);
  if (!trackerNames.has(member.accounts.mantis.toLowerCase())) {
    const assignable = ctx.staff.all().filter((candidate) => trackerNames.has(candidate.accounts.mantis.toLowerCase()));
    const choices = assignable.length > 0 ? assignable.map((candidate) => `@${candidate.name}`).join(", ") : "nobody";
    throw new UsageError(
      `@${member.name} cannot handle bugs in MantisBT (the MantisBT account "${member.accounts.mantis}" is not among the project's handlers). ` +
        `Who can: ${choices}.`,
    );
  }
  return member;
}
