/**
 * A command's form as a guided conversation, for platforms without dialogs (Matrix, the terminal):
 * the bot asks for one field at a time with the field's prompt, checks each answer with the
 * command's own argument schema, and in the end builds the command line the dispatcher runs. Pure:
 * no I/O, no timers; the kernel owns those. Answers may be personal data: nothing here logs or
 * repeats them.
 */
import type { FormField } from "../../framework/command.js";
import { fieldCheck, quoteValue, type FieldCheck, type FormRequest } from "./forms.js";

/** What the conversation says after an answer. */
export type ConversationStep =
  | { kind: "ask"; text: string }
  | { kind: "invalid"; text: string }
  | { kind: "done"; line: string }
  | { kind: "cancelled"; text: string };

const CANCEL_WORDS = new Set(["cancel", "stop", "abort"]);

/** How a conversation talks. */
export interface ConversationOptions {
  /** What starts a command here, for "start again with `!support call`". */
  trigger: string;
  /** Whether the answers are deleted afterwards (said in the greeting). */
  deletesAnswers?: boolean;
  /** Checks one answer; default: the command's own argument schema. */
  check?: FieldCheck;
}

/** One form being filled in, question by question. */
export class FormConversation {
  private readonly fields: readonly FormField[];
  private readonly check: FieldCheck;
  private readonly answers = new Map<string, string>();
  private index = 0;

  constructor(
    private readonly request: FormRequest,
    private readonly options: ConversationOptions,
  ) {
    // Values the command line already gave are not asked again.
    this.fields = request.form.fields.filter((field) => request.prefill[field.name] === undefined);
    this.check = options.check ?? fieldCheck(request.command);
  }

  /** The command the form fills in. */
  get command(): string {
    return this.request.command.name;
  }

  /** The greeting with the first question. */
  start(): string {
    const { form } = this.request;
    return [
      `**${form.title}**: I ask for one detail at a time; send \`cancel\` to stop.`,
      form.introduction,
      ...(this.options.deletesAnswers
        ? ["(I delete your answers from this chat afterwards: the customer's data belongs in the bot's store and private notes only.)"]
        : []),
      "",
      this.question,
    ].join("\n");
  }

  /** The field the next answer fills in. */
  get field(): string {
    return this.currentField().name;
  }

  /** The question for the current field. */
  get question(): string {
    return this.currentField().prompt;
  }

  /** What the person is told when they stop, and how to start again. */
  get cancelledText(): string {
    return `Cancelled; nothing was logged. Start again with \`${this.options.trigger} ${this.command}\`.`;
  }

  /** Takes the next answer and says what comes next. */
  answer(text: string): ConversationStep {
    const value = text.trim();
    if (CANCEL_WORDS.has(value.toLowerCase())) return { kind: "cancelled", text: this.cancelledText };
    const field = this.currentField();
    if (field.skipWords?.includes(value.toLowerCase())) {
      this.answers.delete(field.name);
    } else {
      const problem = value === "" ? "must not be empty" : this.check(field.name, value);
      if (problem !== undefined) return { kind: "invalid", text: `The ${field.name} ${problem}. ${field.prompt}` };
      this.answers.set(field.name, value);
    }
    this.index += 1;
    if (this.index < this.fields.length) return { kind: "ask", text: this.question };
    return { kind: "done", line: this.commandLine() };
  }

  /**
   * Goes back to a field the command refused (its message starts with `<field>:`), keeping the
   * other answers; false when the message names no field this conversation asked for.
   */
  reopen(field: string): boolean {
    const index = this.fields.findIndex((candidate) => candidate.name === field);
    if (index < 0) return false;
    this.index = index;
    this.answers.delete(field);
    return true;
  }

  /** `call name="..." type=... ...`: the prefilled and answered fields in the form's order, quoted. */
  commandLine(): string {
    const parts = [this.command];
    for (const field of this.request.form.fields) {
      const value = this.request.prefill[field.name] ?? this.answers.get(field.name);
      if (value !== undefined) parts.push(`${field.name}=${quoteValue(value)}`);
    }
    return parts.join(" ");
  }

  private currentField(): FormField {
    return this.fields[Math.min(this.index, this.fields.length - 1)]!;
  }
}
