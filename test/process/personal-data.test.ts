import { describe, expect, it } from "vitest";
import { describeRedaction, findContactData, isEmailAddress, isPhoneNumber, redactPersonalData } from "../../src/process/personal-data.js";

describe("isPhoneNumber", () => {
  it.each(["+41 79 555 01 23", "+41795550123", "079 555 01 23", "+41 (0)79 555-01-23", "0041 79 555 01 23", "+1 (415) 555-2671", "044/555.66.77"])(
    "accepts %s",
    (phone) => expect(isPhoneNumber(phone)).toBe(true),
  );

  it.each(["", "call me", "12345", "+41 79 555 01 23 ext 5", "+1234567890123456", "jane@example.com", "-41 79 555 01 23", "41-79-555-01-23 !"])(
    "refuses %s",
    (phone) => expect(isPhoneNumber(phone)).toBe(false),
  );
});

describe("isEmailAddress", () => {
  it.each(["jane@example.com", "jane.doe+taler@mail.example.co.uk", "zoë@exämple.ch"])("accepts %s", (email) => expect(isEmailAddress(email)).toBe(true));
  it.each(["jane", "jane@doe", "jane@@example.com", "jane @example.com", "@example.com", "jane@example.c"])("refuses %s", (email) =>
    expect(isEmailAddress(email)).toBe(false),
  );
});

describe("redactPersonalData", () => {
  const jane = { name: "Jane van Doe", phone: "+41 79 555 01 23", email: "jane.doe@example.com" };

  it.each([
    ["the full name, any case", "JANE VAN DOE called", "[customer] called"],
    ["a part of the name", "Mrs Doe called; Jane is upset", "Mrs [customer] called; [customer] is upset"],
    ["but not a particle alone or a word containing a part", "the van of Doeling", "the van of Doeling"],
    ["the phone without spaces", "call +41795550123 now", "call [phone] now"],
    ["the phone in national form", "call 079 555 01 23 now", "call [phone] now"],
    ["the phone with (0)", "call +41 (0)79 555 01 23.", "call [phone]."],
    ["the e-mail, before the name parts cut it up", "wrote from Jane.Doe@example.com", "wrote from [e-mail]"],
    ["any other e-mail address", "cc: boss@shop.example", "cc: [e-mail]"],
    ["any other + phone number", "or +49 30 1234567", "or [phone]"],
  ])("replaces %s", (_case, text, expected) => {
    expect(redactPersonalData(text, jane).text).toBe(expected);
  });

  it("leaves versions, amounts, dates and bug numbers alone", () => {
    const text = "Wallet 0.14.2 lost 50 CHF on 26.11.2026, see #1234 and order 2026-11-0042";
    expect(redactPersonalData(text, jane)).toEqual({ text, replaced: [] });
  });

  it("says which kinds it replaced, in a fixed order", () => {
    const result = redactPersonalData("jane.doe@example.com: Jane, +41795550123", jane);
    expect(result.replaced).toEqual(["name", "phone number", "e-mail address"]);
    expect(describeRedaction(result.replaced)).toBe("name, phone number and e-mail address");
  });

  it("treats a free-form contact as e-mail, phone, or literal text", () => {
    expect(redactPersonalData("reach jane.doe@example.com", { contact: "jane.doe@example.com" }).text).toBe("reach [e-mail]");
    expect(redactPersonalData("reach 079 555 01 23", { contact: "+41 79 555 01 23" }).text).toBe("reach [phone]");
    expect(redactPersonalData("reach Signal: janedoe42", { contact: "janedoe42" })).toEqual({ text: "reach Signal: [contact]", replaced: ["contact"] });
  });

  it("treats regular-expression characters in a name literally", () => {
    expect(redactPersonalData("A.B. (Ltd) says hi", { name: "A.B. (Ltd)" }).text).toBe("[customer] says hi");
  });
});

describe("findContactData", () => {
  it.each([
    ["Call +41 79 555 01 23 after 10:00", ["phone number"]],
    ["Call 079 555 01 23 after 10:00", ["phone number"]],
    ["Her number is 0049-30-1234567.", ["phone number"]],
    ["Write to jane.doe@example.com", ["e-mail address"]],
    ["jane@example.org or (030) 1234567? no: 030 1234567", ["phone number", "e-mail address"]],
  ])("finds contact data in %j", (text, kinds) => {
    expect(findContactData(text)).toEqual(kinds);
  });

  it.each([
    "Fixed in wallet 0.14.3, deadline 14.3.2034",
    "Reproduced on build 20340314 with 4h of work",
    "See #1234 and https://bugs.example.com/view.php?id=1234",
    "The exchange answered 0.9.0 instead of 1.0.0",
  ])("finds none in %j", (text) => {
    expect(findContactData(text)).toEqual([]);
  });
});
