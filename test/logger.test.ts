import { describe, expect, it } from "vitest";
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
