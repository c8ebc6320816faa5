import { describe, expect, it } from "vitest";
import { compileTemplate, renderCompiled } from "../../../src/core/render/liquid.js";
import type { TemplateKind } from "../../../src/core/render/liquid.js";

function render(source: string, user: Record<string, unknown>, kind: TemplateKind = "html") {
  return renderCompiled("t", kind, compileTemplate("t", kind, source), { user });
}

const MOBILE_LINE = "{{ user.displayName }}{% line %}<br>M {{ user.mobilePhone | phone }}{% endline %}";

describe("{% line %}", () => {
  it("leaves no empty line when the user has no mobile number", async () => {
    expect(await render(MOBILE_LINE, { displayName: "Alice" })).toBe("Alice");
  });

  it("renders the line when the value is there", async () => {
    const html = await render(MOBILE_LINE, { displayName: "Alice", mobilePhone: "+14155550100" });
    expect(html).toBe("Alice<br>M +1 415 555 0100");
  });

  it.each([
    ["null", null],
    ["an empty string", ""],
    ["whitespace", "  \t "],
    ["an empty list", []],
    ["a list of empty strings", ["", " "]],
  ])("treats %s as empty", async (_label, value) => {
    expect(await render("{% line %}<br>M {{ user.v }}{% endline %}", { v: value })).toBe("");
  });

  it("counts zero as content", async () => {
    expect(await render("{% line %}Floor {{ user.floor }}{% endline %}", { floor: 0 })).toBe("Floor 0");
  });

  it("does not count literal text as content", async () => {
    expect(await render("a{% line %}<br>Mobile: call us{% endline %}b", {})).toBe("ab");
  });

  it("renders when any one of several outputs has a value", async () => {
    const source = "{% line %}<br>{{ user.city }} {{ user.postalCode }}{% endline %}";
    expect(await render(source, { postalCode: "10115" })).toBe("<br> 10115");
  });

  it("sees outputs inside nested tags", async () => {
    const source =
      "{% line %}<br>T {% if user.phones %}{% for p in user.phones %}{{ p }};{% endfor %}{% endif %}{% endline %}";
    expect(await render(source, { phones: ["1", "2"] })).toBe("<br>T 1;2;");
    expect(await render(source, { phones: [] })).toBe("");
  });

  it("lets an inner line with content keep the outer line", async () => {
    const source =
      "{% line %}[{% line %}{{ user.a }}{% endline %}|{% line %}{{ user.b }}{% endline %}]{% endline %}";
    expect(await render(source, { a: "x" })).toBe("[x|]");
    expect(await render(source, {})).toBe("");
  });

  it("counts raw outputs", async () => {
    expect(await render("{% line %}<br>{{ user.html | raw }}{% endline %}", { html: "<i>x</i>" })).toBe(
      "<br><i>x</i>",
    );
    expect(await render("{% line %}<br>{{ user.html | raw }}{% endline %}", {})).toBe("");
  });

  it("works in text templates", async () => {
    const source =
      "{{ user.displayName }}\n{% line %}M {{ user.mobilePhone }}\n{% endline %}{% line %}E {{ user.mail }}\n{% endline %}";
    expect(await render(source, { displayName: "Alice", mail: "a@example.com" }, "text")).toBe(
      "Alice\nE a@example.com\n",
    );
  });
});
