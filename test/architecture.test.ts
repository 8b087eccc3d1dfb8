/**
 * Dependencies point one way (docs/architecture.md): every import of every file under src/ and
 * commands/ (static `import ... from`, `export ... from`, `import "..."` and `import(...)`, type-only
 * ones included) is checked against the rules below. A failure names the file, the line and the
 * import, and the rule it breaks.
 *
 * Rules marked `pending` describe the target shape that other parts of issue 12 are still building;
 * they are listed here so that switching one on is deleting its `pending` line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { posix } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** One import: who imports, on which line, the text written, and what it names (a repository path or a package). */
interface ImportEdge {
  from: string;
  line: number;
  specifier: string;
  /** `src/core/calendar.ts` for a file of the repository, the package name (`zod`, `node:fs`) otherwise. */
  target: string;
}

/** A rule over the imports of some files. */
interface Rule {
  /** What the rule says, as docs/architecture.md says it. */
  name: string;
  /** The importing files the rule is about. */
  appliesTo(file: string): boolean;
  /** Whether `from` may import `target`. */
  allows(target: string, from: string): boolean;
  /** Set while another part of issue 12 is still making the rule hold: who switches it on. */
  pending?: string;
}

const REPO = fileURLToPath(new URL("..", import.meta.url));

/** The files that wire everything together; anything may be imported here. */
const COMPOSITION_ROOT = new Set(["src/main.ts", "src/live.ts", "src/sandbox.ts", "src/app.ts", "src/config.ts", "src/ops/cli.ts", "src/ops/support-bot.ts", "src/ops/doctor.ts"]);

const under = (...folders: string[]) => (path: string) => folders.some((folder) => path.startsWith(folder));
const oneOf = (...paths: string[]) => (path: string) => paths.includes(path);
const isPackage = (target: string) => !target.startsWith("src/") && !target.startsWith("commands/");
const nodeBuiltin = (target: string) => target.startsWith("node:");
const any = (...tests: ((target: string) => boolean)[]) => (target: string) => tests.some((test) => test(target));

/**
 * Shared by every layer above core: the error vocabulary, the staff directory, the metrics port and
 * the results of the doctor's checks.
 */
const SHARED = oneOf("src/errors.ts", "src/identity.ts", "src/metrics.ts", "src/checks.ts");
/** The ports adapters implement: the tracker, chat notifications, the ERP. */
const PORTS = oneOf("src/process/tracker-port.ts", "src/chat/notifier.ts", "src/erp/erp.ts");
/**
 * Adapter areas: a file inside one may import the rest of its area; everything else but the
 * composition root stays out. (Chat transports are one area until part 2 separates them.)
 */
const ADAPTER_AREAS = [
  { area: "src/tracker/mantis", owns: under("src/tracker/mantis") },
  { area: "src/chat/", owns: under("src/chat/mattermost/", "src/chat/matrix/", "src/chat/terminal/") },
  { area: "src/erp/", owns: oneOf("src/erp/webhook-erp.ts", "src/erp/channel-erp.ts") },
  { area: "src/simulators/", owns: under("src/simulators/") },
  { area: "src/charts/", owns: under("src/charts/") },
];
const CHAT_TRANSPORT = /^src\/chat\/(?!kernel\/)([^/]+)\//;

/** The rules of docs/architecture.md, in its order. */
const RULES: readonly Rule[] = [
  {
    name: "only the composition root imports src/config.ts (each module exports its own settings)",
    appliesTo: (file) => !COMPOSITION_ROOT.has(file),
    allows: (target) => target !== "src/config.ts",
  },
  {
    name: "only the composition root imports commands/",
    appliesTo: (file) => !COMPOSITION_ROOT.has(file) && !file.startsWith("commands/"),
    allows: (target) => !target.startsWith("commands/"),
  },
  {
    name: "only the composition root wires adapters (MantisBT, chat transports, ERP adapters, simulators)",
    appliesTo: (file) => !COMPOSITION_ROOT.has(file),
    allows: (target, from) => ADAPTER_AREAS.every(({ area, owns }) => !owns(target) || from.startsWith(area)),
  },
  {
    name: "core imports only core, src/errors.ts and zod",
    appliesTo: under("src/core/"),
    allows: any(under("src/core/"), oneOf("src/errors.ts", "zod")),
  },
  {
    name: "process imports core, process, store repositories, the ports and the shared modules; never proactive/, commands/ or an adapter",
    appliesTo: under("src/process/"),
    allows: any(under("src/core/", "src/process/", "src/store/"), PORTS, SHARED, oneOf("zod", "pino")),
  },
  {
    name: "process does not import framework/ (its operations take a context of their own)",
    appliesTo: under("src/process/"),
    allows: (target) => !target.startsWith("src/framework/"),
  },
  {
    name: "store imports store, core and its packages only",
    appliesTo: under("src/store/"),
    allows: any(under("src/store/", "src/core/"), oneOf("better-sqlite3", "pg", "zod"), nodeBuiltin),
  },
  {
    name: "framework imports core, process, the store, the ports and the shared modules",
    appliesTo: under("src/framework/"),
    allows: any(under("src/framework/", "src/core/", "src/process/", "src/store/"), PORTS, SHARED, oneOf("zod", "pino"), nodeBuiltin),
  },
  {
    name: "commands import framework, process, core and the shared modules only",
    appliesTo: under("commands/"),
    allows: any(under("commands/", "src/framework/", "src/process/", "src/core/"), SHARED, oneOf("zod")),
  },
  {
    name: "proactive imports core, process, store repositories, the notification and tracker ports, message types and the shared modules",
    appliesTo: under("src/proactive/"),
    allows: any(
      under("src/proactive/", "src/core/", "src/process/", "src/store/"),
      PORTS,
      SHARED,
      oneOf("src/framework/reply.ts", "zod", "pino", "node-schedule"),
      nodeBuiltin,
    ),
  },
  {
    name: "only the composition root imports leader election (src/ha/), which starts and stops the leader's work",
    appliesTo: (file) => !COMPOSITION_ROOT.has(file) && !file.startsWith("src/ha/"),
    allows: (target) => !target.startsWith("src/ha/"),
  },
  {
    name: "leader election imports its own folder, core, the shared modules and its packages only",
    appliesTo: under("src/ha/"),
    allows: any(under("src/ha/", "src/core/"), SHARED, oneOf("pg", "pino", "zod"), nodeBuiltin),
  },
  {
    name: "a chat transport never imports another transport",
    appliesTo: (file) => CHAT_TRANSPORT.test(file),
    allows: (target, from) => !CHAT_TRANSPORT.test(target) || CHAT_TRANSPORT.exec(target)![1] === CHAT_TRANSPORT.exec(from)![1],
  },
  {
    name: "a chat transport imports the chat kernel, framework types, core, http, the shared modules and its own folder only",
    appliesTo: (file) => CHAT_TRANSPORT.test(file),
    allows: (target, from) =>
      target.startsWith(`src/chat/${CHAT_TRANSPORT.exec(from)![1]}/`) ||
      under("src/chat/kernel/", "src/framework/", "src/core/", "src/http/")(target) ||
      oneOf("src/chat/notifier.ts")(target) ||
      SHARED(target) ||
      isPackage(target),
  },
];

/** Every .ts file under the given folders, as repository paths with forward slashes. */
function sourceFiles(...folders: string[]): string[] {
  return folders.flatMap((folder) =>
    readdirSync(posix.join(REPO, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
      .map((entry) => posix.relative(REPO, posix.join(entry.parentPath, entry.name))),
  );
}

/** The imports of one file; TypeScript's scanner skips comments and strings and finds `import(...)`. */
function importsOf(from: string, source: string): ImportEdge[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((reference) => {
    const specifier = reference.fileName;
    const target = specifier.startsWith(".") ? posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, ".ts") : specifier;
    return { from, line: source.slice(0, reference.pos).split("\n").length, specifier, target };
  });
}

/** One line per import a rule forbids: `file:line imports "specifier" (target): rule`. */
function violations(rule: Rule, edges: readonly ImportEdge[]): string[] {
  return edges
    .filter((edge) => rule.appliesTo(edge.from) && !rule.allows(edge.target, edge.from))
    .map((edge) => `${edge.from}:${edge.line} imports "${edge.specifier}"${edge.target === edge.specifier ? "" : ` (${edge.target})`}: ${rule.name}`);
}

const FILES = sourceFiles("src", "commands");
const EDGES = FILES.flatMap((file) => importsOf(file, readFileSync(posix.join(REPO, file), "utf8")));

describe("dependency direction (docs/architecture.md)", () => {
  for (const rule of RULES) {
    const test = rule.pending ? it.skip : it;
    test(rule.pending ? `${rule.name} [pending: ${rule.pending}]` : rule.name, () => {
      expect(violations(rule, EDGES), `forbidden imports (see docs/architecture.md):\n${violations(rule, EDGES).join("\n")}`).toEqual([]);
    });
  }

  it("reads the imports of every file (a rule about files that do not exist checks nothing)", () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(EDGES.length).toBeGreaterThan(FILES.length);
    for (const rule of RULES.filter((candidate) => !candidate.pending)) {
      expect(FILES.some((file) => rule.appliesTo(file)), `no file is subject to "${rule.name}"`).toBe(true);
    }
  });

  it("docs/architecture.md states every rule the test enforces", () => {
    const doc = readFileSync(posix.join(REPO, "docs/architecture.md"), "utf8");
    for (const rule of RULES) expect(doc, `docs/architecture.md lacks "${rule.name}"`).toContain(rule.name);
  });
});

describe("the import checker", () => {
  const store = RULES.find((rule) => rule.name.startsWith("store imports store, core and its packages only"))!;

  it("finds static, type-only, re-exported and dynamic imports, and none in comments or strings", () => {
    const source = [
      'import type { A } from "../proactive/a.js";',
      '// import { B } from "../proactive/b.js";',
      'export { C } from "../process/c.js";',
      'const text = "import(\'../proactive/d.js\')";',
      'const later = await import("../config.js");',
      'import Database from "better-sqlite3";',
    ].join("\n");
    expect(importsOf("src/store/x-repo.ts", source).map((edge) => `${edge.line}:${edge.target}`)).toEqual([
      "1:src/proactive/a.ts",
      "3:src/process/c.ts",
      "5:src/config.ts",
      "6:better-sqlite3",
    ]);
  });

  it("names the file, the line, the import and the rule it breaks", () => {
    const edges = importsOf("src/store/x-repo.ts", 'import { z } from "zod";\nimport { userPreferencesSchema } from "../proactive/preferences.js";\n');
    expect(violations(store, edges)).toEqual([
      'src/store/x-repo.ts:2 imports "../proactive/preferences.js" (src/proactive/preferences.ts): store imports store, core and its packages only',
    ]);
  });

  it("lets an adapter's own files import each other but nobody else below the composition root", () => {
    const adapters = RULES.find((rule) => rule.name.startsWith("only the composition root wires adapters"))!;
    const edges = [
      ...importsOf("src/tracker/mantis/client.ts", 'import { toBug } from "./mapping.js";'),
      ...importsOf("src/process/queue.ts", 'import { createMantisTracker } from "../tracker/mantis-client.js";'),
      ...importsOf("src/live.ts", 'import { createMantisTracker } from "./tracker/mantis-client.js";'),
    ];
    expect(violations(adapters, edges)).toEqual([
      'src/process/queue.ts:1 imports "../tracker/mantis-client.js" (src/tracker/mantis-client.ts): only the composition root wires adapters (MantisBT, chat transports, ERP adapters, simulators)',
    ]);
  });
});
