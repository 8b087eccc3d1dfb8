/**
 * Interactive dialogs in place of long command lines: `/support call` without arguments opens a
 * form for the call (name, type of customer, phone, e-mail, issue, date, route), `/support draft`
 * without a text opens one with a text area. A submission is checked by the command's own argument
 * parser and zod schema, exactly as a typed line would be, and wrong fields come back one by one
 * (`{"errors": {"phone": "..."}}`); a valid one becomes the command line the dispatcher runs.
 * Pure: no I/O. Submitted values are customers' data: nothing here logs or echoes them.
 */
import { UsageError } from "../../errors.js";
import { parseArguments } from "../../framework/args.js";
import type { AnyCommand, CommandCatalog } from "../../framework/registry.js";
import { tokenize, type Token } from "../../framework/tokenizer.js";
import { CUSTOMER_TYPES } from "../../store/store.js";

/** One dialog element (model.DialogElement); lengths as Mattermost checks them (24 bytes for labels). */
export interface DialogElement {
  display_name: string;
  name: string;
  type: "text" | "textarea" | "select" | "radio" | "bool";
  subtype?: "text" | "email" | "number" | "tel";
  optional?: boolean;
  default?: string;
  placeholder?: string;
  help_text?: string;
  min_length?: number;
  max_length?: number;
  options?: Array<{ text: string; value: string }>;
}

/** A form that fills in one command. Element names are the command's argument names. */
export interface DialogForm {
  /** The command the form runs, and the dialog's callback id. */
  command: "call" | "draft";
  title: string;
  introduction: string;
  submitLabel: string;
  elements(prefill: Readonly<Record<string, string>>): DialogElement[];
}

/**
 * The longest text the 10.x/11 web app takes in a dialog's text field and text area: it shows
 * dialogs as an apps form (interactive_dialog_adapter.tsx) whose fields stop there
 * (TEXT_DEFAULT_MAX_LENGTH, TEXTAREA_DEFAULT_MAX_LENGTH in apps_form_field) and warns about more.
 */
const WEB_APP_TEXT_MAX = 150;
const WEB_APP_TEXTAREA_MAX = 3_000;

const CALL_FORM: DialogForm = {
  command: "call",
  title: "Log a customer call",
  introduction:
    "A problem becomes a NEW bug tagged Customer; the name and contact go into a private note only. Onboarding or commercial requests go to sales.",
  submitLabel: "Log the call",
  elements: () => [
    { display_name: "Customer name", name: "name", type: "text", subtype: "text", placeholder: "Jane Doe", max_length: WEB_APP_TEXT_MAX },
    {
      display_name: "Type of customer",
      name: "type",
      type: "select",
      options: CUSTOMER_TYPES.map((type) => ({ text: type[0]!.toUpperCase() + type.slice(1), value: type })),
    },
    { display_name: "Phone", name: "phone", type: "text", subtype: "tel", placeholder: "+41 79 555 01 23", max_length: 40 },
    { display_name: "E-mail", name: "email", type: "text", subtype: "email", optional: true, placeholder: "jane@example.com", max_length: WEB_APP_TEXT_MAX },
    { display_name: "Issue", name: "issue", type: "textarea", max_length: WEB_APP_TEXTAREA_MAX, help_text: "What the call was about." },
    { display_name: "Date of the call", name: "date", type: "text", subtype: "text", optional: true, placeholder: "today, or 25.11.2026", max_length: 40 },
    {
      display_name: "Route",
      name: "route",
      type: "radio",
      default: "bug",
      options: [
        { text: "Bug: a problem for the tracker", value: "bug" },
        { text: "Sales: onboarding or commercial", value: "sales" },
      ],
    },
  ],
};

const DRAFT_FORM: DialogForm = {
  command: "draft",
  title: "Draft the response",
  introduction: 'The text the customer will get. It is checked for tone ("we fixed", no blame) and saved as a private note on the bug.',
  submitLabel: "Save the draft",
  elements: (prefill) => [
    { display_name: "Bug", name: "bug", type: "text", subtype: "number", default: prefill["bug"] ?? "", placeholder: "1234", max_length: 20 },
    { display_name: "Response to customer", name: "text", type: "textarea", max_length: WEB_APP_TEXTAREA_MAX },
    { display_name: "Keep as written", name: "force", type: "bool", optional: true, default: "false", placeholder: "Save even if the tone check objects" },
  ],
};

const FORMS: readonly DialogForm[] = [CALL_FORM, DRAFT_FORM];

/** The form a callback id names (the dialog's `callback_id` is the command name). */
export function formByCommand(command: string): DialogForm | undefined {
  return FORMS.find((form) => form.command === command);
}

/**
 * The form a command line asks for, with what it already gave: `call` alone, `draft` alone or
 * `draft 1234`. Anything else (or a command the registry lacks) runs as typed.
 */
export function formForLine(line: string, catalog: CommandCatalog): { form: DialogForm; prefill: Record<string, string> } | undefined {
  let tokens: Token[];
  try {
    tokens = tokenize(line);
  } catch {
    return undefined;
  }
  const [first, ...rest] = tokens;
  if (first?.kind !== "word") return undefined;
  const command = catalog.find(first.text);
  if (command === undefined) return undefined;
  if (command.name === "call" && rest.length === 0) return { form: CALL_FORM, prefill: {} };
  if (command.name === "draft") {
    if (rest.length === 0) return { form: DRAFT_FORM, prefill: {} };
    if (rest.length === 1 && rest[0]!.kind === "bug") return { form: DRAFT_FORM, prefill: { bug: String(rest[0]!.bugId) } };
  }
  return undefined;
}

/** The dialog definition to open (model.Dialog), with the signed state. */
export function buildDialog(form: DialogForm, prefill: Readonly<Record<string, string>>, state: string): Record<string, unknown> {
  return {
    callback_id: form.command,
    title: form.title,
    introduction_text: form.introduction,
    elements: form.elements(prefill),
    submit_label: form.submitLabel,
    notify_on_cancel: false,
    state,
  };
}

/** The submitted values as option tokens, exactly as `name="..."` typed on a line would give them. */
export function submissionTokens(form: DialogForm, submission: Readonly<Record<string, unknown>>): Token[] {
  const tokens: Token[] = [];
  for (const element of form.elements({})) {
    const value = submission[element.name];
    if (element.type === "bool") {
      if (value === true || value === "true") tokens.push({ kind: "word", text: element.name });
      continue;
    }
    if (typeof value === "number") tokens.push({ kind: "option", key: element.name, value: String(value), text: `${element.name}=${value}` });
    if (typeof value !== "string" || value.trim() === "") continue;
    tokens.push({ kind: "option", key: element.name, value, text: `${element.name}=${value}` });
  }
  return tokens;
}

/** Quotes a value for a command line; inside quotes the tokenizer reads `\"` and `\\`. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The command line that the tokenizer turns back into exactly these tokens. */
export function commandLine(command: string, tokens: readonly Token[]): string {
  const parts = [command];
  for (const token of tokens) parts.push(token.kind === "option" ? `${token.key}=${quote(token.value)}` : token.text);
  return parts.join(" ");
}

/** What a check of a submission found: per-field messages, and what belongs to no field. */
export interface FieldProblems {
  errors: Record<string, string>;
  general: string[];
}

/**
 * Sorts the lines of a refusal into the fields they name (`phone: must be a phone number ...`)
 * and the rest; the usage and help lines the dispatcher adds are dropped (the form is the usage).
 */
export function problemsByField(text: string, form: DialogForm): FieldProblems {
  const names = new Set(form.elements({}).map((element) => element.name));
  const problems: FieldProblems = { errors: {}, general: [] };
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("Usage: ") || /help \S+` shows examples\.$/.test(line)) continue;
    const match = /^([a-z][a-z0-9_-]*)(?: \(item \d+\))?: (.+)$/i.exec(line);
    const field = match?.[1]?.toLowerCase();
    if (field !== undefined && names.has(field)) {
      const message = match![2]!;
      problems.errors[field] = problems.errors[field] ? `${problems.errors[field]}; ${message}` : message;
    } else {
      problems.general.push(line);
    }
  }
  return problems;
}

/** Checks a submission with the command's own parser; undefined when it is valid. */
export function checkSubmission(command: AnyCommand, form: DialogForm, tokens: readonly Token[]): FieldProblems | undefined {
  try {
    parseArguments(command, tokens);
    return undefined;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return problemsByField(error.userMessage, form);
  }
}
