/**
 * Authentication, impersonation and the simulator's own test controls (failNext, latency, recording,
 * HTML pages for unknown routes, the view.php page).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callMantis, type MantisCall, type MantisReply } from "../../src/simulators/mantis/call-mantis.js";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";

interface IssueJson {
  id: number;
  reporter?: { name: string };
  notes?: { reporter: { name: string }; text: string }[];
  history?: { user: { name: string }; type: { name: string } }[];
}

describe("MantisBT simulator authentication and test controls", () => {
  let simulator: MantisSimulator;

  beforeEach(async () => {
    simulator = await startMantisSimulator({ now: () => new Date("2026-11-26T14:14:37Z") });
  });

  afterEach(async () => {
    await simulator.close();
  });

  const call = (path: string, options?: MantisCall): Promise<MantisReply> => callMantis(simulator, path, options);

  describe("tokens", () => {
    it("refuses a request without a token with 401 'Valid API token required'", async () => {
      const reply = await call("issues/1", { as: null });
      expect(reply.status).toBe(401);
      expect(reply.reason).toBe("Valid API token required");
      expect(reply.text).toBe("");
    });

    it("refuses an unknown token and a Bearer-prefixed token, which 2.28 does not parse", async () => {
      expect((await call("users/me", { as: null, headers: { Authorization: "wrong" } })).status).toBe(401);
      const bearer = `Bearer ${simulator.tokens.alice ?? ""}`;
      expect((await call("users/me", { as: null, headers: { Authorization: bearer } })).status).toBe(401);
    });

    it("tries credentials separated by a comma and a space one by one", async () => {
      const reply = await call("users/me", { as: null, headers: { Authorization: `wrong, ${simulator.tokens.bob ?? ""}` } });
      expect(reply.status).toBe(200);
      expect(reply.headers.get("x-mantis-username")).toBe("bob");
      const withoutSpace = await call("users/me", { as: null, headers: { Authorization: `wrong,${simulator.tokens.bob ?? ""}` } });
      expect(withoutSpace.status).toBe(401);
    });

    it("names the user, login method and version in response headers", async () => {
      const reply = await call("issues/1", { as: "carol" });
      expect(reply.headers.get("x-mantis-username")).toBe("carol");
      expect(reply.headers.get("x-mantis-loginmethod")).toBe("api-token");
      expect(reply.headers.get("x-mantis-version")).toBe("2.28.4");
    });
  });

  describe("impersonation", () => {
    it("lets the administrator act as another user with X-Mantis-Username", async () => {
      const reply = await call("users/me", { headers: { "X-Mantis-Username": "alice" } });
      expect(reply.headers.get("x-mantis-username")).toBe("alice");
      expect((reply.json as { name: string }).name).toBe("alice");
    });

    it("records notes and history as the impersonated user", async () => {
      const reply = await call("issues/3/notes", {
        method: "POST",
        headers: { "X-Mantis-Username": "bob" },
        body: { text: "Looking into it." },
      });
      const issue = (reply.json as { issue: IssueJson }).issue;
      expect(issue.notes?.at(-1)?.reporter.name).toBe("bob");
      expect(issue.history?.at(-1)).toMatchObject({ user: { name: "bob" }, type: { name: "note-added" } });
    });

    it("files bugs as the impersonated user, who then gets reassign-on-feedback", async () => {
      const created = await call("issues", {
        method: "POST",
        headers: { "X-Mantis-Username": "manager" },
        body: { summary: "Sub-bug", description: "Needs feedback", project: { id: 1 }, category: { name: "exchange" } },
      });
      const id = (created.json as { issue: IssueJson }).issue.id;
      expect((created.json as { issue: IssueJson }).issue.reporter?.name).toBe("manager");
      await call(`issues/${id}`, { method: "PATCH", body: { handler: { name: "bob" }, status: { name: "feedback" } } });
      const noted = await call(`issues/${id}/notes`, { method: "POST", headers: { "X-Mantis-Username": "manager" }, body: { text: "Ping" } });
      expect((noted.json as { issue: { status: { name: string } } }).issue.status.name).toBe("assigned");
    });

    it("applies the impersonated user's permissions", async () => {
      const reply = await call("issues/10", { headers: { "X-Mantis-Username": "reporter" } });
      expect(reply.status).toBe(403);
    });

    it("refuses impersonation by users below the administrator threshold", async () => {
      const reply = await call("users/me", { as: "manager", headers: { "X-Mantis-Username": "alice" } });
      expect({ status: reply.status, reason: reply.reason }).toEqual({ status: 403, reason: "User can't impersonate other users" });
    });

    it.each(["administrator", "manager"])("answers 404 Invalid impersonation username for an unknown user, with an empty body, even to the %s", async (as) => {
      const reply = await call("users/me", { as, headers: { "X-Mantis-Username": "ghost" } });
      expect({ status: reply.status, reason: reply.reason, text: reply.text }).toEqual({ status: 404, reason: "Invalid impersonation username", text: "" });
    });

    it.each(["administrator", "manager"])("refuses the %s impersonating themselves", async (as) => {
      const reply = await call("users/me", { as, headers: { "X-Mantis-Username": as } });
      expect({ status: reply.status, reason: reply.reason }).toEqual({ status: 403, reason: "Can't impersonate self" });
    });

    it("refuses to impersonate a user with a higher access level", async () => {
      simulator.database.insertUser({ name: "owner", real_name: "Owner", email: "owner@taler-systems.example", access_level: 100, token: "owner-token", created_at: 0 });
      const reply = await call("users/me", { headers: { "X-Mantis-Username": "owner" } });
      expect({ status: reply.status, reason: reply.reason }).toEqual({ status: 403, reason: "User can't impersonate users with higher access level" });
    });
  });

  describe("routing", () => {
    it("answers unknown routes with an HTML 404 and wrong methods with an HTML 405", async () => {
      const unknown = await call("issues/1/nonsense");
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get("content-type")).toContain("text/html");
      const wrongMethod = await call("issues/1", { method: "PUT", body: {} });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get("content-type")).toContain("text/html");
      expect(wrongMethod.headers.get("allow")).toBe("GET, PATCH, DELETE");
    });

    it("accepts trailing slashes", async () => {
      expect((await call("issues/1/")).status).toBe(200);
      expect((await call("projects/")).status).toBe(200);
    });

    it("answers malformed JSON with 400 and an empty body", async () => {
      const reply = await call("issues", { method: "POST", body: "{not json" });
      expect(reply.status).toBe(400);
      expect(reply.text).toBe("");
    });

    it("serves a small web page for bug links, but not for private bugs", async () => {
      const page = await call("/view.php?id=1", { as: null });
      expect(page.status).toBe(200);
      expect(page.text).toContain("0000001: Android wallet shows withdrawal as pending");
      expect((await call("/view.php?id=10", { as: null })).status).toBe(403);
      expect((await call("/view.php?id=999", { as: null })).status).toBe(404);
    });
  });

  describe("test controls", () => {
    it("fails the next request with the given status and HTML body, then answers normally", async () => {
      simulator.failNext(503, "<html><body>Service Unavailable</body></html>");
      const failed = await call("issues/1");
      expect(failed.status).toBe(503);
      expect(failed.headers.get("content-type")).toContain("text/html");
      expect(failed.text).toContain("Service Unavailable");
      expect((await call("issues/1")).status).toBe(200);
    });

    it("fails with 500 and an empty body, several times when asked", async () => {
      simulator.failNext(500, "", { times: 2 });
      expect((await call("issues/1")).status).toBe(500);
      const second = await call("users/me");
      expect(second.status).toBe(500);
      expect(second.text).toBe("");
      expect((await call("users/me")).status).toBe(200);
    });

    it("still answers with artificial latency", async () => {
      simulator.setLatency(20);
      expect((await call("users/me")).status).toBe(200);
      simulator.setLatency(0);
    });

    it("records every request with method, path, query, headers and parsed body", async () => {
      simulator.failNext(502);
      await call("issues?page=2", { as: "bob" });
      await call("issues/4", { method: "PATCH", body: { status: { name: "confirmed" } } });
      expect(simulator.requests).toHaveLength(2);
      expect(simulator.requests[0]).toMatchObject({ method: "GET", path: "/api/rest/issues", query: { page: "2" } });
      expect(simulator.requests[0]?.headers.authorization).toBe(simulator.tokens.bob);
      expect(simulator.requests[1]).toMatchObject({ method: "PATCH", path: "/api/rest/issues/4", body: { status: { name: "confirmed" } } });
    });
  });
});
