/**
 * The container, compose and systemd files, checked without Docker or systemd (neither runs on
 * every machine): the Dockerfile's instructions (stages, user, volume, health check, init, entry
 * point, the bot compiled in a build stage with production packages only), `.dockerignore`,
 * `compose.yaml` and `deploy/support-bot.service` agree on the data directory and the health
 * endpoint; and the pieces they run - the health check script, `npm run build`'s output and the
 * `support-bot` entry point that runs it - do what they say.
 */
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../src/config.js";
import { HttpServer } from "../src/http/http-server.js";
import { CLI_COMMANDS } from "../src/ops/cli.js";
import { PrometheusMetrics } from "../src/ops/prometheus-metrics.js";
import { captureLog } from "./support/capture-log.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
/** The text of a `## heading` section of a Markdown document, up to the next `## `. */
const section = (markdown: string, heading: string) => markdown.split(/^## /m).find((part) => part.startsWith(`${heading}\n`)) ?? "";

// --- Dockerfile -----------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions as Docker reads them: comments and blank lines dropped, `\` continuations joined. */
function dockerInstructions(text: string): Instruction[] {
  const logical: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || line === "") continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(pending + line);
    pending = "";
  }
  return logical.map((line) => {
    const [keyword = "", ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
  });
}

function dockerStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of dockerInstructions(text)) {
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = instruction.args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** `ENV A=1 B=2` (and the old `ENV A 1`) of a stage, later ones winning. */
function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== "ENV") continue;
    if (!args.includes("=")) {
      const [key = "", ...value] = args.split(/\s+/);
      env[key] = value.join(" ");
      continue;
    }
    for (const pair of args.split(/\s+/)) {
      const at = pair.indexOf("=");
      env[pair.slice(0, at)] = pair.slice(at + 1).replace(/^"(.*)"$/, "$1");
    }
  }
  return env;
}

/** The JSON (exec) form of ENTRYPOINT, CMD, VOLUME or HEALTHCHECK ... CMD. */
function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  expect(Array.isArray(parsed), `exec form expected: ${args}`).toBe(true);
  return parsed as string[];
}

function only(stage: Stage, keyword: string): Instruction {
  const found = stage.instructions.filter((instruction) => instruction.keyword === keyword);
  expect(found, `${keyword} in stage ${stage.name}`).toHaveLength(1);
  return found[0]!;
}

const stages = dockerStages(read("Dockerfile"));
const runtime = stages.at(-1)!;
const runtimeEnv = stageEnv(runtime);
const runs = (stage: Stage) => stage.instructions.filter((instruction) => instruction.keyword === "RUN").map((instruction) => instruction.args);
const copies = (stage: Stage) => stage.instructions.filter((instruction) => instruction.keyword === "COPY").map((instruction) => instruction.args.split(/\s+/));
const healthCommand = () => execForm(only(runtime, "HEALTHCHECK").args.replace(/^.*?\bCMD\s+/, ""));

// --- the files the bot loads ----------------------------------------------------------------

const IMPORT = /^\s*(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm;

/** Every source file and package the entry point loads, following relative and dynamic imports (type-only imports vanish at run time). */
function runtimeGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3] ?? "";
      if (specifier.startsWith(".")) {
        const target = resolve(dirname(file), specifier).replace(/\.js$/, ".ts");
        expect(existsSync(target), `${relative(ROOT, file)} imports ${specifier}`).toBe(true);
        visit(target);
      } else if (!specifier.startsWith("node:")) {
        packages.add(specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/"));
      }
    }
  };
  visit(join(ROOT, entry));
  return { files, packages };
}

const packageJson = JSON.parse(read("package.json")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe("Dockerfile", () => {
  it("builds in stages on node:20-slim, the runtime stage last", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.image).toMatch(/^node:20-slim(@sha256:[0-9a-f]{64})?$/);
    expect(runtime.name).toBe("runtime");
  });

  it("runs the bot as a non-root user the image creates, after every RUN", () => {
    const user = only(runtime, "USER").args;
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const useradd = runs(runtime).flatMap((run) => run.split("&&")).map((command) => command.trim()).find((command) => command.startsWith("useradd "));
    expect(useradd?.split(/\s+/).at(-1)).toBe(user);
    const userAt = runtime.instructions.findIndex((instruction) => instruction.keyword === "USER");
    expect(runtime.instructions.slice(userAt).some((instruction) => instruction.keyword === "RUN")).toBe(false);
  });

  it("keeps DATA_DIR on a volume that belongs to that user", () => {
    const dataDir = runtimeEnv["DATA_DIR"]!;
    expect(dataDir).toMatch(/^\//);
    expect(execForm(only(runtime, "VOLUME").args)).toEqual([dataDir]);
    const user = only(runtime, "USER").args;
    expect(runs(runtime).join("\n")).toContain(`chown ${user}:${user} ${dataDir}`);
  });

  it("checks /healthz on HTTP_PORT, the port it exposes and the bot's default", () => {
    expect(only(runtime, "WORKDIR").args).toBe("/app");
    const port = runtimeEnv["HTTP_PORT"];
    expect(port).toBe(String(loadConfig({}).httpPort));
    expect(only(runtime, "EXPOSE").args).toBe(port);
    const command = healthCommand();
    expect(command[0]).toBe("node");
    const script = command[1]!;
    expect(copies(runtime).some((parts) => parts.includes(relative("/app", script)) || parts.includes(script))).toBe(true);
    const source = read(relative("/app", script));
    expect(source).toContain("/healthz");
    expect(source).toContain(`process.env.HTTP_PORT || "${port}"`);
  });

  it("starts under tini, which it installs, with `support-bot start` by default", () => {
    expect(runs(runtime).join("\n")).toMatch(/apt-get install [^\n]*\btini\b/);
    const entrypoint = execForm(only(runtime, "ENTRYPOINT").args);
    expect(entrypoint.slice(0, 3)).toEqual(["/usr/bin/tini", "--", "support-bot"]);
    expect(runs(runtime).join("\n")).toContain("ln -s /app/deploy/support-bot /usr/local/bin/support-bot");
    const command = execForm(only(runtime, "CMD").args);
    expect(command).toEqual(["start"]);
    expect(CLI_COMMANDS.map((cli) => cli.name)).toContain(command[0]);
  });

  it("compiles the bot in a build stage, then drops the dev dependencies, and copies dist and node_modules from it", () => {
    expect(runs(runtime).join("\n")).not.toMatch(/\bnpm\b/);
    const fromStage = (path: string) => copies(runtime).find((parts) => parts.some((part) => part.endsWith(path)))?.find((part) => part.startsWith("--from="))?.slice("--from=".length);
    const build = stages.find((stage) => stage.name === fromStage("/node_modules"));
    expect(build, "node_modules copied from a named stage").toBeDefined();
    expect(fromStage("/dist"), "dist copied from the same stage").toBe(build!.name);
    // In this order: every package (the compiler is a dev dependency), the build, then production packages only.
    expect(runs(build!).join("\n")).toMatch(/npm ci\b[^]*npm run build[^]*npm prune --omit=dev/);
  });

  it("needs no dev dependency to run: every package the bot loads is a production one", () => {
    const { packages } = runtimeGraph("src/ops/support-bot.ts");
    expect(packages.size).toBeGreaterThan(3);
    for (const name of packages) expect(Object.keys(packageJson.dependencies), `${name} is loaded at run time`).toContain(name);
    // The pretty log format loads pino-pretty by name; the image runs compiled JavaScript, so the
    // TypeScript tools are for development and the build only.
    expect(Object.keys(packageJson.dependencies)).toContain("pino-pretty");
    expect(Object.keys(packageJson.devDependencies)).toEqual(expect.arrayContaining(["tsx", "typescript"]));
  });

  it("compiles every file the bot loads, and copies the compiled bot, the package manifest and the entry point", () => {
    const sources = (stage: Stage) => copies(stage).flatMap((parts) => parts.filter((part) => !part.startsWith("--")).slice(0, -1));
    const build = stages.find((stage) => stage.name === "build")!;
    const { files } = runtimeGraph("src/ops/support-bot.ts");
    const included = (JSON.parse(read("tsconfig.build.json")) as { include: string[] }).include;
    for (const file of files) {
      const path = relative(ROOT, file);
      expect(sources(build).some((source) => path === source || path.startsWith(`${source}/`)), `${path} is in the build stage`).toBe(true);
      expect(included.some((source) => path.startsWith(`${source}/`)), `${path} is compiled (tsconfig.build.json)`).toBe(true);
    }
    expect(sources(build)).toEqual(expect.arrayContaining(["tsconfig.json", "tsconfig.build.json", "scripts/build.ts"]));
    // package.json says the compiled files are ES modules.
    expect(sources(runtime)).toEqual(expect.arrayContaining(["/app/dist", "package.json", "deploy/support-bot"]));
    expect(sources(runtime).some((source) => source === "src" || source === "commands")).toBe(false);
  });
});

describe(".dockerignore", () => {
  it("keeps local packages, data, settings and the staff list out of the image", () => {
    const ignored = read(".dockerignore").split("\n").map((line) => line.trim()).filter((line) => line && !line.startsWith("#"));
    expect(ignored).toEqual(expect.arrayContaining(["node_modules", "data", ".env", "users.json", ".git"]));
  });
});

describe("compose.yaml", () => {
  const compose = parseYaml(read("compose.yaml")) as {
    services: Record<string, { build: string; env_file: string[]; environment: Record<string, string>; volumes: string[]; ports: string[]; healthcheck: { test: string[] } }>;
    volumes: Record<string, unknown>;
  };
  const service = compose.services["support-bot"]!;

  it("builds this Dockerfile and takes the settings from .env", () => {
    expect(service.build).toBe(".");
    expect(service.env_file).toEqual([".env"]);
  });

  it("puts the image's DATA_DIR on a named volume and mounts the staff list where USERS_FILE says", () => {
    expect(service.environment["DATA_DIR"]).toBe(runtimeEnv["DATA_DIR"]);
    const [volume, target] = service.volumes.find((entry) => entry.split(":")[1] === runtimeEnv["DATA_DIR"])?.split(":") ?? [];
    expect(target).toBe(runtimeEnv["DATA_DIR"]);
    expect(Object.keys(compose.volumes)).toContain(volume);
    expect(service.volumes.some((entry) => entry.split(":")[1] === service.environment["USERS_FILE"] && entry.endsWith(":ro"))).toBe(true);
  });

  it("checks health with the image's own /healthz check on the port it publishes", () => {
    expect(service.healthcheck.test).toEqual(["CMD", ...healthCommand()]);
    expect(service.environment["HTTP_PORT"]).toBe(runtimeEnv["HTTP_PORT"]);
    expect(service.ports.some((entry) => entry.endsWith(`:${runtimeEnv["HTTP_PORT"]}`))).toBe(true);
  });
});

describe("deploy/compose.replicas.yaml (issue 16: two replicas on PostgreSQL)", () => {
  interface Service {
    build?: string;
    image: string;
    env_file?: string[];
    environment?: Record<string, string>;
    volumes?: string[];
    ports?: string[];
    healthcheck?: { test: string[] };
    depends_on?: Record<string, { condition: string }> | string[];
    configs?: { source: string; target: string }[];
  }
  const compose = parseYaml(read("deploy/compose.replicas.yaml"), { merge: true }) as {
    services: Record<string, Service>;
    configs: Record<string, { content: string }>;
    volumes: Record<string, unknown>;
  };
  const bots = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
  const postgres = compose.services["postgres"]!;

  it("runs two replicas of this image with the same settings, on the PostgreSQL service", () => {
    expect(bots.map(([name]) => name)).toEqual(["support-bot-1", "support-bot-2"]);
    for (const [, bot] of bots) {
      // Paths are relative to deploy/: the repository's Dockerfile, .env and staff list.
      expect(bot.build).toBe("..");
      expect(bot.env_file).toEqual(["../.env"]);
      expect(bot.volumes).toContain(`../users.json:${bot.environment?.["USERS_FILE"]}:ro`);
      expect(bot.environment?.["DATA_DIR"]).toBe(runtimeEnv["DATA_DIR"]);
      expect(bot.environment).toEqual(bots[0]![1].environment);
      expect(bot.environment?.["DATABASE_URL"]).toMatch(/^postgres:\/\/support_bot:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/support_bot$/);
      expect(bot.environment?.["HTTP_PORT"]).toBe(runtimeEnv["HTTP_PORT"]);
      expect(bot.healthcheck?.test).toEqual(["CMD", ...healthCommand()]);
      expect(bot.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    }
    expect(postgres.environment).toMatchObject({ POSTGRES_USER: "support_bot", POSTGRES_DB: "support_bot" });
    const [volume] = postgres.volumes![0]!.split(":");
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it("puts a load balancer in front of both replicas on the published port, checking each one's /healthz", () => {
    const balancer = compose.services["support-bot"]!;
    expect(balancer.ports).toEqual([`${runtimeEnv["HTTP_PORT"]}:${runtimeEnv["HTTP_PORT"]}`]);
    const caddyfile = compose.configs[balancer.configs![0]!.source]!.content;
    expect(caddyfile).toContain(`reverse_proxy ${bots.map(([name]) => `${name}:${runtimeEnv["HTTP_PORT"]}`).join(" ")} {`);
    expect(caddyfile).toMatch(/^\s*health_uri \/healthz$/m);
  });
});

// --- systemd ------------------------------------------------------------------------------------

/** `[Section]` -> key -> values (a key may repeat, as Environment= does). */
function unitFile(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]!] = {};
      continue;
    }
    const at = line.indexOf("=");
    const key = line.slice(0, at);
    current![key] = [...(current![key] ?? []), line.slice(at + 1)];
  }
  return sections;
}

describe("deploy/support-bot.service", () => {
  const unitText = read("deploy/support-bot.service");
  const service = unitFile(unitText)["Service"]!;
  const one = (key: string) => {
    expect(service[key], key).toHaveLength(1);
    return service[key]![0]!;
  };
  const execStart = one("ExecStart");
  const dataDir = /\bDATA_DIR=(\S+)/.exec(execStart)?.[1];

  it("runs `support-bot start` as a dedicated user, with DATA_DIR set past the settings file", () => {
    expect(one("User")).toBe("support-bot");
    expect(execStart).toMatch(/^\/usr\/bin\/env DATA_DIR=\/\S+ \/opt\/support-bot\/deploy\/support-bot start$/);
    expect(one("EnvironmentFile")).toMatch(/^\/etc\/support-bot\//);
  });

  it("restarts on failure, except after invalid settings (exit code 2)", () => {
    expect(one("Restart")).toBe("on-failure");
    expect(one("RestartPreventExitStatus")).toBe("2");
  });

  it("may write only to its data directory, which systemd creates for it", () => {
    expect(one("NoNewPrivileges")).toBe("yes");
    expect(one("ProtectSystem")).toBe("strict");
    expect(one("ReadWritePaths").split(/\s+/)).toEqual([dataDir]);
    expect(`/var/lib/${one("StateDirectory")}`).toBe(dataDir);
    expect(one("PrivateTmp")).toBe("yes");
  });

  it("names the same health endpoint as the container, on the port it sets", () => {
    const port = /\bHTTP_PORT=(\d+)/.exec(service["Environment"]!.join(" "))?.[1];
    expect(port).toBe(runtimeEnv["HTTP_PORT"]);
    expect(unitText).toContain(`http://127.0.0.1:${port}/healthz`);
  });
});

describe("docs/operations.md", () => {
  const doc = read("docs/operations.md");

  it("shows the commands to install, check, back up and restore, for the container and systemd", () => {
    for (const command of [
      "docker compose up -d --build",
      "systemctl enable --now support-bot",
      `curl -fsS http://127.0.0.1:${runtimeEnv["HTTP_PORT"]}/healthz`,
      "npm run backup -- ",
      `docker compose exec support-bot support-bot backup ${runtimeEnv["DATA_DIR"]}/`,
      `--store /var/lib/support-bot/support-bot.sqlite`,
      "docker compose run --rm support-bot restore ",
      "npm run restore -- ",
    ]) {
      expect(doc, command).toContain(command);
    }
  });

  it("shows how to run the doctor, and explains every metric the bot serves with an alert on it", async () => {
    for (const command of ["docker compose run --rm support-bot doctor", "npm run doctor", "/opt/support-bot/deploy/support-bot doctor"]) expect(doc, command).toContain(command);
    const metrics = section(doc, "Metrics");
    const served = (await new PrometheusMetrics({ processMetrics: false }).registry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(served.length).toBeGreaterThan(10);
    for (const name of served) expect(metrics, name).toMatch(new RegExp(`^\\| \`${name}[{\`]`, "m"));
    for (const alert of metrics.matchAll(/^ {6}- alert: (\w+)$/gm)) expect(metrics, alert[1]).toContain(`- **${alert[1]}**: `);
  });

  it("says how to rotate each token the bot uses", () => {
    for (const setting of ["MANTIS_TOKEN", "MATTERMOST_BOT_TOKEN", "MATTERMOST_COMMAND_TOKEN", "MATTERMOST_ACTION_SECRET", "MATRIX_ACCESS_TOKEN", "ERP_WEBHOOK_SECRET"]) {
      expect(doc).toMatch(new RegExp(`^- \\*\\*[^*]+\\(\`${setting}\`\\)\\.\\*\\*`, "m"));
    }
  });
});

// --- what the files run ---------------------------------------------------------------------

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with only PATH and the given environment, in a fresh directory (no .env), feeding `input`. */
function runProgram(command: string, args: string[], env: Record<string, string>, input = ""): Promise<Finished> {
  const cwd = mkdtempSync(join(tmpdir(), "support-bot-deploy-"));
  const child = spawn(command, args, { cwd, env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolvePromise) => child.on("exit", (code) => resolvePromise({ code, stdout, stderr })));
}

describe("deploy/healthcheck.mjs", () => {
  let server: HttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const check = (port: number) => runProgram(process.execPath, [join(ROOT, "deploy", "healthcheck.mjs")], { HTTP_PORT: String(port) });

  it("passes while /healthz answers 200 and fails, saying why, when a check fails", async () => {
    server = new HttpServer({ logger: captureLog().log });
    let healthy = true;
    server.addHealthCheck("mattermost", () => (healthy ? { ok: true, detail: "connected" } : { ok: false, detail: "websocket reconnecting" }));
    await server.start(0, "127.0.0.1");
    expect((await check(server.port)).code).toBe(0);
    healthy = false;
    const failing = await check(server.port);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/answered 503: .*websocket reconnecting/);
  });

  it("fails when nothing listens", async () => {
    server = new HttpServer({ logger: captureLog().log });
    await server.start(0, "127.0.0.1");
    const port = server.port;
    await server.close();
    server = undefined;
    const result = await check(port);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/did not answer/);
  });
});

describe("npm run build, and deploy/support-bot running its output", () => {
  // The build goes to a directory inside the repository, as dist/ does, so the compiled files find
  // node_modules and package.json ("type": "module") the same way. Emit only: `npm test` type-checks.
  let root = "";
  const bin = () => join(root, "deploy", "support-bot");
  beforeAll(async () => {
    root = mkdtempSync(join(ROOT, ".build-test-"));
    const built = await runProgram(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "scripts", "build.ts"), "--out-dir", join(root, "dist"), "--no-check"], {});
    expect(built.stderr).toBe("");
    expect(built.code).toBe(0);
    mkdirSync(join(root, "deploy"));
    copyFileSync(join(ROOT, "deploy", "support-bot"), bin());
    chmodSync(bin(), 0o755);
  }, 180_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("node dist/main.js runs the bot from JavaScript alone (here the sandbox, with piped commands)", async () => {
    const result = await runProgram(process.execPath, [join(root, "dist", "main.js")], {}, "/support show 1\n/as alice\n/support grab 1\n");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/SANDBOX/);
    expect(result.stdout).toMatch(/Status: NEW, waits for triage/);
    expect(result.stdout).toMatch(/You now handle #1 /);
    const compiled = readdirSync(join(root, "dist"), { recursive: true, encoding: "utf8" });
    expect(compiled.filter((file) => file.endsWith(".ts"))).toEqual([]);
  });

  it("runs the compiled bot by default, as node dist/main.js does", async () => {
    const result = await runProgram(bin(), [], {}, "/support show 1\n");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/SANDBOX/);
    expect(result.stdout).toMatch(/Status: NEW, waits for triage/);
  });

  it("lists its commands, and refuses an unknown one with exit code 2", async () => {
    const help = await runProgram(bin(), ["help"], {});
    expect(help.code).toBe(0);
    for (const command of CLI_COMMANDS) expect(help.stdout).toContain(command.usage);
    const unknown = await runProgram(bin(), ["frobnicate"], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^support-bot: unknown command "frobnicate"\./);
  });

  it("says to build first when there is no compiled bot", async () => {
    const bare = mkdtempSync(join(tmpdir(), "support-bot-unbuilt-"));
    mkdirSync(join(bare, "deploy"));
    copyFileSync(join(ROOT, "deploy", "support-bot"), join(bare, "deploy", "support-bot"));
    chmodSync(join(bare, "deploy", "support-bot"), 0o755);
    const result = await runProgram(join(bare, "deploy", "support-bot"), ["help"], {});
    rmSync(bare, { recursive: true, force: true });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("run `npm run build`");
  });
});
