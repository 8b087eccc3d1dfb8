/** Messages fitted to a platform: split within its size as it counts it, buttons shown or typed. */
import { describe, expect, it } from "vitest";
import { fitMessage, measureText, splitText, typedButtonsLine } from "../../../src/chat/kernel/outbound.js";
import { ephemeral, inChannel } from "../../../src/framework/reply.js";

const buttons = [{ label: "Grab", command: "grab 12" }];

describe("splitText", () => {
  it("counts UTF-8 bytes where the platform does, and never cuts a character in two", () => {
    const text = Array.from({ length: 40 }, () => "Grüße aus Zürich – ✓").join("\n");
    const parts = splitText(text, { length: 100, measure: "utf8-bytes" });
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(measureText(part, "utf8-bytes")).toBeLessThanOrEqual(100);
    expect(parts.join("\n")).toBe(text);
    expect(splitText("ü".repeat(60), { length: 100, measure: "utf8-bytes" }).join("")).toBe("ü".repeat(60));
  });

  it("leaves a text that fits alone", () => {
    expect(splitText("short", { length: 5, measure: "code-points" })).toEqual(["short"]);
  });
});

describe("fitMessage", () => {
  it("writes buttons as commands to type where the platform has none, before splitting", () => {
    const parts = fitMessage(ephemeral("x".repeat(30), { buttons, bugId: 12 }), { limit: { length: 40, measure: "code-points" }, buttons: false, typedButtons: (b) => typedButtonsLine(b, "!bot"), images: false });
    expect(parts).toEqual([
      { text: `${"x".repeat(30)}\n`, visibility: "ephemeral", bugId: 12 },
      { text: "Next: `!bot grab 12`", visibility: "ephemeral", bugId: 12 },
    ]);
  });

  it("puts clickable buttons on the last part only", () => {
    const parts = fitMessage({ text: `${"a".repeat(30)}\n${"b".repeat(30)}`, buttons }, { limit: { length: 40, measure: "code-points" }, buttons: true, typedButtons: () => "", images: true });
    expect(parts).toEqual([{ text: "a".repeat(30) }, { text: "b".repeat(30), buttons }]);
  });

  const image = { png: new Uint8Array([137, 80, 78, 71]), width: 4, height: 3, name: "chart.png", alt: "A chart" };

  it("puts a picture on the last part where the platform takes pictures", () => {
    const parts = fitMessage({ text: `${"a".repeat(30)}\n${"b".repeat(30)}`, image }, { limit: { length: 40, measure: "code-points" }, buttons: true, typedButtons: () => "", images: true });
    expect(parts).toEqual([{ text: "a".repeat(30) }, { text: "b".repeat(30), image }]);
  });

  it("leaves the picture out where the platform takes none: the text goes alone", () => {
    const parts = fitMessage(inChannel("The report", { image }), { limit: { length: 40, measure: "code-points" }, buttons: true, typedButtons: () => "", images: false });
    expect(parts).toEqual([{ text: "The report", visibility: "channel" }]);
  });
});
