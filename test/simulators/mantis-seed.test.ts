/**
 * The seeded tracker: deterministic, realistic, covering every status and the cases the bot's
 * process rules need; bulk bugs for benchmarks; a file database that survives restarts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { callMantis } from "../../src/simulators/mantis/call-mantis.js";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";

interface IssueJson {
  id: number;
  summary: string;
  description: string;
  status: { name: string };
  handler?: { name: string };
  view_state: { name: string };
  tags?: { name: string }[];
  notes?: { text: string; view_state: { name: string } }[];
}

const NOW = new Date("2026-11-26T14:14:37Z");

async function allIssues(simulator: MantisSimulator): Promise<IssueJson[]> {
  const reply = await callMantis(simulator, "issues?page_size=0");
  return (reply.json as { issues: IssueJson[] }).issues;
}

function parseDeadline(summary: string): Date | undefined {
  const match = /^\[(\d+[hd]), (\d{1,2})\.(\d{1,2})\.(\d{4})\]/.exec(summary);
  if (!match) return undefined;
  return new Date(Date.UTC(Number(match[4]), Number(match[3]) - 1, Number(match[2])));
}

describe("MantisBT simulator seed", () => {
  const started: MantisSimulator[] = [];
  const directories: string[] = [];

  afterEach(async () => {
    await Promise.all(started.splice(0).map((simulator) => simulator.close()));
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  async function start(options: Parameters<typeof startMantisSimulator>[0] = {}): Promise<MantisSimulator> {
    const simulator = await startMantisSimulator({ now: () => NOW, ...options });
    started.push(simulator);
    return simulator;
  }

  it("seeds thirty bugs across every status", async () => {
    const issues = await allIssues(await start());
    expect(issues).toHaveLength(30);
    const statuses = new Set(issues.map((issue) => issue.status.name));
    expect([...statuses].sort()).toEqual(["acknowledged", "assigned", "closed", "confirmed", "feedback", "new", "resolved"]);
  });

  it("makes bug 1 a new, unassigned customer bug", async () => {
    const issue = ((await callMantis(await start(), "issues/1")).json as { issues: IssueJson[] }).issues[0];
    expect(issue?.status.name).toBe("new");
    expect(issue?.handler).toBeUndefined();
    expect(issue?.tags?.map((tag) => tag.name)).toContain("Customer");
  });

  it("has a few customer bugs, one or two with customer data, exactly one private bug and one private note", async () => {
    const issues = await allIssues(await start());
    const tagged = (name: string): number => issues.filter((issue) => issue.tags?.some((tag) => tag.name === name)).length;
    expect(tagged("Customer")).toBeGreaterThanOrEqual(3);
    expect(tagged("customer-data")).toBeGreaterThanOrEqual(1);
    expect(tagged("customer-data")).toBeLessThanOrEqual(2);
    expect(issues.filter((issue) => issue.view_state.name === "private")).toHaveLength(1);
    const notes = issues.flatMap((issue) => issue.notes ?? []);
    expect(notes.length).toBeGreaterThanOrEqual(8);
    expect(notes.filter((note) => note.view_state.name === "private")).toHaveLength(1);
  });

  it("keeps customers' contact details out of public text", async () => {
    const issues = await allIssues(await start());
    const publicText = issues.flatMap((issue) => [
      issue.summary,
      issue.description,
      ...(issue.notes ?? []).filter((note) => note.view_state.name === "public").map((note) => note.text),
    ]);
    for (const text of publicText) {
      expect(text).not.toMatch(/@customer\.example|\+41 00/);
    }
  });

  it("puts subject tags with deadlines in the past, soon and far ahead, relative to the clock", async () => {
    const deadlines = (await allIssues(await start()))
      .map((issue) => parseDeadline(issue.summary))
      .filter((deadline): deadline is Date => deadline !== undefined);
    expect(deadlines.length).toBeGreaterThanOrEqual(5);
    const days = deadlines.map((deadline) => (deadline.getTime() - NOW.getTime()) / 86_400_000);
    expect(days.some((day) => day < 0)).toBe(true);
    expect(days.some((day) => day >= 0 && day < 3)).toBe(true);
    expect(days.some((day) => day > 30)).toBe(true);
  });

  it("keeps every seeded summary within MantisBT's 128 characters", async () => {
    for (const issue of await allIssues(await start())) expect(issue.summary.length).toBeLessThanOrEqual(128);
  });

  it("seeds the same tracker for the same clock", async () => {
    const first = await callMantis(await start(), "issues?page_size=0");
    const second = await callMantis(await start(), "issues?page_size=0");
    expect(second.text).toBe(first.text);
  });

  it("keeps users, project and tags but no bugs with seed: false", async () => {
    const simulator = await start({ seed: false });
    expect(await allIssues(simulator)).toEqual([]);
    expect((await callMantis(simulator, "users/me", { as: "carol" })).status).toBe(200);
    const created = await callMantis(simulator, "issues", {
      method: "POST",
      body: { summary: "First", description: "First bug", project: { id: 1 }, category: { name: "General" }, tags: [{ name: "Customer" }] },
    });
    expect((created.json as { issue: IssueJson }).issue.id).toBe(1);
  });

  it("adds ten thousand plain bugs that page after the seeded ones", async () => {
    const simulator = await start();
    const ids = simulator.addBulkBugs(10_000);
    expect(ids).toHaveLength(10_000);
    const firstPage = (await callMantis(simulator, "issues?page=1&page_size=50")).json as { issues: IssueJson[] };
    expect(firstPage.issues.map((issue) => issue.id)).toContain(1);
    const lastPage = (await callMantis(simulator, "issues?page=201&page_size=50")).json as { issues: IssueJson[] };
    expect(lastPage.issues).toHaveLength(30);
    const pastEnd = (await callMantis(simulator, "issues?page=202&page_size=50")).json as { issues: IssueJson[] };
    expect(pastEnd.issues).toEqual([]);
  });

  it("adds bulk bugs at start with the bulkBugs option", async () => {
    const simulator = await start({ bulkBugs: 100 });
    expect(await allIssues(simulator)).toHaveLength(130);
  });

  it("keeps a file database across restarts without seeding it again", async () => {
    const directory = mkdtempSync(join(tmpdir(), "mantis-sim-"));
    directories.push(directory);
    const database = join(directory, "tracker.sqlite");
    const first = await startMantisSimulator({ now: () => NOW, database });
    const created = await callMantis(first, "issues", {
      method: "POST",
      body: { summary: "Survives restarts", description: "Stored on disk", project: { id: 1 }, category: { name: "General" } },
    });
    const id = (created.json as { issue: IssueJson }).issue.id;
    await first.close();

    const second = await start({ database });
    expect(second.tokens).toEqual(first.tokens);
    const issues = await allIssues(second);
    expect(issues).toHaveLength(31);
    expect(issues.find((issue) => issue.id === id)?.summary).toBe("Survives restarts");
  });
});
