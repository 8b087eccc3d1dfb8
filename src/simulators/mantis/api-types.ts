/**
 * What a route handler of the simulator receives and returns. Handlers are synchronous and throw
 * `MantisError` for every failure; the server turns both into HTTP.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { MantisDatabase, UserRow } from "./database.js";

/** The state and clock every handler works with. */
export interface SimulatorContext {
  db: MantisDatabase;
  /** Current time in Unix seconds (MantisBT's resolution). */
  nowSeconds(): number;
}

/** An authenticated REST request, path already split below `/api/rest/`. */
export interface ApiRequest {
  method: string;
  segments: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The JSON body when the request said `Content-Type: application/json` and parsed; otherwise null, as Slim's `getParsedBody()`. */
  body: unknown;
  /** The user the request runs as: the token's owner, or the impersonated user. */
  user: UserRow;
}

/** A successful answer; `body` undefined means an empty body. */
export interface ApiResponse {
  status: number;
  reason?: string;
  body?: unknown;
  headers?: Record<string, string>;
}
