import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createLogger, TurnBufferedDestination } from "../src/logger.js";
import { captureLog } from "./support/capture-log.js";

describe("logger", () => {
  it("redacts customer personal data by key at any depth", () => {
    const captured = captureLog();
    captured.log.info(
      { phone: "+41 79 555 01 23", call: { customerName: "Jane Doe", email: "jane@example.com", contact: { phone: "+41 79 555 01 23" } } },
      "call recorded",
    );
    const text = captured.text();
    expect(text).not.toContain("+41 79 555 01 23");
    expect(text).not.toContain("Jane Doe");
    expect(text).not.toContain("jane@example.com");
    expect(captured.records()[0]).toMatchObject({ msg: "call recorded", phone: "[redacted]" });
  });

  it("redacts personal data in child loggers' bindings, in arrays, deep down and in errors' own fields", () => {
    const captured = captureLog();
    const error = Object.assign(new Error("MantisBT refused the note"), { contact: "jane@example.com", request: { body: { customer: "Jane Doe" } } });
    captured.log
      .child({ email: "jane@example.com", call: { phone: "+41 79 555 01 23" } })
      .error({ err: error, calls: [{ name: "Jane Doe" }, { a: { b: { c: { d: { e: { phone: "+41 79 555 01 23" } } } } } }] }, "call failed");
    const text = captured.text();
    expect(text).not.toContain("+41 79 555 01 23");
    expect(text).not.toContain("Jane Doe");
    expect(text).not.toContain("jane@example.com");
    expect(captured.records()[0]).toMatchObject({
      email: "[redacted]",
      call: { phone: "[redacted]" },
      calls: [{ name: "[redacted]" }, {}],
      err: { message: "MantisBT refused the note", contact: "[redacted]", request: { body: { customer: "[redacted]" } } },
    });
  });

  it("leaves a log line without personal data as it was given", () => {
    const captured = captureLog();
    const at = new Date("2026-11-26T10:00:00Z");
    captured.log.info({ bugId: 12, at, tags: ["Customer"], nested: { status: "new" } }, "seen");
    expect(captured.records()[0]).toMatchObject({ bugId: 12, at: "2026-11-26T10:00:00.000Z", tags: ["Customer"], nested: { status: "new" } });
  });

  it("keeps the fields operators need", () => {
    const captured = captureLog();
    captured.log.child({ requestId: "r1", command: "grab" }).warn({ bugId: 12 }, "refused");
    expect(captured.records()[0]).toMatchObject({ requestId: "r1", command: "grab", bugId: 12, msg: "refused", level: 40 });
  });
});

describe("the production log destination", () => {
  const messages = (file: string) =>
    readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { msg: string }).msg);

  it("writes a warning at once with every line before it, in order, and other lines after the turn", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "support-bot-log-")), "bot.log");
    const fd = openSync(file, "w");
    const log = createLogger({ level: "info", format: "json", destination: new TurnBufferedDestination(fd) });
    log.info("command done");
    expect(messages(file)).toEqual([]);
    log.warn("notification failed; retrying on the next run");
    expect(messages(file)).toEqual(["command done", "notification failed; retrying on the next run"]);
    log.info("command done again");
    await nextTurn();
    expect(messages(file)).toEqual(["command done", "notification failed; retrying on the next run", "command done again"]);
    closeSync(fd);
  });

  it("writes the last lines when the process dies of an uncaught exception", () => {
    const file = join(mkdtempSync(join(tmpdir(), "support-bot-log-")), "bot.log");
    const logger = fileURLToPath(new URL("../src/logger.ts", import.meta.url));
    const script = [
      `import { openSync } from "node:fs";`,
      `import { createLogger, TurnBufferedDestination } from ${JSON.stringify(logger)};`,
      `const log = createLogger({ level: "info", format: "json", destination: new TurnBufferedDestination(openSync(${JSON.stringify(file)}, "w")) });`,
      `log.info("the last command");`,
      `throw new Error("boom");`,
    ].join("\n");
    const died = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(died.status).not.toBe(0);
    expect(died.stderr).toContain("boom");
    expect(messages(file)).toEqual(["the last command"]);
  });
});
