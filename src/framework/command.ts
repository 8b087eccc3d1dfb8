/**
 * The shape of a command: one declarative definition per file in `commands/`.
 * The dispatcher, the help text and every platform's autocomplete are generated from these.
 */
import type { z } from "zod";
import type { Logger } from "pino";
import type { ProcessSettings } from "../core/process-settings.js";
import type { Notifier } from "../chat/notifier.js";
import type { ErpPort } from "../erp/erp.js";
import type { Platform, Role, StaffDirectory, StaffMember } from "../identity.js";
import type { Store } from "../store/store.js";
import type { TrackerPort } from "../process/tracker-port.js";
import type { Reply } from "./reply.js";

/** Everything a command may use; handlers receive it and never reach for globals. */
export interface CommandContext {
  /** The staff member who ran the command. */
  caller: StaffMember;
  platform: Platform;
  /** What people type before a command here (`/support`, `!support` or a configured prefix), for help texts. */
  trigger: string;
  /** The tracker, acting on behalf of the caller. */
  tracker: TrackerPort;
  staff: StaffDirectory;
  store: Store;
  notifier: Notifier;
  /** Where sales contacts and resolutions of sales-originated bugs are recorded. */
  erp: ErpPort;
  settings: ProcessSettings;
  now: () => Date;
  log: Logger;
}

export interface CommandDefinition<Schema extends z.ZodType = z.ZodType> {
  name: string;
  aliases?: readonly string[];
  /** One line for the help list. */
  summary: string;
  /** Arguments after the command name, e.g. `<bug> @user [priority=high]`. */
  usage: string;
  examples: readonly string[];
  /** Roles allowed to run it; the dispatcher checks this once, handlers never do. */
  roles: readonly Role[];
  /** Names for positional arguments, in order; a last name starting with `...` collects the rest as an array. */
  positional?: readonly string[];
  /** Bare words that switch a boolean option on, e.g. `private` or `force`. */
  flags?: readonly string[];
  /** Validates the arguments object built from the tokens (positional names, key=value, flags). */
  args: Schema;
  run(ctx: CommandContext, args: z.infer<Schema>): Promise<Reply>;
}

/** Identity function that keeps the inferred argument type for `run`. */
export function defineCommand<Schema extends z.ZodType>(definition: CommandDefinition<Schema>): CommandDefinition<Schema> {
  return definition;
}
