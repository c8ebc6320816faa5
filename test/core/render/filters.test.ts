import { describe, expect, it } from "vitest";
import { initials, mailto, phone, tel } from "../../../src/core/render/filters.js";
import { compileTemplate, renderCompiled } from "../../../src/core/render/liquid.js";

async function render(source: string, user: Record<string, unknown>): Promise<string> {
  return renderCompiled("t", "html", compileTemplate("t", "html", source), { user });
}

describe("phone", () => {
  it.each([
    ["+1 415 555 0100", undefined, undefined, "+1 415 555 0100"],
    ["+14155550100", "national", undefined, "(415) 555-0100"],
    ["(415) 555-0100", "e164", "US", "+14155550100"],
    ["030 901820", "international", "DE", "+49 30 901820"],
    ["030 901820", "national", "de", "030 901820"],
    ["+44 20 7946 0958", "international", undefined, "+44 20 7946 0958"],
    [["+14155550100", "", "+4930901820"], "international", undefined, "+1 415 555 0100, +49 30 901820"],
    [4930901820, "international", "DE", "+49 30 901820"],
  ])("formats %j as %s/%s → %s", (input, format, country, expected) => {
    expect(phone(input, format, country)).toBe(expected);
  });

  it.each([["+1 555 0100"], ["call reception"], ["12"], ["030 901820"]])(
    "returns %j unchanged when it cannot be a phone number",
    (input) => {
      expect(phone(input)).toBe(input);
    },
  );

  it("ignores a country code it does not know instead of throwing", () => {
    expect(phone("030 901820", "national", "XX")).toBe("030 901820");
  });

  it.each([[undefined], [null], [{}], [true]])("renders nothing for %j", (input) => {
    expect(phone(input)).toBe("");
  });
});

describe("tel", () => {
  it.each([
    ["+1 (415) 555-0100", undefined, "tel:+14155550100"],
    ["030 901820", "DE", "tel:+4930901820"],
    ["+1 555 0100", undefined, "tel:+15550100"],
    ["+1 415 555 0100 ext. 12", undefined, "tel:+14155550100;ext=12"],
    ["ext 0 / 12", undefined, "tel:012"],
    [["", "+4930901820"], undefined, "tel:+4930901820"],
    [4155550100, "US", "tel:+14155550100"],
  ])("turns %j into %s", (input, country, expected) => {
    expect(tel(input, country)).toBe(expected);
  });

  it.each([[undefined], [null], [""], ["n/a"]])("renders nothing for %j", (input) => {
    expect(tel(input)).toBe("");
  });
});

describe("initials", () => {
  it.each([
    ["Alice Example", "AE"],
    ["alice", "A"],
    ["Élodie de la Fontaine", "ÉF"],
    ["E\u0301lodie Zola", "E\u0301Z"],
    ["  Søren   Kierkegaard (CFO) ", "SK"],
    ["Jürgen Groß", "JG"],
    ["山田 太郎", "山太"],
    ["", ""],
  ])("turns %j into %j", (input, expected) => {
    expect(initials(input)).toBe(expected);
  });

  it.each([[undefined], [null], [42]])("renders nothing for %j", (input) => {
    expect(initials(input)).toBe("");
  });
});

describe("mailto", () => {
  it.each([
    ["alice@example.com", "mailto:alice@example.com"],
    ["Alice Example <alice@example.com>", "mailto:alice@example.com"],
    ["a b@example.com", "mailto:a%20b@example.com"],
    ["sales?x=1#y@example.com", "mailto:sales%3Fx%3D1%23y@example.com"],
    ["100%@example.com", "mailto:100%25@example.com"],
    ["jörg@example.de", "mailto:j%C3%B6rg@example.de"],
  ])("turns %j into %s", (input, expected) => {
    expect(mailto(input)).toBe(expected);
  });

  it.each([[undefined], [null], [""], [7]])("renders %j without throwing", (input) => {
    expect(mailto(input)).toBe(input === 7 ? "mailto:7" : "");
  });
});

describe("filters in templates", () => {
  it("formats with arguments from the template", async () => {
    const html = await render('{{ user.mobilePhone | phone: "national", "DE" }}', {
      mobilePhone: "+49 30 901820",
    });
    expect(html).toBe("030 901820");
  });

  it("builds a link from tel and mailto that survives HTML escaping", async () => {
    const html = await render(
      '<a href="{{ user.mobilePhone | tel }}">{{ user.displayName | initials }}</a>',
      {
        mobilePhone: "+1 415 555 0100",
        displayName: "Alice Example",
      },
    );
    expect(html).toBe('<a href="tel:+14155550100">AE</a>');
  });

  it("renders a missing attribute as nothing through every filter", async () => {
    const html = await render(
      "[{{ user.x | phone }}|{{ user.x | tel }}|{{ user.x | initials }}|{{ user.x | mailto }}]",
      {},
    );
    expect(html).toBe("[|||]");
  });
});
