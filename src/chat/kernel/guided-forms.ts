/**
 * Forms run as guided conversations, on platforms without dialogs: `call` alone moves to the
 * person's direct conversation with the bot, asks field by field, runs the command when every
 * field is answered (asking again for a field the command refused), and gives up after a while
 * without an answer. Answers that hold personal data are deleted afterwards where the platform
 * lets the bot delete them.
 */
import type { Logger } from "pino";
import type { DispatchResult } from "../../framework/dispatcher.js";
import { ephemeral, type Reply } from "../../framework/reply.js";
import type { ChatOutbound } from "./chat-outbound.js";
import { FormConversation } from "./form-conversation.js";
import { holdsPersonalData, type FormRequest } from "./forms.js";
import type { ChatTransport, IncomingMessage, MessageOrigin } from "./transport.js";

/** A pending callback of a Schedule. */
export interface ScheduledTimer {
  cancel(): void;
}

/** Runs `callback` after `ms`; tests fire it by hand. */
export type Schedule = (callback: () => void, ms: number) => ScheduledTimer;

/** setTimeout, unref'd: a pending form must not keep the process alive on shutdown. */
export function scheduleWithTimeout(callback: () => void, ms: number): ScheduledTimer {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return { cancel: () => clearTimeout(timer) };
}

/** What the guided forms use of the kernel. */
export interface GuidedFormsOptions {
  transport: ChatTransport;
  outbound: ChatOutbound;
  /** Runs a command line as a person, through the dispatcher. */
  run(sender: string, line: string): Promise<DispatchResult>;
  /** Answers a message where it was written. */
  reply(origin: MessageOrigin, reply: Reply): Promise<void>;
  /** Runs a task in order with the messages of a place. */
  queue(place: string, task: () => Promise<void>): Promise<void>;
  /** Resolves once every queued task has settled. */
  idle(): Promise<void>;
  schedule: Schedule;
  /** How long a form waits for the next answer. */
  timeoutMs: number;
  log: Logger;
}

interface ActiveForm {
  conversation: FormConversation;
  sender: string;
  /** The direct conversation the form runs in. */
  place: string;
  /** The answers hold personal data: deleted from the place when the form ends. */
  personal: boolean;
  answerIds: string[];
  timer: ScheduledTimer | undefined;
}

/** The guided forms in progress on one transport, one per person. */
export class GuidedForms {
  private readonly active = new Map<string, ActiveForm>();

  constructor(private readonly options: GuidedFormsOptions) {}

  private get trigger(): string {
    return this.options.transport.triggers[0] ?? "";
  }

  /** Starts a form for the sender of a command (ending one they had open). */
  async start(origin: MessageOrigin, request: FormRequest): Promise<void> {
    const { transport } = this.options;
    const previous = this.active.get(origin.sender);
    if (previous) {
      this.finish(previous);
      await this.deleteAnswers(previous);
    }
    const place = origin.isDirect ? origin.place : await transport.directPlace(origin.sender);
    const personal = holdsPersonalData(request.command, "arguments");
    const conversation = new FormConversation(request, { trigger: this.trigger, deletesAnswers: personal && transport.deleteMessages !== undefined });
    const form: ActiveForm = { conversation, sender: origin.sender, place, personal, answerIds: [], timer: undefined };
    this.active.set(origin.sender, form);
    this.arm(form);
    if (!origin.isDirect) {
      const why = personal ? ", so the customer's personal data stays out of this room" : "";
      await this.options.reply(origin, ephemeral(`I sent you a direct message to fill in \`${request.command.name}\` there${why}.`));
    }
    await this.say(place, conversation.start());
  }

  /** Takes a message as the answer to its sender's form; false when they have none open there. */
  async answer(message: IncomingMessage): Promise<boolean> {
    const form = this.active.get(message.sender);
    if (!form || form.place !== message.place) return false;
    form.answerIds.push(message.id);
    this.arm(form);
    const step = form.conversation.answer(message.text);
    switch (step.kind) {
      case "ask":
      case "invalid":
        await this.say(form.place, step.text);
        return true;
      case "cancelled":
        this.finish(form);
        await this.end(form, step.text);
        return true;
      case "done":
        await this.complete(form, step.line);
        return true;
    }
  }

  /** Ends every open form (the bot stops), telling each person. */
  async stop(): Promise<void> {
    const open = [...this.active.values()];
    this.active.clear();
    for (const form of open) form.timer?.cancel();
    await this.options.idle();
    await Promise.allSettled(open.map((form) => this.end(form, `I am restarting, so I stopped the ${form.conversation.command} form; nothing was logged.`)));
  }

  private async complete(form: ActiveForm, line: string): Promise<void> {
    form.timer?.cancel();
    const result = await this.options.run(form.sender, line);
    const field = /^(\w+):/.exec(result.reply.text)?.[1];
    if (result.kind === "refused" && field !== undefined && form.conversation.reopen(field)) {
      this.arm(form);
      await this.say(form.place, `${result.reply.text.split("\n")[0]}\n\n${form.conversation.question}`);
      return;
    }
    this.finish(form);
    await this.post(form.place, result.reply);
    const command = form.conversation.command;
    await this.end(form, result.kind === "ok" ? undefined : `Nothing was logged. Start again with \`${this.trigger} ${command}\`.`);
  }

  private arm(form: ActiveForm): void {
    form.timer?.cancel();
    const minutes = Math.round(this.options.timeoutMs / 60_000);
    const after = minutes >= 1 ? `${minutes} minute${minutes === 1 ? "" : "s"}` : "a while";
    form.timer = this.options.schedule(() => {
      void this.options.queue(form.place, async () => {
        if (this.active.get(form.sender) !== form) return;
        this.finish(form);
        const command = form.conversation.command;
        await this.end(form, `No answer for ${after}, so I stopped the ${command} form; nothing was logged. Start again with \`${this.trigger} ${command}\`.`);
      });
    }, this.options.timeoutMs);
  }

  private finish(form: ActiveForm): void {
    form.timer?.cancel();
    if (this.active.get(form.sender) === form) this.active.delete(form.sender);
  }

  /** Says the last word (if any) and deletes the person's answers where they hold personal data. */
  private async end(form: ActiveForm, text: string | undefined): Promise<void> {
    if (text !== undefined) await this.say(form.place, text);
    if (!(await this.deleteAnswers(form))) {
      await this.say(form.place, "I could not delete your answers above; please delete them yourself, they hold the customer's personal data.");
    }
  }

  /** Deletes the answers of a form whose answers hold personal data; false when some stayed. */
  private async deleteAnswers(form: ActiveForm): Promise<boolean> {
    const remove = this.options.transport.deleteMessages;
    if (!form.personal || remove === undefined || form.answerIds.length === 0) return true;
    return remove.call(this.options.transport, form.place, form.answerIds);
  }

  private say(place: string, text: string): Promise<void> {
    return this.post(place, { text });
  }

  private async post(place: string, message: Reply | { text: string }): Promise<void> {
    await this.options.transport.post(place, this.options.outbound.fit({ ...message }));
  }
}
