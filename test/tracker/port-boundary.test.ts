/**
 * The process speaks its own language: the rules (src/core), the process operations (src/process)
 * and the commands (commands/) neither import a tracker adapter nor name one. A second tracker is
 * one more folder in src/tracker/ and one line in the composition root.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TREES = ["src/core", "src/process", "commands"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const files = TREES.flatMap((tree) => sourceFiles(join(ROOT, tree))).map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, "utf8") }));

describe("the tracker port's boundary", () => {
  it("finds the files it checks", () => {
    for (const tree of TREES) expect(files.some((file) => file.path.startsWith(`${tree}/`)), tree).toBe(true);
  });

  it.each(files.map((file) => [file.path, file] as const))("%s imports nothing from src/tracker/", (_path, file) => {
    const imports = [...file.text.matchAll(/\bfrom\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1] ?? match[2]!);
    expect(imports.filter((target) => /(^|\/)tracker\//.test(target))).toEqual([]);
  });

  it.each(files.map((file) => [file.path, file] as const))("%s does not name MantisBT", (_path, file) => {
    const lines = file.text.split("\n").flatMap((line, index) => (/mantis/i.test(line) ? [`${index + 1}: ${line.trim()}`] : []));
    expect(lines).toEqual([]);
  });
});
