/**
 * Every command the bot knows, listed explicitly (no registration by side effect). The order here
 * is the order of the help list.
 */
import { CommandRegistry, type AnyCommand } from "../src/framework/registry.js";
import { callCommand } from "./call.js";
import { docsCommand } from "./docs.js";
import { fileCommand } from "./file.js";
import { askCommand } from "./ask.js";
import { confirmCommand } from "./confirm.js";
import { draftCommand } from "./draft.js";
import { etaCommand } from "./eta.js";
import { feedbackCommand } from "./feedback.js";
import { forgetCommand } from "./forget.js";
import { grabCommand } from "./grab.js";
import { createHelpCommand } from "./help.js";
import { leadCommand } from "./lead.js";
import { mineCommand } from "./mine.js";
import { newCommand } from "./new.js";
import { noteCommand } from "./note.js";
import { settingsCommand } from "./settings.js";
import { showCommand } from "./show.js";
import { snoozeCommand } from "./snooze.js";
import { startCommand } from "./start.js";
import { triageCommand } from "./triage.js";
import { notifyCommand } from "./notify.js";
import { releaseCommand } from "./release.js";
import { reviewCommand } from "./review.js";
import { reportCommand } from "./report.js";
import { summaryCommand } from "./summary.js";
import { verdictCommand } from "./verdict.js";

/** The commands besides help, in help order. */
// One entry per line, so people adding commands in parallel do not collide.
export const COMMANDS: readonly AnyCommand[] = [
  showCommand,
  newCommand,
  mineCommand,
  grabCommand,
  triageCommand,
  feedbackCommand,
  askCommand,
  confirmCommand,
  startCommand,
  etaCommand,
  draftCommand,
  noteCommand,
  callCommand,
  fileCommand,
  docsCommand,
  leadCommand,
  forgetCommand,
  reviewCommand,
  verdictCommand,
  notifyCommand,
  releaseCommand,
  summaryCommand,
  reportCommand,
  settingsCommand,
  snoozeCommand,
];

/** Builds the registry at start-up, help last; throws on a duplicate name or alias. */
export function buildCommandRegistry(commands: readonly AnyCommand[] = COMMANDS): CommandRegistry {
  const registry: CommandRegistry = new CommandRegistry([...commands, createHelpCommand(() => registry)]);
  return registry;
}
