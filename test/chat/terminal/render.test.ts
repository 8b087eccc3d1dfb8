import { describe, expect, it } from "vitest";
import { markdownToPlain } from "../../../src/chat/kernel/plain-text.js";
import { renderMessage } from "../../../src/chat/terminal/render.js";

describe("terminal rendering", () => {
  it.each([
    ["[#12](http://x/view.php?id=12) **NEW** `grab 12`", "#12 <http://x/view.php?id=12> NEW grab 12"],
    ["\\[4h, 14.3.2034\\] Wallet \\*crash\\*", "[4h, 14.3.2034] Wallet *crash*"],
    ["_(Only some bugs were read.)_ and __bold__", "_(Only some bugs were read.)_ and bold"],
  ])("turns %j into %j", (markdown, plain) => {
    expect(markdownToPlain(markdown)).toBe(plain);
  });

  it("keeps a fenced text to copy verbatim, and the prose around it readable", () => {
    const markdown = "Send this:\n```text\nHello `you`,\n\nwe fixed **it**.\n```\nOr add `force` to keep it.";
    expect(markdownToPlain(markdown)).toBe("Send this:\n-----\nHello `you`,\n\nwe fixed **it**.\n-----\nOr add force to keep it.");
  });

  it("handles a fence longer than the backtick runs inside it", () => {
    expect(markdownToPlain("````\na ``` b\n````")).toBe("-----\na ``` b\n-----");
  });

  it("shows buttons as the commands they run", () => {
    expect(renderMessage({ text: "NEW bug", buttons: [{ label: "Grab", command: "grab 3" }] })).toBe("NEW bug\n[Grab: /support grab 3]");
  });
});
