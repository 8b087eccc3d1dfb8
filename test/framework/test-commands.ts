/**
 * Small command definitions that exist only for the framework's tests; the real commands live in
 * `commands/` and are written against the same types.
 */
import { z } from "zod";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ProcessRuleError,
  UpstreamUnavailableError,
  UsageError,
} from "../../src/errors.js";
import { bugIdArg, flagArg, priorityArg, staffHandleArg, textArg } from "../../src/framework/arg-types.js";
import { defineCommand } from "../../src/framework/command.js";
import type { AnyCommand } from "../../src/framework/registry.js";
import { ephemeral, inChannel } from "../../src/framework/reply.js";

export const show = defineCommand({
  name: "show",
  aliases: ["view"],
  summary: "Show a bug",
  usage: "<bug>",
  examples: ["show 12", "view #12"],
  roles: ["management", "staff"],
  positional: ["bug"],
  args: z.object({ bug: bugIdArg }),
  async run(ctx, args) {
    const bug = await ctx.tracker.getTicket(args.bug);
    return ephemeral(`#${bug.id}: ${bug.summary}`, { bugId: bug.id });
  },
});

export const assign = defineCommand({
  name: "assign",
  summary: "Give a bug to a staff member",
  usage: "<bug> @user [priority=<name>]",
  examples: ["assign 12 @alice", "assign #12 @bob priority=high"],
  roles: ["management"],
  positional: ["bug", "to"],
  args: z.object({ bug: bugIdArg, to: staffHandleArg, priority: priorityArg.optional() }),
  async run(ctx, args) {
    const member = ctx.staff.find(args.to);
    if (!member) throw new NotFoundError(`Nobody called @${args.to} is on staff.`);
    const bug = await ctx.tracker.getTicket(args.bug);
    await ctx.tracker.changeTicket(bug, { assignee: member, ...(args.priority ? { priority: args.priority } : {}) });
    await ctx.notifier.direct(member, { text: `You got bug #${args.bug}.`, bugId: args.bug });
    return inChannel(`#${args.bug} is now with @${member.name}.`);
  },
});

export const note = defineCommand({
  name: "note",
  summary: "Add a note to a bug",
  usage: "<bug> <text...> [private]",
  examples: ["note 12 fixed in git", 'note 12 "customer called back" private'],
  roles: ["staff"],
  positional: ["bug", "...text"],
  flags: ["private"],
  args: z.object({ bug: bugIdArg, text: textArg, private: flagArg }),
  async run(ctx, args) {
    ctx.log.info({ bugId: args.bug }, "adding note");
    await ctx.tracker.addNote(args.bug, { text: args.text, private: args.private });
    return ephemeral(`Noted on #${args.bug}${args.private ? " (private)" : ""}.`);
  },
});

export const whoami = defineCommand({
  name: "whoami",
  summary: "Say who the bot thinks you are",
  usage: "",
  examples: ["whoami"],
  roles: ["management", "staff"],
  args: z.object({}),
  async run(ctx) {
    ctx.log.info("whoami asked");
    return ephemeral(`${ctx.caller.name} (${ctx.caller.role}) on ${ctx.platform} at ${ctx.now().toISOString()}`);
  },
});

const FAILURES = ["crash", "upstream", "forbidden", "conflict", "rule", "missing", "usage"] as const;

/** Throws the error named by `mode`, to test how each kind reaches the user. */
export const fail = defineCommand({
  name: "fail",
  summary: "Fail on purpose",
  usage: "<mode>",
  examples: ["fail crash"],
  roles: ["management", "staff"],
  positional: ["mode"],
  args: z.object({ mode: z.enum(FAILURES) }),
  async run(_ctx, args): Promise<never> {
    switch (args.mode) {
      case "crash":
        throw new TypeError("Cannot read properties of undefined (reading 'handler')");
      case "upstream":
        throw new UpstreamUnavailableError("MantisBT did not answer in time.", { hint: "Try again in a minute." });
      case "forbidden":
        throw new ForbiddenError("MantisBT refused the bot's token.", { hint: "Check the MantisBT API token setting (MANTIS_TOKEN)." });
      case "conflict":
        throw new ConflictError("Someone changed #12 in the meantime; nothing was changed. Look at it again and retry.");
      case "rule":
        throw new ProcessRuleError("#12 is still NEW: management sets a priority and assigns it first.");
      case "missing":
        throw new NotFoundError("There is no bug #99.");
      case "usage":
        throw new UsageError("estimate: 4x is not a time; write it like 4h or 2d.");
    }
  },
});

export const TEST_COMMANDS: readonly AnyCommand[] = [show, assign, note, whoami, fail];

