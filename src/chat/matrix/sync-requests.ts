/**
 * Lets `stop()` end the SDK's pending `/sync` long-poll at once. matrix-bot-sdk 0.7.1 only checks
 * its stop flag between syncs, so a stopped bot would wait up to the 30 s poll (and keep the
 * process alive that long; `docker stop` kills after 10 s). The SDK takes its HTTP function from
 * `setRequestFn` (meant for tests); this wraps it to remember pending `/sync` requests per access
 * token, and `abortSyncRequests` fails them, which the SDK's loop reads as "stopped".
 */
import { getRequestFn, setRequestFn } from "matrix-bot-sdk";

type Callback = (error: unknown, response?: unknown, body?: unknown) => void;
interface PendingRequest {
  abort(): void;
}
type RequestFn = (params: { uri?: string; headers?: Record<string, string> }, callback: Callback) => PendingRequest;

interface Pending {
  authorization: string | undefined;
  request?: PendingRequest;
  fail(error: Error): void;
}

const pending = new Set<Pending>();
let installed = false;

/** Wraps the SDK's request function once per process. */
export function trackSyncRequests(): void {
  if (installed) return;
  installed = true;
  const original = getRequestFn() as RequestFn;
  const wrapped: RequestFn = (params, callback) => {
    if (!params.uri?.includes("/sync")) return original(params, callback);
    let settled = false;
    const entry: Pending = {
      authorization: params.headers?.["Authorization"],
      fail: (error) => {
        if (settled) return;
        settled = true;
        callback(error);
      },
    };
    pending.add(entry);
    entry.request = original(params, (error, response, body) => {
      pending.delete(entry);
      if (settled) return;
      settled = true;
      callback(error, response, body);
    });
    return entry.request;
  };
  setRequestFn(wrapped);
}

/** Ends every pending `/sync` made with this access token; the SDK's loop then stops. */
export function abortSyncRequests(accessToken: string): void {
  for (const entry of pending) {
    if (entry.authorization !== `Bearer ${accessToken}`) continue;
    pending.delete(entry);
    entry.fail(new Error("sync cancelled: the adapter stopped"));
    entry.request?.abort();
  }
}
