/**
 * The MantisBT 2.28.4 behaviour a client must cope with (specs/mantisbt/OBSERVED.md), one test per quirk,
 * through real HTTP against the simulator.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callMantis, type MantisCall, type MantisReply } from "../../src/simulators/mantis/call-mantis.js";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";

interface EnumJson {
  id: number;
  name: string;
  label: string;
  color?: string;
}
interface UserRefJson {
  id: number;
  name?: string;
  real_name?: string;
  email?: string;
}
interface NoteJson {
  id: number;
  reporter: UserRefJson;
  text: string;
  view_state: EnumJson;
  attachments: unknown[];
  type: string;
}
interface RelationshipJson {
  id: number;
  type: { id: number; name: string; label: string };
  issue: { id: number; status: EnumJson; summary: string };
}
interface HistoryJson {
  user: UserRefJson;
  type: { id: number; name: string };
  field?: { name: string };
}
interface IssueJson {
  id?: number;
  summary?: string;
  description?: string;
  status?: EnumJson;
  priority?: EnumJson;
  handler?: UserRefJson;
  reporter?: UserRefJson;
  view_state?: EnumJson;
  tags?: { id: string; name: string }[];
  notes?: NoteJson[];
  relationships?: RelationshipJson[];
  history?: HistoryJson[];
  fixed_in_version?: { id: number; name: string };
  created_at?: string;
  updated_at?: string;
}
interface ErrorJson {
  message: string;
  code: number;
  localized: string;
}

const NOW = new Date("2026-11-26T14:14:37Z");

function issues(reply: MantisReply): IssueJson[] {
  return (reply.json as { issues: IssueJson[] }).issues;
}

function firstIssue(reply: MantisReply): IssueJson {
  const issue = issues(reply)[0];
  if (!issue) throw new Error(`no issue in ${reply.text}`);
  return issue;
}

function errorBody(reply: MantisReply): ErrorJson {
  return reply.json as ErrorJson;
}

describe("MantisBT simulator quirks", () => {
  let simulator: MantisSimulator;
  let clock: Date;

  beforeEach(async () => {
    clock = NOW;
    simulator = await startMantisSimulator({ now: () => clock });
  });

  afterEach(async () => {
    await simulator.close();
  });

  const call = (path: string, options?: MantisCall): Promise<MantisReply> => callMantis(simulator, path, options);
  const getIssue = async (id: number, as = "administrator"): Promise<IssueJson> => firstIssue(await call(`issues/${id}`, { as }));
  const patch = (id: number, body: unknown, options: MantisCall = {}): Promise<MantisReply> =>
    call(`issues/${id}`, { method: "PATCH", body, ...options });
  const later = (minutes: number): void => {
    clock = new Date(NOW.getTime() + minutes * 60_000);
  };

  describe("shapes", () => {
    it("wraps a single issue in an issues array and sends an ETag", async () => {
      const reply = await call("issues/1");
      expect(reply.status).toBe(200);
      expect(issues(reply)).toHaveLength(1);
      expect(reply.headers.get("etag")).toMatch(/^[0-9a-f]{64}$/);
    });

    it("leaves out the handler, notes and relationships of an unassigned bug without them", async () => {
      const issue = await getIssue(1);
      expect(issue.status?.name).toBe("new");
      expect(issue).not.toHaveProperty("handler");
      expect(issue).not.toHaveProperty("notes");
      expect(issue).not.toHaveProperty("relationships");
      expect(issue).not.toHaveProperty("steps_to_reproduce");
    });

    it("renders dates like PHP date('c'), enums with labels and tag ids as strings", async () => {
      const issue = await getIssue(1);
      expect(issue.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
      expect(issue.status).toEqual({ id: 10, name: "new", label: "new", color: "#fcbdbd" });
      expect(issue.priority).toEqual({ id: 40, name: "high", label: "high" });
      expect(issue.tags).toEqual([{ id: "1", name: "Customer" }]);
    });

    it("escapes slashes like PHP json_encode", async () => {
      const reply = await call("issues/10");
      expect(reply.text).toContain("\\/instances\\/");
    });

    it("shows real names and e-mails of others only to user managers", async () => {
      const asAdmin = await getIssue(5);
      expect(asAdmin.handler).toEqual({ id: 5, name: "carol", real_name: "Carol Nakamura", email: "carol.nakamura@taler-systems.example" });
      const asBob = await getIssue(5, "bob");
      expect(asBob.handler).toEqual({ id: 5, name: "carol" });
      const asCarol = await getIssue(5, "carol");
      expect(asCarol.handler?.email).toBe("carol.nakamura@taler-systems.example");
    });
  });

  describe("listing", () => {
    it("lists last updated first, 50 per page by default", async () => {
      const reply = await call("issues?project_id=1");
      const list = issues(reply);
      expect(list).toHaveLength(30);
      const updated = list.map((issue) => issue.updated_at ?? "");
      expect([...updated].sort().reverse()).toEqual(updated);
    });

    it("pages from 1 and answers an empty list past the end", async () => {
      const first = issues(await call("issues?page=1&page_size=10"));
      const second = issues(await call("issues?page=2&page_size=10"));
      expect(first).toHaveLength(10);
      expect(second[0]?.id).not.toBe(first[0]?.id);
      expect((await call("issues?page=99&page_size=10")).json).toEqual({ issues: [] });
    });

    it("returns everything for page_size 0", async () => {
      expect(issues(await call("issues?page_size=0"))).toHaveLength(30);
    });

    it("trims fields with select and leaves out id unless asked for", async () => {
      const list = issues(await call("issues?select=summary,status&page_size=3"));
      expect(Object.keys(list[0] ?? {})).toEqual(["summary", "status"]);
      const withId = issues(await call("issues?select=id,summary&page_size=1"));
      expect(Object.keys(withId[0] ?? {})).toEqual(["id", "summary"]);
      // Names are trimmed and matched exactly, as MantisBT's isset($t_fields[...]) does; an issue left
      // with no field is PHP's empty array (a real 2.28.4 answered these three the same).
      expect((await call("issues?select=%20id%20,SUMMARY&page_size=1")).json).toEqual({ issues: [{ id: expect.any(Number) }] });
      expect((await call("issues?select=SUMMARY&page_size=1")).json).toEqual({ issues: [[]] });
      expect((await call("issues?select=&page_size=1")).json).toEqual({ issues: [[]] });
    });

    it("filters unresolved bugs assigned to the caller", async () => {
      const list = issues(await call("issues?filter_id=assigned&page_size=0", { as: "alice" }));
      expect(list.length).toBeGreaterThan(0);
      for (const issue of list) {
        expect(issue.handler?.name).toBe("alice");
        expect(issue.status?.id).toBeLessThan(80);
      }
    });

    it("filters unresolved unassigned, reported and monitored bugs", async () => {
      const unassigned = issues(await call("issues?filter_id=unassigned&page_size=0"));
      expect(unassigned.map((issue) => issue.id)).toContain(1);
      expect(unassigned.every((issue) => issue.handler === undefined && (issue.status?.id ?? 0) < 80)).toBe(true);
      const reported = issues(await call("issues?filter_id=reported&page_size=0", { as: "reporter" }));
      expect(reported.every((issue) => issue.reporter?.name === "reporter")).toBe(true);
      const monitored = issues(await call("issues?filter_id=monitored&page_size=0", { as: "manager" }));
      expect(monitored.map((issue) => issue.id).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([1, 11, 13]);
    });

    it("hides closed bugs and statuses the enum lacks from reported and monitored, but not from any", async () => {
      // Manager monitors #1, #11 and #13 in the seed.
      await patch(11, { status: { name: "closed" } });
      await patch(13, { status: { id: 60 } });
      await patch(1, { status: { name: "resolved" } });
      const monitored = issues(await call("issues?filter_id=monitored&page_size=0&select=id", { as: "manager" }));
      expect(monitored.map((issue) => issue.id)).toEqual([1]);
      const any = issues(await call("issues?filter_id=any&page_size=0&select=id", { as: "manager" })).map((issue) => issue.id);
      expect(any).toEqual(expect.arrayContaining([1, 11, 13]));
      const reported = issues(await call("issues?filter_id=reported&page_size=0&select=id,status")).map((issue) => issue.status?.id);
      expect(reported.every((status) => status !== undefined && status < 90)).toBe(true);
    });

    it("reads standard filter names in any case, and filter_id 0 as any", async () => {
      const assigned = issues(await call("issues?filter_id=Assigned&page_size=0&select=id", { as: "alice" }));
      expect(assigned).toEqual(issues(await call("issues?filter_id=assigned&page_size=0&select=id", { as: "alice" })));
      expect(issues(await call("issues?filter_id=0&page_size=0&select=id"))).toHaveLength(30);
    });

    it("answers an unknown filter name with 200 and a fault object where the list should be", async () => {
      const reply = await call("issues?filter_id=mine");
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ issues: { status_code: 404, fault_string: "Unknown filter 'mine'" } });
    });

    it("answers an unknown saved filter id with 404 code 2000", async () => {
      const reply = await call("issues?filter_id=42");
      expect(reply.status).toBe(404);
      expect(reply.reason).toBe("Filter id '42' not found");
      expect(errorBody(reply)).toEqual({ message: "Filter id '42' not found", code: 2000, localized: "Filter 42 not found." });
    });

    it("answers an unknown project with 404 and an empty body", async () => {
      const reply = await call("issues?project_id=7");
      expect(reply.status).toBe(404);
      expect(reply.reason).toBe("Project '7' doesn't exist");
      expect(reply.text).toBe("");
    });

    it("hides other people's private bugs from reporters", async () => {
      const ids = issues(await call("issues?page_size=0", { as: "reporter" })).map((issue) => issue.id);
      expect(ids).not.toContain(10);
      expect(ids).toHaveLength(29);
    });

    it("answers 304 to If-None-Match with the list ETag until something changes", async () => {
      const first = await call("issues?page_size=5");
      const etag = first.headers.get("etag") ?? "";
      const unchanged = await call("issues?page_size=5", { headers: { "If-None-Match": etag } });
      expect(unchanged.status).toBe(304);
      expect(unchanged.text).toBe("");
      later(5);
      await call("issues/2/notes", { method: "POST", body: { text: "A change" } });
      const changed = await call("issues?page_size=5", { headers: { "If-None-Match": etag } });
      expect(changed.status).toBe(200);
      expect(issues(changed)[0]?.id).toBe(2);
    });
  });

  describe("reading one issue", () => {
    it("answers an unknown issue with 404 code 1100, the message as reason phrase and no X-Mantis headers", async () => {
      const reply = await call("issues/9999");
      expect(reply.status).toBe(404);
      expect(reply.reason).toBe("Issue #9999 not found");
      expect(errorBody(reply)).toEqual({ message: "Issue #9999 not found", code: 1100, localized: "Issue 9999 not found." });
      expect(reply.headers.get("x-mantis-username")).toBeNull();
    });

    it("answers a reporter asking for someone else's private bug with 403, not 404", async () => {
      const reply = await call("issues/10", { as: "reporter" });
      expect(reply.status).toBe(403);
    });

    it("leaves private notes out for reporters", async () => {
      const asReporterOfNote = await getIssue(11, "reporter");
      expect(asReporterOfNote.notes).toHaveLength(3);
      await call("issues/11/notes", { method: "POST", as: "carol", body: { text: "Internal: checked the logs.", view_state: { name: "private" } } });
      const asReporter = await getIssue(11, "reporter");
      expect(asReporter.notes?.map((note) => note.text)).not.toContain("Internal: checked the logs.");
      expect((await getIssue(11, "alice")).notes?.map((note) => note.text)).toContain("Internal: checked the logs.");
    });

    it("answers 304 to If-None-Match with the issue ETag", async () => {
      const etag = (await call("issues/3")).headers.get("etag") ?? "";
      const reply = await call("issues/3", { headers: { "If-None-Match": etag } });
      expect(reply.status).toBe(304);
      expect(reply.headers.get("etag")).toBe(etag);
    });

    it("lists the reverse side of a relationship on the other issue", async () => {
      expect((await getIssue(17)).relationships?.[0]?.type.name).toBe("parent-of");
      expect((await getIssue(18)).relationships?.[0]?.type.name).toBe("child-of");
      expect((await getIssue(16)).relationships?.[0]?.type.name).toBe("has-duplicate");
    });
  });

  describe("updating", () => {
    it("answers 412 with the current ETag to a stale If-Match and changes nothing", async () => {
      const etag = (await call("issues/2")).headers.get("etag") ?? "";
      await patch(2, { priority: { name: "high" } });
      const stale = await patch(2, { summary: "Changed" }, { headers: { "If-Match": etag } });
      expect(stale.status).toBe(412);
      expect(stale.reason).toBe("Precondition Failed");
      expect(stale.headers.get("etag")).toMatch(/^[0-9a-f]{64}$/);
      expect((await getIssue(2)).summary).not.toBe("Changed");
      const fresh = await patch(2, { summary: "Changed" }, { headers: { "If-Match": stale.headers.get("etag") ?? "" } });
      expect(fresh.status).toBe(200);
      expect(fresh.reason).toBe("Issue with id 2 Updated");
    });

    it("accepts a PATCH without Content-Type: application/json with 200 but changes only updated_at", async () => {
      const before = await getIssue(2);
      later(10);
      const reply = await patch(2, { summary: "Lost", status: { name: "confirmed" } }, { contentType: null });
      expect(reply.status).toBe(200);
      const after = firstIssue(reply);
      expect(after.summary).toBe(before.summary);
      expect(after.status).toEqual(before.status);
      expect(after.updated_at).not.toBe(before.updated_at);
    });

    it.each(["Resolved", "done"])("sets status id 0 for the unknown or wrongly capitalised status name %s", async (name) => {
      const reply = await patch(2, { status: { name } });
      expect(reply.status).toBe(200);
      expect(firstIssue(reply).status).toEqual({ id: 0, name: "@0@", label: "@0@", color: "currentcolor" });
    });

    it("ignores a status given as a plain string", async () => {
      const reply = await patch(2, { status: "resolved" });
      expect(reply.status).toBe(200);
      expect(firstIssue(reply).status?.name).toBe("new");
    });

    it("ignores an unknown handler name and answers 200", async () => {
      const reply = await patch(4, { handler: { name: "nobody" } });
      expect(reply.status).toBe(200);
      expect(firstIssue(reply).handler?.name).toBe("bob");
      expect(firstIssue(await patch(4, { handler: { name: "Alice" } })).handler?.name).toBe("bob");
    });

    it("unassigns with handler id 0 and keeps the status", async () => {
      const issue = firstIssue(await patch(14, { handler: { id: 0 } }));
      expect(issue).not.toHaveProperty("handler");
      expect(issue.status?.name).toBe("assigned");
    });

    it("leaves the status alone when a handler is set by PATCH", async () => {
      const issue = firstIssue(await patch(2, { handler: { name: "alice" } }));
      expect(issue.handler?.name).toBe("alice");
      expect(issue.status?.name).toBe("new");
    });

    it("replaces the whole tag set with tags given in a PATCH", async () => {
      const issue = firstIssue(await patch(1, { tags: [{ name: "customer-data" }] }));
      expect(issue.tags).toEqual([{ id: "2", name: "customer-data" }]);
    });

    it("refuses an unknown tag in a PATCH with 404 code 2200 and changes nothing", async () => {
      const reply = await patch(1, { tags: [{ name: "Customer" }, { name: "brand-new" }], summary: "Changed" });
      expect(reply.status).toBe(404);
      expect(errorBody(reply).code).toBe(2200);
      const issue = await getIssue(1);
      expect(issue.tags).toEqual([{ id: "1", name: "Customer" }]);
      expect(issue.summary).not.toBe("Changed");
    });

    it("crashes with 500 and an empty body on a summary longer than 128 characters", async () => {
      const reply = await patch(2, { summary: "x".repeat(129) });
      expect(reply.status).toBe(500);
      expect(reply.text).toBe("");
      expect((await patch(2, { summary: "x".repeat(128) })).status).toBe(200);
    });

    it("counts the summary limit in characters, as the database column does, not in UTF-16 units", async () => {
      expect((await patch(2, { summary: "\u{1F41B}".repeat(128) })).status).toBe(200);
      expect((await patch(2, { summary: "\u{1F41B}".repeat(129) })).status).toBe(500);
    });

    it("refuses a fixed_in_version that is not a version of the project with 400 code 29", async () => {
      const reply = await patch(16, { fixed_in_version: { name: "1.0" } });
      expect(reply.status).toBe(400);
      expect(errorBody(reply)).toMatchObject({ code: 29, message: "Version '1.0' does not exist in project 'Taler'." });
      expect(firstIssue(await patch(16, { fixed_in_version: { name: "1.1.0" } })).fixed_in_version).toEqual({ id: "3", name: "1.1.0" });
    });

    it("lets a developer resolve a bug but refuses any later change by a developer as read-only", async () => {
      const resolved = await patch(16, { status: { name: "resolved" } }, { as: "alice" });
      expect(resolved.status).toBe(200);
      const again = await patch(16, { priority: { name: "low" } }, { as: "alice" });
      expect(again.status).toBe(403);
      expect(again.reason).toBe("Issue '16' is readonly");
      const note = await call("issues/16/notes", { method: "POST", as: "alice", body: { text: "One more thing" } });
      expect(note.status).toBe(403);
      expect(errorBody(note).code).toBe(1103);
      const reopened = await patch(16, { status: { name: "assigned" } }, { as: "manager" });
      expect(firstIssue(reopened).status?.name).toBe("assigned");
    });

    it("refuses any PATCH by a reporter with 403", async () => {
      const reply = await patch(1, { priority: { name: "urgent" } }, { as: "reporter" });
      expect(reply.status).toBe(403);
      expect(errorBody(reply).code).toBe(13);
    });

    it("adds notes given in a PATCH and keeps the status sent with them", async () => {
      const reply = await patch(7, { status: { name: "new" }, notes: [{ text: "Feedback collected, back to management." }] });
      const issue = firstIssue(reply);
      expect(issue.status?.name).toBe("new");
      expect(issue.notes?.at(-1)?.text).toBe("Feedback collected, back to management.");
    });

    it("deletes an issue with 204 and an empty body", async () => {
      const reply = await call("issues/29", { method: "DELETE" });
      expect(reply.status).toBe(204);
      expect(reply.text).toBe("");
      expect((await call("issues/29")).status).toBe(404);
    });
  });

  describe("creating", () => {
    const newBug = { summary: "Test bug", description: "Something broke", project: { id: 1 }, category: { name: "General" } };

    it("answers 201 with {issue} and the id in the reason phrase", async () => {
      const reply = await call("issues", { method: "POST", body: newBug });
      expect(reply.status).toBe(201);
      const issue = (reply.json as { issue: IssueJson }).issue;
      expect(reply.reason).toBe(`Issue Created with id ${issue.id}`);
      expect(issue.status?.name).toBe("new");
      expect(issue.reporter?.name).toBe("administrator");
    });

    it("sets status assigned when a handler is given at creation", async () => {
      const reply = await call("issues", { method: "POST", body: { ...newBug, handler: { name: "carol" }, status: { name: "new" } } });
      const issue = (reply.json as { issue: IssueJson }).issue;
      expect(issue.status?.name).toBe("assigned");
      expect(issue.handler?.name).toBe("carol");
    });

    it("keeps another explicit status when a handler is given at creation", async () => {
      const reply = await call("issues", { method: "POST", body: { ...newBug, handler: { name: "carol" }, status: { name: "feedback" } } });
      expect((reply.json as { issue: IssueJson }).issue.status?.name).toBe("feedback");
    });

    it("creates missing tags given by name and lists tags by name in any case", async () => {
      const reply = await call("issues", { method: "POST", body: { ...newBug, tags: [{ name: "Customer" }, { name: "android" }] } });
      const issue = (reply.json as { issue: IssueJson }).issue;
      expect(issue.tags?.map((tag) => tag.name)).toEqual(["android", "Customer"]);
    });

    it.each([
      ["summary", { ...newBug, summary: undefined }],
      ["description", { ...newBug, description: " " }],
      ["category", { ...newBug, category: undefined }],
    ])("refuses a missing %s with 400 code 11", async (_field, body) => {
      const reply = await call("issues", { method: "POST", body });
      expect(reply.status).toBe(400);
      expect(errorBody(reply).code).toBe(11);
    });

    it("refuses an unknown category with 404 code 1502", async () => {
      const reply = await call("issues", { method: "POST", body: { ...newBug, category: { name: "bank" } } });
      expect(reply.status).toBe(404);
      expect(errorBody(reply).code).toBe(1502);
    });

    it("crashes with 500 and an empty body on a summary longer than 128 characters", async () => {
      const reply = await call("issues", { method: "POST", body: { ...newBug, summary: `[4h, 14.3.2034] ${"y".repeat(120)}` } });
      expect(reply.status).toBe(500);
      expect(reply.text).toBe("");
    });

    it("crashes with 500 and an empty body on a view state it cannot map", async () => {
      const reply = await call("issues", { method: "POST", body: { ...newBug, view_state: { name: "secret" } } });
      expect(reply.status).toBe(500);
      expect(reply.text).toBe("");
    });

    it("refuses a handler from a reporter", async () => {
      const reply = await call("issues", { method: "POST", as: "reporter", body: { ...newBug, handler: { name: "alice" } } });
      expect(reply.status).toBe(403);
    });
  });

  describe("notes", () => {
    it("answers 201 with {note, issue}", async () => {
      const reply = await call("issues/3/notes", { method: "POST", body: { text: "We are investigating." } });
      expect(reply.status).toBe(201);
      const body = reply.json as { note: NoteJson; issue: IssueJson };
      expect(body.note).toMatchObject({ text: "We are investigating.", type: "note", attachments: [], view_state: { id: 10, name: "public" } });
      expect(body.issue.notes?.at(-1)?.id).toBe(body.note.id);
    });

    it("moves a feedback bug to assigned when its reporter adds a note, even a private one", async () => {
      expect((await getIssue(7)).status?.name).toBe("feedback");
      const reply = await call("issues/7/notes", { method: "POST", body: { text: "Asked the customer.", view_state: { name: "private" } } });
      expect((reply.json as { issue: IssueJson }).issue.status?.name).toBe("assigned");
    });

    it("leaves a feedback bug alone when someone else than the reporter adds a note", async () => {
      await call("issues/7/notes", { method: "POST", as: "manager", body: { text: "Any news?" } });
      expect((await getIssue(7)).status?.name).toBe("feedback");
    });

    it("keeps the status when the note is added first and the status set after it", async () => {
      await call("issues/7/notes", { method: "POST", body: { text: "Feedback collected." } });
      const issue = firstIssue(await patch(7, { status: { name: "feedback" } }));
      expect(issue.status?.name).toBe("feedback");
    });

    it("refuses an empty note with 400 code 11", async () => {
      const reply = await call("issues/3/notes", { method: "POST", body: { text: "   " } });
      expect(reply.status).toBe(400);
      expect(errorBody(reply).code).toBe(11);
    });

    it("refuses a bad view state with 400 code 29", async () => {
      const reply = await call("issues/3/notes", { method: "POST", body: { text: "Hello", view_state: { name: "internal" } } });
      expect(reply.status).toBe(400);
      expect(errorBody(reply).code).toBe(29);
    });
  });

  describe("tags and relationships", () => {
    it("attaches tags by id and by name, creating missing ones", async () => {
      const reply = await call("issues/2/tags", { method: "POST", body: { tags: [{ id: 1 }, { name: "performance" }] } });
      expect(reply.status).toBe(201);
      expect(firstIssue(reply).tags?.map((tag) => tag.name)).toEqual(["Customer", "performance"]);
    });

    it("sorts tags by name like PHP's strcasecmp: ASCII letters in any case, other bytes as they are", async () => {
      const names = ["zeta", "Alpha", "_x", "beta", "\u00c4\u00d6", "Z9"];
      const reply = await call("issues/2/tags", { method: "POST", body: { tags: names.map((name) => ({ name })) } });
      expect(firstIssue(reply).tags?.map((tag) => tag.name)).toEqual(["_x", "Alpha", "beta", "Z9", "zeta", "\u00c4\u00d6"]);
    });

    it("finds tags by name like PostgreSQL's ILIKE: any case, with % and _ as wildcards", async () => {
      const lower = await call("issues/2/tags", { method: "POST", body: { tags: [{ name: "customer" }] } });
      expect(firstIssue(lower).tags).toEqual([{ id: "1", name: "Customer" }]);
      const wildcard = await call("issues/2/tags", { method: "POST", body: { tags: [{ name: "customer_data" }] } });
      expect(firstIssue(wildcard).tags).toEqual([{ id: "1", name: "Customer" }, { id: "2", name: "customer-data" }]);
    });

    it("refuses an unknown tag id with 404 code 2200", async () => {
      const reply = await call("issues/2/tags", { method: "POST", body: { tags: [{ id: 99 }] } });
      expect(reply.status).toBe(404);
      expect(errorBody(reply).code).toBe(2200);
    });

    it("adds a relationship shown from both sides", async () => {
      const reply = await call("issues/2/relationships", { method: "POST", body: { issue: { id: 3 }, type: { name: "parent-of" } } });
      expect(reply.status).toBe(201);
      const issue = (reply.json as { issue: IssueJson }).issue;
      expect(issue.relationships?.[0]).toMatchObject({ type: { id: 2, name: "parent-of" }, issue: { id: 3 } });
      expect((await getIssue(3)).relationships?.[0]).toMatchObject({ type: { id: 3, name: "child-of" }, issue: { id: 2 } });
    });

    it("takes a relationship type by id", async () => {
      const reply = await call("issues/2/relationships", { method: "POST", body: { issue: { id: 3 }, type: { id: 1 } } });
      expect((reply.json as { issue: IssueJson }).issue.relationships?.[0]?.type.name).toBe("related-to");
    });

    it("answers the same relationship again, from either side, with the existing one and changes nothing", async () => {
      const first = await call("issues/3/relationships", { method: "POST", body: { issue: { id: 2 }, type: { name: "child-of" } } });
      const historyBefore = (await getIssue(2)).history?.length;
      const again = await call("issues/2/relationships", { method: "POST", body: { issue: { id: 3 }, type: { name: "Parent-Of" } } });
      expect(again.status).toBe(201);
      expect(again.reason).toBe(first.reason);
      expect((await getIssue(2)).history).toHaveLength(historyBefore ?? 0);
    });

    it("replaces a relationship of another type between the same bugs", async () => {
      const first = await call("issues/2/relationships", { method: "POST", body: { issue: { id: 3 }, type: { name: "related-to" } } });
      const replaced = await call("issues/3/relationships", { method: "POST", body: { issue: { id: 2 }, type: { name: "duplicate-of" } } });
      expect(replaced.reason).toBe(first.reason);
      const issue = (replaced.json as { issue: IssueJson }).issue;
      expect(issue.relationships?.map((relationship) => [relationship.type.name, relationship.issue.id])).toEqual([["duplicate-of", 2]]);
      expect(issue.history?.at(-1)?.type).toEqual({ id: 23, name: "relationship-updated" });
      expect((await getIssue(2)).relationships?.[0]?.type.name).toBe("has-duplicate");
    });

    it.each([
      ["no target issue id", { issue: { name: "3" } }, "Invalid issue id"],
      ["an unknown type name", { issue: { id: 3 }, type: { name: "blocks" } }, "Unknown relationship type 'blocks'"],
      ["an unknown type id", { issue: { id: 3 }, type: { id: 9 } }, "Relation type '9' not found."],
    ])("refuses a relationship with %s with 400 code 29", async (_case, body, message) => {
      const reply = await call("issues/2/relationships", { method: "POST", body });
      expect({ status: reply.status, message: errorBody(reply).message, code: errorBody(reply).code }).toEqual({ status: 400, message, code: 29 });
    });
  });

  describe("users and projects", () => {
    it("answers /users/me with the bare user object", async () => {
      const me = (await call("users/me", { as: "alice" })).json as Record<string, unknown>;
      expect(me).toMatchObject({ id: 3, name: "alice", real_name: "Alice Moreau", access_level: { id: 55, name: "developer" } });
      expect(me.projects).toEqual([{ id: 1, name: "Taler" }]);
      // mci_user_get's order, which a real 2.28.4 keeps (test/real/mantis-conformance.test.ts).
      expect(Object.keys(me)).toEqual(["id", "name", "real_name", "email", "language", "timezone", "access_level", "created_at", "projects"]);
    });

    it("looks up users by name for administrators only", async () => {
      const reply = await call("users/username/carol");
      expect((reply.json as { users: UserRefJson[] }).users[0]).toMatchObject({ id: 5, name: "carol" });
      expect((await call("users/username/nobody")).status).toBe(404);
      expect((await call("users/username/carol", { as: "alice" })).status).toBe(403);
      expect((await call("users/username/alice", { as: "alice" })).status).toBe(200);
    });

    it("lists the project with categories and versions", async () => {
      const project = ((await call("projects/1")).json as { projects: Record<string, unknown>[] }).projects[0];
      const categories = project?.categories as { name: string; project: { id: number; name: string | null } }[];
      expect(categories.map((category) => category.name)).toEqual(["General", "documentation", "exchange", "merchant", "wallet"]);
      // General is MantisBT's global category: project 0, whose name is null.
      expect(categories[0]?.project).toEqual({ id: 0, name: null });
      expect(categories[1]?.project).toEqual({ id: 1, name: "Taler" });
      expect((project?.versions as { name: string }[]).map((version) => version.name)).toEqual(["1.1.0", "1.0.0", "0.9.0"]);
      const versions = (await call("projects/1/versions")).json as { versions: { name: string }[] };
      expect(versions.versions.map((version) => version.name)).toEqual(["1.1.0", "1.0.0", "0.9.0"]);
    });

    it("lists versions of the same second in the order they were created", async () => {
      for (const name of ["3.0.0", "2.0.0", "2.1.0"]) {
        await call("projects/1/versions", { method: "POST", body: { name, timestamp: "2027-06-01T00:00:00+00:00" } });
      }
      const versions = (await call("projects/1/versions")).json as { versions: { name: string }[] };
      expect(versions.versions.map((version) => version.name)).toEqual(["3.0.0", "2.0.0", "2.1.0", "1.1.0", "1.0.0", "0.9.0"]);
    });

    it("answers an unknown project with 404 and an empty body", async () => {
      const reply = await call("projects/9");
      expect(reply.status).toBe(404);
      expect(reply.text).toBe("");
    });

    it("lists developers and up as handlers, by user name", async () => {
      const users = ((await call("projects/1/handlers")).json as { users: UserRefJson[] }).users;
      expect(users.map((user) => user.name)).toEqual(["administrator", "alice", "bob", "carol", "manager"]);
    });
  });
});
