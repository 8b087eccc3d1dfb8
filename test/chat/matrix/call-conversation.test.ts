import { describe, expect, it } from "vitest";
import { buildCommandRegistry } from "../../../commands/index.js";
import { CallConversation, validatorFromCatalog } from "../../../src/chat/matrix/call-conversation.js";
import { tokenize } from "../../../src/framework/tokenizer.js";

const validate = validatorFromCatalog(buildCommandRegistry());

function fill(form: CallConversation, answers: string[]) {
  return answers.map((text) => form.answer(text));
}

describe("CallConversation", () => {
  it("builds the call command line with every value quoted, skipping optional fields", () => {
    const form = new CallConversation(validate, "!support");
    const steps = fill(form, ['Jane "JD" Doe \\ Co', "Merchant", "+41 44 123 45 67", "skip", "Refund\nbutton missing", "today", "skip"]);
    expect(steps.slice(0, -1).map((step) => step.kind)).toEqual(["ask", "ask", "ask", "ask", "ask", "ask"]);
    const done = steps.at(-1)!;
    expect(done.kind).toBe("done");
    if (done.kind !== "done") return;
    expect(done.line).toBe('call name="Jane \\"JD\\" Doe \\\\ Co" type="Merchant" phone="+41 44 123 45 67" issue="Refund\nbutton missing"');
    // The tokenizer reads the values back exactly.
    expect(tokenize(done.line).slice(1)).toEqual([
      { kind: "option", key: "name", value: 'Jane "JD" Doe \\ Co', text: 'name=Jane "JD" Doe \\ Co' },
      { kind: "option", key: "type", value: "Merchant", text: "type=Merchant" },
      { kind: "option", key: "phone", value: "+41 44 123 45 67", text: "phone=+41 44 123 45 67" },
      { kind: "option", key: "issue", value: "Refund\nbutton missing", text: "issue=Refund\nbutton missing" },
    ]);
  });

  it("refuses an invalid answer with the call command's own message and asks again", () => {
    const form = new CallConversation(validate, "!support");
    form.answer("Jane Doe");
    const step = form.answer("alien");
    expect(step).toEqual({ kind: "invalid", text: expect.stringMatching(/^The type must be one of user, merchant, bank, other\. What \*\*type\*\*/) });
    expect(form.field).toBe("type");
    expect(form.answer("bank").kind).toBe("ask");
    expect(form.field).toBe("phone");
  });

  it("never repeats the answer in its messages", () => {
    const form = new CallConversation(validate, "!support");
    form.answer("Jane Doe");
    form.answer("user");
    const step = form.answer("call me maybe");
    expect(step.kind).toBe("invalid");
    if (step.kind === "invalid") expect(step.text).not.toContain("call me maybe");
  });

  it("cancels on cancel", () => {
    const form = new CallConversation(validate, "!bot");
    expect(form.answer(" Cancel ")).toEqual({ kind: "cancelled", text: "Cancelled; nothing was logged. Start again with `!bot call`." });
  });

  it("goes back to a refused field and keeps the others", () => {
    const form = new CallConversation(validate, "!support");
    fill(form, ["Jane Doe", "user", "+41 44 123 45 67", "jane@example.com", "Refund", "1.1.2099", "bug"]);
    expect(form.reopen("date")).toBe(true);
    expect(form.reopen("colour")).toBe(false);
    form.answer("today");
    const done = form.answer("bug");
    expect(done).toEqual({ kind: "done", line: 'call name="Jane Doe" type="user" phone="+41 44 123 45 67" email="jane@example.com" issue="Refund" route="bug"' });
  });

  it("accepts every answer when no call command is registered", () => {
    const form = new CallConversation(validatorFromCatalog({ all: () => [], find: () => undefined }), "!support");
    form.answer("x");
    expect(form.answer("alien").kind).toBe("ask");
  });
});
