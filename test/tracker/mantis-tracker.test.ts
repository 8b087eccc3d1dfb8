/**
 * What only the MantisBT adapter knows, beyond the port contract: which statuses each stage has,
 * how a custom status reads, the resolution a move to `resolved` sets, view.php links, and which
 * MantisBT user name each person has (impersonation included).
 */
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { COMMAND_RULES, PROCESS_COMMANDS, STAGES, STAGE_INFO } from "../../src/core/stages.js";
import { StaffDirectory } from "../../src/identity.js";
import type { TrackerPort } from "../../src/process/tracker-port.js";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";
import { createMantisClient } from "../../src/tracker/mantis/mantis-client.js";
import {
  MANTIS_STAGE_LABELS,
  STAGE_STATUSES,
  createMantisTracker,
  parseMantisReference,
  stagesOfStatus,
  ticketState,
} from "../../src/tracker/mantis/mantis-tracker.js";
import { STATUS_IDS, STATUS_NAMES, type MantisClient, type StatusName } from "../../src/tracker/mantis/mantis-types.js";

describe("stages and MantisBT statuses", () => {
  it("gives every stage statuses MantisBT knows, and every status a stage", () => {
    for (const stage of STAGES) for (const status of STAGE_STATUSES[stage]) expect(STATUS_NAMES).toContain(status);
    for (const status of STATUS_NAMES) expect(stagesOfStatus(status).length).toBeGreaterThan(0);
  });

  it.each<[StatusName, string[]]>([
    ["new", ["triage", "timeline"]],
    ["acknowledged", ["triage"]],
    ["feedback", ["feedback", "review"]],
    ["confirmed", ["confirmed"]],
    ["assigned", ["in-work", "resolution"]],
    ["resolved", ["resolved"]],
    ["closed", ["closed"]],
  ])("reads %s as the stages %j, the first when the bot stored none", (status, stages) => {
    expect(stagesOfStatus(status)).toEqual(stages);
  });

  it("moves every command's target stage to a status that reads back as that stage", () => {
    for (const command of PROCESS_COMMANDS) {
      for (const target of COMMAND_RULES[command].to) expect(stagesOfStatus(STAGE_STATUSES[target.stage][0])).toContain(target.stage);
    }
  });

  it.each<[string, string[]]>([
    ["triage", ["NEW", "ACKNOWLEDGED"]],
    ["feedback", ["FEEDBACK"]],
    ["ask", ["FEEDBACK"]],
    ["eta", ["CONFIRMED", "ASSIGNED"]],
    ["verdict", ["FEEDBACK"]],
    ["notify", ["ASSIGNED"]],
  ])("says %s runs on status %j", (command, labels) => {
    const from = COMMAND_RULES[command as keyof typeof COMMAND_RULES].from;
    expect([...new Set(from.flatMap((stage) => MANTIS_STAGE_LABELS[stage]))]).toEqual(labels);
  });

  it("names each stage by its statuses for help and the docs, written status first", () => {
    expect(MANTIS_STAGE_LABELS.triage).toEqual(["NEW", "ACKNOWLEDGED"]);
    expect(MANTIS_STAGE_LABELS.resolution).toEqual(["ASSIGNED"]);
    for (const stage of STAGES) expect(STAGE_INFO[stage]).toBeDefined();
  });

  it("reads a custom status as unknown to the process, with the nearest default's stages", () => {
    expect(ticketState({ status: "assigned", customStatus: { id: 60, name: "testing" } })).toEqual({
      key: "assigned",
      label: "testing",
      stages: ["in-work", "resolution"],
      open: true,
      unknown: { tracker: "MantisBT", known: ["NEW", "FEEDBACK", "ACKNOWLEDGED", "CONFIRMED", "ASSIGNED", "RESOLVED", "CLOSED"] },
    });
    expect(ticketState({ status: "resolved" })).toEqual({ key: "resolved", label: "RESOLVED", stages: ["resolved"], open: false });
  });
});

describe("references", () => {
  it.each([
    ["#1234", 1234],
    ["1234", 1234],
    ["https://bugs.taler.net/view.php?id=9876", 9876],
    ["https://bugs.taler.net/view.php?id=9876#c123", 9876],
    ["http://127.0.0.1:8080/mantis/view.php?id=5&foo=bar", 5],
  ])("reads %j as bug %d", (text, id) => {
    expect(parseMantisReference(text)).toBe(id);
  });

  it.each(["", "#0", "https://example.com/?id=3", "https://bugs.taler.net/view.php?id=", "view.php?id=3"])("reads %j as no bug", (text) => {
    expect(parseMantisReference(text)).toBeUndefined();
  });
});

describe("over the simulator", () => {
  let sim: MantisSimulator;
  let client: MantisClient;
  let tracker: TrackerPort;
  // Handles that differ from the MantisBT user names, so that only the staff file can connect them.
  const staff = new StaffDirectory([
    { name: "ada", role: "staff", displayName: "Ada Developer", accounts: { mantis: "alice" } },
    { name: "bert", role: "staff", displayName: "Bert Developer", accounts: { mantis: "bob" } },
  ]);
  const ada = { name: "ada", displayName: "Ada Developer" };

  beforeEach(async () => {
    sim = await startMantisSimulator({ seed: false, now: () => new Date("2026-11-26T10:00:00Z") });
    client = createMantisClient({ url: sim.url, token: sim.tokens.administrator!, project: 1, impersonate: true, timeoutMs: 5_000, category: "General", log: pino({ level: "silent" }) });
    tracker = createMantisTracker({ client, staff });
  });
  afterEach(async () => {
    await sim.close();
  });

  const statusChanges = (id: number) =>
    sim.database
      .historyOf(id)
      .filter((row) => row.kind === "field-updated")
      .map((row) => JSON.parse(row.details) as { field: string; old: number; new: number })
      .filter((details) => details.field === "status")
      .map((details) => [details.old, details.new]);

  it("assigns by the person's MantisBT user name and reads the handler back as the staff member", async () => {
    const filed = await tracker.fileTicket({ summary: "Wallet: crash", description: "d" });
    const moved = await tracker.changeTicket(filed, { stage: "feedback", assignee: ada });
    expect(moved.handler).toEqual({ name: "alice", handle: "ada" });
    expect((await client.getBug(filed.id)).handler?.name).toBe("alice");
  });

  it("reads an account no staff member has by its MantisBT name only", async () => {
    const bug = await client.createBug({ summary: "Exchange: fees", description: "d", handler: "carol" });
    expect((await tracker.getTicket(bug.id)).handler).toEqual({ name: "carol" });
  });

  it("acts as the person through X-Mantis-Username with their MantisBT user name", async () => {
    const filed = await tracker.fileTicket({ summary: "Wallet: crash", description: "d" });
    const from = sim.requests.length;
    await tracker.actingAs(ada).addNote(filed.id, { text: "Seen too.", private: false });
    expect(sim.requests.slice(from).find((request) => request.method === "POST")?.headers["x-mantis-username"]).toBe("alice");
  });

  it("files a bug with a handler as ASSIGNED (MantisBT's rule), and a move to feedback then sets FEEDBACK", async () => {
    const filed = await tracker.fileTicket({ summary: "Feedback for #1: schema?", description: "d", assignee: ada });
    expect(filed.state).toMatchObject({ key: "assigned", stages: ["in-work", "resolution"] });
    await tracker.changeTicket(filed, { stage: "feedback" });
    expect(statusChanges(filed.id)).toEqual([
      [STATUS_IDS.new, STATUS_IDS.assigned],
      [STATUS_IDS.assigned, STATUS_IDS.feedback],
    ]);
  });

  it("refuses a stage with a handler at filing, before anything is sent", async () => {
    const from = sim.requests.length;
    await expect(tracker.fileTicket({ summary: "Wallet: crash", description: "d", assignee: ada, stage: "triage" })).rejects.toThrow(/files a bug with a handler as ASSIGNED/);
    expect(sim.requests.slice(from)).toEqual([]);
  });

  it("sets the resolution fixed on a move to resolved, and leaves it on a move to closed", async () => {
    let ticket = await tracker.fileTicket({ summary: "Docs: typo", description: "d", stage: "triage" });
    for (const stage of ["feedback", "resolved"] as const) ticket = await tracker.changeTicket(ticket, { stage });
    expect(sim.database.bugById(ticket.id)).toMatchObject({ status: STATUS_IDS.resolved, resolution: 20 });
    await tracker.changeTicket(ticket, { stage: "closed" });
    expect(sim.database.bugById(ticket.id)).toMatchObject({ status: STATUS_IDS.closed, resolution: 20 });
  });

  it("reads view.php links to its own bugs as references", () => {
    expect(tracker.parseReference(tracker.ticketUrl(42))).toBe(42);
    expect(tracker.ticketUrl(42)).toBe(`${sim.url}view.php?id=42`);
  });
});
