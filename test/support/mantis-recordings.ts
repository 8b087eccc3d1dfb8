/**
 * The request/response exchanges recorded from a real MantisBT 2.28.4
 * (`../shared/specs/mantisbt/recorded/`, described at the end of OBSERVED.md), read in recording order.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** Where the recordings live. */
export const RECORDED_DIR = fileURLToPath(new URL("../../../shared/specs/mantisbt/recorded/", import.meta.url));

const exchangeSchema = z.object({
  why: z.string(),
  request: z.object({
    method: z.string(),
    /** Path with query, starting at `/api/rest/`. */
    path: z.string(),
    /** Tokens are placeholders such as `<admin-token>`. */
    headers: z.record(z.string(), z.string()),
    /** Parsed JSON, or a string when it was sent as raw text; null when there was none. */
    body: z.unknown(),
  }),
  response: z.object({
    status: z.number().int(),
    reason: z.string(),
    headers: z.record(z.string(), z.string()),
    /** Parsed JSON, or null for an empty body. */
    body: z.unknown(),
  }),
});

/** One recorded exchange, named after its file without `.json` (e.g. `07-get-issue`). */
export type RecordedExchange = z.infer<typeof exchangeSchema> & { name: string };

/** Every recorded exchange, in the order it was recorded (the file names are numbered). */
export function loadMantisRecordings(): RecordedExchange[] {
  return readdirSync(RECORDED_DIR)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({
      name: file.replace(/\.json$/, ""),
      ...exchangeSchema.parse(JSON.parse(readFileSync(`${RECORDED_DIR}${file}`, "utf8"))),
    }));
}
