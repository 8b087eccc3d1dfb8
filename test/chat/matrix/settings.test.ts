import { describe, expect, it } from "vitest";
import { inviterAllowed, parseInviterList, parseRoomMap } from "../../../src/chat/matrix/settings.js";

describe("parseRoomMap", () => {
  it("maps channel keys to room ids and aliases", () => {
    expect(parseRoomMap("management=!abc:example.org, Sales = #sales:example.org\nsupport=#s:m.org:8448")).toEqual({
      ok: true,
      value: { management: "!abc:example.org", sales: "#sales:example.org", support: "#s:m.org:8448" },
    });
  });

  it.each([
    ["management", /must look like key=/],
    ["management=general", /neither a room id .* nor an alias/],
    ["=!abc:example.org", /no channel key/],
    ["a=!x:y,a=!z:y", /a is given twice/],
  ])("refuses %s", (text, error) => {
    const parsed = parseRoomMap(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(error);
  });
});

describe("inviters", () => {
  it("parses user ids and server names", () => {
    expect(parseInviterList("@alice:example.org example.com, [::1]:8448")).toEqual({ ok: true, value: ["@alice:example.org", "example.com", "[::1]:8448"] });
    expect(parseInviterList("alice@example.org").ok).toBe(false);
  });

  it("allows a listed user or anyone on a listed server, nobody else", () => {
    const allowed = ["@alice:example.org", "partner.org"];
    expect(inviterAllowed("@Alice:example.org", allowed)).toBe(true);
    expect(inviterAllowed("@bob:partner.org", allowed)).toBe(true);
    expect(inviterAllowed("@bob:example.org", allowed)).toBe(false);
    expect(inviterAllowed("@eve:evil-partner.org", allowed)).toBe(false);
  });
});
