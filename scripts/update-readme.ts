/** Regenerates the generated parts of README.md (`npm run docs`). */
import { readFileSync, writeFileSync } from "node:fs";
import { buildCommandRegistry } from "../commands/index.js";
import { renderCommandTable } from "../src/framework/command-table.js";
import { replaceGeneratedSection } from "../src/framework/readme-sections.js";

const path = new URL("../README.md", import.meta.url);
const readme = readFileSync(path, "utf8");
writeFileSync(path, replaceGeneratedSection(readme, "commands-table", renderCommandTable(buildCommandRegistry())));
