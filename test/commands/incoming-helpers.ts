/** Shared checks for the Incoming command tests: what the public can read, and new bugs since a point. */
import { expect } from "vitest";
import type { Harness } from "../support/harness.js";

/** The fictitious customer every Incoming test uses; none of it may leak. */
export const JANE = {
  name: "Jane Doe",
  phone: "+41 78 632 48 17",
  email: "jane.doe@example.com",
} as const;

const PUBLIC = 10;

/**
 * Everything the public part of the tracker shows about a bug: summary, description and public
 * notes, straight from the simulator's database, plus what the seeded `reporter` account (a customer's
 * view) reads through the REST API (nothing for a private bug).
 */
export async function publicText(h: Harness, bugId: number): Promise<string> {
  const row = h.sim.database.bugById(bugId);
  const parts: string[] = [];
  if (row && row.view_state === PUBLIC) {
    parts.push(row.summary, row.description);
    parts.push(...h.sim.database.notesOf(bugId).filter((note) => note.view_state === PUBLIC).map((note) => note.text));
  }
  const response = await fetch(`${h.sim.url}api/rest/issues/${bugId}`, { headers: { Authorization: h.sim.tokens.reporter! } });
  if (response.ok) parts.push(await response.text());
  return parts.join("\n");
}

/** The ids of bugs in the simulator, to find the ones a command created. */
export function bugIds(h: Harness): number[] {
  return (h.sim.database.sql.prepare("SELECT id FROM bugs ORDER BY id").all() as { id: number }[]).map((row) => row.id);
}

/** The ids of bugs created since `before` (a list from bugIds). */
export function newBugIds(h: Harness, before: readonly number[]): number[] {
  return bugIds(h).filter((id) => !before.includes(id));
}

/** The id of the one bug created since `before`; fails the test unless exactly one was. */
export function newBugId(h: Harness, before: readonly number[]): number {
  const created = newBugIds(h, before);
  expect(created).toHaveLength(1);
  return created[0]!;
}

/** Asserts that none of Jane's data appears in the log, in chat, or in the public text of the given bugs. */
export async function expectNoPersonalData(h: Harness, bugIdsToCheck: readonly number[], data: readonly string[] = Object.values(JANE)): Promise<void> {
  const surfaces: [string, string][] = [
    ["log", h.log.text()],
    ["notifications", h.notifier.text()],
  ];
  for (const id of bugIdsToCheck) surfaces.push([`public text of #${id}`, await publicText(h, id)]);
  for (const [where, text] of surfaces) {
    for (const value of data) {
      expect(text.toLowerCase(), `${where} must not contain "${value}"`).not.toContain(value.toLowerCase());
      // Phone numbers also in other spellings.
      const digits = value.replace(/\D/g, "");
      if (digits.length >= 7) {
        const spelled = new RegExp(digits.slice(-7).split("").join("[\\s\\-./()]*"));
        expect(text, `${where} must not contain the digits of ${value}`).not.toMatch(spelled);
      }
    }
  }
}
