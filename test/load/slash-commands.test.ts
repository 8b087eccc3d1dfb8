/**
 * Load with modest bounds: 1,000 `/support` commands from 50 concurrent clients through the
 * Mattermost simulator, the real Mattermost adapter and HTTP server, the bot's core and the MantisBT
 * simulator. Each command asks for a different bug, so every answer says which request it belongs
 * to: all are answered, to the person who asked, none lost and none twice. How fast is `npm run
 * bench`'s business; nothing here is timed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMattermostHarness, type MattermostHarness } from "../chat/mattermost/mattermost-harness.js";

const COMMANDS = 1_000;
const CLIENTS = 50;
const USERS = ["manager", "alice", "bob", "carol"] as const;

let h: MattermostHarness;
beforeAll(async () => {
  h = await startMattermostHarness();
});
afterAll(async () => {
  await h.close();
});

describe("1,000 slash commands from 50 concurrent clients", () => {
  it("answers every one, to the person who asked, none lost and none twice", { timeout: 180_000 }, async () => {
    const bugIds = h.mantis.addBulkBugs(COMMANDS);
    const askedBy = new Map<number, string>();
    const failedRequests: string[] = [];
    let next = 0;
    // Each client sends its next command as soon as the previous one is answered, as people at 50 keyboards would.
    const client = async (index: number): Promise<void> => {
      const user = USERS[index % USERS.length]!;
      for (let taken = next++; taken < COMMANDS; taken = next++) {
        const bugId = bugIds[taken]!;
        askedBy.set(bugId, user);
        const result = await h.slash(user, `show ${bugId}`);
        if (result.status !== 200) failedRequests.push(`show ${bugId}: ${result.status} ${result.error?.message ?? ""}`);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));
    expect(failedRequests).toEqual([]);

    // An answer slower than ~2 s comes later through response_url: wait until every bug has its answer.
    const answers = () => h.mm.ephemeral.filter((record) => record.source === "command" && !record.post.message.startsWith("Working on"));
    await h.mm.waitFor(() => answers().length >= COMMANDS, { timeoutMs: 60_000, what: `${COMMANDS} answers` });

    const answeredTo = new Map<number, string[]>();
    for (const record of answers()) {
      const bugId = Number(/^\[#(\d+)\]/.exec(record.post.message)?.[1]);
      const user = Object.entries(h.mm.users).find(([, info]) => info.id === record.userId)?.[0] ?? record.userId;
      answeredTo.set(bugId, [...(answeredTo.get(bugId) ?? []), user]);
    }
    expect(answeredTo.size).toBe(COMMANDS);
    for (const bugId of bugIds) expect(answeredTo.get(bugId), `answers for bug #${bugId}`).toEqual([askedBy.get(bugId)]);
    expect(h.log.text()).not.toContain("could not deliver a command's answer");
  });
});
