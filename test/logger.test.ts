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

  it("keeps the fields operators need", () => {
    const captured = captureLog();
    captured.log.child({ requestId: "r1", command: "grab" }).warn({ bugId: 12 }, "refused");
    expect(captured.records()[0]).toMatchObject({ requestId: "r1", command: "grab", bugId: 12, msg: "refused", level: 40 });
  });
});
