/**
 * Errors with a stable code, a message fit for chat users and an optional fix-it hint.
 * The chat shows `userMessage`; the log gets everything, including `cause`.
 */
export class BotError extends Error {
  override readonly name: string = "BotError";
  readonly code: string;
  /** Text safe to show in chat (no stack, no personal data). */
  readonly userMessage: string;
  /** What an operator or user can do about it. */
  readonly hint: string | undefined;

  constructor(code: string, userMessage: string, options: { cause?: unknown; hint?: string; logMessage?: string } = {}) {
    super(options.logMessage ?? userMessage, { cause: options.cause });
    this.code = code;
    this.userMessage = userMessage;
    this.hint = options.hint;
  }
}

/** Wrong arguments: carries the usage line to show again. */
export class UsageError extends BotError {
  override readonly name = "UsageError";
  constructor(message: string, readonly usage?: string) {
    super("usage", message);
  }
}

/** The caller's role does not allow the command. */
export class PermissionError extends BotError {
  override readonly name = "PermissionError";
  constructor(message: string) {
    super("permission", message);
  }
}

/** The caller is not linked to a staff member. */
export class UnknownUserError extends BotError {
  override readonly name = "UnknownUserError";
  constructor(message: string) {
    super("unknown-user", message);
  }
}

/** A command out of order for the bug's current stage; nothing was changed. */
export class ProcessRuleError extends BotError {
  override readonly name = "ProcessRuleError";
  constructor(message: string) {
    super("process-rule", message);
  }
}

/** The tracker (or another upstream) says the thing does not exist. */
export class NotFoundError extends BotError {
  override readonly name = "NotFoundError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("not-found", message, options);
  }
}

/** The tracker refused the caller (HTTP 401/403). */
export class ForbiddenError extends BotError {
  override readonly name = "ForbiddenError";
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super("forbidden", message, options);
  }
}

/** Someone changed the thing in between (HTTP 412/409). */
export class ConflictError extends BotError {
  override readonly name = "ConflictError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("conflict", message, options);
  }
}

/** An upstream system did not answer, timed out, or answered garbage. */
export class UpstreamUnavailableError extends BotError {
  override readonly name = "UpstreamUnavailableError";
  /** The request may have been carried out although no answer came (a timeout, an answer that could not be read). */
  readonly mayHaveApplied: boolean;
  constructor(message: string, options: { cause?: unknown; hint?: string; logMessage?: string; mayHaveApplied?: boolean } = {}) {
    super("upstream-unavailable", message, options);
    this.mayHaveApplied = options.mayHaveApplied ?? false;
  }
}

/** Invalid configuration: one line per problem. */
export class ConfigError extends BotError {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super("config", problems.join("\n"));
  }
}
