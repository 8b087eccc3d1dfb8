/**
 * Every answer recorded from a real MantisBT 2.28.4 (`../shared/specs/mantisbt/recorded/`) parses with
 * the client's own schemas, and the client reads the recorded bugs as a user would see them.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { createMantisClient } from "../../src/tracker/mantis/mantis-client.js";
import {
  currentUserResponseSchema,
  issueCreatedResponseSchema,
  issueListEnvelopeSchema,
  issueListResponseSchema,
  mantisErrorBodySchema,
  mantisIssueSchema,
  noteCreatedResponseSchema,
  projectListResponseSchema,
  relationshipCreatedResponseSchema,
  projectVersionsResponseSchema,
  userListResponseSchema,
  versionResponseSchema,
} from "../../src/tracker/mantis/mantis-schemas.js";
import { loadMantisRecordings, type RecordedExchange } from "../support/mantis-recordings.js";
import { createFakeFetch, json } from "./fake-fetch.js";

const exchanges = loadMantisRecordings();

/** The schema the client reads a successful answer of this route with (method and path below `/api/rest/`). */
function successSchema(method: string, route: string): z.ZodType | undefined {
  const routes: [string, RegExp, z.ZodType][] = [
    ["GET", /^users\/me$/, currentUserResponseSchema],
    ["GET", /^users\/username\/[^/]+$/, userListResponseSchema],
    ["GET", /^projects\/\d+$/, projectListResponseSchema],
    ["GET", /^projects\/\d+\/handlers$/, userListResponseSchema],
    // The client validates a list's issues one by one (see the list test below).
    ["GET", /^issues$/, issueListEnvelopeSchema],
    ["GET", /^issues\/\d+$/, issueListResponseSchema],
    ["PATCH", /^issues\/\d+$/, issueListResponseSchema],
    ["POST", /^issues$/, issueCreatedResponseSchema],
    ["POST", /^issues\/\d+\/notes$/, noteCreatedResponseSchema],
    ["POST", /^issues\/\d+\/tags$/, issueListResponseSchema],
    ["POST", /^issues\/\d+\/relationships$/, relationshipCreatedResponseSchema],
    ["POST", /^projects\/\d+\/versions$/, versionResponseSchema],
  ];
  return routes.find(([routeMethod, pattern]) => routeMethod === method && pattern.test(route))?.[2];
}

function routeOf(exchange: RecordedExchange): { route: string; query: URLSearchParams } {
  const url = new URL(exchange.request.path, "http://mantis.example");
  return { route: url.pathname.replace(/^\/api\/rest\//, ""), query: url.searchParams };
}

/** Paths and zod codes of what did not parse, for a readable failure. */
function problems(schema: z.ZodType, body: unknown): string[] {
  const parsed = schema.safeParse(body);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.code} ${issue.message}`);
}

describe("the client's schemas parse every answer recorded from MantisBT 2.28.4", () => {
  for (const exchange of exchanges) {
    const { method } = exchange.request;
    const { status, body } = exchange.response;
    const { route, query } = routeOf(exchange);
    const title = `${exchange.name}: ${method} ${route} -> ${status}`;
    if (status >= 400) {
      it(title, () => {
        // Some refusals have an empty body: the client then takes MantisBT's message from the reason phrase.
        if (body === null) expect(exchange.response.reason).not.toBe("");
        else expect(problems(mantisErrorBodySchema, body)).toEqual([]);
      });
      continue;
    }
    it(title, () => {
      const schema = successSchema(method, route);
      expect(schema, "a schema for this route").toBeDefined();
      expect(problems(schema!, body)).toEqual([]);
      // The client never asks for `select`: trimmed issues are not whole issues.
      if (method === "GET" && route === "issues" && !query.has("select")) {
        for (const issue of issueListEnvelopeSchema.parse(body).issues) expect(problems(mantisIssueSchema, issue)).toEqual([]);
      }
    });
  }
});

describe("the client reads the recorded bugs", () => {
  /** The client, answered by the recorded exchange of the same method and path. */
  function clientOverRecordings() {
    const fake = createFakeFetch((request) => {
      const exchange = exchanges.find(
        (candidate) => candidate.request.method === request.method && routeOf(candidate).route === request.route && candidate.response.status < 300,
      );
      return exchange ? json(exchange.response.body, { status: exchange.response.status, statusText: exchange.response.reason }) : undefined;
    });
    return createMantisClient({
      url: "https://bugs.example.com/",
      token: "token",
      project: 1,
      impersonate: false,
      timeoutMs: 5_000,
      category: "General",
      log: pino({ level: "silent" }),
      fetch: fake.fetch,
    });
  }

  it("lists every bug of the recorded list, the closed one with its fixed-in version", async () => {
    const bugs = await clientOverRecordings().listBugs({ page: 1, pageSize: 10 });
    expect(
      bugs.map((bug) => ({
        id: bug.id,
        status: bug.status,
        handler: bug.handler?.name,
        fixedIn: bug.fixedInVersion,
        notes: bug.notes.length,
        tags: bug.tags,
        relationships: bug.relationships.map((relationship) => `${relationship.type} #${relationship.otherBugId}`),
        private: bug.private,
      })),
    ).toEqual([
      { id: 1, status: "resolved", handler: "bob", fixedIn: undefined, notes: 3, tags: ["customer-data"], relationships: ["parent-of #3"], private: false },
      { id: 2, status: "new", handler: undefined, fixedIn: undefined, notes: 1, tags: ["Customer"], relationships: [], private: true },
      { id: 3, status: "closed", handler: "alice", fixedIn: "0.9", notes: 0, tags: [], relationships: ["child-of #1"], private: false },
    ]);
  });

  it("reads the project's versions and the bot's own account", async () => {
    const client = clientOverRecordings();
    expect(await client.listVersions()).toEqual(["1.0"]);
    expect(await client.getUser("alice")).toEqual({ id: 2, name: "alice", realName: "Alice Anderson" });
  });

  it("reads the project's versions with their released flag and date, and the version it created", async () => {
    const client = clientOverRecordings();
    expect(problems(projectVersionsResponseSchema, exchanges.find((exchange) => exchange.name === "03-project")?.response.body)).toEqual([]);
    expect(await client.listProjectVersions()).toEqual([{ id: 1, name: "1.0", released: false, obsolete: false, date: new Date("2026-12-02T22:07:16Z") }]);
    expect(await client.createVersion("0.9")).toEqual({ id: 2, name: "0.9", released: false, obsolete: false, date: new Date("2026-12-02T22:22:48Z") });
  });
});
