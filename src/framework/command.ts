/**
 * The shape of a command: one declarative definition per file in `commands/`.
 * The dispatcher, the help text and every platform's autocomplete are generated from these.
 */
import type { z } from "zod";
import type { ProcessContext } from "../process/context.js";
import type { ChartRenderer } from "../process/report-chart.js";
import type { Role } from "../identity.js";
import type { MessageLimit, Reply } from "./reply.js";

/** Everything a command may use; handlers receive it and never reach for globals. */
export interface CommandContext extends ProcessContext {
  /** What people type before a command here (`/support`, `!support` or a configured prefix), for help texts. */
  trigger: string;
  /** The largest message the place of the command takes; replies longer than this are split by the chat kernel. */
  messageLimit: MessageLimit;
  /** Draws the report's chart; absent, `report` answers with text only. */
  charts?: ChartRenderer;
}

/** One field of a command's form: an argument of the command, with how to ask for it. */
export interface FormField {
  /** The argument it fills (a positional name without `...`, a flag or an option key). */
  name: string;
  /** Short label for a dialog (Mattermost allows 24 bytes). */
  label: string;
  /** The question of a guided conversation (Markdown), e.g. "What is the customer's **name**?". */
  prompt: string;
  /** `text`: one line; `textarea`: a longer text; `choice`: one of `choices`; `flag`: yes or no. */
  kind: "text" | "textarea" | "choice" | "flag";
  /** What a one-line text holds, for platforms whose dialogs offer a fitting keyboard. */
  input?: "text" | "email" | "number" | "tel";
  /** The values of a choice; `label` is what a dialog shows. */
  choices?: readonly { value: string; label: string }[];
  /** Few choices shown all at once (radio buttons) instead of a list. */
  showAllChoices?: boolean;
  /** May be left out; the command's default applies. */
  optional?: boolean;
  /** Preselected value in a dialog. */
  default?: string;
  placeholder?: string;
  /** A line under the field in a dialog. */
  help?: string;
  /** Longest value the field itself allows (the command's schema checks again). */
  maxLength?: number;
  /** Answers that leave the field out in a conversation (the command's default applies), e.g. `skip`. */
  skipWords?: readonly string[];
}

/**
 * A form that fills in a command: a dialog where the platform has them, a guided conversation
 * (one question at a time) elsewhere. Each value is checked with the command's own argument
 * schema, so a form accepts exactly what a typed line would.
 */
export interface CommandForm {
  /** Dialog title (24 bytes at most), e.g. "Log a customer call". */
  title: string;
  /** What the form does, shown at its top. */
  introduction: string;
  /** The dialog's submit button. */
  submitLabel: string;
  fields: readonly FormField[];
  /**
   * Fields a command line may give before the form opens, in order (`draft 1234` opens the draft
   * form with the bug filled in). Without it only the bare command opens the form.
   */
  opensWith?: readonly string[];
}

/** What in a command's input or output is customers' personal data (see CONTRIBUTING.md). */
export interface CommandPrivacy {
  /**
   * `arguments`: what the caller types or answers holds it, so platforms that keep typed text
   * delete it afterwards, and forms are filled in private. `reply`: the reply shows it, so only the
   * caller gets it, in a place nobody else sees.
   */
  personalData: readonly ("arguments" | "reply")[];
}

/** A command: its name, help texts, argument schema, who may run it, and what it does. */
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
  /** A form for the arguments, for people who would rather not type a long line. */
  form?: CommandForm;
  /** Where personal data is involved; the chat kernel routes input and replies accordingly. */
  privacy?: CommandPrivacy;
  run(ctx: CommandContext, args: z.infer<Schema>): Promise<Reply>;
}

/** Identity function that keeps the inferred argument type for `run`. */
export function defineCommand<Schema extends z.ZodType>(definition: CommandDefinition<Schema>): CommandDefinition<Schema> {
  return definition;
}
