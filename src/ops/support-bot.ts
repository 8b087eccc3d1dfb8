/**
 * Entry point of `support-bot <command>` (deploy/support-bot, `npm run backup`, `npm run restore`):
 * runs the command line of src/ops/cli.ts with the process's environment and output.
 */
import { runCli } from "./cli.js";

runCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    // undefined: the bot was started and ends the process itself.
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`support-bot: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
