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

  it("documents every setting in README and .env.example", () => {
    for (const variable of Object.keys(envSchema.shape)) {
      expect(readme, `README lacks ${variable}`).toContain(variable);
      expect(envExample, `.env.example lacks ${variable}`).toMatch(new RegExp(`^#?\\s*${variable}=`, "m"));
    }
  });
});
