/**
 * "Did you mean ...?" for a mistyped command name.
 *
 * Hand-written rather than a dependency: it is twenty lines over a few dozen short names, and a
 * fuzzy-search library would bring ranking rules (and a package to keep updated) we do not need.
 * It uses the optimal-string-alignment distance, i.e. Levenshtein plus swapping two neighbouring
 * letters as one edit, because swapped letters ("garb" for "grab") are the most common typo on phones.
 */

/** Edits (insert, delete, replace, swap two neighbours) needed to turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  // rows[i][j]: distance between the first i characters of `left` and the first j of `right`.
  const rows: number[][] = Array.from({ length: left.length + 1 }, (_, i) =>
    Array.from({ length: right.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= left.length; i += 1) {
    for (let j = 1; j <= right.length; j += 1) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && left[i - 1] === right[j - 2] && left[i - 2] === right[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = best;
    }
  }
  return rows[left.length]![right.length]!;
}

/** How far off a typed word may be: one edit for short words, two from five letters on. */
function tolerance(word: string): number {
  return Array.from(word).length >= 5 ? 2 : 1;
}

export interface SuggestionCandidate {
  /** What the user could type: a command name or alias. */
  word: string;
  /** The command it stands for; several aliases of one command give one suggestion. */
  command: string;
}

/**
 * The commands closest to `typed`, best first, at most `limit`: names that start with what was
 * typed (at least two letters), then names within a small edit distance.
 */
export function suggestCommands(typed: string, candidates: readonly SuggestionCandidate[], limit = 3): string[] {
  const wanted = typed.toLowerCase();
  const scored: { command: string; score: number }[] = [];
  for (const candidate of candidates) {
    const word = candidate.word.toLowerCase();
    const isPrefix = Array.from(wanted).length >= 2 && word.startsWith(wanted);
    const distance = editDistance(wanted, word);
    // A prefix ranks before any typo: `ass` is more likely the start of `assign` than a typo of `mass`.
    if (isPrefix) scored.push({ command: candidate.command, score: -1 });
    else if (distance <= tolerance(wanted)) scored.push({ command: candidate.command, score: distance });
  }
  scored.sort((a, b) => a.score - b.score || a.command.localeCompare(b.command));
  const result: string[] = [];
  for (const { command } of scored) {
    if (!result.includes(command)) result.push(command);
    if (result.length === limit) break;
  }
  return result;
}

/** " Did you mean `grab` or `grep`?", or "" when there is nothing to suggest. */
export function formatSuggestions(commands: readonly string[]): string {
  return commands.length > 0 ? ` Did you mean ${commands.map((name) => `\`${name}\``).join(" or ")}?` : "";
}
