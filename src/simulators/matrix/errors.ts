/**
 * Matrix standard error responses (`{errcode, error}` with an HTTP status), as the client-server spec
 * defines them in `definitions/errors/error.yaml` and `rate_limited.yaml`.
 */

/** An error the simulated homeserver answers with; thrown by the model and turned into JSON by the HTTP layer. */
export class MatrixApiError extends Error {
  override readonly name = "MatrixApiError";

  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
    /** Extra top-level keys of the error body, such as `retry_after_ms` or `soft_logout`. */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }

  /** The JSON body a homeserver sends for this error. */
  toBody(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

/** 403 M_FORBIDDEN: the caller may not do this (not in the room, not invited, too little power). */
export const forbidden = (message: string): MatrixApiError => new MatrixApiError(403, "M_FORBIDDEN", message);

/** 404 M_NOT_FOUND: the room, event, account data or profile does not exist. */
export const notFound = (message: string): MatrixApiError => new MatrixApiError(404, "M_NOT_FOUND", message);

/** 400 M_BAD_JSON: valid JSON of the wrong shape. */
export const badJson = (message: string): MatrixApiError => new MatrixApiError(400, "M_BAD_JSON", message);

/** 400 M_NOT_JSON: the body is not JSON (or not a JSON object where one is required). */
export const notJson = (message = "Content not JSON."): MatrixApiError => new MatrixApiError(400, "M_NOT_JSON", message);

/** 400 M_INVALID_PARAM: a path or query parameter is malformed or unknown. */
export const invalidParam = (message: string): MatrixApiError => new MatrixApiError(400, "M_INVALID_PARAM", message);

/** 404/405 M_UNRECOGNIZED: the endpoint (or the method on it) is not implemented. */
export const unrecognized = (status: 404 | 405): MatrixApiError =>
  new MatrixApiError(status, "M_UNRECOGNIZED", status === 404 ? "Unrecognized request" : "Unrecognized request method");

/** 429 M_LIMIT_EXCEEDED with the time the client should wait. */
export const limitExceeded = (retryAfterMs: number): MatrixApiError =>
  new MatrixApiError(429, "M_LIMIT_EXCEEDED", "Too Many Requests", { retry_after_ms: retryAfterMs });

/** 403 M_FORBIDDEN for reading a room one is not (and never was) in, or one that does not exist, in Synapse's words. */
export const notReadable = (userId: string, roomId: string): MatrixApiError =>
  forbidden(`User ${userId} not in room ${roomId}, and room previews are disabled`);
