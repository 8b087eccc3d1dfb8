/**
 * WAL checkpoints on a thread of their own. A checkpoint copies the WAL's pages into the database
 * file and waits for the disk (fsync); SQLite runs it inside the COMMIT that fills the WAL past 1,000
 * pages, so on the bot's one thread it stopped every command for the length of an fsync (npm run
 * bench: single answers of 100-200 ms after a burst of commands, help_p99_ms 50-90 ms). Here a
 * worker thread with its own connection checkpoints PASSIVE every second (without waiting for or
 * blocking the bot's writes), and the bot's connection stops checkpointing once the worker is ready.
 * Should the worker fail, the connection checkpoints again itself, as SQLite does by default.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** How often the worker checkpoints. */
const CHECKPOINT_EVERY_MS = 1_000;
/** SQLite's own threshold (pages in the WAL), restored when the worker is gone. */
export const SQLITE_AUTOCHECKPOINT_PAGES = 1_000;

// An evaluated script rather than a file: it runs the same from src/ under tsx, from dist/ and
// inside the test runner, none of which agree on how a worker's file would be found and loaded.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: 5000 });
const checkpoint = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
`;

/** A running checkpointer; `stop` ends the worker after one last checkpoint. */
export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `path` in a worker thread. `onReady` runs once the worker has its connection
 * (the bot's connection may stop checkpointing then); `onGone` when the worker failed or ended on its
 * own (it must checkpoint again). The worker never keeps the process alive.
 */
export function startCheckpointer(path: string, handlers: { onReady(): void; onGone(error?: unknown): void }): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, driver: createRequire(import.meta.url).resolve("better-sqlite3"), everyMs: CHECKPOINT_EVERY_MS },
  });
  worker.unref();
  let stopping = false;
  worker.on("message", (message: { ready?: boolean; error?: string }) => {
    if (message.ready) handlers.onReady();
    else if (message.error) handlers.onGone(new Error(`WAL checkpoint failed: ${message.error}`));
  });
  worker.on("error", (error) => handlers.onGone(error));
  worker.on("exit", () => {
    if (!stopping) handlers.onGone(new Error("the checkpoint thread ended"));
  });
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.postMessage("stop");
      await exited;
    },
  };
}

