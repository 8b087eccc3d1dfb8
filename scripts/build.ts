/**
 * `npm run build`: compiles src/ and commands/ to JavaScript in dist/ (tsconfig.build.json) for
 * production, where the bot runs on plain Node without tsx: `node dist/main.js` (the bot, as `npm
 * start` runs it from source) and `node dist/support-bot.js <command>` (the command line of
 * src/ops/cli.ts). The compiled tree keeps the source layout (dist/src, dist/commands) because
 * commands/ and src/ import each other by relative paths; the two entry files point into it.
 *
 *   tsx scripts/build.ts [--out-dir <dir>] [--no-check]
 *
 * `--no-check` only emits (no type check): for tests that need the output, not a second type check.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The files `node <out-dir>/<name>` runs, and the compiled module each one loads. */
const ENTRIES: Record<string, string> = {
  "main.js": "./src/main.js",
  "support-bot.js": "./src/ops/support-bot.js",
};

const { values } = parseArgs({ options: { "out-dir": { type: "string", default: "dist" }, "no-check": { type: "boolean", default: false } } });
const outDir = resolve(ROOT, values["out-dir"]);

// A fresh directory: a module deleted from src/ must not live on in dist/.
rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const args = [tsc, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", outDir, ...(values["no-check"] ? ["--noCheck"] : [])];
const compiled = spawnSync(process.execPath, args, { cwd: ROOT, stdio: "inherit" });
if (compiled.status !== 0) {
  process.stderr.write(`build: tsc failed (exit code ${compiled.status ?? compiled.signal})\n`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
for (const [file, target] of Object.entries(ENTRIES)) {
  writeFileSync(join(outDir, file), `// Written by scripts/build.ts: the compiled ${target.slice(2).replace(/\.js$/, ".ts")}.\nimport "${target}";\n`);
}
process.stdout.write(`build: ${outDir} (node ${join(values["out-dir"], "main.js")})\n`);
