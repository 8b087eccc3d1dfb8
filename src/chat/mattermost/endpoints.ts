/**
 * What Mattermost calls on the bot: the `/support` slash command (form-encoded, with the command
 * token), dialog submissions and button clicks (JSON, trusted by the HMAC the bot signed them
 * with). Every command runs through the bot core as the person who acted, so the dispatcher's role
 * checks apply to clicks and forms exactly as to typed commands. Mattermost waits at most 30 s;
 * whatever is not done after `ackAfterMs` (about 2 s) is answered "working on it" at once and the
 * result follows through the command's response_url (or privately). Request bodies and the
 * command lines in them are never logged: they may hold customers' personal data.
 */
import type { Logger } from "pino";
import { z } from "zod";
import type { DispatchResult } from "../../framework/dispatcher.js";
import { canRun } from "../../framework/help.js";
import type { CommandCatalog } from "../../framework/registry.js";
import type { Reply } from "../../framework/reply.js";
import type { HttpAnswer, HttpRequest, HttpServer } from "../../http/http-server.js";
import type { StaffDirectory } from "../../identity.js";
import { mattermostStatus, type BotClient } from "./bot-client.js";
import { checkSubmission, commandLine, formForLine, problemsByField, submissionTokens, type FormRequest } from "../kernel/forms.js";
import { commandWord } from "../kernel/trigger.js";
import { buildDialog } from "./dialogs.js";
import type { MattermostPoster, PrivateTarget } from "./poster.js";
import { renderCommandResponse, renderPlainReply, typedCommand, type ButtonTarget } from "./render.js";
import { sameSecret, type Signer } from "./signing.js";

/** The paths Mattermost is configured to call, under MATTERMOST_PUBLIC_URL. */
export const PATHS = { command: "/mattermost/command", dialog: "/mattermost/dialog", action: "/mattermost/action" } as const;

export interface EndpointOptions {
  /** The commands (for forms and who may use them); commands themselves go through `run`. */
  commands: CommandCatalog;
  /** Runs a command line as a Mattermost user (through the kernel, once the adapter is ready). */
  run(username: string, line: string): Promise<DispatchResult>;
  staff: StaffDirectory;
  client: BotClient;
  poster: MattermostPoster;
  signer: Signer;
  log: Logger;
  /** MATTERMOST_URL: response_url posts go there, whatever host the server put in them. */
  siteUrl: string;
  /** MATTERMOST_PUBLIC_URL; without it no dialogs open (buttons become typed hints in the renderer). */
  publicUrl: string | undefined;
  /** The slash-command tokens accepted right now (configured and registered ones). */
  commandTokens: () => readonly string[];
  /** After this long a command is answered "working on it" and finishes in the background. */
  ackAfterMs: number;
  /** Keeps track of work that outlives its request, so `stop` can wait for it. */
  track(task: Promise<unknown>): void;
  /** Wall clock in ms (a response_url is good for 30 minutes). */
  now: () => number;
}

/**
 * Mattermost keeps a command's response_url for 30 minutes (`CommandWebhookLifetime`); later
 * answers go another way at once instead of trying first. A minute is left for the way there.
 */
const RESPONSE_URL_USABLE_MS = 29 * 60_000;

/** Where a later answer goes: the command's response_url while it lasts, else the place itself. */
interface LaterAnswer {
  responseUrl: string | undefined;
  /** When Mattermost issued the response_url (ms). */
  issuedAt: number;
  /** `rootId` undefined: the server did not say whether the command was typed in a thread. */
  place: PrivateTarget;
}

const slashCommandSchema = z.object({
  user_id: z.string().min(1),
  user_name: z.string().min(1),
  channel_id: z.string().min(1),
  text: z.string().default(""),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
  /** Sent by servers from 11 on (empty outside threads); older ones send no such field. */
  root_id: z.string().optional(),
  token: z.string().optional(),
});
type SlashCommand = z.infer<typeof slashCommandSchema>;

const actionSchema = z.looseObject({
  user_id: z.string().min(1),
  user_name: z.string().min(1),
  channel_id: z.string().min(1),
  post_id: z.string().default(""),
  context: z.unknown().optional(),
});

const dialogSchema = z.looseObject({
  type: z.string().optional(),
  callback_id: z.string().default(""),
  state: z.string().default(""),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  submission: z.record(z.string(), z.unknown()).nullish(),
  cancelled: z.boolean().default(false),
});

const hookId = /\/hooks\/commands\/([a-z0-9]{26})$/;

type Race = { done: true; result: DispatchResult } | { done: false };

/** Waits for the command at most `ms`; it keeps running either way. */
async function within(work: Promise<DispatchResult>, ms: number): Promise<Race> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Race>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  try {
    return await Promise.race([work.then((result): Race => ({ done: true, result })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function json(value: unknown, status = 200): HttpAnswer {
  return { status, json: value };
}

/** The command word of a line, for "working on `grab`" (the rest may be customers' data). */
function workingOn(line: string): string {
  return commandWord(line) ?? "that";
}

/** The slash command, dialog and button endpoints; `register` puts them on the HTTP server. */
export class MattermostEndpoints {
  constructor(private readonly options: EndpointOptions) {}

  register(server: HttpServer): void {
    server.route("POST", PATHS.command, (request) => this.onCommand(request));
    server.route("POST", PATHS.dialog, (request) => this.onDialog(request));
    server.route("POST", PATHS.action, (request) => this.onAction(request));
  }

  // --- slash command --------------------------------------------------------------------------

  private async onCommand(request: HttpRequest): Promise<HttpAnswer> {
    const form = new URLSearchParams(request.body.toString("utf8"));
    if (!this.authorized(request.headers.authorization, form.get("token"))) {
      this.options.log.warn("refused a slash command request without a valid command token");
      return json({ error: "invalid or missing command token" }, 401);
    }
    const parsed = slashCommandSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) return json({ error: "not a Mattermost slash command request" }, 400);
    const command = parsed.data;
    const line = command.text.trim() || "help";
    const receivedAt = this.options.now();
    const place: PrivateTarget = { userId: command.user_id, channelId: command.channel_id, rootId: command.root_id };

    const wanted = this.options.publicUrl && command.trigger_id ? formForLine(line, this.options.commands) : undefined;
    if (wanted && this.mayUseForm(command.user_name, wanted)) {
      const opened = await this.openDialog(wanted, command);
      if (opened) return json({ response_type: "ephemeral", text: "", skip_slack_parsing: true });
    }

    const work = this.options.run(command.user_name, line);
    const race = await within(work, this.options.ackAfterMs);
    if (race.done) {
      if (postsAsBot(race.result.reply) && (await this.postAsBot(race.result.reply, place))) return json({ response_type: "ephemeral", text: "", skip_slack_parsing: true });
      return json(renderCommandResponse(race.result.reply, this.buttonTarget(command.channel_id)));
    }
    this.options.track(work.then((result) => this.deliverLater(result.reply, { responseUrl: command.response_url, issuedAt: receivedAt, place })));
    return json({ response_type: "ephemeral", text: `Working on \`${workingOn(line)}\`… the answer follows here.`, skip_slack_parsing: true });
  }

  /**
   * `Authorization: Token <token>`, else the form's `token`: an Outgoing OAuth Connection for the
   * bot's URL replaces the header with its own (app/command.go, DoCommandRequest), and the form
   * still carries the command's token. Compared in constant time.
   */
  private authorized(header: string | undefined, formToken: string | null): boolean {
    const given = (header !== undefined ? /^Token\s+(\S+)$/i.exec(header.trim())?.[1] : undefined) ?? formToken ?? undefined;
    if (given === undefined || given === "") return false;
    // Every token is compared, so the time taken does not tell which one (or how many) matched.
    return this.options.commandTokens().reduce((ok, token) => sameSecret(token, given) || ok, false);
  }

  /** Whether the person could run the form's command at all; if not, the typed line gives the refusal. */
  private mayUseForm(username: string, request: FormRequest): boolean {
    const member = this.options.staff.findByPlatformUser("mattermost", username);
    return member !== undefined && canRun(request.command, member.role);
  }

  private async openDialog(request: FormRequest, command: SlashCommand): Promise<boolean> {
    const state = this.options.signer.signDialogState({
      form: request.command.name,
      userId: command.user_id,
      channelId: command.channel_id,
      rootId: command.root_id,
      responseUrl: command.response_url,
    });
    try {
      await this.options.client.openInteractiveDialog({
        trigger_id: command.trigger_id ?? "",
        url: `${this.options.publicUrl}${PATHS.dialog}`,
        dialog: buildDialog(request, state),
      });
      return true;
    } catch (error) {
      this.options.log.warn({ err: error, form: request.command.name }, "could not open a dialog; running the command as typed");
      return false;
    }
  }

  // --- dialogs --------------------------------------------------------------------------------

  private async onDialog(request: HttpRequest): Promise<HttpAnswer> {
    const parsed = dialogSchema.safeParse(parseJson(request.body));
    if (!parsed.success) return json({ error: "not a Mattermost dialog submission" }, 400);
    const submission = parsed.data;
    const verified = this.options.signer.verifyDialogState(submission.state, { userId: submission.user_id, channelId: submission.channel_id });
    if (!verified.ok && verified.reason !== "expired") {
      this.options.log.warn({ reason: verified.reason }, "refused a dialog submission the bot did not open");
      return json({ error: "This form was not opened by the support bot." }, 403);
    }
    if (submission.cancelled) return { status: 200 };
    if (!verified.ok) return json({ error: `This form is too old; start again with ${typedCommand(verified.value.form)}.` });
    const state = verified.value;
    const command = this.options.commands.find(state.form);
    const form = command?.form;
    if (!form || !command) return json({ error: `${typedCommand(state.form)} is not available any more.` });

    const tokens = submissionTokens(form, submission.submission ?? {});
    const problems = checkSubmission(command, form, tokens);
    if (problems) return json(problemsAnswer(problems));

    const username = await this.options.poster.usernameFor(submission.user_id);
    const work = this.options.run(username, commandLine(command.name, tokens));
    const race = await within(work, this.options.ackAfterMs);
    const place: PrivateTarget = { userId: state.userId, channelId: state.channelId, rootId: state.rootId };
    if (race.done && race.result.kind === "refused") {
      // Refused by the command itself (a date in the future, a process rule): show it in the form.
      const byField = problemsByField(race.result.reply.text, form);
      if (Object.keys(byField.errors).length > 0) return json({ errors: byField.errors });
      return json({ error: race.result.reply.text });
    }
    const deliver = (reply: Reply) => this.deliverLater(reply, { responseUrl: state.responseUrl, issuedAt: state.issuedAt, place });
    if (race.done) await deliver(race.result.reply);
    else this.options.track(work.then((result) => deliver(result.reply)));
    // An empty 200 closes the dialog.
    return { status: 200 };
  }

  // --- buttons --------------------------------------------------------------------------------

  private async onAction(request: HttpRequest): Promise<HttpAnswer> {
    const parsed = actionSchema.safeParse(parseJson(request.body));
    if (!parsed.success) return json({ error: { message: "not a Mattermost action request" } }, 400);
    const click = parsed.data;
    const verified = this.options.signer.verifyAction(click.context, click.channel_id);
    if (!verified.ok && verified.reason !== "expired") {
      this.options.log.warn({ reason: verified.reason }, "refused a button click the bot did not sign");
      return json({ error: { message: "This button was not made by the support bot." } }, 403);
    }
    if (!verified.ok) {
      return json({ ephemeral_text: `This button is too old to use. Type \`${typedCommand(verified.value.command)}\` instead.`, skip_slack_parsing: true });
    }
    const line = verified.value.command;
    const work = this.options.run(click.user_name, line);
    const race = await within(work, this.options.ackAfterMs);
    const thread = { channelId: click.channel_id, postId: click.post_id };
    if (race.done) {
      if (race.result.reply.visibility === "channel") {
        await this.postInThread(race.result.reply, thread);
        return json({});
      }
      return json({ ephemeral_text: renderPlainReply(race.result.reply), skip_slack_parsing: true });
    }
    this.options.track(
      work.then(async (result) => {
        if (result.reply.visibility === "channel") await this.postInThread(result.reply, thread);
        else await this.options.poster.privately({ userId: click.user_id, channelId: click.channel_id, rootId: await this.rootOf(click.post_id) }, result.reply);
      }),
    );
    return json({ ephemeral_text: `Working on \`${workingOn(line)}\`… the answer follows.`, skip_slack_parsing: true });
  }

  /** A channel reply to a click goes into the clicked post's thread, posted by the bot. */
  private async postInThread(reply: Reply, where: { channelId: string; postId: string }): Promise<void> {
    await this.options.poster.post(where.channelId, reply, { rootId: await this.rootOf(where.postId) });
  }

  private async rootOf(postId: string): Promise<string> {
    if (postId === "") return "";
    try {
      const post = await this.options.client.getPost(postId);
      return post.root_id || post.id;
    } catch {
      return "";
    }
  }

  // --- answers after the request --------------------------------------------------------------

  /**
   * The result of a command that outlived its request (or of a dialog): through the slash
   * command's response_url while it lasts, which also keeps the thread the command was typed in
   * (the server remembers it, on every version); else in the channel as the bot (channel replies)
   * or privately, in the thread if the command's request named it.
   */
  private async deliverLater(reply: Reply, via: LaterAnswer): Promise<void> {
    const hook = via.responseUrl ? hookId.exec(safePath(via.responseUrl)) : null;
    if (hook && !postsAsBot(reply) && this.options.now() - via.issuedAt < RESPONSE_URL_USABLE_MS) {
      try {
        // The path of response_url, on the server address the bot was configured with (the
        // server's own SiteURL may be a name the bot cannot reach, and nothing else may be called).
        await this.options.client.postToResponseUrl(`${this.options.siteUrl}/hooks/commands/${hook[1]}`, { ...renderCommandResponse(reply, this.buttonTarget(via.place.channelId)) });
        return;
      } catch (error) {
        this.options.log.warn({ err: error, status: mattermostStatus(error) }, "response_url refused the answer; sending it another way");
      }
    }
    if (via.place.rootId === undefined) {
      this.options.log.info("Mattermost (before 11) did not say whether the command was typed in a thread; its late answer goes to the channel or by DM, not into a thread");
    }
    try {
      if (reply.visibility === "channel") await this.options.poster.post(via.place.channelId, reply, { rootId: via.place.rootId ?? "" });
      else await this.options.poster.privately(via.place, reply);
    } catch (error) {
      this.options.log.error({ err: error }, "could not deliver a command's answer");
    }
  }

  /**
   * A channel answer with a picture, posted by the bot where the command was typed (a slash
   * command's answer carries no files); false when that failed, so the text still goes as the answer.
   */
  private async postAsBot(reply: Reply, place: PrivateTarget): Promise<boolean> {
    try {
      await this.options.poster.post(place.channelId, reply, { rootId: place.rootId ?? "" });
      return true;
    } catch (error) {
      this.options.log.warn({ err: error }, "could not post an answer with a picture; it goes as text");
      return false;
    }
  }

  private buttonTarget(channelId: string): ButtonTarget {
    return { actionUrl: this.options.publicUrl ? `${this.options.publicUrl}${PATHS.action}` : undefined, signer: this.options.signer, channelId };
  }
}

/** Whether an answer goes as the bot's own post: one for the channel with a picture, which only a post can carry. */
function postsAsBot(reply: Reply): boolean {
  return reply.image !== undefined && reply.visibility === "channel";
}

/** `{"errors": {...}}` when fields are wrong, else `{"error": "..."}`. */
function problemsAnswer(problems: { errors: Record<string, string>; general: string[] }): Record<string, unknown> {
  if (Object.keys(problems.errors).length > 0) return { errors: problems.errors };
  return { error: problems.general.join("\n") || "The form could not be read; please try again." };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

