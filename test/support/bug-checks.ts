/** Checks of a bug that several process tests make: its MantisBT state, its public text, its journal. */
import { expect } from "vitest";
import type { Store } from "../../src/store/store.js";
import type { Bug } from "../../src/tracker/mantis/mantis-types.js";

/** Asserts the bug's status and handler as MantisBT has them (administrator's view). */
export async function expectBugState(source: { bug(id: number): Promise<Bug> }, bugId: number, expected: { status: string; handler?: string }): Promise<void> {
  const bug = await source.bug(bugId);
  expect(bug.status).toBe(expected.status);
  expect(bug.handler?.name).toBe(expected.handler);
}

/** What anyone who may see the bug reads: summary, description and the public notes. */
export function publicFieldsText(bug: Bug): string {
  return [bug.summary, bug.description, ...bug.notes.filter((note) => !note.private).map((note) => note.text)].join("\n");
}

/** The bug's journal as [actor, command] steps, the several entries one command wrote folded into one. */
export async function journalSteps(store: Store, bugId: number): Promise<[string, string | undefined][]> {
  const journal = (await store.journal.list(bugId)).map((entry): [string, string | undefined] => [entry.actor, entry.command]);
  return journal.filter(([, command], index) => index === 0 || journal[index - 1]![1] !== command);
}
