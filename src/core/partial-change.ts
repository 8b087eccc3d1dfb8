/**
 * The reply of a command that needs several tracker writes and stopped after some of them: what was
 * done, what was not, and that the same command again finishes the rest.
 */

/** What a command that stopped half-way did and did not do. */
export interface PartialChange {
  /** Why it stopped, as the user may read it ("the tracker failed (HTTP 503)"). */
  reason: string;
  /** What was done, in the past tense ("opened sub-bug #33 for @bob"). */
  done: readonly string[];
  /** What was not, as things to do ("set #33 to FEEDBACK"). */
  notDone: readonly string[];
  /** What running the command again does ("it opens no second sub-bug"). */
  retry: string;
}

/** The reply for a command that stopped half-way. */
export function formatPartialChange(change: PartialChange): string {
  return [
    `Stopped half-way: ${sentence(change.reason)}`,
    "Done:",
    ...change.done.map((line) => `- ${line}`),
    "Not done:",
    ...change.notDone.map((line) => `- ${line}`),
    `Send the same command again to finish: ${sentence(change.retry)}`,
  ].join("\n");
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
