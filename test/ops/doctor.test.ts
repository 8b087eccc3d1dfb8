/**
 * `support-bot doctor` against the simulators: everything there reports ✓ and exits 0; each setting
 * broken in turn (wrong token, unknown project, missing channel, encrypted room, a staff member
 * unknown to MantisBT, a room where the bot may not remove messages) is named with its fix and
 * exits 1.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/ops/cli.js";
import { startMantisSimulator, type MantisSimulator } from "../../src/simulators/mantis/server.js";
import { startMattermostSimulator, type MattermostSimulator } from "../../src/simulators/mattermost/server.js";
import { startMatrixSimulator, type MatrixSimulator } from "../../src/simulators/matrix/server.js";

let mantis: MantisSimulator;
let mattermost: MattermostSimulator;
let matrix: MatrixSimulator;
let room: string;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), "support-bot-doctor-"));

/** A room the bot joined, unencrypted, where it may redact (power 50). */
function preparedRoom(name: string): string {
  const id = matrix.createRoom("manager", { name, invite: [matrix.bot.userId] });
  matrix.join(matrix.bot, id);
  const power = matrix.stateContent(id, "m.room.power_levels") ?? {};
  matrix.setState("manager", id, "m.room.power_levels", "", { ...power, users: { ...(power["users"] as Record<string, number>), [matrix.bot.userId]: 50 } });
  return id;
}

function usersFile(users: unknown[]): string {
  const file = join(dir, `users-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ users }));
  return file;
}

const STAFF = [
  { name: "manager", role: "management", accounts: { mantis: "manager", mattermost: "manager", matrix: "@manager:localhost" } },
  { name: "alice", role: "staff", accounts: { mantis: "alice", mattermost: "alice", matrix: "@alice:localhost" } },
];

beforeAll(async () => {
  [mantis, mattermost, matrix] = await Promise.all([startMantisSimulator(), startMattermostSimulator(), startMatrixSimulator()]);
  room = preparedRoom("Management");
  // The bot registers /support at start; the doctor expects it registered already or registrable.
  env = {
    MANTIS_URL: mantis.url,
    MANTIS_TOKEN: mantis.tokens.administrator!,
    MANTIS_PROJECT: "Taler",
    MANTIS_IMPERSONATE: "true",
    MATTERMOST_URL: mattermost.url,
    MATTERMOST_BOT_TOKEN: mattermost.tokens["support-bot"]!,
    MATTERMOST_TEAM: "taler",
    MATTERMOST_CHANNELS: "management=support-mgmt,sales=sales",
    MATTERMOST_PUBLIC_URL: "http://127.0.0.1:9",
    MATTERMOST_REGISTER_COMMAND: "true",
    MATRIX_HOMESERVER_URL: matrix.url,
    MATRIX_ACCESS_TOKEN: matrix.bot.accessToken,
    MATRIX_ROOMS: `management=${room}`,
    USERS_FILE: usersFile(STAFF),
    DATA_DIR: join(dir, "data"),
  };
});
afterAll(async () => {
  await Promise.all([mantis.close(), mattermost.close(), matrix.close()]);
});

async function doctor(overrides: Record<string, string> = {}): Promise<{ code: number | undefined; lines: string[]; errors: string[] }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await runCli(["doctor"], { env: { ...env, ...overrides }, out: (line) => lines.push(line), err: (line) => errors.push(line) });
  return { code, lines, errors };
}

const failures = (lines: readonly string[]) => lines.filter((line) => line.trimStart().startsWith("✗"));

describe("support-bot doctor", () => {
  it("reports every check ✓ against the simulators and exits 0", async () => {
    const { code, lines } = await doctor();
    expect(failures(lines)).toEqual([]);
    expect(code).toBe(0);
    expect(lines).toEqual(
      expect.arrayContaining([
        "MantisBT:",
        `  ✓ MantisBT answers at ${mantis.url}`,
        "  ✓ MANTIS_TOKEN belongs to administrator (access level administrator)",
        "  ✓ impersonation works (acted as manager with X-Mantis-Username)",
        expect.stringMatching(/^ {2}✓ project 'Taler' \(id \d+\) exists$/),
        "  ✓ category 'General' exists in 'Taler'",
        "  ✓ staff member alice is MantisBT user alice and may handle bugs in 'Taler'",
        "Mattermost:",
        "  ✓ MATTERMOST_BOT_TOKEN belongs to the bot @support-bot",
        "  ✓ channel management=~support-mgmt exists and the bot is a member",
        "  ✓ staff member alice is @alice on Mattermost",
        "Matrix:",
        `  ✓ MATRIX_ACCESS_TOKEN belongs to ${matrix.bot.userId}`,
        `  ✓ room management=${room}: not encrypted`,
        expect.stringMatching(/^ {2}✓ room management=.*: the bot may remove messages/),
        "  ✓ staff member alice is @alice:localhost on Matrix",
        "Everything the bot needs is there.",
      ]),
    );
    // Ephemeral posts are a system admin's permission: without it the bot answers by DM, a warning only.
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}! the bot may not send ephemeral posts: private answers go by DM/));
  });

  it.each([
    ["a wrong MantisBT token", { MANTIS_TOKEN: "not-a-token" }, /✗ MantisBT refused MANTIS_TOKEN \(fix: create an API token/],
    ["an unknown project", { MANTIS_PROJECT: "Nope" }, /✗ MANTIS_PROJECT: MantisBT has no project 'Nope' that administrator can see \(visible: .*Taler.*\) \(fix: /],
    ["a missing channel", { MATTERMOST_CHANNELS: "management=support-mgmt,sales=no-such-channel" }, /✗ MATTERMOST_CHANNELS: sales=no-such-channel: the bot sees no such channel in team taler \(fix: /],
    ["a wrong Mattermost token", { MATTERMOST_BOT_TOKEN: "revoked" }, /✗ Mattermost refused MATTERMOST_BOT_TOKEN \(fix: /],
    ["a wrong Matrix token", { MATRIX_ACCESS_TOKEN: "revoked" }, /✗ the homeserver refused MATRIX_ACCESS_TOKEN \(fix: /],
    ["MantisBT unreachable", { MANTIS_URL: "http://127.0.0.1:9/" }, /✗ MantisBT at http:\/\/127\.0\.0\.1:9\/ does not answer: .* \(fix: check MANTIS_URL/],
  ])("names %s and exits 1", async (_what, overrides, expected) => {
    const { code, lines } = await doctor(overrides);
    expect(failures(lines)).toEqual([expect.stringMatching(expected)]);
    expect(code).toBe(1);
  });

  it("names a staff member unknown to MantisBT and one who may not handle bugs", async () => {
    const staff = [...STAFF, { name: "dave", role: "staff", accounts: { mantis: "dave", mattermost: null, matrix: null } }, { name: "rita", role: "staff", accounts: { mantis: "reporter", mattermost: null, matrix: null } }];
    const { code, lines } = await doctor({ USERS_FILE: usersFile(staff) });
    expect(failures(lines)).toEqual([
      "  ✗ staff member dave: MantisBT has no user 'dave' (fix: create the MantisBT account, or fix accounts.mantis of dave in the staff file (the exact user name))",
      "  ✗ staff member rita: MantisBT user 'reporter' may not handle bugs in 'Taler' (fix: give reporter at least developer access to 'Taler' (handle_bug_threshold))",
    ]);
    expect(code).toBe(1);
  });

  it("names an encrypted room", async () => {
    const encrypted = preparedRoom("Encrypted");
    matrix.setState("manager", encrypted, "m.room.encryption", "", { algorithm: "m.megolm.v1.aes-sha2" });
    const { code, lines } = await doctor({ MATRIX_ROOMS: `management=${room},sales=${encrypted}` });
    expect(failures(lines)).toEqual([expect.stringMatching(new RegExp(`^ {2}✗ room sales=${encrypted.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: encrypted .*the bot cannot read encrypted rooms`))]);
    expect(code).toBe(1);
  });

  it("names a room where the bot may not remove messages, and one it has not joined", async () => {
    const powerless = matrix.createRoom("manager", { name: "Powerless", invite: [matrix.bot.userId] });
    matrix.join(matrix.bot, powerless);
    const unjoined = matrix.createRoom("manager", { name: "Unjoined" });
    const { code, lines } = await doctor({ MATRIX_ROOMS: `management=${room},sales=${powerless},support=${unjoined}` });
    expect(failures(lines)).toEqual([
      expect.stringMatching(/✗ room sales=.*: the bot may not remove messages \(power 0, redact needs 50\), so a call typed there keeps the customer's data in the room \(fix: give @support-bot:localhost power level 50/),
      expect.stringMatching(/✗ room support=.*: the bot has not joined it \(fix: invite @support-bot:localhost/),
    ]);
    expect(code).toBe(1);
  });

  it("names a staff member's chat account that does not exist", async () => {
    const staff = [STAFF[0], { ...STAFF[1], accounts: { mantis: "alice", mattermost: "alicia", matrix: "@alicia:localhost" } }];
    const { lines } = await doctor({ USERS_FILE: usersFile(staff) });
    expect(failures(lines)).toEqual([
      "  ✗ staff member alice: Mattermost has no user @alicia (fix: fix accounts.mattermost of alice in the staff file (the user name without @))",
      "  ✗ staff member alice: the homeserver knows no user @alicia:localhost (fix: fix accounts.matrix of alice in the staff file (the full id, @name:server))",
    ]);
  });

  it("names a token that may not impersonate when MANTIS_IMPERSONATE=true", async () => {
    const { code, lines } = await doctor({ MANTIS_TOKEN: mantis.tokens.manager! });
    expect(failures(lines)).toEqual([expect.stringMatching(/^ {2}✗ MANTIS_IMPERSONATE=true, but manager is not an administrator and may not act as others \(fix: /)]);
    expect(code).toBe(1);
  });

  it("names a /support command that points elsewhere when the bot does not register it", async () => {
    const made = await fetch(`${mattermost.url}/api/v4/commands`, {
      method: "POST",
      headers: { Authorization: `Bearer ${mattermost.tokens["support-bot"]!}`, "Content-Type": "application/json" },
      body: JSON.stringify({ team_id: mattermost.team.id, trigger: "support", url: "http://elsewhere.example/hook", method: "P" }),
    });
    expect(made.status).toBe(201);
    const { code, lines } = await doctor({ MATTERMOST_REGISTER_COMMAND: "false", MATTERMOST_COMMAND_TOKEN: "from-the-integration-page" });
    expect(failures(lines)).toEqual(["  ✗ /support points at http://elsewhere.example/hook, not at the bot (http://127.0.0.1:9/mattermost/command) (fix: change its Request URL (Integrations > Slash Commands), or set MATTERMOST_REGISTER_COMMAND=true)"]);
    expect(code).toBe(1);
  });

  it("refuses invalid settings with exit code 2, as npm start does", async () => {
    const { code, errors } = await doctor({ HTTP_PORT: "not a port" });
    expect(code).toBe(2);
    expect(errors[0]).toBe("support-bot doctor: invalid configuration");
  });
});
