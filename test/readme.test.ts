import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildCommandRegistry } from "../commands/index.js";
import { envSchema } from "../src/config.js";
import { renderCommandTable } from "../src/framework/command-table.js";
import { readGeneratedSection } from "../src/framework/readme-sections.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const envExample = readFileSync(new URL("../.env.example", import.meta.url), "utf8");

describe("README and .env.example", () => {
  it("lists every command exactly as the definitions say (run `npm run docs` after changing a command)", () => {
    expect(readGeneratedSection(readme, "commands-table")).toBe(renderCommandTable(buildCommandRegistry()));
  });

  it("documents no setting the bot does not read (a renamed variable leaves no stale line)", () => {
    const known = new Set(Object.keys(envSchema.shape));
    const tableNames = (readGeneratedSection(readme, "config-table") ?? "")
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .flatMap((line) => [...line.split("|")[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]!));
    const exampleNames = [...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]!);
    expect(tableNames.length).toBeGreaterThan(40);
    expect(tableNames.filter((name) => !known.has(name))).toEqual([]);
    expect(exampleNames.filter((name) => !known.has(name))).toEqual([]);
  });

  it("documents every setting in README and .env.example", () => {
    for (const variable of Object.keys(envSchema.shape)) {
      expect(readme, `README lacks ${variable}`).toContain(variable);
      expect(envExample, `.env.example lacks ${variable}`).toMatch(new RegExp(`^#?\\s*${variable}=`, "m"));
    }
  });
});
