/**
 * The chat kernel: what every platform does with a message the same way (Bolt's App, apart from
 * its Receiver, the transport). It de-duplicates incoming messages (one table for all platforms),
 * finds the command after the trigger, tells people who are not linked how to get linked, runs
 * forms (dialogs where the transport has them, a guided conversation elsewhere), dispatches, and
 * routes replies by the command's privacy: a reply holding personal data reaches only the caller,
 * in a direct conversation where the platform cannot show it to one person in a shared place.
 */
import type { Logger } from "pino";
import { BotError } from "../../errors.js";
import type { DispatchResult } from "../../framework/dispatcher.js";
import { canRun } from "../../framework/help.js";
import type { AnyCommand, CommandCatalog } from "../../framework/registry.js";
import { ephemeral, type MessageLimit, type Reply } from "../../framework/reply.js";
import type { Platform, StaffDirectory } from "../../identity.js";
import type { Metrics } from "../../metrics.js";
import type { ChatMemory } from "./chat-memory.js";
import { ChatOutbound } from "./chat-outbound.js";
import { countSends } from "./counted-transport.js";
import { formForLine, holdsPersonalData } from "./forms.js";
import { GuidedForms, scheduleWithTimeout, type Schedule } from "./guided-forms.js";
import { KeyedQueue } from "./keyed-queue.js";
import { OnceNotices } from "./notices.js";
import type { ChatTransport, IncomingMessage, MessageOrigin } from "./transport.js";
import { DEFAULT_NOTE_WORD, threadNoteLine } from "./thread-notes.js";
import { commandWord, textAfterTrigger } from "./trigger.js";

/** The bot's core as the kernel uses it: the command table and the dispatcher. */
export interface CommandCore {
  readonly services: { readonly commands: CommandCatalog };
  run(platform: Platform, platformUser: string, line: string, where?: { trigger?: string; messageLimit?: MessageLimit }): Promise<DispatchResult>;
}

/** What the kernel needs; one kernel per transport. */
export interface ChatKernelOptions {
  transport: ChatTransport;
  core: CommandCore;
  staff: StaffDirectory;
  chat: ChatMemory;
  logger: Logger;
  /** The outgoing side, when it had to exist before the core (the sandbox); made here otherwise. */
  outbound?: ChatOutbound;
  /** Wall clock in ms; default Date.now. */
  clock?: () => number;
  /** Runs the guided forms' timeouts; tests fire them by hand. */
  schedule?: Schedule;
  /** How long a guided form waits for the next answer; default 10 minutes. */
  formTimeoutMs?: number;
  /** What a reply in a bug's thread starts with to become a note on the bug (NOTE_WORD); default `note`. */
  noteWord?: string;
  /** Counts the messages sent through the transport; default: nothing counted. */
  metrics?: Metrics;
}

/** What became of a message. */
export type Handled = "command" | "answer" | "ignored";

/** How long a processed event id is remembered; replays come much sooner. */
const PROCESSED_KEPT_MS = 7 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 24 * 3_600_000;

/** The platform-neutral handling of one transport's messages. */
export class ChatKernel {
  /** DMs and channel posts on this platform: the Notifier for the commands and the engine. */
  readonly notifier: ChatOutbound;
  /** One-time notices of this platform. */
  readonly notices: OnceNotices;

  private readonly transport: ChatTransport;
  private readonly log: Logger;
  private readonly clock: () => number;
  /** Incoming messages, in order per place. */
  private readonly incoming = new KeyedQueue();
  private readonly forms: GuidedForms;
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: ChatKernelOptions) {
    this.transport = options.metrics ? countSends(options.transport, options.metrics) : options.transport;
    this.log = options.logger;
    this.clock = options.clock ?? Date.now;
    this.notifier = options.outbound ?? new ChatOutbound({ transport: this.transport, chat: options.chat, logger: this.log, clock: this.clock });
    this.notices = new OnceNotices({ platform: this.transport.platform, chat: options.chat, clock: this.clock, log: this.log });
    this.forms = new GuidedForms({
      transport: this.transport,
      outbound: this.notifier,
      run: (sender, line) => this.run(sender, line),
      reply: (origin, reply) => this.reply(origin, reply),
      queue: (place, task) => this.queue(place, task),
      idle: () => this.incoming.idle(),
      schedule: options.schedule ?? scheduleWithTimeout,
      timeoutMs: options.formTimeoutMs ?? 10 * 60_000,
      log: this.log,
    });
  }

  /** The commands, for transports that build forms and autocomplete from them. */
  get commands(): CommandCatalog {
    return this.options.core.services.commands;
  }

  /**
   * Marks an incoming event as processed; false when it was before (a replay), then it must be
   * dropped. Synchronous, so two deliveries of one event cannot both pass.
   */
  async claim(eventId: string, place: string): Promise<boolean> {
    const now = this.clock();
    const { chat } = this.options;
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await chat.pruneEvents(this.transport.platform, new Date(now - PROCESSED_KEPT_MS));
    }
    return chat.claimEvent(this.transport.platform, eventId, place, new Date(now));
  }

  /** Runs a task after everything queued before for the same place (messages, form timeouts). */
  queue<T>(place: string, task: () => Promise<T>): Promise<T> {
    return this.incoming.run(place, task);
  }

  /** Resolves once everything queued so far has been handled. */
  idle(): Promise<void> {
    return this.incoming.idle();
  }

  /** Takes a message: drops a replay, else handles it in order with its place; never throws. */
  async receive(message: IncomingMessage): Promise<void> {
    if (!(await this.claim(message.id, message.place))) return;
    void this.queue(message.place, async () => {
      try {
        await this.handle(message);
      } catch (error) {
        this.log.error({ err: error }, "handling a message failed");
      }
    });
  }

  /** Handles one message that passed the transport's and the kernel's checks. */
  async handle(message: IncomingMessage): Promise<Handled> {
    const text = message.text.trim();
    if (text === "") return "ignored";
    const { transport } = this;
    const note = await this.threadNote(message, text);
    if (note) return this.writeNote(message, note);
    const triggered = textAfterTrigger(text, transport.triggers);
    // Without a trigger it answers the sender's form, if one is open there (even where DMs need no trigger).
    if (triggered === undefined && (await this.forms.answer({ ...message, text }))) return "answer";
    const line = triggered ?? (message.isDirect && transport.triggerOptionalInDirect ? text : undefined);
    if (line === undefined) return "ignored";

    const member = this.options.staff.findByPlatformUser(transport.platform, message.sender);
    const refusal = transport.refusesPlace?.(message);
    if (refusal !== undefined) {
      // Only staff are told; anyone else's message is no business of the bot here.
      if (member) await this.notices.once("place-not-allowed", message.place, () => this.reply(message, ephemeral(refusal)));
      return "ignored";
    }
    if (!member && !message.isDirect) {
      // Said once per person in shared places; in a DM the dispatcher's refusal says it every time.
      await this.notices.once("unlinked", message.sender, () => this.reply(message, ephemeral(this.notLinkedText(message.sender))));
      return "ignored";
    }
    const commandLine = line === "" ? "help" : line;
    const form = formForLine(commandLine, this.commands);
    if (form && member && canRun(form.command, member.role) && !transport.capabilities.dialogs) {
      await this.forms.start(message, form);
      return "command";
    }
    const result = await this.run(message.sender, commandLine);
    let reply = result.reply;
    if (form && result.kind === "refused" && transport.capabilities.dialogs && transport.dialogHint) {
      reply = { ...reply, text: `${reply.text}\n\n${transport.dialogHint(commandLine)}` };
    }
    const command = this.commandOf(commandLine);
    if (holdsPersonalData(command, "arguments") && transport.deleteMessages && !(await transport.deleteMessages(message.place, [message.id]))) {
      reply = { ...reply, text: `${reply.text}\nPlease delete your message with the command: it holds the customer's personal data, which belongs only in the bot's store.` };
    }
    await this.answer(message, reply, command);
    return "command";
  }

  /**
   * Runs a command line as a person through the dispatcher, with this transport's trigger and
   * message size; a reply holding personal data is made private.
   */
  async run(sender: string, line: string): Promise<DispatchResult> {
    const { transport } = this;
    const result = await this.options.core.run(transport.platform, sender, line, { trigger: transport.triggers[0], messageLimit: transport.capabilities.maxMessage });
    if (holdsPersonalData(this.commandOf(line), "reply") && result.reply.visibility !== "ephemeral") {
      return { ...result, reply: { ...result.reply, visibility: "ephemeral" } };
    }
    return result;
  }

  /** Answers a message where it was written, fitted to the transport; a reply for one person in a shared place names them where nothing else shows it. */
  async reply(origin: MessageOrigin, reply: Reply): Promise<void> {
    const { capabilities } = this.transport;
    const addressed = reply.visibility === "ephemeral" && !origin.isDirect && !capabilities.ephemeral && !capabilities.threads;
    const text = addressed ? `${capabilities.mention(origin.sender)} ${reply.text}` : reply.text;
    await this.transport.reply(origin, this.notifier.fit({ ...reply, text }));
  }

  /**
   * A reply in a channel thread where the platform hands over only those (Mattermost's channel
   * posts): a note on the bug when it is one, else chat, never a command.
   */
  async handleThreadReply(message: IncomingMessage): Promise<Handled> {
    const note = await this.threadNote(message, message.text.trim());
    return note ? this.writeNote(message, note) : "ignored";
  }

  /**
   * The note a staff member's reply in a bug's thread asks for: the bug and the command line. Not a
   * note: a reply elsewhere, without the note word, or by someone who is not staff (chat stays chat).
   */
  private async threadNote(message: IncomingMessage, text: string): Promise<{ line: string } | undefined> {
    if (message.isDirect || message.threadId === undefined) return undefined;
    const bugId = await this.options.chat.bugOfThread(this.transport.platform, message.place, message.threadId);
    if (bugId === undefined) return undefined;
    const line = threadNoteLine(text, bugId, this.options.noteWord ?? DEFAULT_NOTE_WORD);
    if (line === undefined || !this.options.staff.findByPlatformUser(this.transport.platform, message.sender)) return undefined;
    return { line };
  }

  /** Writes the note as the sender; a reaction confirms it (a short answer where there are none), a problem is answered in the thread. */
  private async writeNote(message: IncomingMessage, note: { line: string }): Promise<Handled> {
    const result = await this.run(message.sender, note.line);
    if (result.kind !== "ok") {
      await this.reply(message, result.reply);
      return "command";
    }
    if (this.transport.react) {
      try {
        await this.transport.react(message, "done");
        return "command";
      } catch (error) {
        // The note is written: say so in words rather than leave the writer guessing.
        this.log.warn({ err: error }, "could not react to a thread note; answering instead");
      }
    }
    await this.reply(message, ephemeral(`✅ ${result.reply.text}`));
    return "command";
  }

  /** Ends the guided forms in progress, telling each person. */
  stop(): Promise<void> {
    return this.forms.stop();
  }

  /** A reply holding personal data goes where only the caller reads it; others answer in place. */
  private async answer(origin: MessageOrigin, reply: Reply, command: AnyCommand | undefined): Promise<void> {
    if (holdsPersonalData(command, "reply") && !origin.isDirect && !this.transport.capabilities.ephemeral) {
      await this.transport.sendDirect(origin.sender, this.notifier.fit(reply));
      await this.reply(origin, ephemeral("I answered you in a direct message: the answer holds customers' personal data."));
      return;
    }
    await this.reply(origin, reply);
  }

  /** The command a line runs (aliases resolved), if it names one. */
  private commandOf(line: string): AnyCommand | undefined {
    const word = commandWord(line);
    return word === undefined ? undefined : this.commands.find(word);
  }

  /** The directory's explanation of how to get linked. */
  private notLinkedText(sender: string): string {
    try {
      this.options.staff.requireByPlatformUser(this.transport.platform, sender);
      return "";
    } catch (error) {
      return error instanceof BotError ? error.userMessage : "You are not linked to a staff account yet.";
    }
  }
}
