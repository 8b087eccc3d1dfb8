/**
 * How the simulated MantisBT fails. MantisBT has two kinds of failure and they look different on the wire:
 * - a `ClientException` thrown by a command becomes JSON `{message, code, localized}` with the message
 *   repeated as the HTTP reason phrase; Slim's error handler builds that response outside the auth
 *   middleware, so it carries no `X-Mantis-*` headers (compare the 404 samples in the Postman collection);
 *   a fault returned by the old SOAP-era code (`mc_issue_update`) looks the same with `{message}` only;
 * - a route that answers `withStatus(code, reason)` itself sends an empty body, with the headers.
 * A PHP crash (e.g. a summary longer than the column) is a bare 500 with an empty body.
 */
import { ERROR_CODES } from "./constants.js";

/** The three shapes of a MantisBT failure described above. */
export type MantisErrorKind = "exception" | "status" | "crash";

/** A failure the simulator answers with, in one of MantisBT's three shapes. */
export class MantisError extends Error {
  override readonly name = "MantisError";

  constructor(
    readonly kind: MantisErrorKind,
    readonly status: number,
    message: string,
    readonly code?: number,
    readonly localized?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The JSON body, or undefined when the answer has an empty body. */
  body(): { message: string; code?: number; localized?: string } | undefined {
    if (this.kind !== "exception") return undefined;
    if (this.code === undefined) return { message: this.message };
    return { message: this.message, code: this.code, localized: this.localized ?? this.message };
  }
}

/** A `ClientException`: JSON body and reason phrase; the status follows from the error code. */
export function clientException(code: number, message: string, localized: string): MantisError {
  return new MantisError("exception", statusForCode(code), message, code, localized);
}

/**
 * A fault of `mc_issue_update` (a `LegacyApiFaultException`): JSON `{message}` only, the message again as
 * the reason phrase (recorded/16-resolve-parent-with-open-child.json, 33-err-developer-readonly.json).
 */
export function messageOnly(status: number, message: string): MantisError {
  return new MantisError("exception", status, message);
}

/** A route's own `withStatus(status, reason)`: empty body. */
export function statusOnly(status: number, reason: string, headers: Record<string, string> = {}): MantisError {
  return new MantisError("status", status, reason, undefined, undefined, headers);
}

/** PHP died (a database error, a type error): 500 with an empty body and no reason of its own. */
export function crash(): MantisError {
  return new MantisError("crash", 500, "Internal Server Error");
}

/**
 * `error_map_mantis_error_to_http_code` (core/error_api.php) for the codes the simulator uses; a code
 * it does not list is a 500, as in MantisBT.
 */
function statusForCode(code: number): number {
  switch (code) {
    case ERROR_CODES.EMPTY_FIELD:
    case ERROR_CODES.GPC_VAR_NOT_FOUND:
    case ERROR_CODES.INVALID_DATE_FORMAT:
    case ERROR_CODES.INVALID_FIELD_VALUE:
    case ERROR_CODES.VERSION_DUPLICATE:
    case ERROR_CODES.RELATIONSHIP_SAME_BUG:
      return 400;
    case ERROR_CODES.ACCESS_DENIED:
    case ERROR_CODES.BUG_READ_ONLY_ACTION_DENIED:
    case ERROR_CODES.RELATIONSHIP_ACCESS_LEVEL_TO_DEST_BUG_TOO_LOW:
      return 403;
    case ERROR_CODES.PROJECT_NOT_FOUND:
    case ERROR_CODES.USER_BY_NAME_NOT_FOUND:
    case ERROR_CODES.USER_BY_ID_NOT_FOUND:
    case ERROR_CODES.BUG_NOT_FOUND:
    case ERROR_CODES.CATEGORY_NOT_FOUND:
    case ERROR_CODES.VERSION_NOT_FOUND:
    case ERROR_CODES.BUGNOTE_NOT_FOUND:
    case ERROR_CODES.FILTER_NOT_FOUND:
    case ERROR_CODES.TAG_NOT_FOUND:
      return 404;
    default:
      return 500;
  }
}

/** `404 Issue #N not found`, code 1100 (Postman sample "Get an issue", OBSERVED.md). */
export function issueNotFound(id: number | string): MantisError {
  return clientException(ERROR_CODES.BUG_NOT_FOUND, `Issue #${id} not found`, `Issue ${id} not found.`);
}

/** 403 with code 13; `reason` is MantisBT's explanation. */
export function accessDenied(message: string): MantisError {
  return clientException(ERROR_CODES.ACCESS_DENIED, message, "Access Denied.");
}

/** 400 code 11: a required field is missing or blank. */
export function emptyField(message: string, field: string): MantisError {
  return clientException(
    ERROR_CODES.EMPTY_FIELD,
    message,
    `A necessary field "${field}" was empty. Please recheck your inputs.`,
  );
}

/** 400 code 29: a field has a value MantisBT does not accept. */
export function invalidField(message: string, field: string): MantisError {
  return clientException(ERROR_CODES.INVALID_FIELD_VALUE, message, `Invalid value for "${field}"`);
}

/** 403 code 1103: a resolved or closed bug, changed by someone below `update_readonly_bug_threshold`. */
export function readOnly(message: string, id: number): MantisError {
  return clientException(
    ERROR_CODES.BUG_READ_ONLY_ACTION_DENIED,
    message,
    `The action cannot be performed because issue "${id}" is read-only.`,
  );
}
