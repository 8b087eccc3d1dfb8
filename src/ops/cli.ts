/**
 * `support-bot <command>`: the bot's command line, run by the container's entry point and the
 * systemd unit (deploy/support-bot) and by `npm run backup` / `npm run restore`. `start` (the
 * default) runs the bot exactly as `npm start` does; `doctor` checks the settings against the real
 * services; `backup` and `restore` handle the store. Each command is one entry in CLI_COMMANDS.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadConfig, readEnvironment } from "../config.js";
import { ConfigError } from "../errors.js";
import { backupStore, restoreStore, StoreFileError } from "./backup.js";
import { allPassed, formatChecks, runChecks } from "./doctor.js";

/** Where a command reads its settings and writes its lines; the process's own in production. */
export interface CliIo {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
}

/** One `support-bot` command; `run` answers the exit code, or undefined when the bot now owns the process. */
interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  run(args: readonly string[], io: CliIo): Promise<number | undefined>;
}

/** Exit codes: 0 done, 1 the work failed, 2 the command line or the settings are wrong (as `npm start`). */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Splits `--store <file>` / `--store=<file>` from the positional arguments. */
function storeOption(args: readonly string[]): { store?: string; positional: string[] } | { error: string } {
  const positional: string[] = [];
  let store: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === "--store") {
      store = args[index + 1];
      if (store === undefined) return { error: "--store needs the store file after it" };
      index += 1;
    } else if (arg.startsWith("--store=")) {
      store = arg.slice("--store=".length);
    } else if (arg.startsWith("--")) {
      return { error: `unknown option ${arg}` };
    } else {
      positional.push(arg);
    }
  }
  return { ...(store ? { store } : {}), positional };
}

/** The store file: `--store`, else DATA_DIR from the settings (environment and `.env`), as the bot reads them. */
function storeFile(given: string | undefined, io: CliIo): string | { problems: string[] } {
  if (given) return resolve(given);
  try {
    const config = loadConfig(readEnvironment(io.env));
    if ("databaseUrl" in config.store) {
      return { problems: ["DATABASE_URL: the store is in PostgreSQL; back it up and restore it with PostgreSQL's own tools (pg_dump, pg_restore; docs/operations.md)"] };
    }
    return config.store.path;
  } catch (error) {
    if (error instanceof ConfigError) return { problems: [...error.problems, "(or name the store file with --store <file>)"] };
    throw error;
  }
}

/** Runs a store command with its one file argument, turning known problems into one line each. */
async function withStoreFile(name: string, args: readonly string[], io: CliIo, work: (store: string, file: string) => Promise<string[]>): Promise<number> {
  const parsed = storeOption(args);
  if ("error" in parsed || parsed.positional.length !== 1) {
    io.err(`support-bot ${name}: ${"error" in parsed ? parsed.error : "name one file"}. Usage: support-bot ${commandByName(name)!.usage}`);
    return EXIT.usage;
  }
  const store = storeFile(parsed.store, io);
  if (typeof store !== "string") {
    io.err(`support-bot ${name}: invalid configuration`);
    for (const line of store.problems) io.err(`  ${line}`);
    return EXIT.usage;
  }
  try {
    for (const line of await work(store, resolve(parsed.positional[0]!))) io.out(line);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof StoreFileError)) throw error;
    io.err(`support-bot ${name}: ${error.message}`);
    return EXIT.failed;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** Every command, in the order `help` lists them. */
export const CLI_COMMANDS: readonly CliCommand[] = [
  {
    name: "start",
    usage: "start",
    summary: "run the bot (the default; the same as npm start)",
    async run(args, io) {
      if (args.length > 0) {
        io.err(`support-bot start: takes no arguments; settings come from the environment or .env (see docs/operations.md).`);
        return EXIT.usage;
      }
      // main.ts runs the bot when loaded and ends the process itself (exit code 2 for bad settings).
      await import("../main.js");
      return undefined;
    },
  },
  {
    name: "doctor",
    usage: "doctor",
    summary: "check the settings against MantisBT, Mattermost and Matrix (exit 0: all there)",
    async run(args, io) {
      if (args.length > 0) {
        io.err("support-bot doctor: takes no arguments; settings come from the environment or .env (see docs/operations.md).");
        return EXIT.usage;
      }
      let config;
      try {
        config = loadConfig(readEnvironment(io.env));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        io.err("support-bot doctor: invalid configuration");
        for (const line of error.problems) io.err(`  ${line}`);
        return EXIT.usage;
      }
      const sections = await runChecks({ config });
      for (const line of formatChecks(sections)) io.out(line);
      return allPassed(sections) ? EXIT.ok : EXIT.failed;
    },
  },
  {
    name: "backup",
    usage: "backup [--store <file>] <backup-file>",
    summary: "copy the store to a new file while the bot runs (SQLite online backup)",
    run: (args, io) =>
      withStoreFile("backup", args, io, async (store, file) => {
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        const summary = await backupStore({ store, to: file });
        return [`Backed up ${store} to ${summary.file} (schema version ${summary.schemaVersion}, ${megabytes(summary.bytes)}); it holds customers' personal data and is readable by its owner only.`];
      }),
  },
  {
    name: "restore",
    usage: "restore [--store <file>] <backup-file>",
    summary: "replace the store with a backup (stop the bot first; the current store is kept beside it)",
    run: (args, io) =>
      withStoreFile("restore", args, io, async (store, file) => {
        const restored = await restoreStore({ from: file, store });
        return [
          `Restored ${file} into ${store} (schema version ${restored.schemaVersion}).`,
          restored.keptAs ? `The store it replaced is kept as ${restored.keptAs}; delete it once the bot runs well.` : "There was no store before.",
          "Start the bot: migrations bring an older backup up to date.",
        ];
      }),
  },
];

function commandByName(name: string): CliCommand | undefined {
  return CLI_COMMANDS.find((command) => command.name === name);
}

function helpLines(): string[] {
  return ["Usage: support-bot [command]", "", ...CLI_COMMANDS.map((command) => `  ${command.usage.padEnd(42)} ${command.summary}`), `  ${"help".padEnd(42)} this list`];
}

/** Runs `support-bot <argv...>`; the exit code, or undefined when the bot was started and owns the process. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  const [name = "start", ...args] = argv;
  if (name === "help" || name === "--help" || name === "-h") {
    for (const line of helpLines()) io.out(line);
    return EXIT.ok;
  }
  const command = commandByName(name);
  if (!command) {
    io.err(`support-bot: unknown command "${name}".`);
    for (const line of helpLines()) io.err(line);
    return EXIT.usage;
  }
  return command.run(args, io);
}
