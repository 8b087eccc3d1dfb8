/**
 * The one way a command line becomes an action: tokenize, find the command, resolve the caller,
 * check roles (once, here, never in handlers), parse arguments, run, and turn errors into replies.
 * The chat kernel (src/chat/kernel) calls it for every transport and routes the reply it gets back.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import type { Notifier } from "../chat/notifier.js";
import type { ProcessSettings } from "../core/process-settings.js";
import type { ErpPort } from "../erp/erp.js";
import { BotError, PermissionError, UpstreamUnavailableError, UsageError } from "../errors.js";
import type { Platform, StaffDirectory, StaffMember } from "../identity.js";
import { NO_METRICS, type Metrics } from "../metrics.js";
import type { Store } from "../store/store.js";
import type { QueueSource } from "../process/queue.js";
import type { ChartRenderer } from "../process/report-chart.js";
import type { TrackerPort } from "../process/tracker-port.js";
import { formatUsage, parseArguments } from "./args.js";
import type { CommandContext } from "./command.js";
import { canRun, describeRoles, TRIGGERS } from "./help.js";
import { suggestionCandidates, type AnyCommand, type CommandRegistry } from "./registry.js";
import { DEFAULT_MESSAGE_LIMIT, ephemeral, type MessageLimit, type Reply } from "./reply.js";
import { formatSuggestions, suggestCommands } from "./suggest.js";
import { tokenize } from "./tokenizer.js";

/** One incoming command line, as a chat adapter hands it over. */
export interface DispatchRequest {
  platform: Platform;
  /** The sender on that platform: Mattermost user name, Matrix user id, or sandbox account. */
  platformUser: string;
  /** The text after the trigger (`/support`, `!support`), which the transport has stripped. */
  line: string;
  /** The trigger people type there, for help texts (the transport's; default: the platform list's). */
  trigger?: string;
  /** The largest message the place takes (default DEFAULT_MESSAGE_LIMIT); commands fit long answers into it. */
  messageLimit?: MessageLimit;
}

/**
 * What came of a command line. `refused`: nothing was done and the reply says why (wrong
 * arguments, role, process rule, ...). `failed`: something broke on our side; the reply carries
 * the request id that finds the log lines.
 */
export type DispatchResult =
  | { kind: "ok"; reply: Reply }
  | { kind: "refused"; reply: Reply }
  | { kind: "failed"; reply: Reply; requestId: string };

/** What the dispatcher needs to run commands; built once at start-up. */
export interface DispatchServices {
  commands: CommandRegistry;
  /** The tracker acting as this staff member (impersonation or notes naming them). */
  trackerFor(member: StaffMember): TrackerPort;
  staff: StaffDirectory;
  store: Store;
  notifier: Notifier;
  erp: ErpPort;
  settings: ProcessSettings;
  now: () => Date;
  /** The root logger; each run gets a child with requestId, platform, user and command. */
  logger: Logger;
  /** Where listings read open bugs (the engine's mirror while it runs); the tracker when absent. */
  queueSource?: QueueSource;
  /** Draws the report's chart; absent, the report is text only. */
  charts?: ChartRenderer;
  /** Makes the id that ties a reply to its log lines; random by default, fixed in tests. */
  newRequestId?: () => string;
  /** Counts each command by name and outcome with its duration; default: nothing counted. */
  metrics?: Metrics;
}

/** Error codes that mean "you cannot do this now": nothing broke, so no request id is shown. */
const REFUSED_CODES = new Set(["usage", "permission", "unknown-user", "process-rule", "not-found", "conflict"]);

/** Long enough to find in the logs, short enough to read out or copy from a phone. */
function makeRequestId(): string {
  return randomUUID().slice(0, 8);
}

/**
 * Runs one command line for one chat user and says what came of it; never throws. Neither the
 * line nor the arguments are logged: they may hold customers' names, phone numbers or e-mail.
 */
export async function dispatch(request: DispatchRequest, services: DispatchServices): Promise<DispatchResult> {
  const started = performance.now();
  const seen: { command?: string } = {};
  const result = await runLine(request, services, seen, started);
  // By the command's name only ("unknown" otherwise): what people typed never becomes a label.
  (services.metrics ?? NO_METRICS).commandRan(seen.command ?? "unknown", result.kind, (performance.now() - started) / 1000);
  return result;
}

async function runLine(request: DispatchRequest, services: DispatchServices, seen: { command?: string }, started: number): Promise<DispatchResult> {
  const requestId = (services.newRequestId ?? makeRequestId)();
  const trigger = request.trigger ?? TRIGGERS[request.platform];
  const bindings = { requestId, platform: request.platform, user: request.platformUser };
  // One child logger per run, made once the command is known (a child costs its bindings' JSON).
  let log: Logger | undefined;
  let command: AnyCommand | undefined;
  try {
    const tokens = tokenize(request.line);
    const first = tokens[0]!;
    command = first.kind === "word" ? services.commands.find(first.text) : undefined;
    log = services.logger.child(command ? { ...bindings, command: command.name } : bindings);
    if (!command) {
      log.info("unknown command");
      return { kind: "refused", reply: ephemeral(unknownCommandText(first.text, request, services, trigger)) };
    }
    seen.command = command.name;

    const caller = services.staff.requireByPlatformUser(request.platform, request.platformUser);
    if (!canRun(command, caller.role)) {
      throw new PermissionError(`Only ${describeRoles(command.roles)} can run \`${command.name}\`; you are linked as ${caller.role}.`);
    }
    const tracker = services.trackerFor(caller);
    const args: unknown = parseArguments(command, tokens.slice(1), { parseReference: (text) => tracker.parseReference(text) });
    const context: CommandContext = {
      caller,
      platform: request.platform,
      trigger,
      messageLimit: request.messageLimit ?? DEFAULT_MESSAGE_LIMIT,
      tracker,
      staff: services.staff,
      store: services.store,
      notifier: services.notifier,
      erp: services.erp,
      settings: services.settings,
      now: services.now,
      log,
      ...(services.queueSource ? { queueSource: services.queueSource } : {}),
      ...(services.charts ? { charts: services.charts } : {}),
    };
    const reply = await command.run(context, args);
    log.info({ durationMs: Math.round(performance.now() - started) }, "command done");
    return { kind: "ok", reply };
  } catch (error) {
    return resultForError(error, { command, trigger, requestId, log: log ?? services.logger.child(bindings) });
  }
}

function resultForError(
  error: unknown,
  run: { command: AnyCommand | undefined; trigger: string; requestId: string; log: Logger },
): DispatchResult {
  if (error instanceof BotError && REFUSED_CODES.has(error.code)) {
    // Only the code: the message may quote what the user typed.
    run.log.info({ code: error.code }, "command refused");
    return { kind: "refused", reply: ephemeral(refusalText(error, run.command, run.trigger)) };
  }
  run.log.error({ err: error }, "command failed");
  const reference = `request id \`${run.requestId}\``;
  const text =
    error instanceof BotError
      ? withHint(error, `${error.userMessage}${upstreamAdvice(error)}\n(If it keeps happening, tell an administrator the ${reference}.)`)
      : `Sorry, that did not work because of a problem on my side. If it keeps happening, tell an administrator the ${reference}.`;
  return { kind: "failed", reply: ephemeral(text), requestId: run.requestId };
}

/**
 * What a command that failed on an unavailable upstream means for the caller: commands other than
 * the customers' filings (kept as pending) are all or nothing, so nothing changed and the same
 * command can simply be run again; unless no answer came to a write, which may have been made.
 */
function upstreamAdvice(error: BotError): string {
  if (!(error instanceof UpstreamUnavailableError)) return "";
  return error.mayHaveApplied
    ? "\nIt may have made the change before it stopped answering: check (for example with `show`) before you try again."
    : "\nNothing changed: try again in a moment.";
}

function withHint(error: BotError, text: string): string {
  return error.hint ? `${text}\n${error.hint}` : text;
}

function refusalText(error: BotError, command: AnyCommand | undefined, trigger: string): string {
  if (!(error instanceof UsageError) || command === undefined) return withHint(error, error.userMessage);
  const usage = error.usage ?? formatUsage(command);
  const lines = [error.userMessage, `Usage: \`${trigger} ${usage}\``];
  if (command.examples.length > 0 && command.name !== "help") lines.push(`\`${trigger} help ${command.name}\` shows examples.`);
  return lines.join("\n");
}

/** "Did you mean" among the commands the caller may run (all of them when the caller is not linked). */
function unknownCommandText(typed: string, request: DispatchRequest, services: DispatchServices, trigger: string): string {
  const caller = services.staff.findByPlatformUser(request.platform, request.platformUser);
  const visible = services.commands.all().filter((command) => caller === undefined || canRun(command, caller.role));
  const suggestions = suggestCommands(typed, suggestionCandidates(visible));
  // Shown back inside backticks, so backticks would break the markup; long pastes are cut.
  const shown = Array.from(typed.replace(/`/g, "")).slice(0, 40).join("");
  return `I do not know the command \`${shown}\`.${formatSuggestions(suggestions)} Try \`${trigger} help\` for the list.`;
}
