import { describe, expect, it } from "vitest";
/**
 * Forms as guided conversations (platforms without dialogs): the `call` form asked field by field,
 * each answer checked with the command's own rules; the draft form after `draft 12`.
 */
import { buildCommandRegistry } from "../../../commands/index.js";
import { FormConversation } from "../../../src/chat/kernel/form-conversation.js";
import { formForLine } from "../../../src/chat/kernel/forms.js";
import { tokenize } from "../../../src/framework/tokenizer.js";

const registry = buildCommandRegistry();

function callForm(trigger = "!support"): FormConversation {
  return new FormConversation(formForLine("call", registry)!, { trigger });
}

function fill(form: FormConversation, answers: string[]) {
  return answers.map((text) => form.answer(text));
}

describe("FormConversation", () => {
  it("builds the call command line with every value quoted, skipping optional fields", () => {
    const form = callForm();
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
    const form = callForm();
    form.answer("Jane Doe");
    const step = form.answer("alien");
    expect(step).toEqual({ kind: "invalid", text: expect.stringMatching(/^The type must be one of user, merchant, bank, other\. What \*\*type\*\*/) });
    expect(form.field).toBe("type");
    expect(form.answer("bank").kind).toBe("ask");
    expect(form.field).toBe("phone");
  });

  it("never repeats the answer in its messages", () => {
    const form = callForm();
    form.answer("Jane Doe");
    form.answer("user");
    const step = form.answer("call me maybe");
    expect(step.kind).toBe("invalid");
    if (step.kind === "invalid") expect(step.text).not.toContain("call me maybe");
  });

  it("cancels on cancel", () => {
    const form = callForm("!bot");
    expect(form.answer(" Cancel ")).toEqual({ kind: "cancelled", text: "Cancelled; nothing was logged. Start again with `!bot call`." });
  });

  it("goes back to a refused field and keeps the others", () => {
    const form = callForm();
    fill(form, ["Jane Doe", "user", "+41 44 123 45 67", "jane@example.com", "Refund", "1.1.2099", "bug"]);
    expect(form.reopen("date")).toBe(true);
    expect(form.reopen("colour")).toBe(false);
    form.answer("today");
    const done = form.answer("bug");
    expect(done).toEqual({ kind: "done", line: 'call name="Jane Doe" type="user" phone="+41 44 123 45 67" email="jane@example.com" issue="Refund" route="bug"' });
  });

  it("does not ask again for what the command line gave, and takes yes or no for a switch", () => {
    const form = new FormConversation(formForLine("draft #12", registry)!, { trigger: "!support" });
    expect(form.start()).toMatch(/\*\*Draft the response\*\*: I ask for one detail at a time[\s\S]*The \*\*response\*\* to the customer/);
    expect(form.answer("We fixed it.").kind).toBe("ask");
    expect(form.answer("maybe")).toEqual({ kind: "invalid", text: expect.stringMatching(/^The force is a switch/) });
    expect(form.answer("yes")).toEqual({ kind: "done", line: 'draft bug="12" text="We fixed it." force="yes"' });
  });

  it("says it deletes the answers only where it does", () => {
    expect(callForm().start()).not.toContain("I delete your answers");
    expect(new FormConversation(formForLine("call", registry)!, { trigger: "!support", deletesAnswers: true }).start()).toContain("I delete your answers");
  });
});
