/**
 * What `support-bot doctor` checks in MantisBT, with the bot's own token: the server answers, the
 * token is valid and whose it is, impersonation works when MANTIS_IMPERSONATE=true, the project and
 * its category exist, every linked staff member exists and may handle bugs, and the customer tag can
 * be attached (created on first use). Plain GETs only: the doctor never changes anything.
 */
import { z } from "zod";
import { advised, failed, passed, probe, type CheckResult, type FetchFunction, type Probe } from "../../checks.js";
import type { StaffDirectory } from "../../identity.js";
import { projectListResponseSchema, userListResponseSchema, type MantisProject } from "./mantis-schemas.js";
import { httpClient } from "../../http/http-client.js";

/** What the MantisBT checks need. */
export interface MantisCheckOptions {
  url: string;
  token: string;
  /** Project id or name (MANTIS_PROJECT). */
  project: string;
  impersonate: boolean;
  timeoutMs: number;
  /** MANTIS_CATEGORY. */
  category: string;
  /** CUSTOMER_TAG: the tag filed customer bugs carry. */
  customerTag: string;
  staff: StaffDirectory;
  fetch?: FetchFunction;
}

/** MantisBT's access levels (core/constant_inc.php). */
const ACCESS_LEVELS: Readonly<Record<number, string>> = { 10: "viewer", 25: "reporter", 40: "updater", 55: "developer", 70: "manager", 90: "administrator" };
/** Defaults of config_defaults_inc.php the bot depends on. */
const IMPERSONATE_USER_THRESHOLD = 90;
const TAG_CREATE_THRESHOLD = 25;

const meSchema = z.object({ id: z.number().int(), name: z.string(), access_level: z.object({ id: z.number().int(), name: z.string().optional() }).optional() });
const projectDetailSchema = z.object({
  projects: z.array(z.object({ id: z.number().int(), name: z.string(), categories: z.array(z.object({ name: z.string() })).default([]) })),
});

/** Runs every MantisBT check; later checks are skipped (not reported) when an earlier one makes them meaningless. */
export async function checkMantis(options: MantisCheckOptions): Promise<CheckResult[]> {
  const fetchFn = options.fetch ?? httpClient;
  const base = new URL("api/rest/", options.url.endsWith("/") ? options.url : `${options.url}/`);
  const get = (path: string, extra: Record<string, string> = {}): Promise<Probe> =>
    probe(fetchFn, new URL(path, base), { Authorization: options.token, Accept: "application/json", ...extra }, options.timeoutMs);
  const results: CheckResult[] = [];

  const me = await get("users/me");
  if (!me.reached) return [failed(`MantisBT at ${options.url} does not answer: ${me.reason}`, "check MANTIS_URL and that MantisBT is up")];
  if (me.status === 401 || me.status === 403) {
    return [passed(`MantisBT answers at ${options.url}`), failed("MantisBT refused MANTIS_TOKEN", "create an API token in MantisBT (My Account > API Tokens) and set MANTIS_TOKEN")];
  }
  const self = meSchema.safeParse(me.json);
  if (me.status !== 200 || !self.success) {
    return [failed(`MantisBT at ${options.url} answered HTTP ${me.status} to GET users/me, not a user`, "MANTIS_URL must be the MantisBT root (the one that serves view.php), with the REST API enabled")];
  }
  results.push(passed(`MantisBT answers at ${options.url}`));
  const level = self.data.access_level?.id ?? 0;
  const levelName = ACCESS_LEVELS[level] ?? self.data.access_level?.name ?? String(level);
  results.push(passed(`MANTIS_TOKEN belongs to ${self.data.name} (access level ${levelName})`));

  const linked = options.staff.all().flatMap((member) => (member.accounts.mantis ? [{ member: member.name, user: member.accounts.mantis }] : []));
  if (options.impersonate) results.push(await checkImpersonation(get, self.data.name, level, linked));

  const projects = await get("projects");
  const list = projects.reached && projects.status === 200 ? projectListResponseSchema.safeParse(projects.json) : undefined;
  if (!list?.success) {
    results.push(failed(`MantisBT did not list the projects (${projects.reached ? `HTTP ${projects.status}` : projects.reason})`, "check that the token's account may see projects"));
    return results;
  }
  const project = findProject(list.data.projects, options.project);
  if (!project) {
    const visible = flatten(list.data.projects).map((candidate) => candidate.name).join(", ") || "none";
    results.push(failed(`MANTIS_PROJECT: MantisBT has no project '${options.project}' that ${self.data.name} can see (visible: ${visible})`, "set MANTIS_PROJECT to a project's id or exact name, or add the account to the project"));
    return results;
  }
  results.push(passed(`project '${project.name}' (id ${project.id}) exists`));

  const detail = await get(`projects/${project.id}`);
  const categories = detail.reached && detail.status === 200 ? projectDetailSchema.safeParse(detail.json) : undefined;
  const names = categories?.success ? (categories.data.projects[0]?.categories ?? []).map((category) => category.name) : [];
  if (names.some((name) => name.toLowerCase() === options.category.toLowerCase())) results.push(passed(`category '${options.category}' exists in '${project.name}'`));
  else results.push(failed(`MANTIS_CATEGORY: '${options.category}' is no category of '${project.name}' (it has: ${names.join(", ") || "none"})`, "set MANTIS_CATEGORY to one of them, or add the category in MantisBT (Manage > Projects)"));

  results.push(...(await checkHandlers(get, project, linked)));
  results.push(
    level >= TAG_CREATE_THRESHOLD
      ? passed(`tag '${options.customerTag}' can be attached to customer bugs (created on first use; ${levelName} is at or above tag_create_threshold, default reporter)`)
      : failed(`tag '${options.customerTag}' cannot be created: ${self.data.name} is ${levelName}, below tag_create_threshold (default reporter)`, "give the token's account at least reporter access, or create the tag in MantisBT (Manage > Manage Tags)"),
  );
  return results;
}

type Get = (path: string, extra?: Record<string, string>) => Promise<Probe>;

async function checkImpersonation(get: Get, self: string, level: number, linked: readonly { member: string; user: string }[]): Promise<CheckResult> {
  const fix = "MANTIS_IMPERSONATE=true needs an administrator's API token in MANTIS_TOKEN (impersonate_user_threshold); or set MANTIS_IMPERSONATE=false";
  if (level < IMPERSONATE_USER_THRESHOLD) return failed(`MANTIS_IMPERSONATE=true, but ${self} is not an administrator and may not act as others`, fix);
  const other = linked.find((entry) => entry.user.toLowerCase() !== self.toLowerCase());
  if (!other) return advised("MANTIS_IMPERSONATE=true, but no linked staff member other than the bot's account to try it with", "link staff members to their MantisBT accounts in the staff file");
  const answer = await get("users/me", { "X-Mantis-Username": other.user });
  const name = answer.reached && answer.status === 200 ? meSchema.safeParse(answer.json) : undefined;
  if (name?.success && name.data.name.toLowerCase() === other.user.toLowerCase()) return passed(`impersonation works (acted as ${other.user} with X-Mantis-Username)`);
  const said = answer.reached ? `HTTP ${answer.status}` : answer.reason;
  return failed(`MantisBT did not let ${self} act as ${other.user} (${said})`, fix);
}

async function checkHandlers(get: Get, project: { id: number; name: string }, linked: readonly { member: string; user: string }[]): Promise<CheckResult[]> {
  const answer = await get(`projects/${project.id}/handlers`);
  const parsed = answer.reached && answer.status === 200 ? userListResponseSchema.safeParse(answer.json) : undefined;
  if (!parsed?.success) return [failed(`MantisBT did not list who may handle bugs in '${project.name}' (${answer.reached ? `HTTP ${answer.status}` : answer.reason})`, "check the token's access to the project")];
  const handlers = new Set(parsed.data.users.flatMap((user) => (user.name ? [user.name.toLowerCase()] : [])));
  const results: CheckResult[] = [];
  for (const { member, user } of linked) {
    if (handlers.has(user.toLowerCase())) {
      results.push(passed(`staff member ${member} is MantisBT user ${user} and may handle bugs in '${project.name}'`));
      continue;
    }
    const known = await get(`users/username/${encodeURIComponent(user)}`);
    if (known.reached && known.status === 404) {
      results.push(failed(`staff member ${member}: MantisBT has no user '${user}'`, `create the MantisBT account, or fix accounts.mantis of ${member} in the staff file (the exact user name)`));
    } else {
      results.push(failed(`staff member ${member}: MantisBT user '${user}' may not handle bugs in '${project.name}'`, `give ${user} at least developer access to '${project.name}' (handle_bug_threshold)`));
    }
  }
  return results;
}

function flatten(projects: readonly MantisProject[]): { id: number; name: string }[] {
  return projects.flatMap((project) => [{ id: project.id, name: project.name }, ...flatten(project.subProjects)]);
}

/** As the client resolves MANTIS_PROJECT: an id, else the exact name, else the one name equal but for case. */
function findProject(projects: readonly MantisProject[], wanted: string): { id: number; name: string } | undefined {
  const all = flatten(projects);
  const trimmed = wanted.trim();
  if (/^\d+$/.test(trimmed)) return all.find((project) => project.id === Number(trimmed));
  const folded = all.filter((project) => project.name.toLowerCase() === trimmed.toLowerCase());
  return all.find((project) => project.name === trimmed) ?? (folded.length === 1 ? folded[0] : undefined);
}
