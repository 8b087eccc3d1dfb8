/**
 * The guided form for `call` on Matrix, which has no dialogs: the bot asks for one field at a time
 * (name, type, phone, e-mail, issue, date, route), checks each answer with the `call` command's own
 * argument schema, and in the end builds the command line the dispatcher runs. Pure: no I/O, no
 * timers; the adapter owns those. Answers are personal data: nothing here logs or echoes them.
 */
import { UsageError } from "../../errors.js";
import { parseArguments } from "../../framework/args.js";
import type { CommandCatalog } from "../../framework/registry.js";
import { tokenize } from "../../framework/tokenizer.js";
import { CUSTOMER_TYPES } from "../../store/store.js";

export const CALL_FIELDS = ["name", "type", "phone", "email", "issue", "date", "route"] as const;
export type CallField = (typeof CALL_FIELDS)[number];

interface Step {
  field: CallField;
  question: string;
  /** Words that leave an optional field out (the command's default applies). */
  skipWords?: readonly string[];
}

const STEPS: readonly Step[] = [
  { field: "name", question: "What is the customer's **name**?" },
  { field: "type", question: `What **type** of customer? ${CUSTOMER_TYPES.map((type) => `\`${type}\``).join(", ")}` },
  { field: "phone", question: "Their **phone number**, to call them back? For example `+41 79 555 01 23`." },
  { field: "email", question: "Their **e-mail address**? Send `skip` if they gave none.", skipWords: ["skip", "-", "none", "no"] },
  { field: "issue", question: "What is the **issue**? Describe it in one message." },
  { field: "date", question: "When did the call take place? Send `today`, or a **date** such as `25.11.2026`.", skipWords: ["today", "skip", "-"] },
  {
    field: "route",
    question: "Is it a problem for the tracker (`bug`) or about onboarding or sales (`sales`)? Send `skip` for `bug`.",
    skipWords: ["skip", "-"],
  },
];

/** Checks one answer; returns the problem to show, or undefined when it is fine. */
export type FieldValidator = (field: CallField, value: string) => string | undefined;

/** What the conversation says after an answer. */
export type ConversationStep =
  | { kind: "ask"; text: string }
  | { kind: "invalid"; text: string }
  | { kind: "done"; line: string }
  | { kind: "cancelled"; text: string };

const CANCEL_WORDS = new Set(["cancel", "stop", "abort"]);

/**
 * A validator from the registered `call` command: each answer goes through the same tokenizer and
 * argument parser as a typed command, and only the problems with that field count (the others are
 * missing at this point). Without a `call` command every answer passes; the final run reports.
 */
export function validatorFromCatalog(catalog: CommandCatalog): FieldValidator {
  const command = catalog.find("call");
  if (command === undefined) return () => undefined;
  return (field, value) => {
    try {
      parseArguments(command, tokenize(`${field}=${quote(value)}`));
      return undefined;
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      // The messages never repeat the input (it is personal data).
      const line = error.userMessage.split("\n").find((text) => text.startsWith(`${field}:`));
      return line?.slice(field.length + 1).trim();
    }
  };
}

/** Quotes a value for the command line; the tokenizer reads `\"` and `\\` inside quotes. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** One guided `call` form in progress. */
export class CallConversation {
  private index = 0;
  private readonly answers = new Map<CallField, string>();

  constructor(
    private readonly validate: FieldValidator,
    private readonly commandPrefix: string,
  ) {}

  /** The greeting with the first question. */
  start(): string {
    return [
      "Let's log the customer's call. I ask for one detail at a time; send `cancel` to stop.",
      "(I delete your answers from this chat once the call is logged: the customer's data belongs in the bot's store and private notes only.)",
      "",
      this.currentStep().question,
    ].join("\n");
  }

  /** The field the next answer fills in. */
  get field(): CallField {
    return this.currentStep().field;
  }

  /** Takes the next answer and says what comes next. */
  answer(text: string): ConversationStep {
    const value = text.trim();
    if (CANCEL_WORDS.has(value.toLowerCase())) {
      return { kind: "cancelled", text: `Cancelled; nothing was logged. Start again with \`${this.commandPrefix} call\`.` };
    }
    const step = this.currentStep();
    if (step.skipWords?.includes(value.toLowerCase())) {
      this.answers.delete(step.field);
    } else {
      const problem = value === "" ? "must not be empty" : this.validate(step.field, value);
      if (problem !== undefined) return { kind: "invalid", text: `The ${step.field} ${problem}. ${step.question}` };
      this.answers.set(step.field, value);
    }
    this.index += 1;
    if (this.index < STEPS.length) return { kind: "ask", text: this.currentStep().question };
    return { kind: "done", line: this.commandLine() };
  }

  /**
   * Goes back to a field the command refused (its message starts with `<field>:`), keeping the
   * other answers; false when the message names no field of the form.
   */
  reopen(field: string): boolean {
    const index = STEPS.findIndex((step) => step.field === field);
    if (index < 0) return false;
    this.index = index;
    this.answers.delete(STEPS[index]!.field);
    return true;
  }

  /** The question for the current field (after `reopen`). */
  get question(): string {
    return this.currentStep().question;
  }

  /** `call name="..." type=... ...` with every answered field quoted. */
  commandLine(): string {
    const parts = ["call"];
    for (const field of CALL_FIELDS) {
      const value = this.answers.get(field);
      if (value !== undefined) parts.push(`${field}=${quote(value)}`);
    }
    return parts.join(" ");
  }

  private currentStep(): Step {
    return STEPS[Math.min(this.index, STEPS.length - 1)]!;
  }
}
